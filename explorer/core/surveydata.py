"""SurveyData: what a reader produces and the engine consumes.

Two shapes behind one class:

* **respondents** — one row per respondent, all years in one table. Columns:
  ``year``; breakdown columns (Directorate, Site, Staff group, ...) as categoricals; demographic
  questions as categoricals of their labels, harmonised across years by the bank's option keys (so
  "Indian" is one category although its code is 09 in every year and "Filipino" exists only from
  2025); derived summaries (``Ethnicity (WRES summary)``, ``Occupational group (summary)``); one
  column per core question named by its **stable item id** (``leave_often_think``), holding that
  year's answer codes as nullable ``Int8`` (NA where not asked or not answered); multi-select grounds
  as ``discrimination_grounds_<key>`` 0/1; local questions as ``local:<n>``; optional ``weight``.
* **aggregates** — published figures in a long table: year, organisation, breakdown, group,
  measure, value, n, weighted, vintage (see :data:`AGGREGATE_COLUMNS`).

Provenance (file, kind, sheets, release vintage) and reader warnings travel with the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from explorer.core.questionbank import QuestionBank

KINDS = ("respondents", "benchmark_workbook", "detailed_spreadsheet", "contractor_long", "organisation_table")
AGGREGATE_COLUMNS = ("year", "org_id", "org_name", "benchmark_group", "breakdown", "group", "measure",
                     "value", "n", "weighted", "vintage", "missing_reason")
WRES_SUMMARY = "Ethnicity (WRES summary)"
OCCUPATION_SUMMARY = "Occupational group (summary)"
LOCAL_PREFIX = "local:"


@dataclass(frozen=True)
class LocalQuestion:
    """A question in the file that is not in the national core survey (e.g. about senior managers)."""

    id: str
    label: str
    years: tuple[int, ...]
    codes: tuple[int, ...]  # the answer codes seen (a Likert-like 1-5 for the demo's questions)


@dataclass(frozen=True)
class Provenance:
    path: str
    kind: str
    sheets: tuple[str, ...] = ()
    vintage: str | None = None
    description: str = ""


@dataclass
class SurveyData:
    kind: str
    provenance: Provenance
    respondents: pd.DataFrame | None = None
    aggregates: pd.DataFrame | None = None
    breakdowns: tuple[str, ...] = ()
    local_questions: Mapping[str, LocalQuestion] = field(default_factory=dict)
    organisation: str | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown SurveyData kind {self.kind!r}")
        if (self.respondents is None) == (self.aggregates is None):
            raise ValueError("SurveyData holds either respondents or aggregates")

    @property
    def is_respondent_level(self) -> bool:
        return self.respondents is not None

    @property
    def years(self) -> tuple[int, ...]:
        table = self.respondents if self.respondents is not None else self.aggregates
        return tuple(sorted(int(y) for y in table["year"].dropna().unique()))

    def respondents_by_year(self) -> dict[int, int]:
        if self.respondents is None:
            return {}
        counts = self.respondents["year"].value_counts()
        return {int(y): int(counts[y]) for y in sorted(counts.index)}

    @property
    def has_weights(self) -> bool:
        return self.respondents is not None and "weight" in self.respondents.columns

    def item_columns(self, bank: QuestionBank) -> list[str]:
        if self.respondents is None:
            return []
        return [c for c in self.respondents.columns if c in bank.items and bank.items[c].kind != "demographic"]


# --------------------------------------------------------------- building respondent data
def harmonise_year(
    frame: pd.DataFrame,
    year: int,
    bank: QuestionBank,
    code_columns: Mapping[str, str],
    breakdowns: Iterable[str] = (),
    local_columns: Mapping[str, str] | None = None,
    weight_column: str | None = None,
) -> pd.DataFrame:
    """One year's respondent rows, renamed from that year's codes to stable item ids.

    ``code_columns`` maps a column of ``frame`` to the item id it holds (for multi-select grounds,
    to ``"<item id>_<option code>"``). Demographic answers become their harmonised labels.
    ``local_columns`` maps a column to a local question id (``local:1`` ...).
    """
    n = len(frame)
    out: dict[str, object] = {"year": np.full(n, year, dtype=np.int16)}
    for col in breakdowns:
        out[col] = frame[col].astype("string").str.strip()
    if weight_column:
        out["weight"] = pd.to_numeric(frame[weight_column], errors="coerce").astype(float)
    missing = list(bank.missing_codes)
    for col, target in code_columns.items():
        codes = pd.to_numeric(frame[col], errors="coerce")
        codes = codes.where(~codes.isin(missing))
        if target in bank.items and bank.items[target].kind == "demographic":
            scale = bank.item(target).scale(year)
            labels = {o.code: o.label for o in scale.options}
            out[target] = codes.map(labels).astype("string")
            if target == "ethnicity":
                out[WRES_SUMMARY] = codes.map({o.code: o.summary for o in scale.options}).astype("string")
            elif target == "occupation_group":
                out[OCCUPATION_SUMMARY] = codes.map({o.code: o.summary for o in scale.options}).astype("string")
            continue
        if target.startswith("discrimination_grounds_"):
            option = bank.item("discrimination_grounds").scale(year).option(int(target.rsplit("_", 1)[1]))
            target = f"discrimination_grounds_{option.key}"
        out[target] = codes.round().astype("Int8")
    for col, local_id in (local_columns or {}).items():
        codes = pd.to_numeric(frame[col], errors="coerce")
        out[local_id] = codes.where(~codes.isin(missing)).round().astype("Int8")
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def demographic_categories(bank: QuestionBank) -> dict[str, list[str]]:
    """Category order for each demographic column: the answer scale's order, newest year first,
    then labels only earlier years used (so charts list "16-20" ... "66+", not alphabetically)."""
    orders: dict[str, list[str]] = {}
    for item in bank.items.values():
        if item.kind != "demographic":
            continue
        labels: list[str] = []
        summaries: list[str] = []
        for year in sorted(item.years, reverse=True):
            for o in item.scale(year).options:
                if o.label not in labels:
                    labels.append(o.label)
                if o.summary and o.summary not in summaries:
                    summaries.append(o.summary)
        orders[item.id] = labels
        if item.id == "ethnicity":
            orders[WRES_SUMMARY] = summaries
        elif item.id == "occupation_group":
            orders[OCCUPATION_SUMMARY] = summaries
    return orders


def combine_years(frames: Iterable[pd.DataFrame], bank: QuestionBank) -> pd.DataFrame:
    """Stack harmonised years; text columns become categoricals (memory matters at 1M rows),
    demographic ones in their answer-scale order."""
    table = pd.concat(list(frames), ignore_index=True, sort=False)
    orders = demographic_categories(bank)
    for col in table.columns:
        if col in orders:
            table[col] = pd.Categorical(table[col], categories=orders[col])
        elif table[col].dtype == "object" or str(table[col].dtype) == "string":
            table[col] = table[col].astype("category")
    table["year"] = table["year"].astype(np.int16)
    return table
