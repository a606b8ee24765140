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
# Published aggregates, one row per (year, organisation, breakdown group, measure[, answer option]).
# value: % (0-100) for question results and rates, 0-10 for scores; n: the base (number of responses);
# option: the answer option for distributions (else empty); missing_reason: why value is empty
# ("suppressed in the source file ('*')"); sig: the file's own significance flag, as given.
AGGREGATE_COLUMNS = ("year", "org_id", "org_name", "benchmark_group", "breakdown", "group", "measure", "code",
                     "label", "option", "value", "unit", "n", "weighted", "vintage", "missing_reason", "sig")
# Published data's organisation attributes: one row per (org_id, year) with text attributes (Region,
# ICS, organisation type, the file's Weighting ...) and workforce-composition figures (% female ...):
# context that filters and groups organisations, never a survey result.
ORG_KEY_COLUMNS = ("org_id", "year")
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
    # what the reader found, for `inspect` and the open-file dialog: questions_by_year
    # {year: {column: "item id (how)"}}, unrecognised columns, per-sheet header rows, ...
    details: dict = field(default_factory=dict)
    # published data only: org_id, year, then one column per attribute (see ORG_KEY_COLUMNS); text
    # attributes filter and group organisations, numeric ones (composition) are shown as context
    org_attributes: pd.DataFrame | None = None

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

    def respondents_by_year(self) -> dict[int, int | None]:
        """Respondents per survey year; None for a year with fewer than the minimum threshold (11),
        whose size is itself not shown anywhere."""
        if self.respondents is None:
            return {}
        from explorer.core.unverified import load_unverified

        minimum = load_unverified().minimum_base
        key = (id(self.respondents), len(self.respondents), minimum)
        cached = self.__dict__.get("_by_year")
        if cached is None or cached[0] != key:  # asked at every computation: counted once per table
            counts = self.respondents["year"].value_counts()
            cached = (key, {int(y): (int(counts[y]) if counts[y] >= minimum else None) for y in sorted(counts.index)})
            self.__dict__["_by_year"] = cached
        return dict(cached[1])

    @property
    def has_weights(self) -> bool:
        return self.respondents is not None and "weight" in self.respondents.columns

    def item_columns(self, bank: QuestionBank) -> list[str]:
        if self.respondents is None:
            return []
        return [c for c in self.respondents.columns if c in bank.items and bank.items[c].kind != "demographic"]


# --------------------------------------------------------------- building respondent data
@dataclass
class YearBlock:
    """One survey year of respondent rows as a reader decoded them, before harmonising.

    ``answers`` maps item id -> answer codes in that year's scale (nullable Int8); multi-select
    grounds use ``"discrimination_grounds_<option code>"``. ``breakdowns`` are text columns,
    ``local`` maps local question id -> codes, ``weight`` is optional.
    """

    year: int
    n: int
    answers: dict[str, pd.Series] = field(default_factory=dict)
    breakdowns: dict[str, pd.Series] = field(default_factory=dict)
    local: dict[str, pd.Series] = field(default_factory=dict)
    weight: pd.Series | None = None


def harmonise_block(block: YearBlock, bank: QuestionBank) -> pd.DataFrame:
    """A year's rows under stable ids: demographic codes become their labels (harmonised across
    years by the bank's option keys), grounds get stable keys, summaries are derived."""
    n, year = block.n, block.year
    out: dict[str, object] = {"year": np.full(n, year, dtype=np.int16)}
    for name, values in block.breakdowns.items():
        out[name] = values.reset_index(drop=True)
    if block.weight is not None:
        out["weight"] = block.weight.reset_index(drop=True).astype(float)
    for target, codes in block.answers.items():
        codes = codes.reset_index(drop=True)
        if target in bank.items and bank.items[target].kind == "demographic":
            scale = bank.item(target).scale(year)
            as_int = codes.astype("Int64")
            out[target] = as_int.map({o.code: o.label for o in scale.options}).astype("string")
            if target == "ethnicity":
                out[WRES_SUMMARY] = as_int.map({o.code: o.summary for o in scale.options}).astype("string")
            elif target == "occupation_group":
                out[OCCUPATION_SUMMARY] = as_int.map({o.code: o.summary for o in scale.options}).astype("string")
            continue
        if target.startswith("discrimination_grounds_"):
            option = bank.item("discrimination_grounds").scale(year).option(int(target.rsplit("_", 1)[1]))
            target = f"discrimination_grounds_{option.key}"
        out[target] = codes.astype("Int8")
    for local_id, codes in block.local.items():
        out[local_id] = codes.reset_index(drop=True).astype("Int8")
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


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
    frames = list(frames)
    table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, sort=False)
    orders = demographic_categories(bank)
    for col in table.columns:
        if col in orders:
            table[col] = pd.Categorical(table[col], categories=orders[col])
        elif table[col].dtype == "object" or str(table[col].dtype) == "string":
            table[col] = table[col].astype("category")
    table["year"] = table["year"].astype(np.int16)
    return table


def describe_local_questions(table: pd.DataFrame, ids_by_label: dict[str, str]) -> dict[str, LocalQuestion]:
    """LocalQuestion records (years asked, codes seen) for the local-question columns of ``table``."""
    out = {}
    year = table["year"].to_numpy()
    for label, lid in ids_by_label.items():  # numpy per column (pandas here took 1 ms a column)
        values = table[lid].to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(values)
        out[lid] = LocalQuestion(id=lid, label=label, years=tuple(int(y) for y in np.unique(year[present])),
                                 codes=tuple(int(c) for c in np.unique(values[present])))
    return out


def merge_respondent_data(parts: list[SurveyData], bank: QuestionBank, provenance: Provenance | None = None) -> SurveyData:
    """Several respondent-level datasets (e.g. one file per year) as one. Local questions with the
    same wording become one question; a year may come from only one part."""
    if not parts:
        raise ValueError("nothing to merge")
    if len(parts) == 1:
        return parts[0]
    seen_years: dict[int, str] = {}
    for part in parts:
        if part.respondents is None:
            raise ValueError("only respondent-level data can be merged")
        for year in part.years:
            if year in seen_years:
                raise ValueError(f"{year} is in both {seen_years[year]} and {part.provenance.path}")
            seen_years[year] = part.provenance.path
    by_label: dict[str, str] = {}
    frames = []
    for part in parts:
        rename = {}
        for lid, q in part.local_questions.items():
            if q.label not in by_label:
                by_label[q.label] = f"{LOCAL_PREFIX}{len(by_label) + 1}"
            rename[lid] = by_label[q.label]
        frame = part.respondents.rename(columns=rename)
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                frame[col] = frame[col].astype("string")
        frames.append(frame)
    table = combine_years(frames, bank)
    table = table.sort_values("year", kind="stable").reset_index(drop=True)
    local_questions = describe_local_questions(table, by_label)
    first = parts[0]
    return SurveyData(
        kind="respondents",
        provenance=provenance or Provenance(path="; ".join(p.provenance.path for p in parts), kind="respondents",
                                            sheets=tuple(s for p in parts for s in p.provenance.sheets)),
        respondents=table,
        breakdowns=tuple(dict.fromkeys(b for p in parts for b in p.breakdowns)),
        local_questions=local_questions,
        organisation=first.organisation,
        warnings=tuple(w for p in parts for w in p.warnings),
        details={"parts": [p.details for p in parts]},
    )
