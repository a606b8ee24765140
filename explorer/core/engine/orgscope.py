"""Filters and compare-by on published data: which organisations and which of the file's groups a view means.

Published files offer two kinds of columns. **Organisation attributes** (Region, ICS, Benchmarking
group, organisation type — ``SurveyData.org_attributes``) select and group *organisations*: a filter
keeps the organisations that match, and compare-by shows each group's median organisation.
**The file's own breakdowns** (a contractor export's ``DimName``/``DimValue``, the WRES split of the
benchmark workbook) are groups of *staff* the file already reports: compare-by shows them, and a filter
on one group shows that group's figures. Anything else is refused in one sentence naming what can be
used — never ignored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.core.filters import And, Eq, Filter, In
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec

BENCHMARK_GROUP = "Benchmarking group"
# a reader's org_attributes column saying what a row's "organisation" is (the official ZIP's national and
# organisation-type rows are not organisations): only "Organisation" rows are counted and put in medians
LEVEL, ORGANISATION_LEVEL = "Level", "Organisation"
# what files call the organisation's own code and name: not columns to filter by (--organisation chooses one)
ORGANISATION_NAMES = {"ods code", "ods", "org code", "org id", "org_id", "org_name", "org name", "organisation",
                      "organisation code", "organisation name", "organization", "trust", "trust name", "trust code",
                      "provider", "provider code", "code", "name"}


def attributes(data: SurveyData) -> pd.DataFrame:
    """One row per (org_id, year): the file's organisation attributes, with the benchmarking group
    always among them (read from the figures when the reader gave no attribute table)."""
    cached = data.__dict__.get("_org_attributes")
    if cached is not None:
        return cached
    table = data.aggregates
    base = table[["org_id", "year", "benchmark_group"]].astype({"org_id": str, "benchmark_group": str})
    base = base.drop_duplicates(["org_id", "year"]).rename(columns={"benchmark_group": BENCHMARK_GROUP})
    if data.org_attributes is not None and len(data.org_attributes):
        extra = data.org_attributes.astype({"org_id": str}).copy()
        extra["year"] = extra["year"].astype(int)
        extra = extra.drop(columns=[BENCHMARK_GROUP], errors="ignore")
        base["year"] = base["year"].astype(int)
        base = base.merge(extra, on=["org_id", "year"], how="left")
    base = base.reset_index(drop=True)
    data.__dict__["_org_attributes"] = base
    return base


def organisations(data: SurveyData) -> list[str]:
    """The codes of the real organisations in the file (not the national or organisation-type rows)."""
    attrs = attributes(data)
    if LEVEL in attrs.columns and (attrs[LEVEL] == ORGANISATION_LEVEL).any():
        attrs = attrs[attrs[LEVEL] == ORGANISATION_LEVEL]
    return sorted(set(attrs["org_id"].astype(str)))


def attribute_columns(data: SurveyData) -> list[str]:
    """The text attributes organisations can be filtered and grouped by (with two or more values)."""
    table = attributes(data)
    out = []
    for col in table.columns:
        if col in ("org_id", "year", LEVEL) or pd.api.types.is_numeric_dtype(table[col]):
            continue
        values = {str(v) for v in table[col].dropna().unique() if str(v).strip()}
        if len(values) >= 2 or (col == BENCHMARK_GROUP and values):
            out.append(col)
    return out


def breakdown_columns(data: SurveyData) -> list[str]:
    return sorted({str(b) for b in data.aggregates["breakdown"].unique() if str(b)})


def context_columns(data: SurveyData) -> list[str]:
    """Numeric attributes (workforce composition, respondents): shown beside an organisation, never filtered."""
    table = attributes(data)
    return [c for c in table.columns if c not in ("org_id", "year") and pd.api.types.is_numeric_dtype(table[c])]


@dataclass(frozen=True)
class Scope:
    orgs: pd.DataFrame  # org_id, year of the organisations the filter keeps (all when no filter)
    group_filter: tuple[str, str] | None  # (breakdown, group): the file's own group to show as the subject
    by_attribute: tuple[str, ...]  # compare-by organisation attributes
    by_breakdown: tuple[str, ...]  # compare-by the file's own breakdowns
    filtered: bool  # an attribute filter was given
    describe: str  # the attribute filter in words ("Region is London")


def scope(data: SurveyData, spec: ViewSpec) -> Scope:
    """Check the view's filter and compare-by against what this published file offers and resolve them."""
    attrs = attributes(data)
    offered_attr = attribute_columns(data)
    offered_file = breakdown_columns(data)
    resolve = _resolver(offered_attr + offered_file)

    def usable() -> str:
        names = offered_attr + offered_file
        return ("it can be filtered and compared by " + ", ".join(names)) if names else \
            "it holds whole-organisation figures only, with no column to filter or compare by"

    def missing(column: str, what: str) -> SpecError:
        folded = str(column).casefold().strip()
        if folded in ("year", "survey year", "wave"):
            return SpecError(f"Years are chosen with --year (the Year box in the window), not as a column to {what}.")
        if folded in ORGANISATION_NAMES:
            return SpecError(f"'{column}' names the organisations: choose one with --organisation (or 'Your "
                             f"organisation' in the window); {usable()}.")
        context = {c.casefold(): c for c in context_columns(data)}
        if folded in context:
            return SpecError(f"'{context[folded]}' is a number about each organisation (context, not a group): it "
                             f"cannot be used to {what}; {usable()}.")
        return SpecError(f"This file has no column '{column}' to {what}: {usable()}.")

    by_attr, by_file = [], []
    for column in spec.breakdown:
        name = resolve(column)
        if name is None:
            raise missing(column, "compare by")
        (by_attr if name in offered_attr else by_file).append(name)
    if len(by_attr) > 1:
        raise SpecError("Organisations are compared by one of their columns at a time: choose one of "
                        f"{', '.join(by_attr)} to compare by, and filter by the other.")
    if len(by_file) > 1 or (by_file and by_attr):
        raise SpecError("Published figures are given for one breakdown at a time: compare by one of the file's "
                        f"breakdowns ({', '.join(offered_file)}) on its own.")
    group_filter = None
    attr_filter: Filter | None = None
    if spec.filter is not None:
        parts = spec.filter.filters if isinstance(spec.filter, And) else (spec.filter,)
        attr_parts = []
        for part in parts:
            columns = part.columns()
            names = {c: resolve(c) for c in columns}
            for c, n in names.items():
                if n is None:
                    raise missing(c, "filter by")
            if all(n in offered_attr for n in names.values()):
                attr_parts.append(part.map_columns(lambda c: names[c]))
                continue
            column = next(iter(names.values()))
            single = isinstance(part, Eq) or (isinstance(part, In) and len(part.values) == 1)
            if len(columns) != 1 or not single or group_filter is not None:
                raise SpecError("Published figures are given for one group at a time: filter on one group of one of "
                                f"the file's breakdowns (e.g. '{column}=<group>'), not a combination.")
            value = part.value if isinstance(part, Eq) else part.values[0]
            group_filter = (column, _check_group(data, column, value))
        if attr_parts:
            attr_filter = attr_parts[0] if len(attr_parts) == 1 else And(tuple(attr_parts))
            for column, values, _ in attr_filter.leaves():
                for value in values:
                    _check_value(attrs, column, value)
    if group_filter and by_file and group_filter[0] != by_file[0]:
        raise SpecError(f"Published figures are given for one breakdown at a time: '{group_filter[0]}' cannot be "
                        f"crossed with '{by_file[0]}'.")
    orgs = attrs[["org_id", "year"]]
    if LEVEL in attrs.columns and (attrs[LEVEL] == ORGANISATION_LEVEL).any():
        attrs = attrs[attrs[LEVEL] == ORGANISATION_LEVEL]  # not the national or organisation-type rows
        orgs = attrs[["org_id", "year"]]
    if attr_filter is not None:
        keep = attr_filter.to_mask(attrs)
        orgs = orgs[keep]
        if orgs.empty:
            raise SpecError(f"No organisation in this file matches {attr_filter.describe()}.")
    return Scope(orgs=orgs.reset_index(drop=True), group_filter=group_filter, by_attribute=tuple(by_attr),
                 by_breakdown=tuple(by_file), filtered=attr_filter is not None,
                 describe=attr_filter.describe() if attr_filter is not None else "")


