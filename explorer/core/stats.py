"""Significance tests and association, vectorised over many comparisons (numpy only, no SciPy).

* :func:`two_proportion_z` — pooled two-proportion z-test, two-sided.
* :func:`welch_t` — Welch's unequal-variance t-test with Welch-Satterthwaite degrees of freedom,
  two-sided; the t distribution's tail from the regularised incomplete beta function.
* :func:`spearman` — Spearman's rank correlation (average ranks for ties).

Which test is used where, and at what alpha, is a product rule kept with the [V] facts
(:mod:`explorer.core.unverified`, ``[significance]``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _normal_two_sided(z: np.ndarray) -> np.ndarray:
    z = np.atleast_1d(np.asarray(z, dtype=float))
    out = np.full(z.shape, np.nan)
    ok = np.isfinite(z)
    if ok.any():
        out[ok] = _ERFC(np.abs(z[ok]) / math.sqrt(2.0)).astype(float)
    return out


def two_proportion_z(p1, n1, p2, n2) -> tuple[np.ndarray, np.ndarray]:
    """(z, two-sided p) for proportions ``p1`` of ``n1`` vs ``p2`` of ``n2`` (proportions 0-1)."""
    p1, n1, p2, n2 = (np.asarray(a, dtype=float) for a in (p1, n1, p2, n2))
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / se
    z = np.where(se == 0, np.where(p1 == p2, 0.0, np.nan), z)
    return z, _normal_two_sided(z)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (Numerical Recipes, Lentz's method)."""
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom."""
    if not (np.isfinite(t) and np.isfinite(df)) or df <= 0:
        return float("nan")
    return betainc(df / 2.0, 0.5, df / (df + t * t))


def _betacf_vec(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """:func:`_betacf` over arrays (Lentz's method); elements leave the loop as they converge."""
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) > tiny, d, tiny)
    h = d.copy()
    out = np.empty_like(x)
    live = np.arange(len(x))
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) > tiny, d, tiny)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) > tiny, c, tiny)
        h = h * d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) > tiny, d, tiny)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) > tiny, c, tiny)
        delta = d * c
        h = h * delta
        done = np.abs(delta - 1.0) < eps
        if done.any():
            out[live[done]] = h[done]
            keep = ~done
            live, a, b, x, qab, qap, qam, c, d, h = (v[keep] for v in (live, a, b, x, qab, qap, qam, c, d, h))
            if not len(live):
                return out
    out[live] = h
    return out


def t_two_sided_vec(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """:func:`t_two_sided` over arrays: I_x(df/2, 1/2) with x = df / (df + t^2)."""
    t, df = np.asarray(t, dtype=float), np.asarray(df, dtype=float)
    out = np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.isfinite(df) & (df > 0)
    if not ok.any():
        return out
    a, b = df[ok] / 2.0, np.full(ok.sum(), 0.5)
    x = df[ok] / (df[ok] + t[ok] ** 2)
    lgam = np.vectorize(math.lgamma)
    with np.errstate(divide="ignore", invalid="ignore"):
        front = np.exp(lgam(a + b) - lgam(a) - lgam(b) + a * np.log(x) + b * np.log1p(-x))
    direct = x < (a + 1.0) / (a + b + 2.0)
    res = np.empty(len(x))
    if direct.any():
        res[direct] = front[direct] * _betacf_vec(a[direct], b[direct], x[direct]) / a[direct]
    if (~direct).any():
        i = ~direct
        res[i] = 1.0 - front[i] * _betacf_vec(b[i], a[i], 1.0 - x[i]) / b[i]
    res = np.where(x <= 0.0, 0.0, np.where(x >= 1.0, 1.0, res))
    out[ok] = res
    return out


def welch_t(m1, s1, n1, m2, s2, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, degrees of freedom, two-sided p) from means, standard deviations and sizes."""
    m1, s1, n1, m2, s2, n2 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (m1, s1, n1, m2, s2, n2))
    v1, v2 = s1 ** 2 / n1, s2 ** 2 / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (m1 - m2) / np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    both_constant = (v1 + v2) == 0
    t = np.where(both_constant, np.where(m1 == m2, 0.0, np.nan), t)
    p = np.where(both_constant, np.where(t == 0, 1.0, np.nan), t_two_sided_vec(t, df))
    return t, df, p


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Spearman's rho over pairs where both are present, and the number of pairs."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    n = int(ok.sum())
    if n < 3:
        return float("nan"), n
    rx = pd.Series(x[ok]).rank(method="average").to_numpy(dtype=float, copy=True)
    ry = pd.Series(y[ok]).rank(method="average").to_numpy(dtype=float, copy=True)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = math.sqrt(float(np.dot(rx, rx)) * float(np.dot(ry, ry)))
    return (float(np.dot(rx, ry)) / denom if denom > 0 else float("nan")), n
