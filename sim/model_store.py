"""Trained coupling models shipped with the app, keyed to the data and to the training code.

The dual-tower MLP of Liu et al. (2026), Scientific Reports (section "MLP coupling", SPEC 2.4), and
its two variants are trained on a panel with five seeds: 3-10 s on two cores, too slow for the first
click in a workshop. The demo's ensembles are therefore trained once, saved as tensors and plain
values (``sim.mlp.save``) and shipped in ``data/models/``; the app reads them with
``torch.load(weights_only=True)`` (``sim.mlp.load``), never a user's file.

A shipped file is used only when its name matches all of:

* the panel's fingerprint (``panel_fingerprint``: its values, columns, indicator system and units),
  so a different or edited panel is trained afresh;
* the training signature (``training_signature``): the method, the seeds and a hash of the source of
  ``sim/mlp.py``, so a change to the training code makes the shipped files stale rather than wrong
  (``python -m sim.model_store`` rebuilds them; a test fails while they are stale).

Pure functions of their inputs; no Streamlit.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from sim import schema

SHIPPED_DIR = schema.DATA_DIR / "models"
SEEDS = (0, 1, 2, 3, 4)
METHODS = ("crosspred", "paper", "cca")


def content_hash(frame: pd.DataFrame, extra: str = "") -> str:
    """A short (16 hex) hash of a frame's values and column names, and of ``extra`` (what else makes
    up its content, e.g. the keys of its indicator system and units). The one content hash of the app:
    :func:`panel_fingerprint` and ``ui.state.frame_fingerprint`` are both this.

    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> content_hash(a) == content_hash(a.copy()), content_hash(a) == content_hash(a, "units")
    (True, False)
    """
    h = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    h.update(",".join(map(str, frame.columns)).encode())
    if extra:
        h.update(extra.encode())
    return h.hexdigest()[:16]


def panel_fingerprint(panel: pd.DataFrame) -> str:
    """A short hash of a province panel's contents, columns, indicator system and units.

    The cache key of everything derived from the panel in the app, and the data half of a shipped
    model's name.
    """
    from sim.indicators import system_of
    from sim.units import units_of

    return content_hash(panel, f"{system_of(panel).key}|{units_of(panel).key}")


def training_signature(method: str, seeds=SEEDS) -> str:
    """Hash of the method, the seeds and the source of ``sim/mlp.py`` (the training code).

    >>> training_signature("crosspred") == training_signature("crosspred")
    True
    >>> training_signature("crosspred") != training_signature("paper")
    True
    """
    from sim import mlp

    h = hashlib.sha256(Path(mlp.__file__).read_bytes())
    h.update(repr((method, tuple(int(s) for s in seeds))).encode())
    return h.hexdigest()[:12]


def file_name(method: str, data_fp: str, seeds=SEEDS) -> str:
    """``<method>-<panel fingerprint>-<training signature>.pt``."""
    return f"{method}-{data_fp}-{training_signature(method, seeds)}.pt"


def load_shipped(method: str, data_fp: str, seeds=SEEDS, directory: Path = SHIPPED_DIR):
    """The shipped ensemble for this panel and training code, or None when there is none."""
    from sim import mlp

    path = Path(directory) / file_name(method, data_fp, seeds)
    return mlp.load(path) if path.is_file() else None


def fit_panel(panel: pd.DataFrame, method: str, seeds=SEEDS, frame=None, progress=None):
    """Train the ``method`` ensemble on a panel: normalise each system with the panel's entropy frame
    (SPEC 2.1), then ``sim.mlp.fit_ensemble`` with the units as cross-fitting groups."""
    from sim import mlp
    from sim.coupling import EntropyFrame

    f = frame if frame is not None else EntropyFrame.fit(panel)
    Xn, Xi = f.normalise(panel, "nqpf"), f.normalise(panel, "inno")
    return mlp.fit_ensemble(Xn, Xi, method=method, seeds=seeds, groups=panel[schema.PROVINCE].to_numpy(),
                            progress=progress)


def stale_files(panel: pd.DataFrame, directory: Path = SHIPPED_DIR, methods=METHODS) -> tuple[list, list]:
    """(missing, unused): the file names the panel needs that are absent, and shipped files no
    current key names."""
    fp = panel_fingerprint(panel)
    want = {file_name(m, fp) for m in methods}
    have = {p.name for p in Path(directory).glob("*.pt")}
    return sorted(want - have), sorted(have - want)


def build(panel: pd.DataFrame, directory: Path = SHIPPED_DIR, methods=METHODS) -> list[Path]:
    """Train and save every method's ensemble for ``panel``; remove files no current key names."""
    from sim import mlp

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    fp = panel_fingerprint(panel)
    written = []
    for m in methods:
        path = directory / file_name(m, fp)
        mlp.save(fit_panel(panel, m), path)
        written.append(path)
    keep = {p.name for p in written}
    for p in directory.glob("*.pt"):
        if p.name not in keep:
            p.unlink()
    return written


if __name__ == "__main__":  # python -m sim.model_store: rebuild the demo's shipped models
    from sim.data import read_demo

    demo = read_demo(("provinces",))["provinces"]
    for p in build(demo):
        print(f"{p.relative_to(schema.DATA_DIR.parent)}  {p.stat().st_size / 1024:.0f} KiB")
