"""Traditional coupling coordination of two systems (Liu et al. 2026, "Measuring coupling
coordination degree"; SPEC section 2 items 1-3).

Pipeline, per system (``nqpf`` with 17 indicators, ``inno`` with 18):

1. min-max normalisation over the whole panel (all provinces and years together), with the
   indicator's direction: positive ``(x - min) / (max - min)``, negative ``(max - x) / (max - min)``;
2. entropy weights (SPEC 2.2) computed on the normalised values plus a small shift (1e-4) so
   that ``p ln p`` is defined;
3. comprehensive index ``h = sum_j w_j x_j`` on the (unshifted) normalised values, so h is in [0, 1]
   on the fitted data;
4. ``C = 2 sqrt(h1 h2) / (h1 + h2)``, ``T = 0.5 h1 + 0.5 h2``, ``D = sqrt(C T)`` (paper's equations
   for C, T and D).

The fitted quantities (min, max, direction and weight of every indicator) live in an immutable
:class:`EntropyFrame`. ``EntropyFrame.fit(panel)`` fits them on a baseline panel and
``frame.transform(panel)`` applies them *unchanged* to any other panel (the simulator's scenarios),
in the manner of scikit-learn's fit/transform.

Values beyond the baseline range
--------------------------------
A scenario may push an indicator above the baseline maximum (or below the minimum), so its
normalised value leaves [0, 1]. ``transform`` takes ``beyond_range``:

* ``"clip"`` (default): normalised values are clipped to [0, 1]. Every output then stays in the
  ranges the paper defines (h, C, T, D in [0, 1]; the coordination types of SPEC 2.6 are well
  defined) and the MLP towers are only ever fed inputs from the domain they were trained on. The
  cost: a gain beyond the best baseline value does not count. ``out_of_range(panel)`` lists every
  such cell so the UI can say so.
* ``"extrapolate"``: normalised values are left as they are (linear extrapolation of the min-max
  map); only the comprehensive index is floored at 0 because C needs ``h >= 0``. h, T and D may
  then exceed 1.
* ``"saturate"`` (the simulator's rule): normalised values are extrapolated linearly, then each
  comprehensive index passes through :func:`saturate` with the range of h on the fitted panel
  ``[h_lo, h_hi]``: the identity inside that range, and beyond it a smooth, strictly increasing
  curve with slope 1 at the edge that approaches 1 from below (above ``h_hi``) or 0 from above
  (below ``h_lo``). So a larger change always moves h a little more, yet h, C, T and D stay in
  [0, 1] whatever the scenario, and nothing inside the fitted range changes.

Examples
--------
>>> import numpy as np
>>> C, T, D = traditional_ccd(np.array([0.25, 0.5]), np.array([0.25, 0.0]))
>>> np.round(C, 6).tolist(), np.round(T, 6).tolist(), np.round(D, 6).tolist()
([1.0, 0.0], [0.25, 0.25], [0.5, 0.0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import schema

DEFAULT_SHIFT = 1e-4
BEYOND_RANGE_CHOICES = ("clip", "extrapolate", "saturate")


# --- formulas -------------------------------------------------------------------------------
def minmax_normalise(X, mins, maxs, directions):
    """Min-max normalisation with direction (Liu et al. 2026; SPEC 2.1).

    Parameters
    ----------
    X : array_like, shape (n, m)
        Raw indicator values, one row per province-year, one column per indicator.
    mins, maxs : array_like, shape (m,)
        Reference minimum and maximum of each indicator (over the whole baseline panel).
    directions : array_like, shape (m,)
        +1 for a positive indicator, -1 for a negative one.

    Returns
    -------
    ndarray, shape (n, m)
        ``(x - min)/(max - min)`` for positive and ``(max - x)/(max - min)`` for negative
        indicators; in [0, 1] for data inside the reference range, outside it otherwise (not
        clipped here). A constant indicator (max == min) gives 0 everywhere (it carries no
        information, and its entropy weight is then 0).

    Examples
    --------
    >>> minmax_normalise([[1.0, 10.0], [3.0, 20.0]], [1.0, 10.0], [3.0, 20.0], [1, -1]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    X = np.asarray(X, dtype=float)
    mins = np.asarray(mins, dtype=float)
    maxs = np.asarray(maxs, dtype=float)
    directions = np.asarray(directions)
    if X.ndim != 2 or X.shape[1] != mins.shape[0]:
        raise ValueError(f"expected X of shape (n, {mins.shape[0]}), found {X.shape}")
    if not np.all(np.isin(directions, (1, -1))):
        raise ValueError(f"directions must be +1 or -1, found {sorted(set(directions.tolist()))}")
    span = maxs - mins
    safe = np.where(span > 0, span, 1.0)
    Z = np.where(directions > 0, (X - mins) / safe, (maxs - X) / safe)
    return np.where(span > 0, Z, 0.0)


def entropy_weights(X, shift: float = DEFAULT_SHIFT):
    """Entropy weights of the indicators of one system (Liu et al. 2026; SPEC 2.2).

    ``y = x + shift``; ``p_ij = y_ij / sum_i y_ij``; ``e_j = -(1/ln N) sum_i p_ij ln p_ij``
    (with ``0 ln 0 = 0``); ``w_j = (1 - e_j) / sum_j (1 - e_j)``.

    Parameters
    ----------
    X : array_like, shape (n, m)
        Normalised indicator values (non-negative), n >= 2 rows.
    shift : float, default 1e-4
        Added to every value before the proportions so that no ``ln 0`` occurs.

    Returns
    -------
    ndarray, shape (m,)
        Non-negative weights summing to 1. A column with identical values gets weight 0.

    Raises
    ------
    ValueError
        On NaN, negative values, fewer than 2 rows, a column whose shifted sum is 0, or when every
        column is constant (all e_j = 1, the weights are undefined).

    Examples
    --------
    >>> entropy_weights([[0.0, 1.0], [1.0, 1.0]], shift=0.0).tolist()
    [1.0, 0.0]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-d array (n rows, m indicators), found shape {X.shape}")
    n = X.shape[0]
    if n < 2:
        raise ValueError(f"entropy weights need at least 2 rows, found {n}")
    if np.isnan(X).any():
        raise ValueError("entropy weights: X contains NaN")
    Y = X + shift
    if (Y < 0).any():
        raise ValueError("entropy weights need non-negative values (normalised data); found negatives")
    col = Y.sum(axis=0)
    if (col <= 0).any():
        raise ValueError(f"entropy weights: columns {np.flatnonzero(col <= 0).tolist()} sum to 0; "
                         "use a positive shift")
    P = Y / col
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(P), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    # identical values give e = 1 up to rounding; make that exact so the weight is exactly 0
    constant = np.ptp(Y, axis=0) == 0
    e = np.where(constant, 1.0, e)
    d = 1.0 - e
    if d.sum() <= 0:
        raise ValueError("entropy weights undefined: every indicator is constant over the panel")
    return d / d.sum()


def traditional_ccd(h1, h2):
    """Traditional coupling (C), coordination (T) and coupling coordination degree (D).

    Liu et al. (2026), "Traditional coupling coordination measurement model":
    ``C = 2 sqrt(h1 h2) / (h1 + h2)``, ``T = 0.5 h1 + 0.5 h2``, ``D = sqrt(C T)``.

    Parameters
    ----------
    h1, h2 : array_like, shape (n,)
        Comprehensive indices of the two systems (h_nqpf, h_inno), non-negative.

    Returns
    -------
    C, T, D : ndarray, shape (n,)
        Where ``h1 + h2 == 0`` C is set to 0 (the formula is 0/0; with no development at all no
        coupling is claimed), so D = 0 there too.

    Examples
    --------
    >>> C, T, D = traditional_ccd([0.16, 0.0], [0.04, 0.0])
    >>> np.round(C, 6).tolist(), np.round(T, 6).tolist(), np.round(D, 6).tolist()
    ([0.8, 0.0], [0.1, 0.0], [0.282843, 0.0])
    """
    h1 = np.asarray(h1, dtype=float)
    h2 = np.asarray(h2, dtype=float)
    if h1.shape != h2.shape:
        raise ValueError(f"h1 and h2 must have the same shape, found {h1.shape} and {h2.shape}")
    if np.isnan(h1).any() or np.isnan(h2).any():
        raise ValueError("traditional_ccd: NaN in the comprehensive indices")
    if (h1 < 0).any() or (h2 < 0).any():
        raise ValueError("traditional_ccd needs non-negative comprehensive indices")
    s = h1 + h2
    C = np.where(s > 0, 2.0 * np.sqrt(h1 * h2) / np.where(s > 0, s, 1.0), 0.0)
    T = 0.5 * h1 + 0.5 * h2
    D = np.sqrt(C * T)
    return C, T, D


# --- the fitted frame -----------------------------------------------------------------------
def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class SystemFrame:
    """Fitted normalisation and weights of one system.

    Attributes
    ----------
    system : str
        "nqpf" or "inno".
    indicator_ids : tuple of str, length m
    mins, maxs : ndarray, shape (m,)
        Baseline minimum and maximum of every indicator over the whole fitted panel.
    directions : ndarray, shape (m,)
        +1 / -1.
    entropy : ndarray, shape (m,)
        e_j of SPEC 2.2.
    weights : ndarray, shape (m,)
        w_j, summing to 1.
    """

    system: str
    indicator_ids: tuple
    mins: np.ndarray
    maxs: np.ndarray
    directions: np.ndarray
    entropy: np.ndarray
    weights: np.ndarray
    h_lo: float = 0.0  # smallest and largest comprehensive index h on the fitted panel
    h_hi: float = 1.0

    def normalise(self, X) -> np.ndarray:
        """Normalise raw values ``X`` of shape (n, m) with the baseline min/max (not clipped)."""
        return minmax_normalise(X, self.mins, self.maxs, self.directions)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: min, max, direction, entropy, weight."""
        return pd.DataFrame({"system": self.system, "indicator": list(self.indicator_ids),
                             "min": self.mins, "max": self.maxs,
                             "direction": self.directions.astype(int), "entropy": self.entropy,
                             "weight": self.weights})


@dataclass(frozen=True)
class EntropyFrame:
    """Frozen frame of reference of the entropy coupling model (Liu et al. 2026; SPEC 2.1-2.3).

    Fit once on a baseline panel with :meth:`fit`; :meth:`transform` applies the baseline
    min/max, directions and weights unchanged to any panel (see the module docstring for what
    happens beyond the baseline range).

    Attributes
    ----------
    nqpf, inno : SystemFrame
    shift : float
        The shift used for the entropy weights.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"province": ["A", "A", "B", "B"], "year": [1, 2, 1, 2],
    ...                       "a1": [0., 1., 2., 4.], "a2": [1., 1., 3., 5.],
    ...                       "b1": [5., 4., 3., 1.]})
    >>> f = EntropyFrame.fit(panel, systems={"nqpf": ["a1", "a2"], "inno": ["b1"]})
    >>> out = f.transform(panel)
    >>> list(out.columns)
    ['province', 'year', 'h_nqpf', 'h_inno', 'C', 'T', 'D']
    >>> out["h_inno"].round(4).tolist()
    [1.0, 0.75, 0.5, 0.0]
    """

    nqpf: SystemFrame
    inno: SystemFrame
    shift: float = DEFAULT_SHIFT

    # -- fitting --
    @classmethod
    def fit(cls, panel: pd.DataFrame, systems: dict | None = None, directions: dict | None = None,
            shift: float = DEFAULT_SHIFT) -> "EntropyFrame":
        """Fit min/max over the whole panel and the entropy weights of both systems.

        Parameters
        ----------
        panel : DataFrame, shape (n, k)
            Province panel per ``sim.schema`` (``province``, ``year``, indicator columns).
        systems : dict, optional
            ``{"nqpf": [ids...], "inno": [ids...]}``; default: the panel's indicator system
            (``sim.indicators.system_of(panel)``: the loaded sheet, else the paper's 35).
        directions : dict, optional
            indicator id -> +1/-1; default: the system's direction (+1 for ids not in it).
        shift : float, default 1e-4
        """
        from sim.indicators import system_of

        system = system_of(panel)
        systems = systems or system.systems()
        reg = system.directions()
        directions = {**reg, **(directions or {})}
        parts = {}
        for system in ("nqpf", "inno"):
            ids = list(systems[system])
            X = _indicator_matrix(panel, ids)
            if X.shape[0] < 2:
                raise ValueError(f"fitting needs at least 2 rows, found {X.shape[0]}")
            mins, maxs = X.min(axis=0), X.max(axis=0)
            dirs = np.array([directions.get(i, 1) for i in ids], dtype=float)
            Z = minmax_normalise(X, mins, maxs, dirs)
            w = entropy_weights(Z, shift=shift)
            Y = Z + shift
            P = Y / Y.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                e = -np.where(P > 0, P * np.log(P), 0.0).sum(axis=0) / np.log(X.shape[0])
            e = np.where(np.ptp(Y, axis=0) == 0, 1.0, e)
            h = Z @ w
            parts[system] = SystemFrame(system, tuple(ids), _frozen(mins), _frozen(maxs),
                                        _frozen(dirs), _frozen(e), _frozen(w),
                                        float(max(h.min(), 0.0)), float(min(h.max(), 1.0)))
        return cls(parts["nqpf"], parts["inno"], float(shift))

    # -- applying --
    def system(self, name: str) -> SystemFrame:
        if name not in ("nqpf", "inno"):
            raise ValueError(f"system must be 'nqpf' or 'inno', found {name!r}")
        return getattr(self, name)

    def normalise(self, panel: pd.DataFrame, system: str, beyond_range: str = "clip") -> np.ndarray:
        """Normalised indicators of one system, shape (n, m), with the baseline min/max.

        This is also the input of the MLP towers (``sim.mlp``).
        """
        _check_beyond(beyond_range)
        sf = self.system(system)
        Z = sf.normalise(_indicator_matrix(panel, sf.indicator_ids))
        return np.clip(Z, 0.0, 1.0) if beyond_range == "clip" else Z

    def indices(self, panel: pd.DataFrame, beyond_range: str = "clip"):
        """Comprehensive indices ``(h_nqpf, h_inno)``, each shape (n,)."""
        return self.indices_from_matrices(_indicator_matrix(panel, self.nqpf.indicator_ids),
                                          _indicator_matrix(panel, self.inno.indicator_ids), beyond_range)

    def indices_from_matrices(self, X_nqpf, X_inno, beyond_range: str = "clip"):
        """``indices`` on raw indicator matrices, columns in each system's ``indicator_ids`` order."""
        _check_beyond(beyond_range)
        out = []
        for sf, X in ((self.nqpf, X_nqpf), (self.inno, X_inno)):
            Z = sf.normalise(X)
            if beyond_range == "saturate":
                out.append(saturate(Z @ sf.weights, sf.h_lo, sf.h_hi))
            else:
                if beyond_range == "clip":
                    Z = np.clip(Z, 0.0, 1.0)
                out.append(np.maximum(Z @ sf.weights, 0.0))
        return tuple(out)

    def transform(self, panel: pd.DataFrame, beyond_range: str = "clip") -> pd.DataFrame:
        """h_nqpf, h_inno, C, T, D for every row of ``panel`` with the frozen baseline frame.

        Parameters
        ----------
        panel : DataFrame, shape (n, k)
        beyond_range : {"clip", "extrapolate"}
            See the module docstring.

        Returns
        -------
        DataFrame, shape (n, 7)
            ``province``, ``year`` (copied when present), ``h_nqpf``, ``h_inno``, ``C``, ``T``,
            ``D``; same index as ``panel``.
        """
        h1, h2 = self.indices(panel, beyond_range)
        C, T, D = traditional_ccd(h1, h2)
        out = pd.DataFrame(index=panel.index)
        for c in (schema.PROVINCE, schema.YEAR):
            if c in panel.columns:
                out[c] = panel[c].to_numpy()
        out["h_nqpf"], out["h_inno"], out["C"], out["T"], out["D"] = h1, h2, C, T, D
        return out

    def out_of_range(self, panel: pd.DataFrame) -> pd.DataFrame:
        """Cells of ``panel`` outside the baseline [min, max] of their indicator.

        Returns
        -------
        DataFrame
            One row per offending cell: ``province``, ``year`` (when present), ``system``,
            ``indicator``, ``value``, ``baseline_min``, ``baseline_max``, ``normalised``
            (unclipped). Empty when the panel stays inside the fitted range.
        """
        keys = {k: panel[k].to_numpy() for k in (schema.PROVINCE, schema.YEAR) if k in panel.columns}
        return self.out_of_range_from_matrices(_indicator_matrix(panel, self.nqpf.indicator_ids),
                                               _indicator_matrix(panel, self.inno.indicator_ids), keys)

    def out_of_range_from_matrices(self, X_nqpf, X_inno, keys: dict) -> pd.DataFrame:
        """``out_of_range`` on raw indicator matrices; ``keys`` maps label columns to row arrays."""
        cols = list(keys) + ["system", "indicator", "value", "baseline_min", "baseline_max", "normalised"]
        parts = []
        for sf, X in ((self.nqpf, X_nqpf), (self.inno, X_inno)):
            Z = sf.normalise(X)
            r, c = np.nonzero((X < sf.mins) | (X > sf.maxs))
            if r.size:
                part = {k: v[r] for k, v in keys.items()}
                part.update(system=sf.system, indicator=np.asarray(sf.indicator_ids, dtype=object)[c],
                            value=X[r, c], baseline_min=sf.mins[c], baseline_max=sf.maxs[c],
                            normalised=Z[r, c])
                parts.append(pd.DataFrame(part, columns=cols))
        if not parts:
            return pd.DataFrame([], columns=cols)
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    def weights_frame(self) -> pd.DataFrame:
        """One row per indicator of both systems: min, max, direction, entropy, weight."""
        return pd.concat([self.nqpf.to_frame(), self.inno.to_frame()], ignore_index=True)


def saturate(h, lo: float, hi: float) -> np.ndarray:
    """Keep comprehensive indices in [0, 1] beyond the fitted range ``[lo, hi]`` (the simulator's rule).

    ``h`` inside ``[lo, hi]`` is returned unchanged. Above ``hi``:
    ``hi + (1 - hi) (1 - exp(-(h - hi) / (1 - hi)))``, which has slope 1 at ``hi``, is strictly
    increasing and stays below 1. Below ``lo``: ``lo exp((h - lo) / lo)``, slope 1 at ``lo``, strictly
    increasing, above 0. (With ``hi = 1`` or ``lo = 0`` that side is a hard bound.)

    Examples
    --------
    >>> saturate([0.2, 0.9, 1.0, 1.2], 0.1, 0.9).round(4).tolist()
    [0.2, 0.9, 0.9632, 0.995]
    >>> saturate([-1.0, 0.05], 0.1, 0.9).round(4).tolist()
    [0.0, 0.0607]
    """
    h = np.asarray(h, dtype=float)
    out = h.copy()
    up = h > hi
    if up.any():
        room = 1.0 - hi
        out[up] = hi + room * (1.0 - np.exp(-(h[up] - hi) / room)) if room > 0 else 1.0
    down = h < lo
    if down.any():
        out[down] = lo * np.exp((h[down] - lo) / lo) if lo > 0 else 0.0
    return np.clip(out, 0.0, 1.0)


def _check_beyond(beyond_range: str) -> None:
    if beyond_range not in BEYOND_RANGE_CHOICES:
        raise ValueError(f"beyond_range must be one of {BEYOND_RANGE_CHOICES}, found {beyond_range!r}")


def _indicator_matrix(panel: pd.DataFrame, ids) -> np.ndarray:
    ids = list(ids)
    missing = [i for i in ids if i not in panel.columns]
    if missing:
        raise ValueError(f"panel lacks indicator columns {missing}")
    try:
        X = panel[ids].to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"indicator columns must be numeric: {exc}") from exc
    if np.isnan(X).any():
        bad = [i for i, b in zip(ids, np.isnan(X).any(axis=0)) if b]
        raise ValueError(f"panel has missing values in indicator columns {bad}; "
                         "impute or drop them before fitting (nothing is dropped silently)")
    if np.isinf(X).any():
        raise ValueError("panel has infinite values in indicator columns")
    return X
