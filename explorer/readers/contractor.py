"""Survey providers' dashboard exports in long format.

Positive-score files: ``Year, QuestionNumber, QuestionText, DimName, DimValue, BaseSize, Score``
(Score a 0-1 proportion, or a 0-10 score where the question is a People Promise element, sub-score
or theme). Option-level files: ``Year, QuestionNumber, QuestionText, OptionCode, OptionText,
DimName, DimValue, %``. Local (non-core) questions keep the provider's id (e.g. ``RPGL04``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank, _fold, normalise_code
from explorer.core.surveydata import AGGREGATE_COLUMNS, Provenance, SurveyData
from explorer.readers.errors import ReadError
from explorer.readers.grid import cell_text
from explorer.readers.source import Source
from explorer.readers.tables import concat_aggregates, first_sheets, header_of, norm, percent_signed, read_table, to_numbers

POSITIVE = {"year", "questionnumber", "questiontext", "dimname", "dimvalue", "basesize", "score"}
OPTIONS = {"year", "questionnumber", "questiontext", "optioncode", "optiontext", "dimname", "dimvalue", "%"}
WHOLE_ORG = {"", "overall", "organisation", "organization", "trust", "total", "all", "all staff", "whole organisation"}


def detect(source: Source) -> str | None:
    for sheet in first_sheets(source):
        for required, what in ((POSITIVE, "positive-score"), (OPTIONS, "option-level")):
            row, _names = header_of(source, sheet, required)
            if row is not None:
                return f"{what} columns Year, QuestionNumber, DimName, DimValue ... on '{sheet}'"
    return None


def _score_for(number: str, text: str, bank: QuestionBank) -> str | None:
    upper = number.strip()
    for sid in bank.scores:
        if upper.lower() == sid.lower():
            return sid
    folded = _fold(text)
    for sid, score in bank.scores.items():
        if folded and (folded == _fold(score.name) or folded.endswith(_fold(score.name))):
            return sid
    return None


def read_contractor(source: Source, bank: QuestionBank, progress: Progress | None = None) -> SurveyData:
    frames, sheets, warnings, local = [], [], [], {}
    for sheet in first_sheets(source):
        kind, row = None, None
        for required, name in ((POSITIVE, "positive"), (OPTIONS, "options")):
            row, _ = header_of(source, sheet, required)
            if row is not None:
                kind = name
                break
        if kind is None:
            continue
        if progress:
            progress(0.1, f"Reading {sheet}")
        table = read_table(source, sheet, row)
        table.columns = [norm(c) for c in table.columns]
        frames.append(_to_long(table, kind, bank, source, local, warnings))
        sheets.append(sheet)
    if not frames:
        raise ReadError(source.path, "no sheet has the provider's Year, QuestionNumber, DimName, DimValue columns")
    long = concat_aggregates(frames)
    if progress:
        progress(1.0, "Done")
    return SurveyData(
        kind="contractor_long",
        provenance=Provenance(path=str(source.path), kind="contractor_long", sheets=tuple(sheets)),
        aggregates=long[list(AGGREGATE_COLUMNS)],
        breakdowns=tuple(sorted(b for b in long["breakdown"].unique() if b)),
        warnings=tuple(dict.fromkeys(warnings)),
        details={"local_measures": local},
    )


def _to_long(table: pd.DataFrame, kind: str, bank: QuestionBank, source: Source, local: dict, warnings: list) -> pd.DataFrame:
    years = pd.to_numeric(table["year"], errors="coerce")
    bad_years = years.isna() | ~years.between(2000, 2100)
    if bad_years.all():
        raise ReadError(source.path, "its Year column holds no survey years")
    if bad_years.any():
        warnings.append(f"{int(bad_years.sum())} row(s) without a survey year were skipped.")
    table = table.loc[~bad_years].reset_index(drop=True)
    years = years[~bad_years].astype(int).to_numpy()
    numbers = table["questionnumber"].map(cell_text).to_numpy(dtype=object)
    texts = table["questiontext"].map(cell_text).to_numpy(dtype=object)
    measures, units, labels = [], [], []
    cache: dict[tuple[int, str, str], tuple[str, str, str]] = {}
    for year, number, text in zip(years, numbers, texts):
        key = (int(year), number, text)
        if key not in cache:
            code = normalise_code(number)
            item = bank.by_code(int(year), code) if code and int(year) in bank.years else None
            score = None if item else _score_for(number, text, bank)
            if item is not None:
                cache[key] = (item.id, "%", item.short)
            elif score is not None:
                cache[key] = (score, "score", bank.score(score).name)
            else:
                local[number] = text
                cache[key] = (number, "%", text or number)
        m, u, l = cache[key]
        measures.append(m)
        units.append(u)
        labels.append(l)
    units = np.array(units, dtype=object)
    dim_name = table["dimname"].map(cell_text).to_numpy(dtype=object)
    dim_value = table["dimvalue"].map(cell_text).to_numpy(dtype=object)
    whole = np.array([_fold(d) in WHOLE_ORG for d in dim_name])
    breakdown = np.where(whole, "", dim_name)
    group = np.where(whole, "", dim_value)
    if kind == "positive":
        values, reasons = to_numbers(table["score"])
        n, _ = to_numbers(table["basesize"])
        pct = units == "%"
        if np.nanmax(np.append(values[pct], 0)) <= 1.0 and not percent_signed(table["score"]):  # "0.8%" is 0.8 %
            values = np.where(pct, values * 100.0, values)
        option = np.full(len(table), "", dtype=object)
    else:
        values, reasons = to_numbers(table["%"])
        n = np.full(len(table), np.nan)
        if "basesize" in table.columns:
            n, _ = to_numbers(table["basesize"])
        if np.nanmax(np.append(values, 0)) <= 1.0 and not percent_signed(table["%"]):
            values = values * 100.0
        option = table["optiontext"].map(cell_text).to_numpy(dtype=object)
        units = np.full(len(table), "%", dtype=object)
    return pd.DataFrame({
        "year": years, "org_id": "", "org_name": "", "benchmark_group": "", "breakdown": breakdown, "group": group,
        "measure": measures, "code": numbers, "label": labels, "option": option, "value": values, "unit": units,
        "n": n, "weighted": False, "vintage": "", "missing_reason": reasons, "sig": "",
    })
