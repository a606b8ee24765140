"""Respondent-level files (one row per respondent), as survey providers deliver them.

Finds the header under title rows, picks the sheet(s) holding results (one per year, or one with a
year column), recognises question columns by code or wording for *that year's* questionnaire,
accepts answer codes or labels, keeps unknown Likert-like columns as local questions and text
columns as breakdowns, and stores answers as nullable Int8 (breakdowns as categoricals).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank, _fold, normalise_code
from explorer.core.surveydata import (
    LOCAL_PREFIX, Provenance, SurveyData, YearBlock, combine_years, describe_local_questions, harmonise_block,
)
from explorer.readers.columns import (
    ID_NAMES, WEIGHT_NAMES, YEAR_NAMES, ColumnPlan, absent_options, is_breakdown_name, looks_like_question_header,
    match_column, option_groups,
)
from explorer.readers.decode import _MISSING_TEXT, decode_answers, label_lookup, to_floats
from explorer.readers.errors import ReadError, YearUnknown
from explorer.readers.grid import cell_text, find_header_row, header_names
from explorer.readers.mapping import ColumnMapping
from explorer.readers.source import EXCEL_MAX_ROWS, Source, unbalanced_quote

YEAR_IN_TEXT = re.compile(r"(?<![\d])(20[1-4]\d)(?![\d])")
MAX_COLUMNS = 2_000  # the national questionnaire, demographics and local questions come to a few hundred
CSV_CHUNK_ROWS = 50_000  # small chunks keep peak memory near the final table's size
MIN_QUESTION_COLUMNS = 3
LOCAL_SCALES = ("agree5", "freq5", "satisfaction5")  # label sets a local question may use

AskYear = Callable[[str, str], "int | None"]


@dataclass
class SheetCandidate:
    name: str
    header_row: int  # 0-based
    names: list[str]
    questions: int
    year_hint: int | None = None
    wording_rows: list[int] = field(default_factory=list)  # 0-based rows under the header that are not respondents


@dataclass
class _Accumulator:
    """Decoded columns of one year, gathered chunk by chunk."""

    year: int
    parts: dict[str, list[pd.Series]] = field(default_factory=dict)
    n: int = 0
    dropped: int = 0  # rows without any answer (blank lines, "Total" lines)

    def add(self, key: str, values: pd.Series) -> None:
        self.parts.setdefault(key, []).append(values.reset_index(drop=True))

    def column(self, key: str) -> pd.Series:
        """The whole column; its chunks are released as it is built (peak memory ~ one column)."""
        parts = self.parts.pop(key)
        if len(parts) == 1:
            return parts[0]
        if any(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            # chunks may have inferred different category types (numbers in one, text in the next)
            values = np.concatenate([p.astype(object).to_numpy() for p in parts])
            return pd.Series(pd.Categorical([None if v is None or v is pd.NA or v != v else str(v) for v in values]))
        return pd.concat(parts, ignore_index=True)

    def peek_all_missing(self, key: str) -> bool:
        return all(p.isna().all() for p in self.parts.get(key, []))


class RawChunk:
    """A block of data rows: column name -> raw cell values (numpy), without pandas' per-column cost."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.columns = list(arrays)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "RawChunk":
        return cls({col: frame[col].to_numpy() for col in frame.columns})

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values()))) if self.arrays else 0

    def __getitem__(self, col: str) -> pd.Series:
        return pd.Series(self.arrays[col], copy=False)

    def array(self, col: str) -> np.ndarray:
        return self.arrays[col]

    def take(self, mask: np.ndarray) -> "RawChunk":
        return RawChunk({col: arr[mask] for col, arr in self.arrays.items()})


