"""Dual-tower MLP coupling (Liu et al. 2026, "Dual-tower MLP measurement model"; SPEC 2.4).

Two methods, both with one tower per system (``nqpf``, ``inno``) and separate weights:

``"paper"``
    The published model, implemented as written: two towers of the same shape, Linear+ReLU
    layers, a linear projection to K = 16, L2-normalisation; loss ``-mean_i(v_nqpf_i . v_inno_i)``
    (the paper's Loss equation); after training ``C = (cos + 1) / 2`` and ``D = sqrt(C T)``.
    **Known defect**: the loss has positive pairs only, so both towers can output one constant
    direction and reach the minimum -1 for every row. They do: C tends to ~1 everywhere with a
    std across rows near 0, so D_mlp ~ sqrt(T). :func:`collapse_diagnostics` detects this and
    ``diagnostics["message"]`` says it in plain words.

``"crosspred"`` (the app's non-degenerate measurement)
    Out-of-fold cross-prediction. Each system's normalised indicators are first mapped to
    rank-Gaussian scores ``Phi^-1((rank - 0.5)/n)`` against the baseline (frozen; new values are
    interpolated, values beyond the baseline range get the extreme baseline score), so skewed
    money-valued indicators do not make rich rows dominate the error. The rows are split into
    folds by province (default: one fold per province, i.e. leave-one-province-out, so a
    province's own other years never inform its prediction; 10 random row folds without
    ``groups``). For each fold, the NQPF tower is trained to predict the (standardised) innovation
    scores and the innovation tower to predict the NQPF scores, on the other folds only. The
    held-out error of row i, ``e_i`` = mean squared standardised residual over both directions,
    measures how far each system is from what the other one implies; ``C_i = 1 / (1 + e_i)``.
    What is and is not out-of-fold: the towers' weights of a fold never see the held-out
    province's rows. The two per-column transforms before them, the rank-Gaussian reference and
    the target standardisation (mean, sd), are unsupervised marginal transforms fitted once on
    all rows, the held-out province included (one frozen reference is what lets a scenario be
    scored on the baseline's scale). So the held-out province's values move the score scale of
    every column by about 1/n of its rank positions; its prediction error itself is out-of-fold.
    This is "leave-one-province-out for the learned maps", not a fully nested cross-validation.
    ``e_i = 0`` (each system exactly what the other implies) gives C = 1; ``e_i = 1`` (no better
    than the panel mean) gives C = 0.5, the same "no information" point as the paper's cosine 0.
    Chosen on evidence: see ``bench/coupling_recovery.py`` (it recovers a known coupling with
    Spearman ~0.7-0.8 and seed agreement > 0.95; the paper's loss collapses).

``"cca"``
    The paper's architecture repaired: the same towers map each system to K = 4 dimensions, the
    loss is the mean squared distance of the paired embeddings plus a whitening penalty
    ``||Cov(v) - I||^2 + ||mean(v)||^2`` per tower (a deep-CCA / VICReg-style term that makes
    the constant solution expensive). Same rank-Gaussian inputs and province folds as
    "crosspred"; ``C_i = 1 / (1 + ||v_nqpf,i - v_inno,i||^2 / 2K)`` on held-out provinces
    (independent whitened embeddings give 0.5). Recovers the benchmark's coupling about as well
    as "crosspred" but agrees less across seeds.

Choices the paper leaves open, and ours
---------------------------------------
Inputs: the normalised indicators of SPEC 2.1 (``EntropyFrame.normalise``, in [0, 1]).
"paper": hidden layers (64, 32) with ReLU, then Linear to 16; PyTorch's default initialisation
(uniform +-1/sqrt(fan_in)), seeded; Adam, learning rate 1e-3, 500 full-batch epochs, no weight
decay. "crosspred": hidden layer (16,) with ReLU, Adam lr 1e-2, 80 full-batch epochs, weight
decay 1e-3 (the benchmark's recovery is flat from 60 to 300 epochs and from 16 to 32 hidden units;
the small setting keeps the 5-seed ensemble, 30 fold models per seed, within a few seconds). "cca": hidden (32,), K = 4, Adam lr 1e-2, 300 epochs, weight decay 1e-3, whitening
weight 1. The fold models are trained together as one batched network (same maths, faster).
Every option can be overridden through ``**options`` of :func:`fit_coupling`.

At scale (issue 12: ~290 cities, ~2,800 counties) the out-of-fold scheme would cost one fold model
per unit, each trained on every row. Two options bound it, and change nothing on the paper's 30
provinces: ``max_folds`` (default 30): with more groups than this, the groups are dealt into 10
folds of whole units instead of one fold per unit; ``max_train_rows`` (default 6,000): a fold
model whose training rows exceed this trains on a seeded sample of that many of them (every row is
still scored out-of-fold). What was done is in ``diagnostics["folds"]`` (``message`` says it in
words, empty when nothing changed).

Threads: training sets ``torch.set_num_threads(num_threads)`` (default 1; tiny networks gain
nothing from more threads and the app shares its cores) for the duration of the call and restores
the previous value afterwards.

Inference is plain numpy on the stored weights (no autograd): :meth:`CouplingModel.coupling`
evaluates 330 rows in well under a millisecond. :func:`save` / :func:`load` persist a model as a
dict of tensors and plain Python values, read back with ``torch.load(weights_only=True)``.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

METHODS = {
    "paper": "Liu et al. (2026) as published: negative mean cosine of paired tower embeddings, "
             "C = (cos+1)/2. Collapses (positive pairs only); shown for comparison.",
    "crosspred": "Out-of-fold cross-prediction: each tower predicts the other system's indicators "
                 "on held-out provinces (the towers never see them; the rank-Gaussian scaling of "
                 "the indicators is fitted on all rows); C = 1/(1 + held-out error). Non-degenerate.",
    "cca": "Paper's towers with a whitening (deep-CCA) term that forbids collapse; C = 1/(1 + "
           "held-out squared embedding distance / 2K), out-of-fold by province.",
}

PAPER_DEFAULTS = dict(hidden=(64, 32), embedding_dim=16, lr=1e-3, epochs=500, weight_decay=0.0)
CROSSPRED_DEFAULTS = dict(hidden=(16,), n_folds="groups", lr=1e-2, epochs=80, weight_decay=1e-3,
                          max_folds=30, max_train_rows=6000)
CCA_DEFAULTS = dict(hidden=(32,), embedding_dim=4, n_folds="groups", lr=1e-2, epochs=300,
                    weight_decay=1e-3, whiten=1.0, max_folds=30, max_train_rows=6000)
ROW_FOLDS_WITHOUT_GROUPS = 10
LARGE_ROWS = 4096  # inference above this many rows runs fold by fold (no (n, in, out) weight gather)
FOLDS_RULE = (
    "{n_groups:,} units: one fold per unit would train {n_groups:,} fold models, each on all {n_rows:,} "
    "rows (the cost grows with units x rows: over ten minutes for ~300 units, hours for thousands, on 2 "
    "cores), so the units are dealt into {n_folds} folds of whole units (each unit's C still comes "
    "from a model that never saw it){rows}.")
ROWS_RULE = ", and each fold model trains on a seeded sample of {rows:,} of its training rows"
COLLAPSE_C_STD = 0.01  # std of C across rows below this = no discrimination between rows
COLLAPSE_EFFECTIVE_RANK = 1.5  # embeddings (n, K) of effective rank below this ~ one direction

COLLAPSE_MESSAGE = (
    "The paper's MLP has collapsed: its loss only rewards the two towers for pointing the same way, "
    "so both learned one constant direction and C is about {c_mean:.3f} for every province-year "
    "(spread across rows {c_std:.4f}). D_mlp is then just sqrt(T), the average development level: "
    "it says nothing about how well the two systems fit together. Being 'higher' and 'smoother' than "
    "D_trad is a symptom of this collapse, not a finding.")


# --- small numpy helpers --------------------------------------------------------------------
def effective_rank(E) -> float:
    """Effective rank (Roy & Vetterli 2007) of a matrix: exp of the entropy of its normalised
    singular values. 1 when all rows point one way, K for K equally strong directions.

    Parameters
    ----------
    E : array_like, shape (n, K)

    Examples
    --------
    >>> round(effective_rank([[1.0, 0.0], [2.0, 0.0]]), 6)
    1.0
    >>> round(effective_rank([[1.0, 0.0], [0.0, 1.0]]), 6)
    2.0
    """
    s = np.linalg.svd(np.asarray(E, dtype=float), compute_uv=False)
    if s.sum() <= 0:
        return 0.0
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def collapse_diagnostics(C, embeddings=()) -> dict:
    """Diagnostics of a coupling vector (SPEC 2.4): spread of C and effective rank of embeddings.

    Parameters
    ----------
    C : array_like, shape (n,)
    embeddings : sequence of arrays, each (n, K)
        The towers' outputs (for the paper's method); the smallest effective rank is reported.

    Returns
    -------
    dict with ``c_mean``, ``c_std``, ``c_range``, ``effective_rank`` (NaN without embeddings),
    ``collapsed`` (bool: std of C below 0.01, or effective rank below 1.5) and ``message``.
    """
    C = np.asarray(C, dtype=float)
    ranks = [effective_rank(E) for E in embeddings]
    er = float(min(ranks)) if ranks else float("nan")
    c_std = float(C.std())
    collapsed = bool(c_std < COLLAPSE_C_STD or (ranks and er < COLLAPSE_EFFECTIVE_RANK))
    d = dict(c_mean=float(C.mean()), c_std=c_std, c_range=float(C.max() - C.min()),
             effective_rank=er, collapsed=collapsed)
    d["message"] = (COLLAPSE_MESSAGE.format(**d) if collapsed else
                    f"C varies across province-years (std {c_std:.3f}, range {d['c_range']:.3f}); "
                    "no collapse detected.")
    return d


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def _forward_np(layers, X, embed_norm: bool):
    """Batched MLP forward in numpy. layers: list of (W (M, i, o), b (M, 1, o)); X (n, i)."""
    H = np.broadcast_to(X, (layers[0][0].shape[0],) + X.shape)
    for k, (W, b) in enumerate(layers):
        H = H @ W + b
        if k < len(layers) - 1:
            H = np.maximum(H, 0.0)
    if embed_norm:
        H = H / np.maximum(np.linalg.norm(H, axis=-1, keepdims=True), 1e-12)
    return H


# --- the model object -----------------------------------------------------------------------
@dataclass(frozen=True)
class CouplingModel:
    """A trained dual-tower coupling model (immutable; inference in numpy).

    Attributes
    ----------
    method : str
        A key of :data:`METHODS`.
    seed : int
    options : dict
        The hyper-parameters used (defaults merged with the caller's options).
    towers : dict
        ``{"nqpf": [(W, b), ...], "inno": [(W, b), ...]}``; W of shape (M, in, out), b (M, 1, out)
        where M is 1 for "paper" and the number of folds for "crosspred".
    scales : dict
        "crosspred": target standardisation ``{"nqpf": (mean, std), "inno": (mean, std)}``.
    fold_of_group : dict
        "crosspred": group label -> fold index (the fold whose model never saw that group).
    train_coupling : ndarray, shape (n,)
        C of the training rows (out-of-fold for "crosspred").
    diagnostics : dict
        ``c_mean``, ``c_std``, ``c_range``, ``effective_rank``, ``collapsed``, ``message``,
        ``loss_history`` (list of floats, one per epoch), ``seconds``.
    """

    method: str
    seed: int
    options: dict
    towers: dict
    scales: dict = field(default_factory=dict)
    fold_of_group: dict = field(default_factory=dict)
    train_coupling: np.ndarray | None = None
    diagnostics: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)

    def embeddings(self, X_nqpf, X_inno):
        """"paper" only: L2-normalised tower outputs, two arrays of shape (n, K)."""
        if self.method != "paper":
            raise ValueError(f"embeddings exist for method 'paper' only, this model is {self.method!r}")
        Xn, Xi = _check_inputs(X_nqpf, X_inno, self.towers)
        return (_forward_np(self.towers["nqpf"], Xn, True)[0],
                _forward_np(self.towers["inno"], Xi, True)[0])

    def coupling(self, X_nqpf, X_inno, groups=None) -> np.ndarray:
        """Coupling degree C in [0, 1] of every row, from the frozen trained weights.

        Parameters
        ----------
        X_nqpf : array_like, shape (n, m_nqpf)
        X_inno : array_like, shape (n, m_inno)
            Normalised indicators (``EntropyFrame.normalise``).
        groups : array_like, shape (n,), optional
            "crosspred": the province of each row. A row of a province seen in training is scored
            by the fold model that never saw that province (so the training rows get exactly their
            out-of-fold C); rows of unknown provinces, or all rows when ``groups`` is None, get the
            average error over the fold models.

        Returns
        -------
        ndarray, shape (n,)
        """
        Xn, Xi = _check_inputs(X_nqpf, X_inno, self.towers)
        if self.method == "paper":
            vn = _forward_np(self.towers["nqpf"], Xn, True)[0]
            vi = _forward_np(self.towers["inno"], Xi, True)[0]
            return np.clip(((vn * vi).sum(axis=1) + 1.0) / 2.0, 0.0, 1.0)
        return self._coupling_from_scores(*self.scores(Xn, Xi), groups)

    def scores(self, X_nqpf, X_inno):
        """"crosspred" / "cca": the rank-Gaussian scores the towers read, two (n, m) arrays."""
        return (_gauss_apply(self.reference["nqpf"], np.asarray(X_nqpf, float)),
                _gauss_apply(self.reference["inno"], np.asarray(X_inno, float)))

    def _coupling_from_scores(self, Xn, Xi, groups=None) -> np.ndarray:
        n = Xn.shape[0]
        fold = np.full(n, -1)
        if groups is not None and self.fold_of_group:
            groups = np.asarray(groups)
            if groups.shape != (n,):
                raise ValueError(f"groups must have shape ({n},), found {groups.shape}")
            fold = np.array([self.fold_of_group.get(_key(g), -1) for g in groups], dtype=int)
        e = np.empty(n)
        known = fold >= 0
        if known.any():  # each row through its own held-out fold model only (fast path)
            e[known] = _heldout_errors(self, Xn[known], Xi[known], fold[known])
        if (~known).any():
            e[~known] = _heldout_errors(self, Xn[~known], Xi[~known]).mean(axis=0)
        return 1.0 / (1.0 + e)


def _gauss_reference(X):
    """Per column: the baseline's distinct values and their normal scores Phi^-1((rank - 0.5)/n)
    (average rank for ties). Frozen at fit time; applied to new data by interpolation."""
    from scipy.stats import norm

    n = X.shape[0]
    out = []
    for j in range(X.shape[1]):
        uniq, counts = np.unique(X[:, j], return_counts=True)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])  # sorted position of each value
        avg_rank = first + (counts + 1) / 2.0  # 1-based average rank of each distinct value
        z = norm.ppf((avg_rank - 0.5) / n)
        uniq.setflags(write=False)
        z.setflags(write=False)
        out.append((uniq, z))
    return tuple(out)


def _gauss_apply(reference, X):
    """Rank-Gaussian scores of X (n, m) against the frozen baseline; values beyond the baseline
    range get the most extreme baseline score (np.interp clamps)."""
    if len(reference) != X.shape[1]:
        raise ValueError(f"expected {len(reference)} columns, found {X.shape[1]}")
    return np.column_stack([np.interp(X[:, j], xp, fp) for j, (xp, fp) in enumerate(reference)])


def _key(g):
    return g.item() if hasattr(g, "item") else g


def _forward_rows(layers, X, idx):
    """Row r through model idx[r] only: X (n, i), idx (n,) -> (n, o).

    Above ``LARGE_ROWS`` rows the rows of each model go through it together
    (:func:`_forward_rows_grouped`, same values to rounding) instead of gathering one weight matrix
    per row.
    """
    if X.shape[0] > LARGE_ROWS:
        return _forward_rows_grouped(layers, X, idx)
    H = X
    for k, (W, b) in enumerate(layers):
        H = np.einsum("ni,nio->no", H, W[idx]) + b[idx, 0]
        if k < len(layers) - 1:
            H = np.maximum(H, 0.0)
    return H


def _forward_rows_grouped(layers, X, idx):
    """:func:`_forward_rows` fold by fold: memory ~ n x width instead of n x in x out."""
    idx = np.asarray(idx)
    out = np.empty((X.shape[0], layers[-1][0].shape[2]))
    for m in np.unique(idx):
        rows = np.flatnonzero(idx == m)
        H = X[rows]
        for k, (W, b) in enumerate(layers):
            H = H @ W[m] + b[m, 0]
            if k < len(layers) - 1:
                H = np.maximum(H, 0.0)
        out[rows] = H
    return out


def _heldout_errors(model: CouplingModel, Xn, Xi, idx=None) -> np.ndarray:
    """Error e of "crosspred" / "cca": per fold model and row, shape (M, n); or, with ``idx``
    (n,), row r through fold model idx[r] only, shape (n,). Inputs are rank-Gaussian scores."""
    if idx is None:
        fwd = lambda layers, X: _forward_np(layers, X, False)  # noqa: E731
    else:
        fwd = lambda layers, X: _forward_rows(layers, X, idx)  # noqa: E731
    if model.method == "cca":
        a = fwd(model.towers["nqpf"], Xn)
        b = fwd(model.towers["inno"], Xi)
        return ((a - b) ** 2).sum(axis=-1) / (2 * a.shape[-1])
    mu_i, sd_i = model.scales["inno"]
    mu_n, sd_n = model.scales["nqpf"]
    pred_i = fwd(model.towers["nqpf"], Xn)  # the NQPF tower predicts the inno scores
    pred_n = fwd(model.towers["inno"], Xi)
    r_i = pred_i - (Xi - mu_i) / sd_i
    r_n = pred_n - (Xn - mu_n) / sd_n
    return 0.5 * ((r_i ** 2).mean(axis=-1) + (r_n ** 2).mean(axis=-1))


def _check_inputs(X_nqpf, X_inno, towers=None):
    Xn = np.asarray(X_nqpf, dtype=float)
    Xi = np.asarray(X_inno, dtype=float)
    if Xn.ndim != 2 or Xi.ndim != 2:
        raise ValueError(f"X_nqpf and X_inno must be 2-d, found shapes {Xn.shape} and {Xi.shape}")
    if Xn.shape[0] != Xi.shape[0]:
        raise ValueError(f"X_nqpf and X_inno must have the same rows, found {Xn.shape[0]} and {Xi.shape[0]}")
    if not (np.isfinite(Xn).all() and np.isfinite(Xi).all()):
        raise ValueError("X_nqpf / X_inno contain NaN or infinite values")
    if towers is not None:
        for name, X in (("nqpf", Xn), ("inno", Xi)):
            need = towers[name][0][0].shape[1]
            if X.shape[1] != need:
                raise ValueError(f"X_{name} must have {need} columns (as in training), found {X.shape[1]}")
    return Xn, Xi


# --- training -------------------------------------------------------------------------------
@contextmanager
def _threads(n: int):
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _init_layers(sizes, M, gen):
    """PyTorch Linear default init (uniform +-1/sqrt(fan_in)) for M stacked copies."""
    import torch

    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(i)
        W = (torch.rand(M, i, o, generator=gen, dtype=torch.float64) * 2 - 1) * bound
        b = (torch.rand(M, 1, o, generator=gen, dtype=torch.float64) * 2 - 1) * bound
        params += [W.float().requires_grad_(), b.float().requires_grad_()]
    return params


def _forward_torch(params, H):
    import torch

    n_layers = len(params) // 2
    H = H.expand(params[0].shape[0], -1, -1)
    for k in range(n_layers):
        H = torch.baddbmm(params[2 * k + 1], H, params[2 * k])
        if k < n_layers - 1:
            H = torch.relu(H)
    return H


def _to_numpy_layers(params):
    out = []
    for k in range(len(params) // 2):
        W = params[2 * k].detach().numpy().astype(np.float64)
        b = params[2 * k + 1].detach().numpy().astype(np.float64)
        W.setflags(write=False)
        b.setflags(write=False)
        out.append((W, b))
    return out


def _progress_every(progress, epochs, base, span, label):
    if progress is None:
        return None
    step = max(1, epochs // 10)

    def tick(epoch):
        if epoch % step == 0 or epoch == epochs - 1:
            progress(base + span * (epoch + 1) / epochs, f"{label}: epoch {epoch + 1}/{epochs}")
    return tick


def _fit_paper(Xn, Xi, seed, opts, tick):
    import torch

    gen = torch.Generator().manual_seed(int(seed))
    K = int(opts["embedding_dim"])
    hidden = tuple(int(h) for h in opts["hidden"])
    pn = _init_layers((Xn.shape[1], *hidden, K), 1, gen)
    pi = _init_layers((Xi.shape[1], *hidden, K), 1, gen)
    opt = torch.optim.Adam(pn + pi, lr=float(opts["lr"]), weight_decay=float(opts["weight_decay"]))
    tn = torch.as_tensor(Xn, dtype=torch.float32)[None]
    ti = torch.as_tensor(Xi, dtype=torch.float32)[None]
    history = []
    for epoch in range(int(opts["epochs"])):
        opt.zero_grad()
        vn = torch.nn.functional.normalize(_forward_torch(pn, tn), dim=-1)
        vi = torch.nn.functional.normalize(_forward_torch(pi, ti), dim=-1)
        loss = -(vn * vi).sum(-1).mean()  # Liu et al. (2026), Loss equation
        loss.backward()
        opt.step()
        history.append(float(loss.detach()))
        if tick:
            tick(epoch)
    return {"nqpf": _to_numpy_layers(pn), "inno": _to_numpy_layers(pi)}, {}, {}, history


def _n_folds(opts, groups) -> int:
    k = opts["n_folds"]
    if k == "groups":
        if groups is None:
            return ROW_FOLDS_WITHOUT_GROUPS
        n_groups = len(set(_key(g) for g in np.asarray(groups)))
        if n_groups < 2:
            raise ValueError(f"out-of-fold scoring needs at least 2 provinces (groups), found {n_groups}")
        cap = opts.get("max_folds")
        if cap is not None and n_groups > int(cap):
            return ROW_FOLDS_WITHOUT_GROUPS  # folds of whole units (FOLDS_RULE)
        return n_groups
    if not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"n_folds must be 'groups' or an integer >= 2, found {k!r}")
    return int(k)


def _fold_assignment(n, groups, n_folds, seed):
    rng = np.random.default_rng(int(seed))
    if groups is None:
        labels = np.arange(n)
    else:
        labels = np.asarray(groups)
        if labels.shape != (n,):
            raise ValueError(f"groups must have shape ({n},), found {labels.shape}")
    uniq = list(dict.fromkeys(_key(g) for g in labels))
    if len(uniq) < n_folds:
        raise ValueError(f"crosspred needs at least n_folds={n_folds} distinct groups, found {len(uniq)}")
    order = rng.permutation(len(uniq))
    fold_of = {uniq[j]: int(k % n_folds) for k, j in enumerate(order)}
    folds = np.array([fold_of[_key(g)] for g in labels])
    return folds, (fold_of if groups is not None else {})


def _train_index(folds, n_folds, max_rows, seed):
    """Rows each fold model trains on: None (all rows outside its fold, as a mask) or, when a fold's
    training rows exceed ``max_rows``, an (n_folds, R) array of a seeded sample of R = max_rows of
    them (R = the smallest training set if that is smaller), sorted."""
    if max_rows is None:
        return None
    train_sizes = folds.size - np.bincount(folds, minlength=n_folds)
    if train_sizes.max() <= int(max_rows):
        return None
    R = int(min(int(max_rows), train_sizes.min()))
    rng = np.random.default_rng([int(seed), 1])  # a stream apart from the fold assignment's
    return np.stack([np.sort(rng.choice(np.flatnonzero(folds != m), R, replace=False))
                     for m in range(n_folds)])


def _fold_note(groups, n, n_folds, idx) -> dict:
    """``diagnostics["folds"]``: the out-of-fold scheme used and, when it departs from one fold per
    unit on all rows, why (``FOLDS_RULE``)."""
    n_groups = None if groups is None else len(set(_key(g) for g in np.asarray(groups)))
    rows = None if idx is None else int(idx.shape[1])
    message = ""
    if (n_groups is not None and n_folds < n_groups) or rows is not None:
        message = FOLDS_RULE.format(n_groups=n_groups or n, n_rows=n, n_folds=n_folds,
                                    rows="" if rows is None else ROWS_RULE.format(rows=rows))
    return {"n_folds": int(n_folds), "n_groups": n_groups, "train_rows": rows, "message": message}


def _fit_crosspred(Xn, Xi, seed, opts, tick, groups):
    import torch

    n = Xn.shape[0]
    M = _n_folds(opts, groups)
    folds, fold_of_group = _fold_assignment(n, groups, M, seed)
    scales = {}
    for name, X in (("nqpf", Xn), ("inno", Xi)):
        mu, sd = X.mean(axis=0), X.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        scales[name] = (mu, sd)
    Yn = (Xn - scales["nqpf"][0]) / scales["nqpf"][1]
    Yi = (Xi - scales["inno"][0]) / scales["inno"][1]
    gen = torch.Generator().manual_seed(int(seed))
    hidden = tuple(int(h) for h in opts["hidden"])
    pn = _init_layers((Xn.shape[1], *hidden, Xi.shape[1]), M, gen)  # NQPF tower -> inno indicators
    pi = _init_layers((Xi.shape[1], *hidden, Xn.shape[1]), M, gen)  # inno tower -> NQPF indicators
    opt = torch.optim.Adam(pn + pi, lr=float(opts["lr"]), weight_decay=float(opts["weight_decay"]))
    idx = _train_index(folds, M, opts.get("max_train_rows"), seed)
    if idx is None:  # every fold model on all rows, its own fold masked out
        tn = torch.as_tensor(Xn, dtype=torch.float32)[None]
        ti = torch.as_tensor(Xi, dtype=torch.float32)[None]
        yn = torch.as_tensor(Yn, dtype=torch.float32)[None]
        yi = torch.as_tensor(Yi, dtype=torch.float32)[None]
        train = torch.as_tensor(folds[None, :] != np.arange(M)[:, None], dtype=torch.float32)  # (M, n)
    else:  # each fold model on its own sample of training rows, (M, R, .)
        tn, ti, yn, yi = (torch.as_tensor(A[idx], dtype=torch.float32) for A in (Xn, Xi, Yn, Yi))
        train = torch.ones(idx.shape, dtype=torch.float32)
    denom = train.sum(dim=1)
    scales["_folds"] = _fold_note(groups, n, M, idx)
    history = []
    for epoch in range(int(opts["epochs"])):
        opt.zero_grad()
        r_i = (_forward_torch(pn, tn) - yi).pow(2).mean(-1)  # (M, n)
        r_n = (_forward_torch(pi, ti) - yn).pow(2).mean(-1)
        loss = ((0.5 * (r_i + r_n) * train).sum(dim=1) / denom).sum()
        loss.backward()
        opt.step()
        history.append(float(loss.detach()) / M)
        if tick:
            tick(epoch)
    towers = {"nqpf": _to_numpy_layers(pn), "inno": _to_numpy_layers(pi)}
    return towers, scales, fold_of_group, history, folds


def _fit_cca(Xn, Xi, seed, opts, tick, groups):
    import torch

    n = Xn.shape[0]
    M = _n_folds(opts, groups)
    folds, fold_of_group = _fold_assignment(n, groups, M, seed)
    gen = torch.Generator().manual_seed(int(seed))
    hidden = tuple(int(h) for h in opts["hidden"])
    K = int(opts["embedding_dim"])
    pn = _init_layers((Xn.shape[1], *hidden, K), M, gen)
    pi = _init_layers((Xi.shape[1], *hidden, K), M, gen)
    opt = torch.optim.Adam(pn + pi, lr=float(opts["lr"]), weight_decay=float(opts["weight_decay"]))
    idx = _train_index(folds, M, opts.get("max_train_rows"), seed)
    if idx is None:
        tn = torch.as_tensor(Xn, dtype=torch.float32)[None]
        ti = torch.as_tensor(Xi, dtype=torch.float32)[None]
        train = torch.as_tensor(folds[None, :] != np.arange(M)[:, None], dtype=torch.float32)[..., None]
    else:
        tn, ti = (torch.as_tensor(A[idx], dtype=torch.float32) for A in (Xn, Xi))
        train = torch.ones((*idx.shape, 1), dtype=torch.float32)
    denom = train.sum(dim=1, keepdim=True)  # (M, 1, 1)
    note = _fold_note(groups, n, M, idx)
    eye = torch.eye(K)
    lam = float(opts["whiten"])
    history = []
    for epoch in range(int(opts["epochs"])):
        opt.zero_grad()
        a = _forward_torch(pn, tn)
        b = _forward_torch(pi, ti)
        penalty = 0.0
        for e in (a, b):
            mu = (e * train).sum(1, keepdim=True) / denom
            c = (e - mu) * train
            cov = c.transpose(1, 2) @ c / denom
            penalty = penalty + ((cov - eye) ** 2).sum((1, 2)) + (mu ** 2).sum((1, 2))
        dist = (((a - b) ** 2).sum(-1, keepdim=True) * train).sum((1, 2)) / denom[:, 0, 0]
        loss = (dist / (2 * K) + lam * penalty).sum()
        loss.backward()
        opt.step()
        history.append(float(loss.detach()) / M)
        if tick:
            tick(epoch)
    towers = {"nqpf": _to_numpy_layers(pn), "inno": _to_numpy_layers(pi)}
    return towers, {"_folds": note}, fold_of_group, history, folds


def fit_coupling(X_nqpf, X_inno, method: str = "paper", seed: int = 0, groups=None,
                 progress=None, num_threads: int = 1, **options) -> CouplingModel:
    """Train a dual-tower coupling model (Liu et al. 2026, dual-tower MLP; SPEC 2.4).

    Parameters
    ----------
    X_nqpf : array_like, shape (n, m_nqpf)
    X_inno : array_like, shape (n, m_inno)
        Normalised indicators of the two systems, one row per province-year.
    method : {"paper", "crosspred"}
        See :data:`METHODS` and the module docstring.
    seed : int
        Seeds the initialisation and the fold split; the same seed gives bitwise identical weights.
    groups : array_like, shape (n,), optional
        "crosspred": province of each row; folds are then formed by province.
    progress : callable(fraction: float, message: str), optional
    num_threads : int, default 1
    **options
        Override the method's defaults (``PAPER_DEFAULTS`` / ``CROSSPRED_DEFAULTS``).

    Returns
    -------
    CouplingModel
        ``.coupling(X_nqpf, X_inno)`` and ``.diagnostics`` (see :class:`CouplingModel`).
    """
    import time

    import torch

    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, found {method!r}")
    Xn, Xi = _check_inputs(X_nqpf, X_inno)
    defaults = {"paper": PAPER_DEFAULTS, "crosspred": CROSSPRED_DEFAULTS, "cca": CCA_DEFAULTS}[method]
    unknown = set(options) - set(defaults)
    if unknown:
        raise ValueError(f"unknown options for method {method!r}: {sorted(unknown)}; "
                         f"expected some of {sorted(defaults)}")
    opts = {**defaults, **options}
    tick = _progress_every(progress, int(opts["epochs"]), 0.0, 1.0, f"{method}, seed {seed}")
    t0 = time.perf_counter()
    with _threads(num_threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        if method == "paper":
            towers, scales, fold_of_group, history = _fit_paper(Xn, Xi, seed, opts, tick)
            folds = None
            reference = {}
        else:
            reference = {"nqpf": _gauss_reference(Xn), "inno": _gauss_reference(Xi)}
            Gn, Gi = _gauss_apply(reference["nqpf"], Xn), _gauss_apply(reference["inno"], Xi)
            fitter = _fit_crosspred if method == "crosspred" else _fit_cca
            towers, scales, fold_of_group, history, folds = fitter(Gn, Gi, seed, opts, tick, groups)
            fold_note = scales.pop("_folds")
    seconds = time.perf_counter() - t0
    model = CouplingModel(method, int(seed), _plain(opts), towers, scales, fold_of_group,
                          reference=reference)
    if method == "paper":
        C = model.coupling(Xn, Xi)
        diag = collapse_diagnostics(C, model.embeddings(Xn, Xi))
    else:
        C = 1.0 / (1.0 + _heldout_errors(model, Gn, Gi, folds))  # out-of-fold for every row
        diag = collapse_diagnostics(C)
    diag.update(loss_history=history, seconds=seconds, n_rows=int(Xn.shape[0]))
    if method != "paper":
        diag["folds"] = fold_note
    C = np.array(C)
    C.setflags(write=False)
    return CouplingModel(method, int(seed), model.options, towers, scales, fold_of_group, C, diag,
                         reference)


def _plain(opts):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}


# --- ensembles ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CouplingEnsemble:
    """Models of one method trained with several seeds (SPEC 2.4: seed agreement).

    Attributes
    ----------
    members : tuple of CouplingModel
    train_coupling : ndarray, shape (S, n)
        Each member's C on the training rows.
    diagnostics : dict
        ``c_std``, ``c_range``, ``effective_rank`` (min over members), ``collapsed`` (True when
        any member collapsed), ``message``, ``seed_spearman`` (mean pairwise Spearman of C between
        seeds; NaN when C is constant), ``seconds``.
    """

    members: tuple
    train_coupling: np.ndarray
    diagnostics: dict

    @property
    def method(self) -> str:
        return self.members[0].method

    def coupling_members(self, X_nqpf, X_inno, groups=None) -> np.ndarray:
        """C of every member, shape (S, n)."""
        first = self.members[0]
        if first.method == "paper" or any(m.reference is not first.reference for m in self.members):
            return np.stack([m.coupling(X_nqpf, X_inno, groups) for m in self.members])
        Xn, Xi = _check_inputs(X_nqpf, X_inno, first.towers)
        Gn, Gi = first.scores(Xn, Xi)  # the members share the baseline's rank reference
        return np.stack([m._coupling_from_scores(Gn, Gi, groups) for m in self.members])

    def coupling(self, X_nqpf, X_inno, groups=None) -> np.ndarray:
        """Mean C over the seeds, shape (n,)."""
        return self.coupling_members(X_nqpf, X_inno, groups).mean(axis=0)

    def summary(self, T, C_members=None):
        """Per-row mean and spread of C and D = sqrt(C T) over seeds.

        Parameters
        ----------
        T : array_like, shape (n,)
            Coordination degree of SPEC 2.3 (``EntropyFrame.transform(...)["T"]``).
        C_members : array_like, shape (S, n), optional
            Default: the training rows' C.

        Returns
        -------
        DataFrame, shape (n, 6): C_mean, C_std, C_min, C_max, D_mean, D_std.
        """
        import pandas as pd

        Cm = self.train_coupling if C_members is None else np.asarray(C_members, float)
        T = np.asarray(T, dtype=float)
        if T.shape != (Cm.shape[1],):
            raise ValueError(f"T must have shape ({Cm.shape[1]},), found {T.shape}")
        Dm = np.sqrt(Cm * np.maximum(T, 0.0)[None, :])
        return pd.DataFrame({"C_mean": Cm.mean(0), "C_std": Cm.std(0), "C_min": Cm.min(0),
                             "C_max": Cm.max(0), "D_mean": Dm.mean(0), "D_std": Dm.std(0)})


def seed_spearman(C_members) -> float:
    """Mean pairwise Spearman correlation of C between seeds, C_members of shape (S, n)."""
    C_members = np.asarray(C_members, float)
    vals = [_spearman(C_members[a], C_members[b])
            for a in range(len(C_members)) for b in range(a + 1, len(C_members))]
    vals = [v for v in vals if not np.isnan(v)]
    return float(np.mean(vals)) if vals else float("nan")


def fit_ensemble(X_nqpf, X_inno, method: str = "crosspred", seeds=(0, 1, 2, 3, 4), groups=None,
                 progress=None, num_threads: int = 1, **options) -> CouplingEnsemble:
    """Train one model per seed and summarise their agreement (SPEC 2.4).

    Parameters
    ----------
    X_nqpf, X_inno, method, groups, num_threads, **options
        As :func:`fit_coupling`.
    seeds : sequence of int, default (0, 1, 2, 3, 4)
    progress : callable(fraction: float, message: str), optional
        Called as training advances (fraction in [0, 1] over the whole ensemble).

    Returns
    -------
    CouplingEnsemble
    """
    import time

    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("fit_ensemble needs at least one seed")
    t0 = time.perf_counter()
    members = []
    S = len(seeds)
    for k, s in enumerate(seeds):
        sub = None if progress is None else (
            lambda f, msg, k=k: progress((k + f) / S, msg))
        members.append(fit_coupling(X_nqpf, X_inno, method=method, seed=s, groups=groups,
                                    progress=sub, num_threads=num_threads, **options))
    if members[0].reference:  # the rank reference depends on the data only: share one copy
        import dataclasses

        members = [members[0]] + [dataclasses.replace(m, reference=members[0].reference)
                                  for m in members[1:]]
    Cm = np.stack([m.train_coupling for m in members])
    Cm.setflags(write=False)
    diag = collapse_diagnostics(Cm.mean(axis=0))
    ranks = [m.diagnostics["effective_rank"] for m in members]
    diag["effective_rank"] = float(np.nanmin(ranks)) if not all(np.isnan(ranks)) else float("nan")
    if any(m.diagnostics["collapsed"] for m in members):
        diag["collapsed"] = True
        worst = min(members, key=lambda m: m.diagnostics["c_std"])
        diag["message"] = worst.diagnostics["message"]
    if "folds" in members[0].diagnostics:  # the same scheme for every seed
        diag["folds"] = members[0].diagnostics["folds"]
    diag.update(seed_spearman=seed_spearman(Cm), seeds=list(seeds),
                member_c_std=[m.diagnostics["c_std"] for m in members],
                seconds=time.perf_counter() - t0)
    if progress is not None:
        progress(1.0, "done")
    return CouplingEnsemble(tuple(members), Cm, diag)


# --- persistence ----------------------------------------------------------------------------
def _model_state(m: CouplingModel) -> dict:
    import torch

    state = {"method": m.method, "seed": m.seed, "options": m.options,
             "fold_of_group": {str(k): v for k, v in m.fold_of_group.items()},
             "group_types": {str(k): type(k).__name__ for k in m.fold_of_group},
             "towers": {s: [[torch.from_numpy(np.array(W)), torch.from_numpy(np.array(b))]
                            for W, b in layers] for s, layers in m.towers.items()},
             "scales": {s: [torch.from_numpy(np.array(a)) for a in v] for s, v in m.scales.items()},
             "train_coupling": torch.from_numpy(np.array(m.train_coupling)),
             "reference": {s: [[torch.from_numpy(np.array(xp)), torch.from_numpy(np.array(fp))]
                               for xp, fp in cols] for s, cols in m.reference.items()},
             "diagnostics": {k: v for k, v in m.diagnostics.items()}}
    return state


def _model_from_state(st: dict) -> CouplingModel:
    def arr(t):
        a = t.numpy().copy()
        a.setflags(write=False)
        return a

    conv = {"int": int, "str": str, "float": float}
    fog = {conv.get(st["group_types"][k], str)(k): int(v) for k, v in st["fold_of_group"].items()}
    towers = {s: [(arr(W), arr(b)) for W, b in layers] for s, layers in st["towers"].items()}
    scales = {s: tuple(arr(a) for a in v) for s, v in st["scales"].items()}
    reference = {s: tuple((arr(xp), arr(fp)) for xp, fp in cols) for s, cols in st["reference"].items()}
    return CouplingModel(st["method"], int(st["seed"]), dict(st["options"]), towers, scales, fog,
                         arr(st["train_coupling"]), dict(st["diagnostics"]), reference)


def save(model, path) -> None:
    """Write a CouplingModel or CouplingEnsemble as tensors + plain values (``torch.save``).

    Read back with :func:`load`, which uses ``torch.load(weights_only=True)``: nothing but tensors,
    numbers, strings, lists and dicts is ever unpickled.
    """
    import torch

    if isinstance(model, CouplingEnsemble):
        blob = {"kind": "ensemble", "members": [_model_state(m) for m in model.members],
                "diagnostics": dict(model.diagnostics)}
    elif isinstance(model, CouplingModel):
        blob = {"kind": "model", "model": _model_state(model)}
    else:
        raise ValueError(f"save expects a CouplingModel or CouplingEnsemble, found {type(model).__name__}")
    torch.save(blob, path)


def load(path):
    """Read a model written by :func:`save` (``torch.load(weights_only=True)``)."""
    import torch

    blob = torch.load(path, weights_only=True)
    if not isinstance(blob, dict) or blob.get("kind") not in ("model", "ensemble"):
        raise ValueError(f"{path} is not a coupling model written by sim.mlp.save")
    if blob["kind"] == "model":
        return _model_from_state(blob["model"])
    members = [_model_from_state(s) for s in blob["members"]]
    if members[0].reference:
        import dataclasses

        members = [members[0]] + [dataclasses.replace(m, reference=members[0].reference)
                                  for m in members[1:]]
    members = tuple(members)
    Cm = np.stack([m.train_coupling for m in members])
    Cm.setflags(write=False)
    return CouplingEnsemble(members, Cm, dict(blob["diagnostics"]))
