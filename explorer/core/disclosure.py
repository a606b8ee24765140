"""Disclosure control: the one place where results are withheld. Every Results table passes here.

Rules (NHS-STAFF-SURVEY.md 4.7; the minimum of 11 is a [V] fact read from unverified.toml):

1. **Small base** — a value whose base n is below the threshold is removed (its n too).
2. **Filter complement** — with a filter on, a value is removed when the respondents the filter
   leaves out (same question, year and group) number 1 to threshold-1: otherwise "all" minus
   "all but X" would reveal X.
3. **Local rule** (optional) — remove a % when 3 or fewer answers are positive or negative.
4. **Secondary suppression** — within a total and its groups (which partition it, "Not stated"
   included), one withheld group could be recovered by subtraction; so further groups are withheld,
   smallest first, until at least two are withheld and together they hold at least threshold
   respondents. Two-way breakdowns are checked along both directions against their margins.

A *unit* is one measure in one year for one group: all its statistics (% positive, answer
distribution, mean) share the unit's fate, because each can be derived from the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNIT_KEYS = ["measure", "year", "breakdown", "group_1", "group_2"]


def reason_small(threshold: int) -> str:
    return f"fewer than {threshold} responses"


def reason_complement(threshold: int) -> str:
    return f"the filter leaves out fewer than {threshold} responses, which a comparison with all staff would reveal"


REASON_LOCAL = "3 or fewer positive or negative answers (local rule)"
REASON_SECONDARY = "withheld so that a smaller group cannot be worked out by subtraction"


def apply_disclosure(table: pd.DataFrame, threshold: int, local_rule: bool = False) -> pd.DataFrame:
    """Mark and blank withheld values. ``table`` carries private columns ``_n`` (true base),
    ``_positive`` (positive count, % rows), ``_complement`` (respondents the filter leaves out, or
    NaN) and ``_total`` (True on the organisation row of a table); the engine drops them with
    :func:`drop_private` once it has derived changes and tests from what is shown."""
    t = table.copy()
    t["suppressed"] = False
    t["suppression_reason"] = ""
    if t.empty:
        return _finish(t)
    n = t["_n"].to_numpy(dtype=float)
    reasons = np.full(len(t), "", dtype=object)
    small = ~(n >= threshold)  # NaN base counts as small
    reasons[small] = reason_small(threshold)
    comp = t["_complement"].to_numpy(dtype=float)
    leaks = (comp > 0) & (comp < threshold) & (reasons == "")
    reasons[leaks] = reason_complement(threshold)
    if local_rule:
        pos = t["_positive"].to_numpy(dtype=float)
        few = ((pos <= 3) | ((n - pos) <= 3)) & ~np.isnan(pos) & (reasons == "")
        reasons[few] = REASON_LOCAL
    t["_reason"] = reasons

    # unit level: a unit is withheld if any of its rows is
    unit_id = t.groupby(UNIT_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    n_units = unit_id.max() + 1 if len(unit_id) else 0
    unit_reason = np.full(n_units, "", dtype=object)
    for uid, reason in zip(unit_id, reasons):
        if reason and not unit_reason[uid]:
            unit_reason[uid] = reason
    unit_n = pd.Series(n).groupby(unit_id).min().reindex(range(n_units)).to_numpy()
    units = t.groupby(unit_id, sort=False).first()[["measure", "year", "breakdown", "group_1", "group_2", "_total"]]
    units = units.reindex(range(n_units))
    units["n"] = unit_n
    units["reason"] = unit_reason
    _secondary(units, threshold)
    t["suppression_reason"] = units["reason"].to_numpy()[unit_id]
    # a row keeps its own (first) reason where it has one, e.g. the local rule on % rows only
    own = t["_reason"].to_numpy()
    t["suppression_reason"] = np.where(own != "", own, t["suppression_reason"].to_numpy())
    t["suppressed"] = t["suppression_reason"] != ""
    return _finish(t)


def _secondary(units: pd.DataFrame, threshold: int) -> None:
    """Complementary suppression within each table of groups (in place on ``units``)."""
    grouped = units[~units["_total"].astype(bool)]
    if grouped.empty:
        return
    two_way = grouped["group_2"].astype(str).ne("").any()
    partitions = []
    base = ["measure", "year", "breakdown"]
    if two_way:
        partitions.append(base + ["group_1"])  # across group_2 within each group_1 (margin: group_1)
        partitions.append(base + ["group_2"])  # across group_1 within each group_2
    else:
        partitions.append(base)
    changed = True
    while changed:
        changed = False
        for keys in partitions:
            current = units.loc[grouped.index]
            for _, members in current.groupby(keys, sort=False, dropna=False):
                if len(members) < 2:
                    continue
                withheld = members[members["reason"] != ""]
                if withheld.empty:
                    continue
                total_withheld = withheld["n"].fillna(0).sum()
                if len(withheld) >= 2 and total_withheld >= threshold:
                    continue
                candidates = members[members["reason"] == ""].sort_values(["n", "group_1", "group_2"], kind="stable")
                for idx, row in candidates.iterrows():
                    units.at[idx, "reason"] = REASON_SECONDARY
                    changed = True
                    total_withheld += 0 if np.isnan(row["n"]) else row["n"]
                    count = len(withheld) + 1
                    withheld = pd.concat([withheld, units.loc[[idx]]])
                    if count >= 2 and total_withheld >= threshold:
                        break


def drop_private(t: pd.DataFrame) -> pd.DataFrame:
    """Remove the engine's working columns (true counts) before a table leaves the engine."""
    return t.drop(columns=[c for c in t.columns if c.startswith("_")])


def _finish(t: pd.DataFrame) -> pd.DataFrame:
    """Blank every withheld number; private columns stay for the engine (see :func:`drop_private`)."""
    withheld = t["suppressed"].to_numpy(dtype=bool)
    for col in ("value", "n", "change", "comparator_value", "comparator_difference", "vs_rest", "rank",
                "benchmark_best", "benchmark_median", "benchmark_worst"):
        if col in t.columns:
            t.loc[withheld, col] = np.nan
    for col in ("significant", "comparator_significant", "significant_vs_rest"):
        if col in t.columns:
            t.loc[withheld, col] = None
    return t
