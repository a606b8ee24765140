"""Results: the one table every chart, table, export and ``summary --json`` is drawn from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from explorer.core.viewspec import ViewSpec

# Column order of a Results table (snake_case; the JSON row keys are the same names).
COLUMNS = (
    "measure", "code", "label", "kind", "lens", "statistic", "option", "year", "breakdown", "group",
    "group_1", "group_2", "value", "unit", "n", "weighted", "suppressed", "suppression_reason", "lower_is_better",
    "previous_year", "change", "significant", "comparable",
    "comparator", "comparator_value", "comparator_difference", "comparator_significant",
    "vs_rest", "significant_vs_rest",
    "benchmark_best", "benchmark_median", "benchmark_worst", "rank", "rank_of", "vintage",
)
ORGANISATION_GROUP = "All staff"  # the group label of the whole-organisation row
WHOLE = ("n", "year", "previous_year", "rank", "rank_of")  # columns that hold whole numbers (or nothing)


@dataclass
class Results:
    """``table`` holds one row per measure x statistic x [answer option] x year x group.

    ``notes`` are sentences that must travel with the numbers (filter, weighting, method caveats).
    """

    table: pd.DataFrame
    spec: ViewSpec
    dataset: dict
    notes: tuple[str, ...] = ()
    filter_description: str = ""
    empty_reason: str = ""  # why nothing is shown (filter matching nobody, everything withheld, ...)
    extra: dict = field(default_factory=dict)

    def rows(self, **where) -> pd.DataFrame:
        t = self.table
        for col, value in where.items():
            t = t[t[col] == value]
        return t

    def to_records(self) -> list[dict]:
        out = []
        for rec in self.table.to_dict(orient="records"):
            row = {k: _plain(v) for k, v in rec.items()}
            for key in WHOLE:  # counts, years and ranks are whole numbers in JSON: 4155, not 4155.0
                if isinstance(row.get(key), float) and row[key].is_integer():
                    row[key] = int(row[key])
            out.append(row)
        return out

    def to_json_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "view": self.spec.to_dict(),
            "filter": self.filter_description,
            "empty_reason": self.empty_reason,
            "notes": list(self.notes),
            "respondents": {str(y): n for y, n in self.extra.get("respondents", {}).items()},
            "rows": self.to_records(),
        }


def _plain(value):
    """JSON-ready scalars: NaN -> None, numpy types -> Python."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    if value is pd.NA:
        return None
    return value
