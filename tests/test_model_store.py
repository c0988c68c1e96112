"""Shipped coupling models (sim.model_store): present for the demo, current, and equal to a fresh training."""
from __future__ import annotations

import numpy as np
import pytest

from sim import model_store
from sim.data import read_demo


@pytest.fixture(scope="module")
def demo():
    return read_demo(("provinces",))["provinces"]


def test_the_demo_ships_a_current_model_for_every_method(demo):
    missing, unused = model_store.stale_files(demo)
    assert not missing and not unused, (
        f"shipped models are stale (missing {missing}, unused {unused}): the demo panel or sim/mlp.py "
        "changed. Rebuild them with `python -m sim.model_store` and commit data/models/.")


def test_the_key_follows_the_data_and_the_code(demo):
    fp = model_store.panel_fingerprint(demo)
    edited = demo.copy()
    edited.iloc[0, 2] = float(edited.iloc[0, 2]) * 1.01
    assert model_store.panel_fingerprint(edited) != fp
    assert model_store.load_shipped("crosspred", model_store.panel_fingerprint(edited)) is None
    assert model_store.file_name("crosspred", fp) != model_store.file_name("crosspred", fp, seeds=(0, 1))


@pytest.mark.slow
def test_the_shipped_ensemble_equals_a_fresh_training(demo):
    """The file holds what training on the demo gives today (seeded, deterministic up to floating-point
    order on another CPU; hence 1e-6, far below the 0.01 steps in which D is reported)."""
    fp = model_store.panel_fingerprint(demo)
    shipped = model_store.load_shipped("crosspred", fp)
    fresh = model_store.fit_panel(demo, "crosspred")
    assert len(shipped.members) == len(fresh.members) == len(model_store.SEEDS)
    np.testing.assert_allclose(shipped.train_coupling, fresh.train_coupling, atol=1e-6)
    for a, b in zip(shipped.members, fresh.members):
        for s in ("nqpf", "inno"):
            for (Wa, ba), (Wb, bb) in zip(a.towers[s], b.towers[s]):
                np.testing.assert_allclose(Wa, Wb, atol=1e-6)
                np.testing.assert_allclose(ba, bb, atol=1e-6)
    assert shipped.diagnostics["collapsed"] == fresh.diagnostics["collapsed"]


def test_the_app_reads_the_shipped_model_without_training(demo, monkeypatch):
    """ui.coupling uses the shipped ensemble: training is never called for the demo."""
    from ui import coupling as cp

    def no_training(*a, **k):
        raise AssertionError("trained although a shipped model matches")

    monkeypatch.setattr(model_store, "fit_panel", no_training)
    cp._ensemble.clear()
    ens = cp.trained_ensemble(cp.panel_fingerprint(demo), demo, "paper")
    assert ens.diagnostics["collapsed"]  # the paper's loss collapses on the demo (SPEC 2.4)
    cp._ensemble.clear()