# ------------------------------------------------------------------------ sheet choice
def candidate_sheets(source: Source, bank: QuestionBank, mapping: ColumnMapping | None = None) -> tuple[list[SheetCandidate], list[str]]:
    """Sheets whose header names at least three survey questions; and the skipped sheets."""
    found, skipped = [], []
    wanted = set(mapping.sheets) if mapping and mapping.sheets else None
    for info in source.sheets():
        if wanted is not None and info.name not in wanted:
            continue
        if not info.visible and wanted is None:
            skipped.append(f"{info.name} (hidden)")
            continue
        # a mapping may name a header further down than the sniffer looks
        head = source.rows(info.name, limit=max(60, (mapping.header_row + 10) if mapping and mapping.header_row else 0))
        if info.name in source.too_large:
            skipped.append(f"{info.name} (too large to read)")  # e.g. a notes sheet with a stray far cell
            continue
        if mapping and mapping.header_row:
            h = mapping.header_row - 1
        else:
            h = find_header_row(head, lambda text: _header_weight(text, bank))
        if h is None or h >= len(head):
            skipped.append(info.name)
            continue
        names = [str(v).strip() for v in head[h]]
        hint = _year_in(info.name) or mapping and mapping.year
        years = [hint] if hint else list(bank.years)
        counts = {y: _question_count(names, y, bank, mapping) for y in years}
        year = max(counts, key=counts.get)
        questions = counts[year]
        if questions >= MIN_QUESTION_COLUMNS or (wanted is not None):
            found.append(SheetCandidate(info.name, h, names, questions, _year_in(info.name),
                                        _wording_rows(head, h, names, year, bank, mapping)))
        else:
            skipped.append(info.name)
    return found, skipped


def _question_count(names: list[str], year: int, bank: QuestionBank, mapping: ColumnMapping | None) -> int:
    """Questions a header names in ``year``: one per question column, one per set of option columns."""
    groups, _left_out = option_groups([n for n in names if n], year, bank)
    folded = {c for columns in groups.values() for c in columns}
    single = sum(1 for n in names if n and n not in folded
                 and (match_column(n, year, bank).item or _mapped_question(mapping, n)))
    return single + len(groups)


def _header_weight(text: str, bank: QuestionBank) -> float:
    """How surely a header cell names a column: a question code outweighs a question's wording, so of a
    code row and a wording row the code row is the header."""
    if normalise_code(text):
        return 1.0
    return 0.9 if looks_like_question_header(text, bank) else 0.0


MAX_WORDING_ROWS = 2  # rows under the header that may repeat it in words (question texts, a second header)


def _wording_rows(head: list[list], h: int, names: list[str], year: int, bank: QuestionBank,
                  mapping: ColumnMapping | None) -> list[int]:
    """Rows straight under the header that hold text where answers are expected (the questions' wording
    under their codes): they are not respondents. A row counts only if rows of answers follow it, so a
    first respondent is never taken for one."""
    targets = {}
    for j, name in enumerate(names):
        spec = mapping.role(name) if mapping and name else None
        target = spec.get("item") if spec and spec["role"] == "question" else match_column(name, year, bank).item if name else None
        if target in bank.items or (target and target.rsplit("_", 1)[0] in bank.items):
            targets[j] = target
    if len(targets) < MIN_QUESTION_COLUMNS:
        return []
    extra = mapping.labels if mapping else {}
    skipped: list[int] = []
    for r in range(h + 1, min(h + 1 + MAX_WORDING_ROWS, len(head))):
        if not _is_wording_row(head[r], targets, year, bank, extra):
            break
        skipped.append(r)
    if skipped and (skipped[-1] + 1 >= len(head) or _is_wording_row(head[skipped[-1] + 1], targets, year, bank, extra)):
        return []  # no answers follow: these rows are data (free text is reported when they are read)
    return skipped


def _is_wording_row(row: list, targets: dict[int, str], year: int, bank: QuestionBank, extra: dict) -> bool:
    wording = answers = 0
    limit = 0.2 * len(targets)  # more answers than this and the row is not wording: stop looking
    for j, target in targets.items():
        value = row[j] if j < len(row) else None
        text = cell_text(value)
        if text == "":
            continue
        if _is_number(text):  # an answer code (decoding every cell of a row of codes took a fifth of a load)
            answers += 1
            if answers > limit:
                return False
            continue
        valid, labels = _answer_table(target, year, bank, extra)
        decoded = decode_answers(np.array([value], dtype=object), valid, bank.missing_codes, labels)
        if decoded.n_unmatched_text:
            wording += 1
        else:
            answers += 1
    return wording >= MIN_QUESTION_COLUMNS and wording >= 0.8 * (wording + answers)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _wording_warning(sheet: SheetCandidate) -> str:
    rows = [r + 1 for r in sheet.wording_rows]
    if len(rows) == 1:
        return (f"The sheet '{sheet.name}': row {rows[0]} under the header holds question wording where answers are "
                "expected, so it was not read as a respondent.")
    return (f"The sheet '{sheet.name}': rows {' and '.join(map(str, rows))} under the header hold question wording "
            "where answers are expected, so they were not read as respondents.")


