"""Published (aggregate) files: figures a file already holds for organisations and groups.

There are no respondents to partition, so two classic rules apply to each table (a total and its
groups, which partition it): a figure on fewer than T responses is withheld (and, under the local
rule, a % with few positive or negative answers); then further groups are withheld, smallest first,
until the withheld remainder (total minus what is shown) is itself safe — at least two groups and at
least T responses. A unit is one measure in one year for one group: its statistics share its fate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core import disclosure as D

UNIT_KEYS = ["measure", "year", "breakdown", "group_1", "group_2"]
REASON_SECONDARY = "withheld so that a smaller group cannot be worked out by subtraction"


def apply(table: pd.DataFrame, threshold: int, local_rule: bool = False) -> pd.DataFrame:
    """Mark and blank withheld rows of a published table (private columns ``_n``, ``_positive``,
    ``_total``)."""
    t = table.copy()
    t["suppressed"] = False
    t["suppression_reason"] = ""
    if t.empty:
        return blank(t)
    n = t["_n"].to_numpy(dtype=float)
    reasons = np.full(len(t), "", dtype=object)
    reasons[~(n >= threshold)] = D.reason_small(threshold)
    if local_rule:
        pos = t["_positive"].to_numpy(dtype=float)
        limit = D.local_rule_max()
        few = ((pos <= limit) | ((n - pos) <= limit)) & ~np.isnan(pos) & (reasons == "")
        reasons[few] = D.reason_local()
    unit_id = t.groupby(UNIT_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    units = pd.DataFrame({"uid": unit_id, "n": n, "reason": reasons}).groupby("uid").agg(
        n=("n", "min"), reason=("reason", lambda r: next((x for x in r if x), "")))
    first = pd.DataFrame({"uid": unit_id}).drop_duplicates("uid").index
    info = t.iloc[first][["measure", "year", "breakdown", "group_1", "group_2", "_total"]].set_index(unit_id[first])
    units = units.join(info)
    _secondary(units, threshold)
    unit_reason = units["reason"].reindex(range(unit_id.max() + 1)).fillna("").to_numpy()
    t["suppression_reason"] = np.where(reasons != "", reasons, unit_reason[unit_id])
    t["suppressed"] = t["suppression_reason"] != ""
    return blank(t)


def _secondary(units: pd.DataFrame, threshold: int) -> None:
    groups = units[~units["_total"].astype(bool)]
    for _, members in groups.groupby(["measure", "year", "breakdown"], sort=False, dropna=False):
        real = members[members["n"].fillna(0) > 0]
        if len(real) < 2:
            continue
        withheld = real[real["reason"] != ""]
        if withheld.empty or len(withheld) == len(real):
            continue
        candidates = real[real["reason"] == ""].sort_values(["n", "group_1", "group_2"], kind="stable").index.tolist()
        chosen = list(withheld.index)
        while (len(chosen) < 2 or units.loc[chosen, "n"].sum() < threshold) and candidates:
            idx = candidates.pop(0)
            units.at[idx, "reason"] = REASON_SECONDARY
            chosen.append(idx)


def blank(t: pd.DataFrame) -> pd.DataFrame:
    """Blank every withheld number (private columns stay for the engine)."""
    withheld = t["suppressed"].to_numpy(dtype=bool)
    if not withheld.any():
        return t
    for col in ("value", "n", "change", "comparator_value", "comparator_difference", "vs_rest", "rank",
                "benchmark_best", "benchmark_median", "benchmark_worst"):
        if col in t.columns:
            t[col] = np.where(withheld, np.nan, t[col].to_numpy(dtype=float))
    for col in ("significant", "comparator_significant", "significant_vs_rest"):
        if col in t.columns:
            values = t[col].to_numpy(dtype=object).copy()
            values[withheld] = None
            t[col] = values
    return t


def drop_private(t: pd.DataFrame) -> pd.DataFrame:
    """Remove the engine's working columns (true counts) before a table leaves the engine."""
    return t.drop(columns=[c for c in t.columns if c.startswith("_")])


def usable(table: pd.DataFrame, threshold: int, local_rule: bool = False) -> pd.DataFrame:
    """Other organisations' published figures that may enter a benchmark or a rank: none on fewer
    than ``threshold`` responses (a blank base is the file's own business and is kept) and, under the
    local rule, no % with few positive or negative answers."""
    return table[~withheld(table, threshold, local_rule)]


def withheld(table: pd.DataFrame, threshold: int, local_rule: bool = False) -> np.ndarray:
    """Per published row: may it not be shown (fewer than ``threshold`` responses; under the local
    rule, a % whose positive or negative answers, value x n, are at most the rule's count)?"""
    n = table["n"].to_numpy(dtype=float)
    out = n < threshold
    if local_rule:
        value = table["value"].to_numpy(dtype=float)
        is_pct = (table["unit"].astype(str) == "%").to_numpy()
        positive = np.round(value * n / 100.0)
        limit = D.local_rule_max()
        out |= is_pct & ~np.isnan(positive) & ((positive <= limit) | ((n - positive) <= limit))
    return out
