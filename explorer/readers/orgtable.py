"""Analysts' own organisation-level tables: one row per organisation and year.

Columns such as ``ODS code``, ``Year``, ``Benchmarking group`` and measure pairs
``<measure>_rate`` / ``<measure>_base`` or ``<measure>`` / ``<measure>_n``. A measure whose name is a
bank question (id or that year's code) or score keeps the bank's identity; anything else keeps the
analyst's own name. A column mapping (roles ``org_id``, ``org_name``, ``year``, ``benchmark_group``,
``value``/``base`` with ``measure``) says what auto-detection cannot guess.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank, _fold, normalise_code
from explorer.core.surveydata import AGGREGATE_COLUMNS, Provenance, SurveyData
from explorer.readers.errors import ReadError, YearUnknown
from explorer.readers.grid import cell_text, find_header_row
from explorer.readers.mapping import ColumnMapping
from explorer.readers.source import Source
from explorer.readers.tables import concat_aggregates, first_sheets, read_table, to_numbers

ORG_ID = {"odscode", "orgid", "orgcode", "organisationcode", "organisationid", "trustcode", "ods", "providercode", "code"}
ORG_NAME = {"orgname", "organisationname", "organisation", "organization", "trust", "trustname", "name", "provider"}
YEARS = {"year", "surveyyear", "wave"}
GROUP = {"benchmarkinggroup", "benchmarkgroup", "group", "orgtype", "organisationtype", "orgtypereportingname"}
VALUE_SUFFIX = re.compile(r"^(?P<m>.+?)[ _](?:rate|pct|percent|%|score|value)$", re.IGNORECASE)
BASE_SUFFIX = re.compile(r"^(?P<m>.+?)[ _](?:base|n|count|responses)$", re.IGNORECASE)
YEAR_IN_TEXT = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _roles(names: list[str], mapping: ColumnMapping | None) -> dict:
    """Which column is the org id / name / year / group, and which pairs hold values and bases."""
    roles = {"org_id": None, "org_name": None, "year": None, "benchmark_group": None, "values": {}, "bases": {}}
    for name in names:
        spec = mapping.role(name) if mapping else None
        if spec:
            role = spec["role"]
            if role in ("org_id", "org_name", "year", "benchmark_group"):
                roles[role] = name
            elif role == "value":
                roles["values"][spec.get("measure") or name] = name
            elif role == "base":
                roles["bases"][spec.get("measure") or name] = name
            continue
        n = _norm(name)
        if n in ORG_ID and roles["org_id"] is None:
            roles["org_id"] = name
        elif n in ORG_NAME and roles["org_name"] is None:
            roles["org_name"] = name
        elif n in YEARS and roles["year"] is None:
            roles["year"] = name
        elif n in GROUP and roles["benchmark_group"] is None:
            roles["benchmark_group"] = name
    if mapping and any(s["role"] in ("value", "base") for s in mapping.columns.values()):
        return roles
    taken = {v for k, v in roles.items() if isinstance(v, str)}
    plain = [n for n in names if n not in taken]
    lowered = {n.lower(): n for n in plain}
    for name in plain:
        base = BASE_SUFFIX.match(name)
        if base:
            measure = base.group("m")
            value_col = next((lowered[k] for k in (measure.lower(), f"{measure.lower()}_rate", f"{measure.lower()} rate",
                                                     f"{measure.lower()}_score", f"{measure.lower()}_pct") if k in lowered), None)
            if value_col:
                roles["values"][measure] = value_col
                roles["bases"][measure] = name
    return roles


def detect(source: Source, bank: QuestionBank, mapping: ColumnMapping | None = None) -> str | None:
    for sheet in first_sheets(source)[:5]:
        head = source.rows(sheet, limit=40)
        h = find_header_row(head)
        if h is None and not (mapping and mapping.header_row):
            continue
        if mapping and mapping.header_row:
            h = mapping.header_row - 1
        names = [cell_text(v) for v in head[h] if cell_text(v)]
        roles = _roles(names, mapping)
        if roles["org_id"] or roles["org_name"]:
            if roles["values"]:
                return f"organisation and measure columns ({len(roles['values'])} value/base pairs) on '{sheet}'"
    return None


def read_organisation_table(source: Source, bank: QuestionBank, *, mapping: ColumnMapping | None = None,
                            ask_year=None, progress: Progress | None = None) -> SurveyData:
    frames, warnings, measures_found, sheets = [], [], {}, []
    for sheet in first_sheets(source):
        head = source.rows(sheet, limit=40)
        h = mapping.header_row - 1 if mapping and mapping.header_row else find_header_row(head)
        if h is None:
            continue
        names = [cell_text(v) for v in head[h]]
        roles = _roles([n for n in names if n], mapping)
        if not (roles["org_id"] or roles["org_name"]) or not roles["values"]:
            continue
        if progress:
            progress(0.2, f"Reading {sheet}")
        table = read_table(source, sheet, h)
        if roles["year"]:
            years = pd.to_numeric(table[roles["year"]], errors="coerce")
        else:
            year = (mapping.year if mapping else None) or _one_year(sheet) or _one_year(source.path.stem)
            if year is None and ask_year is not None:
                year = ask_year(source.name, sheet)
            if year is None:
                raise YearUnknown(source.path, sheet)
            years = pd.Series(float(year), index=table.index)
        keep = years.between(2000, 2100)
        if not keep.all():
            warnings.append(f"'{sheet}': {int((~keep).sum())} row(s) without a survey year were skipped.")
        table, years = table.loc[keep].reset_index(drop=True), years[keep].astype(int).reset_index(drop=True)
        text = lambda col: table[col].map(cell_text).to_numpy(dtype=object) if col else np.full(len(table), "", dtype=object)  # noqa: E731
        org_id, org_name, group = text(roles["org_id"]), text(roles["org_name"]), text(roles["benchmark_group"])
        if not roles["org_name"]:
            org_name = org_id
        parts = []
        for measure_name, value_col in roles["values"].items():
            values, reasons = to_numbers(table[value_col])
            base_col = roles["bases"].get(measure_name)
            n = to_numbers(table[base_col])[0] if base_col else np.full(len(table), np.nan)
            measure, unit, label = _identify(measure_name, years, bank)
            if unit == "%" and np.nanmax(np.append(values, 0)) <= 1.0:
                values = values * 100.0
            measures_found[measure_name] = measure
            parts.append(pd.DataFrame({
                "year": years.to_numpy(), "org_id": org_id, "org_name": org_name, "benchmark_group": group,
                "breakdown": "", "group": "", "measure": measure, "code": measure_name, "label": label, "option": "",
                "value": values, "unit": unit, "n": n, "weighted": False, "vintage": "", "missing_reason": reasons,
                "sig": "",
            }))
        frames.append(pd.concat(parts, ignore_index=True))
        sheets.append(sheet)
    if not frames:
        raise ReadError(source.path, "no sheet has an organisation column and measure columns with their bases")
    long = concat_aggregates(frames)
    if progress:
        progress(1.0, "Done")
    return SurveyData(
        kind="organisation_table",
        provenance=Provenance(path=str(source.path), kind="organisation_table", sheets=tuple(sheets)),
        aggregates=long[list(AGGREGATE_COLUMNS)],
        warnings=tuple(dict.fromkeys(warnings)),
        details={"measures": measures_found},
    )


def _one_year(text: str) -> int | None:
    years = set(YEAR_IN_TEXT.findall(text or ""))
    return int(years.pop()) if len(years) == 1 else None


def _identify(name: str, years: pd.Series, bank: QuestionBank) -> tuple[str, str, str]:
    """(measure id, unit, label): a bank item (by id or code in the table's latest year), a score, or own name."""
    key = name.strip()
    if key in bank.items:
        return key, "%", bank.item(key).short
    for sid, score in bank.scores.items():
        if key.lower() == sid.lower() or _fold(key) == _fold(score.name):
            return sid, "score", score.name
    code = normalise_code(key)
    latest = int(years.max()) if len(years) else bank.years[-1]
    if code and latest in bank.years:
        item = bank.by_code(latest, code)
        if item is not None:
            return item.id, "%", item.short
    return key, "%", key