def _answer_table(target: str, year: int, bank: QuestionBank, extra: dict) -> tuple[set[int], dict[str, int]]:
    """(valid codes, answer label -> code) of a question column."""
    if target in bank.items:
        scale = bank.item(target).scale(year)
        return set(scale.codes), label_lookup(scale, extra)
    # multi-select grounds: ticked 1, not ticked 0 (some files: blank)
    return {0, 1}, {"yes": 1, "ticked": 1, "selected": 1, "no": 0, "not ticked": 0}


def _mapped_question(mapping: ColumnMapping | None, name: str) -> bool:
    spec = mapping.role(name) if mapping else None
    return bool(spec and spec["role"] == "question")


def _year_in(text: str) -> int | None:
    years = set(int(y) for y in YEAR_IN_TEXT.findall(text or ""))
    return years.pop() if len(years) == 1 else None


# ------------------------------------------------------------------------ table chunks
def _chunks(source: Source, sheet: SheetCandidate, progress: Progress | None) -> Iterator[RawChunk]:
    """The sheet's data rows as DataFrames of raw values (one for workbooks, several for big CSVs)."""
    if source.is_text:
        names = header_names(source.path, source.text_rows(sheet.header_row + 1)[sheet.header_row])
        total = max(1, source.path.stat().st_size)
        reader = pd.read_csv(
            source.path, sep=source.delimiter, encoding=source.encoding, skiprows=sheet.header_row + 1 + len(sheet.wording_rows),
            header=None, names=names, index_col=False, chunksize=CSV_CHUNK_ROWS, skip_blank_lines=True, keep_default_na=True,
            low_memory=False, encoding_errors="replace", compression=source.compression,
        )
        done = 0
        try:
            for chunk in reader:
                done += len(chunk)
                if progress:
                    # bytes are not known per chunk; rows against a rough rows-per-byte estimate
                    progress(min(0.95, done * (len(names) * 2.5) / total), f"Reading {source.name}: {done:,} rows")
                yield RawChunk.from_frame(chunk)
        except pd.errors.ParserError as exc:
            if "EOF inside string" in str(exc):  # a quote opened and never closed
                start = re.search(r"starting at row (\d+)", str(exc))
                raise ReadError(source.path, unbalanced_quote(int(start.group(1)) + 1 if start else None)) \
                    from None
            line = re.search(r"line (\d+)", str(exc))
            where = f" at line {int(line.group(1)) + sheet.header_row + 1}" if line else ""
            raise ReadError(source.path, f"a row{where} has more cells than the header names") from None
        finally:
            reader.close()
        return
    if progress:
        progress(0.05, f"Reading sheet '{sheet.name}' of {source.name}")
    rows = source.rows(sheet.name)
    if len(rows) >= EXCEL_MAX_ROWS:
        raise ReadError(source.path, f"the sheet '{sheet.name}' fills all {EXCEL_MAX_ROWS:,} rows Excel allows, so the data "
                        "were probably cut off when saved; export the full data as CSV instead")
    header, data = rows[sheet.header_row], rows[sheet.header_row + 1 + len(sheet.wording_rows):]
    names = header_names(source.path, header, data)
    width = len(names)
    # drop empty rows (and trailing "Total" lines with nothing in most cells)
    if progress:
        progress(0.4, f"Sorting {len(data):,} rows into columns")
    if not all(len(r) == width for r in data):
        data = [(list(r) + [""] * width)[:width] for r in data]
    # one C call builds the grid; columns are (strided) views of it. Rows without a single answer
    # (blank lines, a trailing "Total" line) are dropped after decoding.
    grid = np.array(data, dtype=object).reshape(len(data), width)
    grid[grid == ""] = np.nan  # blank cells: one pass over the grid, so numeric columns convert in C
    # a column with neither a name nor a value is no column (a sheet formatted out to XFD has 16,384 of them)
    unnamed = np.array([j >= len(header) or not cell_text(header[j]).strip() for j in range(width)], dtype=bool)
    keep = ~(unnamed & pd.isna(grid).all(axis=0)) if unnamed.any() else np.ones(width, dtype=bool)
    yield RawChunk({n: grid[:, j] for j, n in enumerate(names) if keep[j]})


