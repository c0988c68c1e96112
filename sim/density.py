"""Gaussian kernel densities of the coupling coordination degree (Liu et al. 2026, Figs. 9-10).

Univariate: f(u) = 1/(n h) sum_i K((u_i - u)/h), Gaussian K (paper's kernel-density equation), per
year, nationally and per region. Joint: density of the pairs (D_t, D_t+1) pooled over consecutive
years, on a 2-D grid for contour plots with the 45-degree line (paper's joint-density equation).

Scale (issue 12): the joint density of a county panel (~53,000 pairs on a 60 x 60 grid) is summed
in blocks of grid points, through whitened coordinates above ``LARGE_PAIRS`` pairs (one matrix
product per block instead of the quadratic form; same values to rounding, tested).

Bandwidth: Scott's rule, computed exactly as ``scipy.stats.gaussian_kde`` does (``BANDWIDTH_RULE``). The paper used
MATLAB ``ksdensity`` (univariate) and Stata (joint), whose default bandwidths differ; shapes can
therefore differ a little from the paper's figures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BANDWIDTH_RULE = (
    "Gaussian kernel, bandwidth by Scott's rule (as scipy.stats.gaussian_kde): h = n^(-1/5) x sample "
    "standard deviation in 1-D; in 2-D the kernel covariance is n^(-1/3) x the sample covariance "
    "of (D_t, D_t+1) (a full, not product, kernel). The paper used MATLAB ksdensity "
    "(h = MAD/0.6745 x (4/(3n))^(1/5)) and Stata for the joint density, so curves may differ slightly.")


_BLOCK_ELEMENTS = 1 << 21  # grid points x pairs per block of the joint density (~32 MiB of differences)


LARGE_PAIRS = 20_000  # above this many (D_t, D_t+1) pairs the joint density uses the whitened path


def _kernel_sums_quadratic(pts, pairs, inv) -> np.ndarray:
    """sum_n exp(-0.5 (p - x_n)' inv (p - x_n)) for every grid point p: the plain form, in blocks."""
    block = max(1, _BLOCK_ELEMENTS // max(1, len(pairs)))
    dens = np.empty(len(pts))
    for start in range(0, len(pts), block):
        diff = pts[start:start + block, None, :] - pairs[None, :, :]  # (block, N, 2)
        q = np.einsum("pnk,kl,pnl->pn", diff, inv, diff)
        dens[start:start + block] = np.exp(-0.5 * q).sum(axis=1)
    return dens


def _kernel_sums_whitened(pts, pairs, inv) -> np.ndarray:
    """The same sums through whitened coordinates (county scale: ~10x faster than the quadratic
    form). With inv = L L' (Cholesky), (p - x)' inv (p - x) = |a|^2 + |b|^2 - 2 a.b for a = L'p and
    b = L'x, one matrix product per block. Agrees with :func:`_kernel_sums_quadratic` to rounding
    (a test checks it to 1e-9 relative)."""
    L = np.linalg.cholesky(inv)
    a, b = pts @ L, pairs @ L
    aa, bb = (a * a).sum(axis=1), (b * b).sum(axis=1)
    block = max(1, _BLOCK_ELEMENTS // max(1, len(pairs)))
    dens = np.empty(len(pts))
    for start in range(0, len(pts), block):
        q = aa[start:start + block, None] + bb[None, :] - 2.0 * (a[start:start + block] @ b.T)
        np.maximum(q, 0.0, out=q)
        dens[start:start + block] = np.exp(-0.5 * q).sum(axis=1)
    return dens


def _panel(D) -> pd.DataFrame:
    if not isinstance(D, pd.DataFrame):
        D = pd.DataFrame(np.asarray(D, dtype=float))
    arr = D.to_numpy(dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError("D must be finite; found NaN or inf.")
    return D


def default_grid(D, num: int = 200, pad: float = 0.1) -> np.ndarray:
    """Evenly spaced grid over [min - pad*range, max + pad*range] of all values of D, shape (num,)."""
    arr = np.asarray(D, dtype=float)
    lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
    span = hi - lo if hi > lo else 1.0
    return np.linspace(lo - pad * span, hi + pad * span, num)


def kde_1d(values, grid) -> np.ndarray:
    """Gaussian KDE (Scott bandwidth) of ``values`` (shape (n,)) evaluated at ``grid`` (shape (m,)).

    Returns NaN everywhere when fewer than 2 distinct values exist (no bandwidth can be formed).

    Examples
    --------
    >>> f = kde_1d([0.1, 0.2, 0.3, 0.4], np.linspace(-1, 2, 3001))
    >>> round(float(f.sum() * 0.001), 3)  # integrates to 1
    1.0
    """
    v = np.asarray(values, dtype=float).ravel()
    grid = np.asarray(grid, dtype=float)
    if v.size < 2 or np.ptp(v) == 0:
        return np.full(grid.shape, np.nan)
    # scipy.stats.gaussian_kde(v, "scott") written out (scipy.stats costs ~0.7 s to import)
    h = v.std(ddof=1) * v.size ** (-1 / 5)
    u = (grid.ravel()[:, None] - v[None, :]) / h
    f = np.exp(-0.5 * u * u).sum(axis=1) / (v.size * h * np.sqrt(2 * np.pi))
    return f.reshape(grid.shape)


def kde_by_year(D, regions=None, grid=None, order=("East", "Central", "West")) -> pd.DataFrame:
    """Kernel density of D per year, nationally and per region (Liu et al. 2026, Fig. 9a-d).

    Parameters
    ----------
    D : DataFrame, shape (n, T)
        Index provinces, columns years.
    regions : mapping, optional
        Province -> region; when given, one curve per region and year is added.
    grid : array_like, shape (m,), optional
        Evaluation points; default ``default_grid(D)``.

    Returns
    -------
    DataFrame
        Tidy: scope ("National" or region), year, x, density.
    """
    D = _panel(D)
    grid = default_grid(D.to_numpy(dtype=float)) if grid is None else np.asarray(grid, dtype=float)
    scopes = {"National": np.ones(len(D), dtype=bool)}
    if regions is not None:
        missing = [p for p in D.index if p not in regions]
        if missing:
            raise ValueError(f"No region for: {', '.join(map(str, missing))}.")
        lab = np.array([regions[p] for p in D.index], dtype=object)
        for r in order:
            if np.any(lab == r):
                scopes[r] = lab == r
    frames = []
    for scope, mask in scopes.items():
        for col in D.columns:
            frames.append(pd.DataFrame({"scope": scope, "year": col, "x": grid,
                                        "density": kde_1d(D[col].to_numpy(dtype=float)[mask], grid)}))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class JointDensity:
    """Joint density of (D_t, D_t+1) on a grid: ``x`` (m,), ``y`` (m,), ``density`` (m, m) with
    ``density[i, j]`` at (x[j], y[i]) (image/contour convention), ``pairs`` (N, 2) used."""

    x: np.ndarray
    y: np.ndarray
    density: np.ndarray
    pairs: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Long table x, y, density (for altair/pydeck)."""
        X, Y = np.meshgrid(self.x, self.y)
        return pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "density": self.density.ravel()})


def joint_kde(D, num: int = 60, lag: int = 1) -> JointDensity:
    """Joint Gaussian KDE of (D_t, D_t+lag), pooled over all provinces and years (Liu et al. 2026, Fig. 10).

    Parameters
    ----------
    D : DataFrame or array, shape (n, T), T > lag
    num : int
        Grid points per axis (same grid on both axes, so the 45-degree line is y = x).
    lag : int, default 1

    Returns
    -------
    JointDensity
    """
    arr = _panel(D).to_numpy(dtype=float)
    if arr.shape[1] <= lag:
        raise ValueError(f"D needs more than {lag} years for pairs (D_t, D_t+{lag}); found {arr.shape[1]}.")
    pairs = np.column_stack([arr[:, :-lag].ravel(), arr[:, lag:].ravel()])
    grid = default_grid(arr, num=num)
    X, Y = np.meshgrid(grid, grid)
    cov = np.cov(pairs.T)
    if np.linalg.matrix_rank(cov) < 2:
        raise ValueError("The pairs (D_t, D_t+1) lie on a line; the joint density is degenerate.")
    # scipy.stats.gaussian_kde(pairs.T, "scott") written out: kernel covariance = n^(-1/3) * cov
    kcov = cov * len(pairs) ** (-2 / 6)
    inv = np.linalg.inv(kcov)
    pts = np.column_stack([X.ravel(), Y.ravel()])
    norm = 2 * np.pi * np.sqrt(np.linalg.det(kcov)) * len(pairs)
    if len(pairs) > LARGE_PAIRS:
        Z = (_kernel_sums_whitened(pts, pairs, inv) / norm).reshape(X.shape)
        return JointDensity(grid, grid, Z, pairs)
    # grid points in blocks so that (block, N, 2) stays ~ _BLOCK_ELEMENTS whatever N (counties x
    # years: 53,200 pairs would otherwise need 3,600 x 53,200 x 2 doubles, 3 GiB); each grid point's
    # sum over the pairs is the same whichever block it is in
    Z = (_kernel_sums_quadratic(pts, pairs, inv) / norm).reshape(X.shape)
    return JointDensity(grid, grid, Z, pairs)
