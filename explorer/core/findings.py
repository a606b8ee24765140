"""Findings: the plain-English sentences an analyst would write for a board paper, from a ``Results``.

Every sentence carries its numbers (value, n, weighted or not, the change and whether it is
significant) and speaks only of figures that are shown: nothing is said about a withheld row, a
withheld group is never named, a count of groups counts shown groups only, and a measure whose
organisation figure is withheld gets no sentence at all. "Better" and "worse" respect measures
where lower is better (harassment, discrimination...).

Ranking (``importance``, higher first): significant changes on last year, then gaps of at least
``BENCHMARK_MIN_GAP`` to the median of similar trusts (largest first; there is no significance test
against the benchmark, so none is claimed), then groups significantly different from the rest of
the organisation, then one sentence per measure on how many groups improved, then the level of each
measure whose change is not significant. Ties keep the lens's order of measures (first appearance in
the table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from explorer.core.results import ORGANISATION_GROUP, Results

STATISTICS = ("positive", "score")
KINDS = ("change", "benchmark", "group", "spread", "level")  # also the tie-break order within a measure
TIER = {"change": 4.0, "benchmark": 3.0, "group": 2.0, "spread": 1.0, "level": 0.0}
# The smallest gap to the benchmark median worth a sentence (a presentational choice, not a test):
# there is no significance test against the benchmark, and it is weighted where the data may not be.
BENCHMARK_MIN_GAP = {"%": 1.0, "score": 0.1}


@dataclass(frozen=True)
class Finding:
    """One sentence and the figures it was made from (``group`` is the breakdown for a spread)."""

    text: str
    kind: str  # "change" | "benchmark" | "group" | "spread" | "level"
    measure: str
    label: str
    year: int
    value: float | None
    n: int | None
    weighted: bool
    significant: bool | None
    direction: str  # "better" | "worse" | ""
    group: str
    importance: float


# ------------------------------------------------------------------------------ small formatters
def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _flag(value) -> bool | None:
    """True / False / None from a column that may hold bools, None or NaN."""
    return None if _missing(value) else bool(value)


def _value(value: float, unit: str) -> str:
    return f"{value:.1f}%" if unit == "%" else f"{value:.2f} out of 10"


def _points(size: float, unit: str) -> str:
    """An unsigned difference at display precision: '0.6' (% points) or '0.07' (score points)."""
    return f"{abs(size):.1f}" if unit == "%" else f"{abs(size):.2f}"


def _n(n) -> str:
    return "" if _missing(n) else f"{int(n):,}"


def _base(row) -> str:
    """'21.7% (n = 4,155, unweighted)'; no weighting word where it is unknown (``weighted`` None: a published
    file that does not say whether its figures are weighted)."""
    n = _n(row["n"])
    flag = _flag(row["weighted"])
    said = [f"n = {n}"] if n else []
    said += [] if flag is None else ["weighted" if flag else "unweighted"]
    return f"{_value(float(row['value']), row['unit'])}" + (f" ({', '.join(said)})" if said else "")


def _direction(difference: float, lower_is_better: bool) -> str:
    if difference == 0:
        return ""
    return "better" if (difference < 0) == bool(_flag(lower_is_better)) else "worse"


def _scale(unit: str) -> float:
    """Puts % points and score points on one footing for ranking (both become a share of the range)."""
    return 100.0 if unit == "%" else 10.0


def _weight(size: float, unit: str) -> float:
    return min(abs(size) / _scale(unit), 0.999)


def _blank(value) -> bool:
    return _missing(value) or str(value) == ""


def _shown(rows: list[dict]) -> list[dict]:
    return [r for r in rows if not _flag(r["suppressed"]) and not _missing(r["value"])]


# ------------------------------------------------------------------------------ sentences
def _make(kind: str, row, text: str, importance: float, *, significant=None, direction: str = "",
          group: str | None = None, figures: bool = True) -> Finding:
    return Finding(text=text, kind=kind, measure=str(row["measure"]), label=str(row["label"]),
                   year=int(row["year"]), value=float(row["value"]) if figures else None,
                   n=None if not figures or _missing(row["n"]) else int(row["n"]),
                   weighted=bool(_flag(row["weighted"])), significant=significant, direction=direction,
                   group=str(row["group"]) if group is None else group, importance=round(importance, 6))


def _headline(org, groups: list[dict], above: float | None = None) -> Finding:
    """The organisation's figure and its change: kind 'change' when significant, else 'level'.
    ``above``: the highest value of a combined group, which is never named (the named group is then
    called the highest of those named on their own, as the tables beside it bear out)."""
    unit, change, significant = org["unit"], org["change"], _flag(org["significant"])
    text, direction, size = f"{org['label']}: {_base(org)}", "", 0.0
    if not _missing(org["previous_year"]):
        previous = int(org["previous_year"])
        if not _missing(change):
            shown = _points(change, unit)
            step = "unchanged" if float(shown) == 0 else f"{'up' if change > 0 else 'down'} {shown} points"
            direction = _direction(float(shown) * (1 if change > 0 else -1), org["lower_is_better"])
            size = float(change)
            text += f", {step} on {previous}"
            if significant is True:
                text += f", significantly {direction}" if direction else " (a significant change)"
            elif significant is False:
                text += " (not a significant change)"
            else:
                text += " (significance not tested)"
        elif _flag(org["comparable"]) is False:
            text += f", not comparable with {previous}"
    if groups:
        top = max(groups, key=lambda r: float(r["value"]))  # the first of equals, in the table's order
        n = _n(top["n"])
        named_only = above is not None and above > float(top["value"])
        highest = "the highest of the groups named on their own" if named_only else "highest"
        text += f"; {top['group']} is {highest} at {_value(float(top['value']), unit)}{f' (n = {n})' if n else ''}"
    kind = "change" if significant is True and direction else "level"
    return _make(kind, org, text + ".", TIER[kind] + _weight(size, unit), significant=significant,
                 direction=direction)


def _benchmark(org) -> Finding | None:
    median = org["benchmark_median"]
    if _missing(median):
        return None
    unit, gap = org["unit"], float(org["value"]) - float(median)
    shown = _points(gap, unit)
    if float(shown) < BENCHMARK_MIN_GAP[unit]:
        return None
    direction = _direction(gap, org["lower_is_better"])
    text = (f"{org['label']}: {_base(org)} is {shown} points {'above' if gap > 0 else 'below'} the median of "
            f"similar trusts ({_value(float(median), unit)}), which is {direction} (a gap not tested for "
            f"significance{'; their figures are weighted, this one is not' if _flag(org['weighted']) is False else ''}).")
    return _make("benchmark", org, text, TIER["benchmark"] + _weight(gap, unit), direction=direction)


def _group(row) -> Finding | None:
    gap = row["vs_rest"]
    if _flag(row["significant_vs_rest"]) is not True or _missing(gap):
        return None
    unit, direction = row["unit"], _direction(float(gap), row["lower_is_better"])
    if not direction:
        return None
    text = (f"{row['label']}: {row['group']} is significantly {direction} than the rest of the organisation "
            f"at {_base(row)}, {_points(gap, unit)} points {'above' if gap > 0 else 'below'} the rest.")
    return _make("group", row, text, TIER["group"] + _weight(float(gap), unit), significant=True,
                 direction=direction)


def _spread(org, breakdown: str, groups: list[dict]) -> Finding | None:
    """How many of the shown groups with a shown change improved on last year."""
    rows = [r for r in groups if not _missing(r["change"])]
    if len(rows) < 2 or _missing(org["previous_year"]):
        return None
    unit, previous = org["unit"], int(org["previous_year"])
    shown = [float(_points(r["change"], unit)) * (1 if r["change"] > 0 else -1) for r in rows]
    ways = [_direction(c, org["lower_is_better"]) for c in shown]
    better, worse = ways.count("better"), ways.count("worse")
    text = (f"{org['label']}: by {breakdown}, {better} of the {len(rows)} groups shown improved on {previous} "
            f"and {worse} got worse")
    if len(rows) - better - worse:
        text += f" ({len(rows) - better - worse} unchanged)"
    marks = [(r["group"], w) for r, w in zip(rows, ways) if _flag(r["significant"]) is True and w]
    untested = sum(_flag(r["significant"]) is None for r in rows)  # published changes: not tested
    if marks:
        text += "; significantly " + "; significantly ".join(
            f"{w}: {', '.join(str(g) for g, x in marks if x == w)}" for w in ("better", "worse")
            if any(x == w for _, x in marks))
        text += " (the others' significance not tested)" if untested else ""
    elif untested == len(rows):
        text += " (significance not tested)"
    elif untested:
        text += "; none of the tested changes is significant (the others' significance not tested)"
    else:
        text += "; none of these changes is significant"
    return _make("spread", org, text + ".", TIER["spread"] + 0.5 * len(marks) / len(rows),
                 group=breakdown, figures=False)


# ------------------------------------------------------------------------------ public
def findings(results: Results, year: int | None = None, limit: int | None = None) -> list[Finding]:
    """The findings for ``year`` (default: the latest in the table), most important first."""
    t = results.table
    if t is None or t.empty:
        return []
    t = t[t["statistic"].isin(STATISTICS)]
    if year is None:
        if t.empty:
            return []
        year = int(t["year"].max())
    t = t[t["year"] == year]
    if not results.dataset.get("weighting_stated", True):  # the file does not say: no sentence says either way
        t = t.assign(weighted=None)
    by_measure: dict[tuple, list[dict]] = {}
    for rec in t.to_dict("records"):  # plain rows: a pandas filter per measure took 10 ms each
        by_measure.setdefault((rec["measure"], rec["statistic"]), []).append(rec)
    order = {m: i for i, (m, _) in enumerate(by_measure)}
    combined = set(results.extra.get("combined_groups", ()))
    out: list[Finding] = []
    for rows in by_measure.values():
        org_rows = [r for r in rows if r["group"] == ORGANISATION_GROUP and _blank(r["breakdown"])]
        if not org_rows or _flag(org_rows[0]["suppressed"]) or _missing(org_rows[0]["value"]):
            continue  # a withheld organisation figure: nothing is said about the measure
        org = org_rows[0]
        groups = _shown([r for r in rows if not _blank(r["breakdown"])])
        # a combined group is a mix made for protection: shown, but never singled out
        mixed = [r["group_1"] in combined or r["group_2"] in combined for r in groups]
        own = [r for r, m in zip(groups, mixed) if not m]
        pooled = [float(r["value"]) for r, m in zip(groups, mixed) if m]
        out.append(_headline(org, own, above=max(pooled, default=None)))
        out += [f for f in (_benchmark(org),) if f]
        out += [f for row in own if (f := _group(row))]
        breakdowns: dict[str, list[dict]] = {}
        for r in groups:
            breakdowns.setdefault(str(r["breakdown"]), []).append(r)
        out += [f for b, g in breakdowns.items() if (f := _spread(org, b, g))]
    out.sort(key=lambda f: (-f.importance, order[f.measure], KINDS.index(f.kind)))
    return out[:limit] if limit is not None else out


def summary_line(results: Results, year: int | None = None) -> str:
    """One sentence on the selection: 'All staff, 2025: 4,290 respondents, unweighted.'"""
    t = results.table
    if year is None:
        if t is None or t.empty:
            return f"{results.filter_description or ORGANISATION_GROUP}: no results to show."
        year = int(t["year"].max())
    respondents = results.extra.get("respondents", {})
    parts = []
    if year in respondents or str(year) in respondents:
        count = respondents.get(year, respondents.get(str(year)))
        parts.append("too few respondents to show" if _missing(count) or not count else
                     f"{int(count):,} {'respondent' if int(count) == 1 else 'respondents'}")
    rows = t[t["year"] == year] if t is not None and not t.empty else t
    weighted = bool(rows["weighted"].astype(bool).any()) if rows is not None and len(rows) else results.spec.weighted
    parts.append("the file does not say whether its figures are weighted"
                 if not results.dataset.get("weighting_stated", True) else "weighted" if weighted else "unweighted")
    return f"{results.filter_description or ORGANISATION_GROUP}, {year}: {', '.join(parts)}."