# ------------------------------------------------------------------------- the reader
def read_respondents(
    source: Source,
    bank: QuestionBank,
    *,
    mapping: ColumnMapping | None = None,
    ask_year: AskYear | None = None,
    progress: Progress | None = None,
) -> SurveyData:
    candidates, skipped = candidate_sheets(source, bank, mapping)
    if not candidates:
        raise ReadError(source.path, "no sheet has a header row naming survey questions (such as q9a or the question "
                        "wording); if the columns have other names, open it with a column mapping")
    # keyed by (sheet, year): sheets of the same year may name their columns differently
    accumulators: dict[tuple[str, int], _Accumulator] = {}
    plans: dict[tuple[str, int], ColumnPlan] = {}
    locals_by_label: dict[str, str] = {}
    local_scales: dict[str, dict[str, int] | None] = {}
    warnings: list[str] = []
    counts: dict[tuple[int, str], Counter] = {}
    unmatched: dict[tuple[int, str], Counter] = {}
    sheets_detail = []
    dropped_no_year = 0
    for s_i, sheet in enumerate(candidates):
        rows_in_sheet, years_in_sheet, year_from = 0, set(), ""
        for chunk in _chunks(source, sheet, _scaled(progress, s_i, len(candidates), 0.0, 0.6)):
            year_col = _year_column(chunk, mapping)
            if year_col is not None:
                years = pd.to_numeric(chunk[year_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                bad = np.isnan(years) | (years < 2000) | (years > 2100)
                if bad.all():
                    year_col = None
                else:
                    if bad.any():
                        dropped_no_year += int(bad.sum())
                        chunk, years = chunk.take(~bad), years[~bad]
                    year_from = f"column '{year_col}'"
            if year_col is None:
                year, year_from = _sheet_year(source, sheet, mapping, ask_year)
                years = np.full(len(chunk), year)
            distinct = np.unique(years)
            for year in distinct:
                year = int(year)
                part = chunk if len(distinct) == 1 else chunk.take(years == year)
                key = (sheet.name, year)
                if key not in plans:
                    plans[key] = _plan_columns(source, part, year, bank, mapping, year_col, locals_by_label, local_scales)
                acc = accumulators.setdefault(key, _Accumulator(year))
                _decode_into(source, acc, part, plans[key], year, bank, mapping, local_scales, counts, unmatched)
                rows_in_sheet += len(part)
                years_in_sheet.add(year)
        sheets_detail.append({"name": sheet.name, "header_row": sheet.header_row + 1, "rows": rows_in_sheet,
                              "years": sorted(years_in_sheet), "year_from": year_from,
                              "wording_rows": [r + 1 for r in sheet.wording_rows]})
        if sheet.wording_rows:
            warnings.append(_wording_warning(sheet))
        if rows_in_sheet == 0:
            warnings.append(f"The sheet '{sheet.name}' has a header but no data rows.")
    if dropped_no_year:
        warnings.append(f"{dropped_no_year} row(s) with no survey year in the year column were left out.")
    for (sheet_name, year), acc in sorted(accumulators.items()):
        if acc.dropped:
            warnings.append(f"{year} ('{sheet_name}'): {acc.dropped} row(s) with no answer to any question were "
                            "left out (blank lines or totals).")
    if source.format in ("xlsx", "xlsm"):
        _check_uncalculated_formulas(source, accumulators, plans)
    if not accumulators or all(acc.n == 0 for acc in accumulators.values()):
        raise ReadError(source.path, "it has a header row but no respondents' rows under it")

    for _key, plan in sorted(plans.items(), key=lambda kv: kv[0][1]):
        warnings.extend(plan.warnings)
    for (year, column), counter in sorted(counts.items()):
        total = sum(counter.values())
        examples = ", ".join(f"{_fmt(v)} x{c}" for v, c in counter.most_common(3))
        warnings.append(f"{year} column '{column}': {total} answer(s) were not codes on the question's scale "
                        f"({examples}); they are treated as missing.")
    for (year, column), counter in sorted(unmatched.items()):
        total = sum(counter.values())
        examples = ", ".join(f"'{v}' x{c}" for v, c in counter.most_common(3))
        warnings.append(f"{year} column '{column}': {total} answer(s) were text that is not an answer label "
                        f"({examples}); they are treated as missing.")

    if progress:
        progress(0.9, "Building the dataset")
    blocks = []
    for key in sorted(accumulators, key=lambda k: (k[1], [c.name for c in candidates].index(k[0]))):
        acc, plan = accumulators[key], plans[key]
        year = key[1]
        block = YearBlock(year=year, n=acc.n)
        for col, target in plan.questions.items():
            block.answers[target] = acc.column(col)
        for item_id in plan.options:
            block.answers[item_id] = acc.column(("options", item_id))
        for col in plan.breakdowns:
            block.breakdowns[col] = acc.column(col)
        for col, lid in plan.local.items():
            block.local[lid] = acc.column(col)
        if plan.weight:
            block.weight = acc.column(plan.weight)
        blocks.append(block)
    table = combine_years([harmonise_block(b, bank) for b in blocks], bank)
    breakdowns = tuple(dict.fromkeys(b for p in plans.values() for b in p.breakdowns))
    local_questions = describe_local_questions(table, locals_by_label)
    label_of = {lid: label for label, lid in locals_by_label.items()}
    details = {
        "sheets": sheets_detail,
        "skipped_sheets": skipped,
        "questions_by_year": _questions_by_year(plans, bank),
        "unrecognised": sorted({c for p in plans.values() for c in p.ignored}),
        # one column per answer, folded into one answer per item: item -> {column: answer code}
        "option_columns": {item: dict(cols) for p in plans.values() for item, cols in p.options.items()},
        "local_columns": {str(col): label_of[lid] for p in plans.values() for col, lid in p.local.items()},
        "weight_column": next((str(p.weight) for p in plans.values() if p.weight), None),
        "notes": sorted({n for p in plans.values() for n in p.notes}),
    }
    if progress:
        progress(1.0, "Done")
    return SurveyData(
        kind="respondents",
        provenance=Provenance(path=str(source.path), kind="respondents", sheets=tuple(s.name for s in candidates)),
        respondents=table,
        breakdowns=breakdowns,
        local_questions=local_questions,
        warnings=tuple(warnings),
        details=details,
    )


def _questions_by_year(plans: dict, bank: QuestionBank) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for (_sheet, year), plan in sorted(plans.items(), key=lambda kv: kv[0][1]):
        found = out.setdefault(year, {})
        for col, target in plan.questions.items():
            found.setdefault(col, {"item": target, "code": _code_of(bank, target, year), "how": plan.how.get(col, "")})
    return out


def _scaled(progress: Progress | None, i: int, n: int, lo: float, hi: float) -> Progress | None:
    if progress is None:
        return None
    span = (hi - lo) / max(1, n)

    def report(fraction: float, message: str) -> None:
        progress(lo + span * (i + fraction), message)

    return report


def _fmt(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _code_of(bank: QuestionBank, target: str, year: int) -> str:
    if target in bank.items:
        return bank.item(target).code(year)
    base, option = target.rsplit("_", 1)
    return f"{bank.item(base).code(year)}_{option}"


def _year_column(chunk: RawChunk, mapping: ColumnMapping | None) -> str | None:
    for col in chunk.columns:
        spec = mapping.role(col) if mapping else None
        if spec and spec["role"] == "year":
            return col
    if mapping and mapping.year:
        return None
    for col in chunk.columns:
        if YEAR_NAMES.match(str(col).strip()):
            return col
    return None


def _sheet_year(source: Source, sheet: SheetCandidate, mapping: ColumnMapping | None, ask_year: AskYear | None) -> tuple[int, str]:
    if mapping and mapping.year:
        return mapping.year, "the column mapping"
    if sheet.year_hint:
        return sheet.year_hint, f"sheet name '{sheet.name}'"
    from_file = _year_in(source.path.stem)
    if from_file:
        return from_file, "file name"
    if ask_year is not None:
        answer = ask_year(source.name, sheet.name)
        if answer:
            return int(answer), "asked"
    raise YearUnknown(source.path, sheet.name)


# --------------------------------------------------------------------- column planning
def _plan_columns(source: Source, sample: RawChunk, year: int, bank: QuestionBank, mapping: ColumnMapping | None,
                  year_col: str | None, locals_by_label: dict[str, str], local_scales: dict) -> ColumnPlan:
    plan = ColumnPlan(year=year_col)
    if len(sample.columns) > MAX_COLUMNS:
        raise ReadError(source.path, f"it has {len(sample.columns):,} columns with a name or a value, where a staff "
                                     f"survey file has a few hundred (at most {MAX_COLUMNS:,} are read): save a copy "
                                     "with only the survey's columns and open that")
    taken: dict[str, str] = {}
    unmapped = [str(c) for c in sample.columns if c != year_col and not (mapping and mapping.role(str(c)))]
    plan.options, left_out = option_groups(unmapped, year, bank)
    folded = {c for columns in plan.options.values() for c in columns}
    for item_id, columns in plan.options.items():
        taken[item_id] = next(iter(columns))
        plan.notes.append(f"{year}: columns {', '.join(repr(c) for c in columns)} are one column per answer of "
                          f"{bank.item(item_id).code(year)}; read as one answer each")
        absent = absent_options(item_id, columns, year, bank)
        if absent:
            scale = bank.item(item_id).scale(year)
            named = ", ".join(f"{a} '{scale.label(a)}'" for a in absent)
            plan.warnings.append(f"{year}: {bank.item(item_id).code(year)} ({bank.item(item_id).short}) is one column "
                                 f"per answer with no column for answer{'s' if len(absent) > 1 else ''} {named}; read "
                                 f"as an answer nobody gave.")
    for col in sample.columns:
        name = str(col)
        if col == year_col or name in folded:
            continue
        if name in left_out:
            plan.notes.append(left_out[name])
            plan.ignored.append(name)
            continue
        spec = mapping.role(name) if mapping else None
        if spec:
            role = spec["role"]
            if role == "question":
                item = spec.get("item", "")
                if item not in bank.items:
                    raise ReadError(source.path, f"the column mapping names an unknown question '{item}' for column '{name}'")
                plan.questions[col], plan.how[col] = item, "mapping"
            elif role == "breakdown":
                plan.breakdowns.append(col)
            elif role == "local":
                label = spec.get("label") or name
                plan.local[col] = _local_id(locals_by_label, label)
                local_scales.setdefault(locals_by_label[label], _local_labels(sample[col], bank))
            elif role == "weight":
                plan.weight = col
            elif role in ("ignore", "id"):
                plan.ignored.append(name)
            continue
        match = match_column(name, year, bank)
        if match.item:
            if match.item in taken:
                plan.notes.append(f"{year}: columns '{taken[match.item]}' and '{name}' both look like "
                                  f"{match.item}; the first is used")
                plan.ignored.append(name)
                continue
            taken[match.item] = name
            plan.questions[col], plan.how[col] = match.item, match.how
            if match.ambiguous:
                plan.notes.append(f"{year}: column '{name}' is numbered like {match.ambiguous[0]} but worded like "
                                  f"{match.item}; read by its wording")
            continue
        if match.ambiguous:
            plan.notes.append(f"{year}: column '{name}' could be any of {', '.join(match.ambiguous)}; not used "
                              "(name it by its question code, or use a column mapping)")
            plan.ignored.append(name)
            continue
        if WEIGHT_NAMES.match(name) and plan.weight is None:
            plan.weight = col
        elif ID_NAMES.match(name):
            plan.ignored.append(name)
        elif is_breakdown_name(name):
            plan.breakdowns.append(col)
        else:
            kind = _unknown_column_kind(sample[col], bank)
            if kind == "local":
                plan.local[col] = _local_id(locals_by_label, name)
                local_scales.setdefault(locals_by_label[name], _local_labels(sample[col], bank))
            elif kind == "breakdown":
                plan.breakdowns.append(col)
            else:
                plan.ignored.append(name)
    if len(plan.questions) + len(plan.options) < MIN_QUESTION_COLUMNS and not (mapping and mapping.columns):
        raise ReadError(source.path, f"fewer than {MIN_QUESTION_COLUMNS} columns match {year} survey questions by code or wording")
    return plan


def _local_id(locals_by_label: dict[str, str], label: str) -> str:
    """The id of a local question, by its label: "local:1", "local:2"... in the order first seen
    (ids are only ever made here, one more than those made before, so they never collide)."""
    if label not in locals_by_label:
        locals_by_label[label] = f"{LOCAL_PREFIX}{len(locals_by_label) + 1}"
    return locals_by_label[label]


def _unknown_column_kind(values: pd.Series, bank: QuestionBank) -> str:
    """local (a Likert-like question the trust added), breakdown (a few text groups), or ignore."""
    values = values.iloc[:5000]  # a sample decides
    if values.dtype.kind in "iuf":  # numbers: decided in numpy (pandas per column took 1 ms: 16 s for 16,000)
        arr = values.to_numpy(dtype=float)
        arr = arr[np.isfinite(arr)]
        if not len(arr):
            return "ignore"
        answers = arr[~np.isin(arr, list(bank.missing_codes))]
        if not len(answers):
            return "ignore"
        distinct = np.unique(answers)
        if (np.all(answers % 1 == 0) and len(distinct) <= 11 and distinct.min() >= 0 and distinct.max() <= 10
                and len(arr) >= 10):
            return "local"
        return "ignore"  # ids, hours, free numbers
    if values.dtype == object:
        arr = values.to_numpy(dtype=object)
        filled = values[~((arr == "") | pd.isna(arr))]
    else:
        filled = values.dropna()
    if len(filled) == 0:
        return "ignore"
    numbers = pd.to_numeric(filled, errors="coerce")
    share_numeric = numbers.notna().mean()
    numbers = numbers[~numbers.isin(list(bank.missing_codes))]  # 99 = no answer
    if share_numeric >= 0.95 and len(numbers):
        whole = (numbers.dropna() % 1 == 0).all()
        distinct = numbers.dropna().unique()
        if whole and len(distinct) <= 11 and distinct.min() >= 0 and distinct.max() <= 10 and len(filled) >= 10:
            return "local"
        return "ignore"  # ids, hours, free numbers
    if _local_labels(filled, bank):
        return "local"
    distinct = filled.astype(str).str.strip().nunique()
    if distinct <= 200 and distinct <= max(2, 0.5 * len(filled)):
        return "breakdown"
    return "ignore"  # free text (comments) or identifiers


def _local_labels(values: pd.Series, bank: QuestionBank) -> dict[str, int] | None:
    """If a column's text answers are an agreement/frequency/satisfaction scale: that label table."""
    if values.dtype != object:
        return None
    values = values.iloc[:5000]
    numbers, is_text = to_floats(values)
    if is_text.sum() <= 0.5 * max(1, (~np.isnan(numbers)).sum() + is_text.sum()):
        return None
    texts = values[is_text].astype(str).str.strip()
    texts = texts[texts != ""]
    if len(texts) == 0 or pd.to_numeric(texts, errors="coerce").notna().mean() > 0.5:
        return None
    distinct = {_fold(t) for t in texts.unique()}
    for sid in LOCAL_SCALES:
        table = label_lookup(bank.scales[sid])
        if len(distinct & set(table)) >= 0.9 * len(distinct):
            return table
    return None


# ---------------------------------------------------------------------------- decoding
def _decode_into(source: Source, acc: _Accumulator, part: RawChunk, plan: ColumnPlan, year: int,
                 bank: QuestionBank, mapping: ColumnMapping | None, local_scales: dict,
                 counts: dict, unmatched: dict) -> None:
    extra = mapping.labels if mapping else {}
    decoded_columns: dict[str, pd.Series] = {}
    for col, target in plan.questions.items():
        valid, labels = _answer_table(target, year, bank, extra)
        decoded = decode_answers(part.array(col), valid, bank.missing_codes, labels)
        if decoded.answered >= 5 and decoded.n_unmatched_text > 0.5 * decoded.answered:
            example = decoded.unmatched_text.most_common(1)[0][0]
            raise ReadError(source.path, f"the column '{col}' should hold answer codes or answer labels for "
                            f"{_code_of(bank, target, year)} but holds free text (for example '{example[:40]}')")
        if decoded.out_of_scale:
            counts.setdefault((year, str(col)), Counter()).update(decoded.out_of_scale)
        if decoded.unmatched_text:
            unmatched.setdefault((year, str(col)), Counter()).update(decoded.unmatched_text)
        decoded_columns[col] = decoded.codes
    for item_id, columns in plan.options.items():
        decoded_columns[("options", item_id)] = _fold_options(source, part, item_id, columns, year, bank, counts, unmatched)
    for col, lid in plan.local.items():
        decoded = decode_answers(part.array(col), set(range(0, 11)), bank.missing_codes, local_scales.get(lid) or {})
        decoded_columns[col] = decoded.codes
    # a row with no answer at all is a blank line or a "Total" line, not a respondent
    answered = np.zeros(len(part), dtype=bool)
    for codes in decoded_columns.values():
        answered |= ~codes.array._mask
    keep = None if answered.all() else answered
    if keep is not None:
        acc.dropped += int((~keep).sum())
        part = part.take(keep)
    for col, codes in decoded_columns.items():
        acc.add(col, codes if keep is None else codes[keep].reset_index(drop=True))
    for col in plan.breakdowns:
        acc.add(col, _group_labels(part[col]))
    if plan.weight:
        acc.add(plan.weight, pd.to_numeric(part[plan.weight], errors="coerce").astype(float))
    acc.n += len(part)


_TICKED = {"1", "yes", "y", "x", "ticked", "selected", "checked", "true"}
_NOT_TICKED = {"0", "no", "n", "not ticked", "not selected", "unchecked", "false"}


def _fold_options(source: Source, part: RawChunk, item_id: str, columns: dict[str, int], year: int,
                  bank: QuestionBank, counts: dict, unmatched: dict) -> pd.Series:
    """One answer code per respondent from one column per answer option (ticked: 1, yes, x, the option's
    code or its label); none ticked is no answer; two ticked of a single-answer question is refused."""
    scale = bank.item(item_id).scale(year)
    chosen = np.zeros(len(part), dtype=np.int8)
    ticks = np.zeros(len(part), dtype=np.int16)
    ticked_in: dict[str, np.ndarray] = {}
    for col, answer in columns.items():
        odd_numbers, odd_text = Counter(), Counter()
        ticked_in[col] = _ticked(part.array(col), answer, scale.label(answer) or "", bank, odd_numbers, odd_text)
        ticks += ticked_in[col]
        chosen[ticked_in[col]] = answer
        if odd_numbers:
            counts.setdefault((year, col), Counter()).update(odd_numbers)
        if odd_text:
            unmatched.setdefault((year, col), Counter()).update(odd_text)
    if (ticks > 1).any():
        first = int(np.flatnonzero(ticks > 1)[0])
        both = [col for col, ticked in ticked_in.items() if ticked[first]]
        code = bank.item(item_id).code(year)
        raise ReadError(source.path, f"{int((ticks > 1).sum())} respondent(s) tick more than one answer to {code}, which "
                        f"takes a single answer (for example columns '{both[0]}' and '{both[1]}' on one row), so it is "
                        "not clear which they gave; correct the file, or leave those columns out with a column mapping")
    return pd.Series(pd.arrays.IntegerArray(chosen, ticks == 0))


def _ticked(values: np.ndarray, answer: int, label: str, bank: QuestionBank, odd_numbers: Counter,
            odd_text: Counter) -> np.ndarray:
    """Which cells of an option column tick it; other values than tick marks and blanks are counted."""
    numbers, is_text = to_floats(values)
    ticked = (numbers == 1) | (numbers == answer)
    odd = ~np.isnan(numbers) & ~ticked & (numbers != 0) & ~np.isin(numbers, list(bank.missing_codes))
    if odd.any():
        odd_numbers.update(Counter(numbers[odd].tolist()))
    if is_text.any():
        positions = np.flatnonzero(is_text)
        texts = [_fold(str(v)) for v in np.asarray(values, dtype=object)[positions]]
        mark = np.array([t in _TICKED or t == _fold(label) for t in texts], dtype=bool)
        ticked[positions[mark]] = True
        odd_text.update(str(v).strip() for v, t, m in zip(np.asarray(values, dtype=object)[positions], texts, mark)
                        if not m and t not in _NOT_TICKED and t not in _MISSING_TEXT)
    return ticked


def _group_labels(values: pd.Series) -> pd.Series:
    """Breakdown cells as a categorical of trimmed text (team 101 is "101", not "101.0"); blanks NA."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype(float)
        whole = numbers.dropna().mod(1).eq(0).all()
        return (numbers.astype("Int64") if whole else numbers).astype("string").astype("category")
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    cleaned = []
    for u in uniques:
        text = str(int(u)) if isinstance(u, float) and u.is_integer() else str(u).strip()
        cleaned.append(None if text in ("", "nan", "None") else text)
    # distinct raw values may clean to the same label ("Surgery " and "Surgery")
    categories = list(dict.fromkeys(c for c in cleaned if c is not None))
    position = {c: i for i, c in enumerate(categories)}
    remap = np.array([position[c] if c is not None else -1 for c in cleaned] + [-1], dtype=np.int32)
    return pd.Series(pd.Categorical.from_codes(remap[codes], categories=categories))


def _check_uncalculated_formulas(source: Source, accumulators, plans) -> None:
    """Formulas saved without their results (files written by scripts) read as blank: say so.

    Only looked for when something reads as blank (no rows, or a question column with no answer),
    so ordinary files pay nothing for it."""
    suspicious = any(acc.n == 0 for acc in accumulators.values()) or any(
        acc.peek_all_missing(col) for key, acc in accumulators.items() for col in plans[key].questions)
    if not suspicious:
        return
    import zipfile
    import io

    with zipfile.ZipFile(io.BytesIO(source.raw_bytes())) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name)
                if re.search(rb"<c [^>]*>\s*<f[ >][^<]*(</f>)?\s*</c>", xml) or re.search(rb"<f[^>]*/>\s*</c>", xml):
                    raise ReadError(source.path, "it holds formulas whose results were never calculated (the file was "
                                    "written by a program, not saved by Excel); open it in Excel, save it, and try again")
