"""Disclosure control: the one place where results are withheld. Every Results table passes here.

Rules (NHS-STAFF-SURVEY.md 4.7; the minimum of 11 is a [V] fact read from unverified.toml):

1. **Small base** — a value whose base n is below the threshold is removed (its n too).
2. **Filter complement** — with a filter on, a value is removed when the respondents the filter
   leaves out (same question, year and group) number 1 to threshold-1: otherwise "all" minus
   "all but X" would reveal X.
3. **Local rule** (optional) — remove a % when 3 or fewer answers are positive or negative.
4. **Secondary suppression** — within a total and its groups (which partition it, "Not stated"
   included), one withheld group could be recovered by subtraction; so further groups are withheld,
   smallest first, until the withheld remainder would itself pass rules 1-3 (at least two groups,
   at least threshold respondents, a filter complement of 0 or at least threshold, and under the
   local rule more than 3 positive and negative answers). Two-way breakdowns are checked along both
   directions against their margins.

Across views, the engine adds (``engine._filter_safety``): a filter must take a column's withheld
groups wholly or not at all, and each condition of an and/or filter must move every result by 0 or
at least threshold respondents. ``vs_rest`` is shown only where the organisation row is shown.
Remaining risk, stated plainly: a determined user combining many different filters over several
columns can still, in principle, narrow in on a small group; the rules above close every one- and
two-step comparison.

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

    # unit level: a unit is withheld if any of its rows is; its size, complement and positive
    # count are those of its smallest row (the % positive base)
    unit_id = t.groupby(UNIT_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    n_units = unit_id.max() + 1 if len(unit_id) else 0
    unit_reason = np.full(n_units, "", dtype=object)
    for uid, reason in zip(unit_id, reasons):
        if reason and not unit_reason[uid]:
            unit_reason[uid] = reason
    order = np.lexsort((np.nan_to_num(n, nan=np.inf), unit_id))
    first = order[np.r_[True, unit_id[order][1:] != unit_id[order][:-1]]]  # smallest row of each unit
    units = t.iloc[first][["measure", "year", "breakdown", "group_1", "group_2", "_total"]].copy()
    units.index = unit_id[first]
    units = units.sort_index()
    units["n"] = n[first][np.argsort(unit_id[first])]
    units["complement"] = comp[first][np.argsort(unit_id[first])]
    pos_all = t["_positive"].to_numpy(dtype=float)
    units["positive"] = pos_all[first][np.argsort(unit_id[first])]
    units["reason"] = unit_reason
    _secondary(units, threshold, local_rule)
    t["suppression_reason"] = units["reason"].to_numpy()[unit_id]
    # a row keeps its own (first) reason where it has one, e.g. the local rule on % rows only
    own = t["_reason"].to_numpy()
    t["suppression_reason"] = np.where(own != "", own, t["suppression_reason"].to_numpy())
    t["suppressed"] = t["suppression_reason"] != ""
    return _finish(t)


def _safe(withheld: pd.DataFrame, members: pd.DataFrame, threshold: int, local_rule: bool) -> bool:
    """Can the withheld groups of one table be shown as a single remainder (total minus the rest)?

    That remainder is always derivable, so it must itself pass every rule: at least two groups, at
    least threshold respondents, a filter complement of 0 or at least threshold, and under the local
    rule more than 3 positive and negative answers. Groups with no respondents carry nothing.
    """
    real = withheld[withheld["n"].fillna(0) > 0]
    if real.empty:
        return True
    if set(real.index) == set(members.index[members["n"].fillna(0) > 0]):
        return True  # everything is withheld: the remainder is the whole margin, shown (or not) on its own
    if len(real) < 2 or real["n"].sum() < threshold:
        return False
    complement = real["complement"]
    if complement.notna().any():
        total = complement.fillna(0).sum()
        if 0 < total < threshold:
            return False
    if local_rule and real["positive"].notna().all():
        positive = real["positive"].sum()
        if positive <= 3 or real["n"].sum() - positive <= 3:
            return False
    return True


def _secondary(units: pd.DataFrame, threshold: int, local_rule: bool = False) -> None:
    """Complementary suppression within each table of groups (in place on ``units``): withhold
    further groups, smallest first, until the withheld remainder is safe to be worked out."""
    grouped = units[~units["_total"].astype(bool)]
    if grouped.empty:
        return
    two_way = grouped["group_2"].astype(str).ne("").any()
    base = ["measure", "year", "breakdown"]
    # two-way tables: across group_2 within each group_1 and across group_1 within each group_2
    partitions = [base + ["group_1"], base + ["group_2"]] if two_way else [base]
    # In a two-way table a cell that is the only one with respondents in its row (or column) equals
    # that margin, which another view shows: within the other direction it is known, not withheld.
    known: dict[int, set] = {0: set(), 1: set()}
    if two_way:
        real = grouped[grouped["n"].fillna(0) > 0]
        for direction, keys in enumerate(partitions):
            sizes = real.groupby(keys, sort=False, dropna=False)["n"].transform("size")
            known[1 - direction] = set(real.index[sizes.to_numpy() == 1])
    changed = True
    while changed:
        changed = False
        for direction, keys in enumerate(partitions):
            current = units.loc[grouped.index]
            current = current[~current.index.isin(known[direction])]
            for _, members in current.groupby(keys, sort=False, dropna=False):
                if len(members) < 2:
                    continue
                withheld = members[members["reason"] != ""]
                if _safe(withheld, members, threshold, local_rule):
                    continue
                candidates = members[(members["reason"] == "") & (members["n"].fillna(0) > 0)]
                candidates = candidates.sort_values(["n", "group_1", "group_2"], kind="stable")
                for idx in candidates.index:
                    units.at[idx, "reason"] = REASON_SECONDARY
                    changed = True
                    withheld = pd.concat([withheld, units.loc[[idx]]])
                    if _safe(withheld, members, threshold, local_rule):
                        break


def withhold(t: pd.DataFrame, rows: np.ndarray, reasons: np.ndarray) -> pd.DataFrame:
    """Withhold further rows the engine found unsafe across views (see engine._filter_safety)."""
    t = t.copy()
    t.loc[rows, "suppression_reason"] = reasons[rows]
    t.loc[rows, "suppressed"] = True
    return _finish(t)


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
