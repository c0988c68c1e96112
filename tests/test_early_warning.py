"""Coupling-fault flags: hand-made panel with known faults."""
import pandas as pd
import pytest

from sim.early_warning import coupling_faults

YEARS = [2018, 2019, 2020, 2021]
H = pd.DataFrame([[0.10, 0.15, 0.20, 0.25],   # A: input rises every year
                  [0.10, 0.15, 0.20, 0.25],   # B: input rises
                  [0.10, 0.10, 0.10, 0.10]],  # C: input flat
                 index=["A", "B", "C"], columns=YEARS)
D = pd.DataFrame([[0.40, 0.45, 0.452, 0.44],  # A: rises, then stalls, then falls
                  [0.40, 0.45, 0.50, 0.55],   # B: keeps pace
                  [0.40, 0.30, 0.20, 0.10]],  # C: falls but input did not rise
                 index=["A", "B", "C"], columns=YEARS)


def test_flags_and_evidence():
    out = coupling_faults(H, D, window=1, rise_min=0.01, stall_tolerance=0.005)
    assert len(out) == 9
    flagged = out[out.flagged]
    assert list(zip(flagged.province, flagged.year, flagged.status)) == [("A", 2020, "stalled"),
                                                                         ("A", 2021, "fell")]
    row = out[(out.province == "A") & (out.year == 2021)].iloc[0]
    assert row.delta_h_inno == pytest.approx(0.05) and row.delta_D == pytest.approx(-0.012)
    assert row.start_year == 2020


def test_window_and_thresholds():
    out = coupling_faults(H, D, window=2, rise_min=0.01, stall_tolerance=0.005)
    # A over 2019-2021: dh = .10, dD = -.01 -> fell; over 2018-2020: dD = .052 -> ok
    assert out[out.flagged][["province", "year"]].values.tolist() == [["A", 2021]]
    strict = coupling_faults(H, D, window=1, rise_min=0.06)
    assert not strict.flagged.any()


def test_bad_inputs():
    with pytest.raises(ValueError, match="window"):
        coupling_faults(H, D, window=4)
    with pytest.raises(ValueError, match="same provinces"):
        coupling_faults(H, D.drop(index="C"))
