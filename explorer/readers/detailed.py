"""The official "detailed spreadsheets": % of staff giving each answer, per organisation.

Topic sheets (``YOUR JOB Q1-3``, ``YOUR MANAGERS Q9`` ...): rows 1-4 are titles, and row 1 has
merged cells ``Q<code> - <question text>`` spanning that question's option columns; row 5 is the
header (``ODS code``, organisation name, ``Benchmarking group``, ``Region``, ``ICS``, ``Weighting``,
then ``% <option>`` columns and ``Base (number of responses)``); data from row 6, percentages 0-100,
``-`` for missing. ``PEOPLE PROMISE ELEMENTS`` alternates ``<ID> - score`` and the base. The
organisation-type workbook starts with ``Base`` (the benchmarking group), ``Breakdown`` and a
category column instead of the organisation columns.

The files print no % positive, so the lenses would show nothing: each item's official % positive is
worked out from its answer percentages with the question bank's rule (:func:`_positive_rows`) and
marked as derived in ``details["derived"]``. Region, ICS and Weighting become ``org_attributes``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import Item, QuestionBank, _fold, normalise_code
from explorer.core.surveydata import AGGREGATE_COLUMNS, ORG_KEY_COLUMNS, Provenance, SurveyData
from explorer.readers.errors import ReadError, YearUnknown
from explorer.readers.grid import cell_text
from explorer.readers.source import Source
from explorer.readers.tables import concat_aggregates, to_numbers

HEADER_ROW = 4  # row 5 in Excel
QUESTION_TITLE = re.compile(r"^\s*Q\s*(\d{1,2}[a-z]?)(?:[_ ]?(\d{1,2}))?\s*[-–:]\s*(.+)$", re.IGNORECASE)
SCORE_TITLE = re.compile(r"^\s*(.+?)\s*-\s*score\s*$", re.IGNORECASE)
BASE = "base (number of responses)"
YEAR = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
DERIVED = "% positive worked out from the answer percentages (official definition)"
# organisation attributes in the row-5 header: attribute -> how its header starts (ICS/STP became ICS)
ATTRIBUTES = {"Region": ("region",), "ICS": ("ics",), "Weighting": ("weighting",)}
# What a row's "organisation" is: an organisation, or the results of all organisations of a type or of
# the whole country (the national and organisation-type workbooks); only organisations are counted,
# listed and put into medians of organisations.
LEVEL = "Level"
ORGANISATION, ORGANISATION_TYPE, NATIONAL = "Organisation", "Organisation type", "National"


def _is_detailed_header(row: list) -> bool:
    names = [cell_text(v).lower() for v in row]
    has_base = any(n.startswith("base (number") for n in names)
    has_option = any(n.startswith("% ") for n in names) or any(SCORE_TITLE.match(n) for n in names)
    first = names[0] if names else ""
    return has_base and has_option and (first.startswith("ods") or first == "base" or "organisation" in first)


def detect(source: Source) -> str | None:
    if source.is_text:
        return None
    for info in source.sheets():
        head = source.rows(info.name, limit=HEADER_ROW + 1)
        if len(head) > HEADER_ROW and _is_detailed_header(head[HEADER_ROW]):
            return f"row 5 of '{info.name}' holds ODS code, '% <answer>' and 'Base (number of responses)' columns"
    return None


def _survey_year(source: Source, sheets: list[str], ask_year) -> int:
    for sheet in sheets:
        for row in source.rows(sheet, limit=HEADER_ROW):
            for cell in row:
                years = set(YEAR.findall(cell_text(cell)))
                if len(years) == 1:
                    return int(years.pop())
    years = set(YEAR.findall(source.path.stem))
    if len(years) == 1:
        return int(years.pop())
    if ask_year is not None:
        answer = ask_year(source.name, sheets[0])
        if answer:
            return int(answer)
    raise YearUnknown(source.path, sheets[0])


def _question_spans(source: Source, sheet: str, title_row: list, width: int) -> list[str]:
    """For each column, the question title over it (from row 1's merged cells, else carried right)."""
    spans = [""] * width
    merged = [m for m in source.merged_ranges(sheet) if m[0][0] == 0]
    for (r0, c0), (_r1, c1) in merged:
        text = cell_text(title_row[c0]) if c0 < len(title_row) else ""
        for c in range(c0, min(c1, width - 1) + 1):
            spans[c] = text
    current = ""
    for c in range(width):
        text = cell_text(title_row[c]) if c < len(title_row) else ""
        if text:
            current = text
        if not spans[c]:
            spans[c] = current if not merged else (text or "")
    return spans


def read_detailed(source: Source, bank: QuestionBank, progress: Progress | None = None, ask_year=None) -> SurveyData:
    sheets = []
    for info in source.sheets():
        head = source.rows(info.name, limit=HEADER_ROW + 1)
        if len(head) > HEADER_ROW and _is_detailed_header(head[HEADER_ROW]):
            sheets.append(info.name)
    year = _survey_year(source, sheets, ask_year)
    frames, warnings, found, derived, unmatched, attributes = [], [], {}, {}, {}, []
    for i, sheet in enumerate(sheets):
        if progress:
            progress(i / len(sheets), f"Reading {sheet}")
        rows = source.rows(sheet)
        frame = _sheet_to_long(source, sheet, rows, year, bank, warnings, found, derived, unmatched, attributes)
        if frame is not None:
            frames.append(frame)
    if not frames:
        raise ReadError(source.path, "no sheet has question results under a row-5 header")
    if unmatched:
        warnings.append(f"No % positive is worked out for {', '.join(unmatched)}: the file's answer options do not match "
                        f"the {year} questionnaire's, so only the answer percentages are shown.")
    long = concat_aggregates(frames)
    if progress:
        progress(1.0, "Done")
    return SurveyData(
        kind="detailed_spreadsheet",
        provenance=Provenance(path=str(source.path), kind="detailed_spreadsheet", sheets=tuple(sheets), vintage=str(year)),
        aggregates=long[list(AGGREGATE_COLUMNS)],
        breakdowns=tuple(sorted(b for b in long["breakdown"].unique() if b)),
        warnings=tuple(dict.fromkeys(warnings)),
        details={"questions_by_year": {year: found}, "derived": derived},
        org_attributes=_org_attributes(attributes),
    )


def _levels(names: np.ndarray) -> np.ndarray:
    """The level of each row of an organisation-type workbook: its 'Base' names a type of organisation,
    or the whole country ("National", "England") in the national workbook."""
    national = np.array([_fold(n) in ("national", "england", "all organisations") for n in names], dtype=bool)
    return np.where(national, NATIONAL, ORGANISATION_TYPE).astype(object)


def _org_attributes(parts: list[pd.DataFrame]) -> pd.DataFrame | None:
    """One row per (organisation, year): an organisation listed on every topic sheet is one row, each
    attribute taken from the first sheet that gives it; ``Level`` says whether the row is an organisation,
    an organisation type or the country."""
    parts = [p for p in parts if len(p.columns) > len(ORG_KEY_COLUMNS)]
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True).replace("", np.nan)
    table = table[table["org_id"].notna()]
    table = table.groupby(list(ORG_KEY_COLUMNS), sort=False, as_index=False).first()
    names = [a for a in (*ATTRIBUTES, LEVEL) if a in table.columns]
    table[names] = table[names].fillna("").astype(str)
    table["year"] = table["year"].astype(int)
    return table[[*ORG_KEY_COLUMNS, *names]].reset_index(drop=True)


