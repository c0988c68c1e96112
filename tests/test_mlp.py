"""Dual-tower coupling models (sim.mlp): collapse of the paper's loss, the non-degenerate variants,
determinism, out-of-fold consistency and safe persistence."""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import norm, rankdata

from sim import mlp
from sim.coupling import EntropyFrame

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "provinces.csv"
sys.path.insert(0, str(ROOT / "bench"))
from coupling_recovery import synthetic_coupled_panel  # noqa: E402

FAST = dict(epochs=25)  # small epoch counts keep the file fast; behaviour, not accuracy, is tested


@pytest.fixture(scope="module")
def synthetic():
    """330-row synthetic panel (30 provinces x 11 years) with its normalised indicators."""
    panel, truth, systems = synthetic_coupled_panel(seed=0)
    f = EntropyFrame.fit(panel, systems=systems)
    return (f.normalise(panel, "nqpf"), f.normalise(panel, "inno"), panel["province"].to_numpy(), truth)


@pytest.fixture(scope="module")
def paper_model(synthetic):
    Xn, Xi, _, _ = synthetic
    return mlp.fit_coupling(Xn, Xi, method="paper", seed=0)  # the paper's defaults, 500 epochs


def test_methods_are_named_and_described():
    assert {"paper", "crosspred", "cca"} <= set(mlp.METHODS)
    assert all(isinstance(v, str) and len(v) > 20 for v in mlp.METHODS.values())


def test_effective_rank_hand_cases():
    assert mlp.effective_rank([[1.0, 0.0], [3.0, 0.0]]) == pytest.approx(1.0)
    # singular values 2 and 1: p = (2/3, 1/3), exp(-(2/3 ln 2/3 + 1/3 ln 1/3)) = 1.8899
    assert mlp.effective_rank([[2.0, 0.0], [0.0, 1.0]]) == pytest.approx(
        np.exp(-(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3))))


def test_paper_method_collapses_on_330_rows(paper_model, synthetic):
    d = paper_model.diagnostics
    assert d["collapsed"] is True
    assert d["c_std"] < 0.01
    assert d["c_mean"] > 0.99  # both towers point one way: C ~ 1 everywhere
    assert d["effective_rank"] < 1.5
    assert "collapsed" in d["message"] and "sqrt(T)" in d["message"]
    assert d["loss_history"][-1] == pytest.approx(-1.0, abs=1e-3)  # the loss's floor, reached
    Xn, Xi, _, _ = synthetic
    C = paper_model.coupling(Xn, Xi)
    assert C.shape == (330,) and ((C >= 0) & (C <= 1)).all()
    vn, vi = paper_model.embeddings(Xn, Xi)
    assert np.linalg.norm(vn, axis=1) == pytest.approx(np.ones(330))  # L2-normalised, K = 16
    assert vn.shape == (330, 16)
    assert C == pytest.approx(((vn * vi).sum(1) + 1) / 2)  # C = (cos + 1)/2


def test_paper_method_collapses_on_the_demo():
    panel = pd.read_csv(DEMO)
    f = EntropyFrame.fit(panel)
    m = mlp.fit_coupling(f.normalise(panel, "nqpf"), f.normalise(panel, "inno"), method="paper", seed=1)
    assert m.diagnostics["collapsed"] is True


def test_paper_towers_have_the_published_shape(paper_model):
    shapes = {s: [W.shape for W, _ in layers] for s, layers in paper_model.towers.items()}
    assert shapes["nqpf"] == [(1, 17, 64), (1, 64, 32), (1, 32, 16)]
    assert shapes["inno"] == [(1, 18, 64), (1, 64, 32), (1, 32, 16)]


@pytest.mark.parametrize("method", ["crosspred", "cca"])
def test_variant_c_varies_and_is_deterministic(synthetic, method):
    Xn, Xi, g, _ = synthetic
    a = mlp.fit_coupling(Xn, Xi, method=method, seed=3, groups=g, **FAST)
    b = mlp.fit_coupling(Xn, Xi, method=method, seed=3, groups=g, **FAST)
    c = mlp.fit_coupling(Xn, Xi, method=method, seed=4, groups=g, **FAST)
    assert a.diagnostics["collapsed"] is False
    assert a.diagnostics["c_std"] > 0.02
    assert np.array_equal(a.train_coupling, b.train_coupling)  # bitwise
    for (Wa, ba), (Wb, bb) in zip(a.towers["nqpf"], b.towers["nqpf"]):
        assert np.array_equal(Wa, Wb) and np.array_equal(ba, bb)
    assert not np.array_equal(a.train_coupling, c.train_coupling)
    assert ((a.train_coupling > 0) & (a.train_coupling <= 1)).all()


def test_crosspred_is_out_of_fold_by_province(synthetic):
    Xn, Xi, g, _ = synthetic
    m = mlp.fit_coupling(Xn, Xi, method="crosspred", seed=0, groups=g, **FAST)
    # default: one fold model per province (leave-one-province-out)
    assert m.towers["nqpf"][0][0].shape[0] == 30
    assert sorted(set(m.fold_of_group.values())) == list(range(30))
    # inference with the provinces reproduces the out-of-fold training C exactly (fast path)
    assert m.coupling(Xn, Xi, groups=g) == pytest.approx(m.train_coupling, abs=1e-12)
    # without provinces every fold model is averaged: some rows are then in-sample, C differs
    assert not np.allclose(m.coupling(Xn, Xi), m.train_coupling)