def _resolver(names: list[str]):
    folded = {n.casefold().strip(): n for n in names}

    def resolve(column: str) -> str | None:
        return column if column in names else folded.get(str(column).casefold().strip())
    return resolve


def _check_value(attrs: pd.DataFrame, column: str, value: str) -> None:
    values = sorted({str(v) for v in attrs[column].dropna().unique() if str(v).strip()})
    if value in values:
        return
    close = difflib.get_close_matches(value, values, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; it has {_some(values)}"
    raise SpecError(f"No organisation in this file has {column} '{value}'{hint}.")


def _check_group(data: SurveyData, column: str, value: str) -> str:
    table = data.aggregates
    groups = sorted({str(g) for g in table.loc[table["breakdown"].astype(str) == column, "group"].unique() if str(g)})
    if value in groups:
        return value
    by_fold = {g.casefold(): g for g in groups}
    if value.casefold() in by_fold:
        return by_fold[value.casefold()]
    close = difflib.get_close_matches(value, groups, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; it has {_some(groups)}"
    raise SpecError(f"The file has no figures for {column} '{value}'{hint}.")


def _some(values: list[str], shown: int = 8) -> str:
    return ", ".join(values[:shown]) + (f" and {len(values) - shown} more" if len(values) > shown else "")


def medians(rows: pd.DataFrame, orgs: pd.DataFrame, by: str | None, attrs: pd.DataFrame, threshold: int,
            local_rule: bool) -> pd.DataFrame:
    """The median organisation per (measure, year[, group of ``by``]) among ``orgs`` (org_id, year):
    value = median of the organisations' figures that may be shown (on at least ``threshold``
    responses), n = their responses added up, ``orgs`` = how many organisations. ``rows`` are one
    figure per organisation, measure and year."""
    from explorer.core.disclosure import published

    rows = rows[~published.withheld(rows, threshold, local_rule)]
    keyed = rows.assign(org_id=rows["org_id"].astype(str), year=rows["year"].astype(int),
                        value=rows["value"].astype(float), n=rows["n"].astype(float))
    keyed = keyed.merge(orgs.assign(org_id=orgs["org_id"].astype(str), year=orgs["year"].astype(int)),
                        on=["org_id", "year"], how="inner")
    keyed = keyed[np.isfinite(keyed["value"])]
    keys = ["measure", "year"]
    if by:
        keyed = keyed.merge(attrs[["org_id", "year", by]].astype({"org_id": str}), on=["org_id", "year"], how="left")
        keyed = keyed[keyed[by].notna() & (keyed[by].astype(str).str.strip() != "")]
        keyed[by] = keyed[by].astype(str)
        keys.append(by)
    columns = [*keys, "value", "n", "orgs", "weighted", "unit", "code", "label", "vintage"]
    if keyed.empty:
        return pd.DataFrame(columns=columns)
    keyed = keyed.astype({"measure": str, "unit": str, "code": str, "label": str, "vintage": str})
    grouped = keyed.groupby(keys, sort=False)
    out = grouped.agg(value=("value", "median"), n=("n", lambda v: v.sum(min_count=1)), orgs=("org_id", "nunique"),
                      weighted=("weighted", "all"), unit=("unit", "first"), code=("code", "first"),
                      label=("label", "first"), vintage=("vintage", "first")).reset_index()
    return out[columns]