def _sheet_to_long(source: Source, sheet: str, rows: list[list], year: int, bank: QuestionBank, warnings: list,
                   found: dict, derived: dict, unmatched: dict, attributes: list) -> pd.DataFrame | None:
    header = [cell_text(v) for v in rows[HEADER_ROW]]
    width = len(header)
    data = [list(r) + [""] * (width - len(r)) for r in rows[HEADER_ROW + 1:] if any(cell_text(v) for v in r[:3])]
    if not data:
        return None
    grid = pd.DataFrame(np.array([r[:width] for r in data], dtype=object))
    lower = [h.lower() for h in header]
    spans = _question_spans(source, sheet, rows[0], width)
    # identity columns: everything before the first result column
    first_result = next(j for j, h in enumerate(lower) if h.startswith("% ") or h.startswith("base (number") or SCORE_TITLE.match(h))
    ident = {lower[j]: j for j in range(first_result)}
    org_type = lower[0] == "base"
    col = lambda *names: next((ident[n] for n in ident if any(n.startswith(x) for x in names)), None)  # noqa: E731
    org_id_j = None if org_type else col("ods")
    org_name_j = None if org_type else next((j for n, j in ident.items() if j != org_id_j and ("name" in n or "organisation" in n or "trust" in n)), None)
    group_j = 0 if org_type else col("benchmarking group", "benchmark group")
    breakdown_j = col("breakdown") if org_type else None
    category_j = (breakdown_j + 1) if breakdown_j is not None and breakdown_j + 1 < first_result else None
    weighting_j = col("weighting")
    text = lambda j: grid[j].map(cell_text).to_numpy(dtype=object) if j is not None else np.full(len(grid), "", dtype=object)  # noqa: E731
    org_id, org_name, group_col = text(org_id_j), text(org_name_j), text(group_j)
    if org_type:  # organisation-type results: each benchmarking group is the "organisation" of its rows
        org_id, org_name = group_col, group_col
    breakdown, category = text(breakdown_j), text(category_j)
    # weighted unless the file says "Unweighted" or says nothing
    weighted = np.array([_fold(w) not in ("unweighted", "") for w in text(weighting_j)])
    attributes.append(pd.DataFrame({"org_id": org_id, "year": year,
                                    **{name: text(col(*heads)) for name, heads in ATTRIBUTES.items() if col(*heads) is not None},
                                    LEVEL: _levels(org_id) if org_type else ORGANISATION}))

    parts = []
    j = first_result
    while j < width:
        h = lower[j]
        score = SCORE_TITLE.match(header[j])
        if score:  # PEOPLE PROMISE ELEMENTS: "<ID> - score" then its base
            sid = score.group(1).strip()
            measure = sid if sid in bank.scores else next((s for s, sc in bank.scores.items() if _fold(sc.name) == _fold(sid)), sid)
            base_j = j + 1 if j + 1 < width and lower[j + 1].startswith("base (number") else None
            parts.append(_block(grid, [j], [""], base_j, year, measure, sid, bank.scores[measure].name if measure in bank.scores else sid, "score"))
            found[sid] = {"item": measure, "how": "score title"}
            j += 2 if base_j else 1
            continue
        if not h.startswith("% "):
            j += 1
            continue
        title = spans[j]
        option_cols = []
        while j < width and lower[j].startswith("% ") and spans[j] == title:
            option_cols.append(j)
            j += 1
        base_j = j if j < width and lower[j].startswith("base (number") else None
        if base_j is not None:
            j += 1
        m = QUESTION_TITLE.match(title)
        if not m:
            warnings.append(f"'{sheet}': answer columns without a 'Qxx - question' title above them were skipped.")
            continue
        code = normalise_code(m.group(1) + (f"_{m.group(2)}" if m.group(2) else ""))
        item = bank.by_code(year, code) if code and year in bank.years else None
        measure = item.id if item else code
        label = item.short if item else m.group(3).strip()
        found[code] = {"item": measure, "how": "code" if item else "own name"}
        options = [header[c][2:].strip() for c in option_cols]
        block = _block(grid, option_cols, options, base_j, year, measure, code, label, "%")
        parts.append(block)
        if item is not None and item.positive is not None:
            positive = _positive_rows(block, options, item, year)
            if positive is None:
                unmatched[code] = None
            else:
                parts.append(positive)
                derived[measure] = DERIVED
    if not parts:
        return None
    n_rows = len(grid)
    out = pd.concat(parts, ignore_index=True)
    reps = len(out) // n_rows
    out["org_id"] = np.tile(org_id, reps)
    out["org_name"] = np.tile(org_name, reps)
    out["benchmark_group"] = np.tile(group_col, reps)
    out["breakdown"] = np.tile(breakdown, reps)
    out["group"] = np.tile(category, reps)
    out["weighted"] = np.tile(weighted, reps)
    return out


