"""Change since the previous survey year, and its significance, from shown figures only.

Two-proportion z-test for % results, Welch's t-test for scores and means, two-sided at the [V]
alpha, only between comparable years (the bank's trend breaks), never for a withheld figure and
never for a combined group (its make-up differs from year to year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core.questionbank import QuestionBank
from explorer.core.stats import two_proportion_z, welch_t


def previous(year: int, years: tuple[int, ...]) -> int | None:
    earlier = [y for y in years if y < year]
    return max(earlier) if earlier else None


def comparable(bank: QuestionBank, measure: str, kind: str, year: int, earlier: int) -> bool:
    if kind == "item":
        return bank.item(measure).comparable(year, earlier)
    if kind == "score":
        years = bank.score_years(measure)
        return year in years and earlier in years
    return True


def p_values(statistic: str, p1, sd1, n1, p2, sd2, n2) -> np.ndarray:
    """Two-sided p-values: Welch's t for scores and means, two-proportion z for % (proportions 0-1)."""
    p1, sd1, n1, p2, sd2, n2 = (np.asarray(a, dtype=float) for a in (p1, sd1, n1, p2, sd2, n2))
    if len(p1) == 0:
        return np.full(0, np.nan)
    if statistic in ("score", "mean"):
        return welch_t(p1, sd1, n1, p2, sd2, n2)[2]
    return two_proportion_z(p1, n1, p2, n2)[1]


def unit_keys(t: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: an id for its series (measure, statistic, option, group, total) and one for its
    organisation series (measure, statistic, option), so years and totals are found by lookup.
    Made once per table (kept in private columns ``_key`` and ``_org``)."""
    if "_key" in t.columns and "_org" in t.columns:
        return t["_key"].to_numpy(), t["_org"].to_numpy()
    codes = {c: pd.factorize(t[c].to_numpy(dtype=object))[0] for c in ("measure", "statistic", "option", "group_1", "group_2")}
    org = np.unique(np.column_stack([codes["measure"], codes["statistic"], codes["option"]]), axis=0, return_inverse=True)[1]
    series = np.column_stack([org.reshape(-1), codes["group_1"], codes["group_2"], t["_total"].to_numpy(dtype=bool)])
    return np.unique(series, axis=0, return_inverse=True)[1].reshape(-1), org.reshape(-1)


def lookup(keys: np.ndarray, years: np.ndarray, want_keys: np.ndarray, want_years: np.ndarray) -> np.ndarray:
    """Row index of (key, year) for each wanted pair, -1 where there is none."""
    index = pd.Index(keys.astype(np.int64) * 10_000 + years.astype(np.int64))
    return index.get_indexer(want_keys.astype(np.int64) * 10_000 + want_years.astype(np.int64))


def changes(table: pd.DataFrame, bank: QuestionBank, data_years: tuple[int, ...]) -> pd.DataFrame:
    t = table  # not modified: the result is a new frame
    if t.empty:
        return t.assign(previous_year=np.nan, change=np.nan, significant=None, comparable=None)
    key, _ = unit_keys(t)
    year = t["year"].to_numpy(dtype=np.int64)
    prev_of = {y: previous(y, data_years) or -1 for y in data_years}
    prev = np.array([prev_of.get(y, -1) for y in year.tolist()], dtype=np.int64)
    at = lookup(key, year, key, prev)
    measure, kind = t["measure"].astype(str).tolist(), t["kind"].astype(str).tolist()
    verdict = {k: k[3] > 0 and comparable(bank, *k) for k in set(zip(measure, kind, year.tolist(), prev.tolist()))}
    can = np.array([verdict[k] for k in zip(measure, kind, year.tolist(), prev.tolist())], dtype=bool)
    found = at >= 0
    safe = np.where(found, at, 0)
    value = t["value"].to_numpy(dtype=float)
    withheld = t["suppressed"].to_numpy(dtype=bool)
    pooled = t["_pooled"].fillna(False).to_numpy(dtype=bool) if "_pooled" in t else np.zeros(len(t), dtype=bool)
    ok = can & found & ~withheld & ~withheld[safe] & ~np.isnan(value[safe]) & ~pooled
    added = {"previous_year": np.where(prev > 0, prev, np.nan), "comparable": np.where(prev > 0, can, None),
             "change": np.where(ok, value - value[safe], np.nan)}
    significant = np.full(len(t), None, dtype=object)
    statistic = t["statistic"].to_numpy()
    cols = {c: t[c].to_numpy(dtype=float) for c in ("_p", "_sd", "_n")}
    for stat in ("positive", "score", "mean"):
        sel = np.flatnonzero(ok & (statistic == stat))
        if len(sel):
            p = p_values(stat, cols["_p"][sel], cols["_sd"][sel], cols["_n"][sel], cols["_p"][safe[sel]],
                         cols["_sd"][safe[sel]], cols["_n"][safe[sel]])
            significant[sel] = [None if np.isnan(v) else bool(v < bank.unverified.alpha) for v in p]
    added["significant"] = significant
    return pd.concat([t.drop(columns=[c for c in added if c in t.columns]), pd.DataFrame(added, index=t.index)], axis=1)