def test_rank_gaussian_reference_matches_scipy_and_clamps():
    X = np.random.default_rng(0).integers(0, 12, size=(40, 3)).astype(float)
    ref = mlp._gauss_reference(X)
    G = mlp._gauss_apply(ref, X)
    R = np.apply_along_axis(rankdata, 0, X)
    assert G == pytest.approx(norm.ppf((R - 0.5) / 40), abs=1e-12)
    beyond = mlp._gauss_apply(ref, np.full((1, 3), 100.0))
    assert beyond[0] == pytest.approx(G.max(axis=0))


def test_crosspred_recovers_a_known_coupling(synthetic):
    Xn, Xi, g, truth = synthetic
    m = mlp.fit_coupling(Xn, Xi, method="crosspred", seed=0, groups=g)  # defaults
    from scipy.stats import spearmanr

    # the benchmark reports ~0.72 on this panel; the paper's loss cannot do this (it collapses)
    assert spearmanr(m.train_coupling, truth["truth"]).statistic > 0.6


def test_ensemble_progress_spread_and_seed_agreement(synthetic):
    Xn, Xi, g, _ = synthetic
    calls = []
    ens = mlp.fit_ensemble(Xn, Xi, method="crosspred", seeds=(0, 1, 2), groups=g, n_folds=5,
                           progress=lambda f, msg: calls.append((f, msg)), **FAST)
    fr = [f for f, _ in calls]
    assert fr == sorted(fr) and fr[-1] == 1.0 and len(fr) >= 6
    assert ens.train_coupling.shape == (3, 330)
    d = ens.diagnostics
    assert -1 <= d["seed_spearman"] <= 1 and d["collapsed"] is False
    T = np.linspace(0.1, 0.6, 330)
    s = ens.summary(T)
    assert s["C_mean"].to_numpy() == pytest.approx(ens.train_coupling.mean(0))
    assert s["D_mean"].to_numpy() == pytest.approx(np.sqrt(ens.train_coupling * T).mean(0))
    assert (s["C_std"] >= 0).all() and (s["C_min"] <= s["C_max"]).all()
    assert ens.coupling(Xn, Xi, g) == pytest.approx(ens.train_coupling.mean(0), abs=1e-12)


def test_seed_spearman_hand_case():
    C = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    # pairs: (0,1) = 1, (0,2) = -1, (1,2) = -1 -> mean -1/3
    assert mlp.seed_spearman(C) == pytest.approx(-1 / 3)


def test_save_load_round_trip(synthetic, paper_model, tmp_path):
    Xn, Xi, g, _ = synthetic
    rng = np.random.default_rng(1)
    Pn, Pi = np.clip(Xn + 0.05 * rng.random(Xn.shape), 0, 1), np.clip(Xi + 0.05 * rng.random(Xi.shape), 0, 1)
    cp = mlp.fit_coupling(Xn, Xi, method="crosspred", seed=0, groups=g, **FAST)
    ens = mlp.fit_ensemble(Xn, Xi, method="cca", seeds=(0, 1), groups=g, n_folds=5, **FAST)
    for model in (paper_model, cp):
        path = tmp_path / f"{model.method}.pt"
        mlp.save(model, path)
        back = mlp.load(path)
        assert back.method == model.method and back.options == model.options
        assert np.array_equal(back.coupling(Pn, Pi, g), model.coupling(Pn, Pi, g))
        assert np.array_equal(back.train_coupling, model.train_coupling)
        assert back.diagnostics["collapsed"] == model.diagnostics["collapsed"]
    mlp.save(ens, tmp_path / "ens.pt")
    back = mlp.load(tmp_path / "ens.pt")
    assert np.array_equal(back.coupling(Pn, Pi, g), ens.coupling(Pn, Pi, g))
    assert back.diagnostics["seed_spearman"] == ens.diagnostics["seed_spearman"]


def test_load_refuses_foreign_files(tmp_path):
    torch.save({"kind": "something else"}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="not a coupling model"):
        mlp.load(tmp_path / "x.pt")

    from fractions import Fraction  # any class outside the weights-only allow-list

    torch.save({"kind": "model", "obj": Fraction(1, 3)}, tmp_path / "evil.pt")
    with pytest.raises(Exception):  # weights_only=True refuses arbitrary classes
        mlp.load(tmp_path / "evil.pt")


def test_bad_inputs_raise(synthetic):
    Xn, Xi, g, _ = synthetic
    with pytest.raises(ValueError, match="method must be one of"):
        mlp.fit_coupling(Xn, Xi, method="magic")
    with pytest.raises(ValueError, match="same rows"):
        mlp.fit_coupling(Xn[:10], Xi[:11])
    with pytest.raises(ValueError, match="unknown options"):
        mlp.fit_coupling(Xn, Xi, method="paper", n_folds=3)
    bad = Xn.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mlp.fit_coupling(bad, Xi)
    with pytest.raises(ValueError, match="at least 2 provinces"):
        mlp.fit_coupling(Xn[:11], Xi[:11], method="crosspred", groups=g[:11], epochs=2)
    m = mlp.fit_coupling(Xn, Xi, method="crosspred", groups=g, n_folds=5, epochs=2)
    with pytest.raises(ValueError, match="17 columns"):
        m.coupling(Xn[:, :5], Xi)


def test_threads_are_restored(synthetic):
    Xn, Xi, _, _ = synthetic
    before = torch.get_num_threads()
    mlp.fit_coupling(Xn[:40], Xi[:40], method="paper", epochs=2, num_threads=1)
    assert torch.get_num_threads() == before
