"""The official "benchmark report Excel data" workbook: one row per organisation, wide.

Sheets: ``Notes`` (variable -> description), ``Organisation Benchmark groups``, then one sheet per
benchmarking group with ``org_id``, ``org_name``, ``org_type_reporting_name`` and ``<var>_<YYYY>`` /
``<var>_n_<YYYY>`` (and ``_sig``) columns. Question values are proportions 0-1 (shown as %), scores
0-10. Every release relabels all earlier years with its own question codes, so codes are read in the
numbering of the release's latest year, and the release (vintage) travels with every value.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import AGGREGATE_COLUMNS, WRES_SUMMARY, Provenance, SurveyData
from explorer.readers.errors import ReadError
from explorer.readers.grid import cell_text
from explorer.readers.source import Source
from explorer.readers.tables import concat_aggregates, constant_categorical, repeated_categorical, tiled_categorical

VAR_YEAR = re.compile(r"^(?P<var>.+?)(?P<n>_n)?_(?P<year>(?:19|20)\d\d)(?P<sig>_sig)?$")
VAR_SIG_YEAR = re.compile(r"^(?P<var>.+?)_sig_(?P<year>(?:19|20)\d\d)$")
SUPPRESSED = {"*", "-", "na", "n/a", "<10", "<11", "..", "x", "s", "c", "suppressed"}
ID_COLUMNS = ("org_id", "org_name", "org_type_reporting_name")
NON_GROUP_SHEETS = re.compile(r"^\s*(notes?|read ?me|contents|organisation benchmark groups?|about)\s*$", re.IGNORECASE)
WRES_ITEMS = {
    "har_from_pat_eth_summary": "harassment_public",
    "har_from_staff_eth_summary": "wres6",
    "equal_eth_summary": "equal_career_progression",
    "q16b_eth_summary": "discrimination_staff",
}
UNWEIGHTED_GROUPS = re.compile(r"\b(ICBs?|CCGs?|CSUs?|Commissioning Support)\b", re.IGNORECASE)


def is_benchmark_header(row: list) -> bool:
    names = [cell_text(v).lower() for v in row]
    return "org_id" in names and sum(1 for n in names if VAR_YEAR.match(n)) >= 3


def group_sheets(source: Source) -> list[str]:
    out = []
    for info in source.sheets():
        if NON_GROUP_SHEETS.match(info.name):
            continue
        head = source.rows(info.name, limit=1)
        if head and is_benchmark_header(head[0]):
            out.append(info.name)
    return out


def read_notes(source: Source) -> tuple[dict[str, str], list[str]]:
    """Variable -> description from the Notes sheet, and its free-text lines (title, release)."""
    notes, lines = {}, []
    sheet = next((s.name for s in source.sheets() if re.match(r"^\s*notes?\s*$", s.name, re.IGNORECASE)), None)
    if sheet is None:
        return notes, lines
    for row in source.rows(sheet):
        cells = [cell_text(v) for v in row]
        filled = [c for c in cells if c]
        if len(filled) >= 2 and re.match(r"^[A-Za-z][\w]*$", filled[0]):
            notes[filled[0]] = filled[1]
        elif len(filled) == 1:
            lines.append(filled[0])
    return notes, lines


def vintage_of(path: Path, lines: list[str], latest_year: int) -> str:
    """The release: "2021-2025 v2" from the file name or the Notes title, else the latest year."""
    for text in (path.stem, *lines):
        m = re.search(r"((?:19|20)\d\d)\s*[-–to ]+\s*((?:19|20)\d\d)(?:[-_ ]*(v\d+))?", text, re.IGNORECASE)
        if m:
            version = f" {m.group(3).lower()}" if m.group(3) else ""
            return f"{m.group(1)}-{m.group(2)}{version}"
    return f"release {latest_year}"


def _measure_for(var: str, bank: QuestionBank, code_to_item: dict[str, str], notes: dict[str, str]):
    """(measure id, unit, breakdown, group, scale to %) for a workbook variable."""
    if var in bank.scores:
        return var, "score", "", "", 1.0
    if var == "response_rate":
        return "response_rate", "%", "", "", 100.0
    if var.lower() in code_to_item:
        return code_to_item[var.lower()], "%", "", "", 100.0
    for prefix, measure in WRES_ITEMS.items():
        if var.startswith(prefix + "_"):
            suffix = var[len(prefix) + 1:]
            group = bank.unverified.wres_suffix.get(suffix)
            if group:
                return measure, "%", WRES_SUMMARY, group, 100.0
    return var, "%", "", "", None  # the file's own variable; unit decided from its values


def read_benchmark(source: Source, bank: QuestionBank, progress: Progress | None = None) -> SurveyData:
    sheets = group_sheets(source)
    if not sheets:
        raise ReadError(source.path, "it looks like a benchmark workbook but no sheet has org_id and <variable>_<year> columns")
    notes, lines = read_notes(source)
    frames, warnings = [], []
    years_seen: set[int] = set()
    all_years = []
    for sheet in sheets:
        header = [cell_text(v) for v in source.rows(sheet, limit=1)[0]]
        all_years += [int(m.group("year")) for m in (VAR_YEAR.match(h) for h in header) if m]
    latest = max(all_years)
    code_year = latest if latest in bank.years else bank.years[-1]
    if latest not in bank.years:
        warnings.append(f"The workbook's latest year {latest} is newer than this program's question bank "
                        f"({bank.years[-1]}); question codes are read as {code_year}'s.")
    code_to_item = {}
    for item in bank.items.values():
        if item.asked_in(code_year):
            code_to_item[item.version(code_year).benchmark_code.lower()] = item.id
    vintage = vintage_of(source.path, lines, latest)
    for i, sheet in enumerate(sheets):
        if progress:
            progress(i / len(sheets), f"Reading {sheet}")
        rows = source.rows(sheet)
        frame = _sheet_to_long(rows, sheet, bank, code_to_item, notes, vintage, warnings)
        years_seen.update(frame["year"].unique().tolist())
        frames.append(frame)
    table = concat_aggregates(frames)
    if progress:
        progress(1.0, "Done")
    organisations = int(table["org_id"].nunique())
    return SurveyData(
        kind="benchmark_workbook",
        provenance=Provenance(path=str(source.path), kind="benchmark_workbook", sheets=tuple(sheets), vintage=vintage,
                              description=next((ln for ln in lines if "fictional" in ln.lower()), "")),
        aggregates=table[list(AGGREGATE_COLUMNS)],
        warnings=tuple(dict.fromkeys(warnings)),
        details={"sheets": [{"name": s} for s in sheets], "organisations": organisations,
                 "variables": int(table["code"].nunique()), "described_variables": len(notes)},
    )


def _sheet_to_long(rows: list[list], sheet: str, bank: QuestionBank, code_to_item: dict, notes: dict, vintage: str,
                   warnings: list[str]) -> pd.DataFrame:
    header = [cell_text(v) for v in rows[0]]
    data = [r for r in rows[1:] if any(cell_text(v) for v in r[:2])]
    lower = [h.lower() for h in header]
    id_idx = {name: lower.index(name) for name in ID_COLUMNS if name in lower}
    grid = np.array([r + [""] * (len(header) - len(r)) for r in data], dtype=object) if data else np.empty((0, len(header)), dtype=object)
    value_cols, n_cols, sig_cols = [], {}, {}
    names = set(header)
    for j, name in enumerate(header):
        m = VAR_YEAR.match(name)
        s = VAR_SIG_YEAR.match(name)
        inner = re.match(r"^(?P<stem>.+)_n_(?P<suffix>[^_]+)_(?P<year>(?:19|20)\d\d)$", name)
        if inner and f"{inner.group('stem')}_{inner.group('suffix')}_{inner.group('year')}" in names:
            # WRES bases: har_from_staff_eth_summary_n_1_2024 is the base of har_from_staff_eth_summary_1_2024
            n_cols[(f"{inner.group('stem')}_{inner.group('suffix')}", int(inner.group("year")))] = j
        elif s:
            sig_cols[(s.group("var"), int(s.group("year")))] = j
        elif m and m.group("sig"):
            sig_cols[(m.group("var"), int(m.group("year")))] = j
        elif m and m.group("n"):
            n_cols[(m.group("var"), int(m.group("year")))] = j
        elif m:
            value_cols.append((m.group("var"), int(m.group("year")), j))
    n_orgs, n_vals = grid.shape[0], len(value_cols)
    raw = grid[:, [j for _v, _y, j in value_cols]] if n_vals else np.empty((n_orgs, 0), dtype=object)
    values, reasons, signed = _parse_cells(raw)
    n_idx = [n_cols.get((v, y)) for v, y, _j in value_cols]
    n_raw = np.column_stack([grid[:, j] if j is not None else np.full(n_orgs, "", dtype=object) for j in n_idx]) if n_vals else raw
    n_values, _ = _numbers(n_raw)
    sig = np.column_stack([grid[:, sig_cols[(v, y)]] if (v, y) in sig_cols else np.full(n_orgs, "", dtype=object)
                           for v, y, _j in value_cols]) if n_vals else raw
    measures, units, breakdowns, groups, scales, labels = [], [], [], [], [], []
    for k, (var, year, _j) in enumerate(value_cols):
        measure, unit, breakdown, group, scale = _measure_for(var, bank, code_to_item, notes)
        if unit == "%" and signed[:, k].any():  # written with % signs ("34.5%"): already percentages
            scale = 1.0
        elif scale is None:  # own variable: proportions if every value is within 0-1
            column = values[:, k]
            scale = 100.0 if np.nanmax(np.append(column, 0)) <= 1.0 else 1.0
        elif unit == "%" and np.nanmax(np.append(values[:, k], 0)) > 1.5:
            warnings.append(f"'{var}' on sheet '{sheet}' holds percentages, not proportions; read as given.")
            scale = 1.0
        measures.append(measure)
        units.append(unit)
        breakdowns.append(breakdown)
        groups.append(group)
        scales.append(scale)
        label = notes.get(f"{var}_{year}") or (bank.scores[var].name if var in bank.scores else "")
        if not label and measure in bank.items:
            label = bank.item(measure).short
        labels.append(re.sub(r"\s*for year \d{4}\s*$", "", label))
    values = values * np.array(scales, dtype=float)
    org = {name: [cell_text(v) for v in grid[:, idx]] for name, idx in id_idx.items()}
    org_id = org.get("org_id", [""] * n_orgs)
    org_name = org.get("org_name", org_id)
    weighted = not UNWEIGHTED_GROUPS.search(sheet)
    per_var = lambda labels_: tiled_categorical(labels_, n_orgs)  # noqa: E731
    per_org = lambda labels_: repeated_categorical(labels_, n_vals)  # noqa: E731
    if sig_cols:
        sig_values = pd.Categorical([cell_text(v) for v in sig.ravel()])
    else:
        sig_values = constant_categorical("", n_orgs * n_vals)
    return pd.DataFrame({
        "year": np.tile(np.array([y for _v, y, _j in value_cols], dtype=np.int16), n_orgs),
        "org_id": per_org(org_id),
        "org_name": per_org(org_name),
        "benchmark_group": constant_categorical(sheet, n_orgs * n_vals),
        "breakdown": per_var(breakdowns),
        "group": per_var(groups),
        "measure": per_var(measures),
        "code": per_var([v for v, _y, _j in value_cols]),
        "label": per_var(labels),
        "option": constant_categorical("", n_orgs * n_vals),
        "value": values.ravel(),
        "unit": per_var(units),
        "n": n_values.ravel(),
        "weighted": np.full(n_orgs * n_vals, weighted),
        "vintage": constant_categorical(vintage, n_orgs * n_vals),
        "missing_reason": pd.Categorical(reasons.ravel()),
        "sig": sig_values,
    })


# A number as spreadsheets write it to text: optional sign, thousands grouped by commas ("1,234"), an
# optional decimal part and an optional trailing % sign ("34.5%", "34.5 %"). A comma that does not group
# thousands ("1,5") is a decimal comma this program does not guess at: such a cell stays "not a number".
WRITTEN_NUMBER = re.compile(r"^\s*(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+)\s*(?P<pct>%?)\s*$")


def _written_numbers(flat: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Read the cells plain parsing left NaN that are numbers as written for people ("34.5%", "1,234").

    Fills ``numbers`` in place (a % cell as that number in percent: "34.5%" is 34.5) and returns a mask of
    the cells that carried a % sign, so a caller can tell a column written as percentages from proportions.
    """
    signed = np.zeros(flat.shape, dtype=bool)
    texts = [(i, flat[i]) for i in np.flatnonzero(np.isnan(numbers)) if isinstance(flat[i], str) and flat[i]]
    for idx, text in texts:
        m = WRITTEN_NUMBER.match(text.replace("\u00a0", " "))
        if m:
            numbers[idx] = float(m.group("num").replace(",", ""))
            signed[idx] = bool(m.group("pct"))
    return signed


def _parse_cells(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Floats from cells (NaN where blank or suppressed), why each value is missing, and which carried a %."""
    flat = raw.ravel()
    numbers = pd.to_numeric(pd.Series(flat, dtype=object), errors="coerce").to_numpy(dtype=float).copy()
    signed = _written_numbers(flat, numbers)
    reasons = np.full(flat.shape, "", dtype=object)
    missing = np.flatnonzero(np.isnan(numbers))
    for idx in missing:
        value = flat[idx]
        if value == "" or value is None:
            reasons[idx] = "blank in the source file"
            continue
        text = cell_text(value).lower()
        if text in SUPPRESSED:
            reasons[idx] = f"suppressed in the source file ('{cell_text(flat[idx])}')"
        elif text:
            reasons[idx] = f"not a number in the source file ('{cell_text(flat[idx])[:20]}')"
        else:
            reasons[idx] = "blank in the source file"
    return numbers.reshape(raw.shape), reasons.reshape(raw.shape), signed.reshape(raw.shape)


def _numbers(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Floats from cells, NaN where blank or suppressed; and why each value is missing."""
    numbers, reasons, _signed = _parse_cells(raw)
    return numbers, reasons