def _block(grid: pd.DataFrame, cols: list[int], options: list[str], base_j: int | None, year: int, measure: str,
           code: str, label: str, unit: str) -> pd.DataFrame:
    """Long rows for one question: one per organisation and answer option (option '' for a score)."""
    n_rows = len(grid)
    base, _ = to_numbers(grid[base_j]) if base_j is not None else (np.full(n_rows, np.nan), None)
    blocks = []
    for c, option in zip(cols, options):
        values, reasons = to_numbers(grid[c])
        blocks.append(pd.DataFrame({
            "year": year, "measure": measure, "code": code, "label": label, "option": option, "value": values,
            "unit": unit, "n": base, "vintage": str(year), "missing_reason": reasons, "sig": "",
        }))
    return pd.concat(blocks, ignore_index=True)


def _positive_rows(block: pd.DataFrame, options: list[str], item: Item, year: int) -> pd.DataFrame | None:
    """The item's official % positive for each row of the sheet, from its answer percentages.

    % positive = (sum of the positive options' %) / (sum of the base options' %) x 100, where the base
    options are every answer on the year's scale except those the rule leaves out (Don't know, Not
    applicable), so the figure is re-based exactly as the engine does for respondents; dividing by the
    sum also absorbs the file's rounding (its options rarely add to exactly 100). The file's base
    counts every answer shown, so the derived n is scaled by the share of answers left in the base:
    n x (sum of the base options' %) / (sum of all options' %), rounded to a whole number (exact up to
    the rounding of the percentages). The % keeps 2 decimals: the file's own rounding (0.05 on each
    option at 1 decimal) already moves it by up to about 0.1, more where re-basing leaves a small share
    of the answers in the base, so rounding it again to 1 decimal would add a second error of up to
    0.05; displays round it further.
    None when the file's answer options are not the year's scale (a different or missing option):
    then which % to add up is not known.
    """
    scale = item.scale(year)
    codes = [scale.code_for_label(o) for o in options]
    required = {o.code for o in scale.options if not o.variant}
    if None in codes or len(set(codes)) != len(codes) or not required <= set(codes):
        return None
    rule = item.positive
    pct = block["value"].to_numpy(dtype=float).reshape(len(options), -1)  # options x rows
    reasons = block["missing_reason"].to_numpy(dtype=object).reshape(len(options), -1)
    in_base = np.array([c not in rule.exclude for c in codes])
    is_positive = np.array([c in rule.positive for c in codes]) & in_base
    base_pct, all_pct = pct[in_base].sum(axis=0), pct.sum(axis=0)
    answered = base_pct > 0  # NaN (an option missing) compares False
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(answered, np.round(100.0 * pct[is_positive].sum(axis=0) / base_pct, 2), np.nan)
        n = np.where(answered, np.round(block["n"].to_numpy(dtype=float)[: pct.shape[1]] * base_pct / all_pct),
                     np.where(base_pct == 0, 0.0, np.nan))
    first_reason = np.array([next((str(r) for r in col if r), "") for col in reasons.T], dtype=object)
    missing = np.where(np.isnan(value), np.where(first_reason != "", first_reason, "no answers in its base"), "")
    first = block.iloc[: pct.shape[1]]
    return pd.DataFrame({
        "year": year, "measure": first["measure"].to_numpy(), "code": first["code"].to_numpy(),
        "label": first["label"].to_numpy(), "option": "", "value": value, "unit": "%", "n": n, "vintage": str(year),
        "missing_reason": missing, "sig": "",
    })
