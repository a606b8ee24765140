"""Shared finishing: years, columns by name, row order, notes and the dataset's description."""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core.engine.changes import previous
from explorer.core.engine.measures import MeasureDef
from explorer.core.questionbank import QuestionBank
from explorer.core.results import COLUMNS, ORGANISATION_GROUP
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec

def alpha_text() -> str:
    """The significance level as people write it ("5%"), from the one place it is kept."""
    from explorer.core.unverified import load_unverified

    return f"{load_unverified().alpha * 100:g}%"


STAT_ORDER = {"score": 0, "positive": 1, "mean": 2, "options": 3, "drivers": 4}


def years(spec: ViewSpec, available: tuple[int, ...]) -> tuple[int, ...]:
    if not spec.years:
        return available
    missing = [y for y in spec.years if y not in available]
    if missing:
        raise SpecError(f"There are no results for {missing[0]} in this dataset (it has {', '.join(map(str, available))}).")
    return tuple(sorted(spec.years))


def with_previous(shown: tuple[int, ...], available: tuple[int, ...]) -> tuple[int, ...]:
    """The shown years and, for each, the survey year before it (changes need it)."""
    return tuple(sorted(set(shown) | {p for y in shown for p in [previous(y, available)] if p}))


def dataset_info(data: SurveyData) -> dict:
    info = {"file": data.provenance.path, "kind": data.kind, "years": list(data.years),
            "organisation": data.organisation, "vintage": data.provenance.vintage}
    if data.is_respondent_level:
        by_year = data.respondents_by_year()  # a year too small to show has no size here, nor in the total
        info["respondents"] = int(sum(n for n in by_year.values() if n))
        info["respondents_by_year"] = {str(y): n for y, n in by_year.items()}
    else:
        info["rows"] = int(len(data.aggregates))
    return info


def column_names(bank: QuestionBank) -> dict[str, str]:
    """Readable names for filter descriptions ("ethnicity" -> "Ethnic background")."""
    return {iid: bank.items[iid].short for iid in bank.items}


def resolve_column(column: str, data: SurveyData, bank: QuestionBank, offered: tuple[str, ...]) -> str:
    """The data's column for a name the user typed: exact, any case, or a bank item's name or alias."""
    columns = list(data.respondents.columns)
    if column in columns:
        return column
    folded = column.strip().casefold()
    for c in columns:
        if c.casefold() == folded:
            return c
    for iid, item in bank.items.items():
        if iid in columns and (item.short.casefold() == folded or any(a.casefold() == folded for a in item.aliases)):
            return iid
    raise SpecError(f"There is no column '{column}' in this dataset (try one of: {', '.join(offered)}).")


def order(table: pd.DataFrame, measures: list[MeasureDef], keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Deterministic order: measures as the lens lists them, statistic, year, the total first, then
    groups in their categories' order (combined groups last), options in scale order, drivers by rank."""
    if table.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    t = table
    m = pd.Index([x.id for x in measures]).get_indexer(t["measure"].to_numpy(dtype=object))
    m = np.where(m < 0, len(measures), m)
    s = pd.Index(list(STAT_ORDER)).get_indexer(t["statistic"].to_numpy(dtype=object))
    s = np.where(s < 0, 9, np.asarray(list(STAT_ORDER.values()))[np.maximum(s, 0)])
    total = t["_total"].astype(bool).to_numpy() if "_total" in t.columns else (t["group"] == ORGANISATION_GROUP).to_numpy()
    g1 = t["_g1"].fillna(-1).to_numpy(dtype=float) if "_g1" in t.columns else np.zeros(len(t))
    g2 = t["_g2"].fillna(-1).to_numpy(dtype=float) if "_g2" in t.columns else np.zeros(len(t))
    group = pd.factorize(t["group"].astype(str), sort=True)[0]
    rank = t["rank"].fillna(np.inf).to_numpy(dtype=float) if "rank" in t.columns else np.zeros(len(t))
    rank = np.where(t["statistic"].to_numpy() == "drivers", rank, 0.0)
    sequence = np.arange(len(t))  # chunks come in scale order: keep it among equals
    index = np.lexsort((sequence, rank, group, g2, g1, ~total, t["year"].to_numpy(), s, m))
    missing = [c for c in COLUMNS if c not in t.columns]
    if missing:
        t = pd.concat([t, pd.DataFrame({c: np.full(len(t), np.nan) for c in missing}, index=t.index)], axis=1)
    t = t[list(COLUMNS) + [c for c in keep if c in t.columns]]  # the public columns first: one copy, not two
    return t.take(index).reset_index(drop=True)


def method_notes(spec: ViewSpec, weighted: bool, published: bool = False) -> list[str]:
    notes = []
    if published:
        notes.append("Published figures as given in the file (weighted where the file says so); "
                     "change since last year is not tested here unless the file flags it.")
        notes.append(f"Figures on fewer than {spec.threshold} responses are not shown, nor any that a table's total "
                     "would reveal by subtraction.")
    else:
        notes.append("Weighted by the file's weight column." if weighted else
                     "Unweighted: each respondent counts once (the national benchmark figures are weighted).")
        notes.append("Change since last year: two-proportion z-test for % results, Welch's t-test for scores, "
                     f"two-sided at {alpha_text()}, only between comparable years.")
        notes.append(f"No figure is shown for fewer than {spec.threshold} respondents or answers, nor any that would "
                     "let one be worked out: small groups are counted in combined groups so that every figure, in any "
                     "view, covers whole groups of at least that size.")
    if spec.local_rule:
        from explorer.core.disclosure import local_rule_max

        notes.append(f"Local rule on: groups are also combined until each has more than {local_rule_max()} "
                     "positive and negative answers.")
    return notes
