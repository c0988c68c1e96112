"""AppTest: a county-scale panel (2,800 synthetic units x 20 years, coordinates, groups and GDP per
capita, no boundaries) on every Study A page and in the Simulator (issue 12, "Scale").

The panel comes from ``sim.synthetic.generate`` (seeded, labelled synthetic), is read and validated by
``sim.data.read_province_panel`` with its units sheet, and is put into a session as the province panel.
Each page must run without an exception or the app's "Unexpected error" message, draw a point map where
it maps units, and say what it did differently at this scale.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import data, synthetic
from tests.fixtures.sessions import session_with
from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 900  # seconds: 56,000 unit-years on 2 shared cores
N_UNITS, N_YEARS = 2800, 20
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county():
    syn = synthetic.generate(N_UNITS, N_YEARS, seed=0)
    return data.read_province_panel(syn.panel, units=syn.units, group_column="group")


def _session_with(frame) -> AppTest:
    return session_with(frame, TIMEOUT, source="synthetic county panel", synthetic=True)


def _healthy(at):
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(str(e.value) for k in ("markdown", "error", "warning", "info") for e in getattr(at, k))
    assert UNEXPECTED not in texts
    return texts


def _point_maps(at) -> int:
    charts = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    return sum(any(layer.get("mark", {}).get("type") == "circle" for layer in c.get("layer", [])) for c in charts)


def test_the_county_panel_reads_with_its_units(county):
    assert county.shape[0] == N_UNITS * N_YEARS
    units = county.attrs["units"]
    assert len(units.names) == N_UNITS and not units.provinces
    assert set(units.group_order) == {"East", "Central", "West"}


@pytest.mark.parametrize("page", ["coupling.py", "spatial.py", "dynamics.py", "simulator.py"])
def test_every_study_a_page_and_the_simulator_run_at_county_scale(county, page):
    at = _session_with(county)
    at.switch_page(f"pages/{page}")
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    texts = _healthy(at)
    assert "synthetic" in texts.lower()  # the banner: these are invented numbers
    md = " ".join(str(m.value) for m in at.markdown).replace("\\", "")
    if page in ("coupling.py", "spatial.py", "dynamics.py"):
        assert _point_maps(at) >= 1, "no point map of the units"
    if page == "coupling.py":
        assert f"of {N_UNITS:,} units" in md or f"of {N_UNITS} units" in md
    if page == "spatial.py":  # the dense matrix would cost hours of permutations: said, with the share kept
        assert f"With {N_UNITS:,} units the paper's economic-geographic matrix links every pair" in texts
        assert "strongest" in texts
    if page == "simulator.py":
        summary = [str(m.value) for m in at.markdown if "high or extreme" in str(m.value)]
        assert summary, "no summary of the projection"
    print(f"{page}: {seconds:.1f} s at {N_UNITS} units x {N_YEARS} years")
