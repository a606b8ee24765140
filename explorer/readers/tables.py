"""Shared by the aggregate readers: read a sheet (or CSV) as a header + DataFrame of raw cells."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from explorer.readers.errors import ReadError
from explorer.readers.grid import cell_text, find_header_row, header_names, is_blank
from explorer.readers.source import EXCEL_MAX_ROWS, Source, unbalanced_quote


def norm(name: object) -> str:
    """Header name for matching: lower case, letters and digits only ("Base Size" -> "basesize")."""
    return re.sub(r"[^a-z0-9%]", "", cell_text(name).lower())


def first_sheets(source: Source) -> list[str]:
    return [s.name for s in source.sheets() if s.visible]


def header_of(source: Source, sheet: str, required: set[str] | None = None) -> tuple[int | None, list[str]]:
    """The header row index and its normalised names (the row holding ``required`` names if given)."""
    head = source.rows(sheet, limit=40)
    if required:
        for i, row in enumerate(head[:12]):  # long-format exports put their header at the top
            if len(row) > 4 * len(required):
                continue  # a wide sheet is not a long-format export
            names = [norm(v) for v in row]
            if required <= set(names):
                return i, names
        return None, []
    i = find_header_row(head)
    return (i, [norm(v) for v in head[i]]) if i is not None else (None, [])


def read_table(source: Source, sheet: str, header_row: int, allow_duplicates: bool = False) -> pd.DataFrame:
    """All rows under ``header_row`` with the header's names; raw cell values (object columns)."""
    if source.is_text:
        names = header_names(source.path, source.text_rows(header_row + 1)[header_row], allow_duplicates=allow_duplicates)
        try:
            frame = pd.read_csv(source.path, sep=source.delimiter, encoding=source.encoding, skiprows=header_row + 1,
                                header=None, names=names, index_col=False, dtype=object, keep_default_na=False, encoding_errors="replace",
                                compression=source.compression)
        except pd.errors.ParserError as exc:
            if "EOF inside string" in str(exc):  # a quote opened and never closed
                start = re.search(r"starting at row (\d+)", str(exc))
                raise ReadError(source.path, unbalanced_quote(int(start.group(1)) + 1 if start else None)) \
                    from None
            raise ReadError(source.path, "some rows have more cells than the header names") from None
        return frame
    rows = source.rows(sheet)
    if len(rows) >= EXCEL_MAX_ROWS:
        raise ReadError(source.path, f"the sheet '{sheet}' fills all {EXCEL_MAX_ROWS:,} rows Excel allows, so the data "
                        "were probably cut off when saved; export the full data as CSV instead")
    header, data = rows[header_row], rows[header_row + 1:]
    names = header_names(source.path, header, data, allow_duplicates=allow_duplicates)
    width = len(names)
    data = [r for r in data if any(not is_blank(v) for v in r)]
    grid = np.array([(list(r) + [""] * width)[:width] for r in data], dtype=object) if data else np.empty((0, width), dtype=object)
    return pd.DataFrame(grid, columns=pd.Index(names) if not allow_duplicates else names)


def to_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Floats (NaN where blank/suppressed) and the reason each missing value is missing.

    Numbers as spreadsheets write them to text are read too: "34.5%" is 34.5 (a percentage, never a
    proportion) and "1,234" is 1234.
    """
    from explorer.readers.benchmark import _parse_cells

    numbers, reasons, _signed = _parse_cells(values.to_numpy(dtype=object).reshape(-1, 1))
    return numbers.ravel(), reasons.ravel()


def percent_signed(values: pd.Series) -> bool:
    """True when the column was written as percentages: at least one of its number cells has a % sign.

    ``to_numbers`` reads "34.5%" as 34.5, so such a column already holds percentages and must never be
    taken for proportions 0-1 and multiplied by 100 (a column of "0.8%" cells is 0.8 %, not 80 %).
    """
    from explorer.readers.benchmark import _parse_cells

    return bool(_parse_cells(values.to_numpy(dtype=object).reshape(-1, 1))[2].any())


# ------------------------------------------------------- building long aggregate tables cheaply
# A long table repeats a few hundred labels a million times: build its text columns as
# categoricals from small label lists and integer codes, never by factorising a million strings.
CATEGORY_COLUMNS = ("org_id", "org_name", "benchmark_group", "breakdown", "group", "measure", "code", "label",
                    "option", "unit", "vintage", "missing_reason", "sig")


def tiled_categorical(labels: list, times: int) -> pd.Categorical:
    """``labels`` repeated ``times`` times end to end (one block per organisation)."""
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object))
    return pd.Categorical.from_codes(np.tile(codes, times), categories=pd.Index(uniques, dtype=object))


def repeated_categorical(labels: list, each: int) -> pd.Categorical:
    """Each of ``labels`` repeated ``each`` times (an organisation's value for all its variables)."""
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object))
    return pd.Categorical.from_codes(np.repeat(codes, each), categories=pd.Index(uniques, dtype=object))


def constant_categorical(label: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([label], dtype=object))


def concat_aggregates(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack long tables, keeping text columns categorical (pandas would fall back to objects)."""
    from pandas.api.types import union_categoricals

    from explorer.core.surveydata import AGGREGATE_COLUMNS

    out = {}
    for col in AGGREGATE_COLUMNS:
        parts = [f[col] for f in frames]
        if col in CATEGORY_COLUMNS:
            cats = [p.values if isinstance(p.dtype, pd.CategoricalDtype) else pd.Categorical(p.astype(object))
                    for p in parts]
            out[col] = union_categoricals(cats) if len(cats) > 1 else cats[0]
        else:
            out[col] = np.concatenate([np.asarray(p) for p in parts]) if len(parts) > 1 else parts[0].to_numpy()
    table = pd.DataFrame(out)
    table["year"] = table["year"].astype(np.int16)
    table["value"] = table["value"].astype(float)
    table["n"] = table["n"].astype(float)
    table["weighted"] = table["weighted"].astype(bool)
    return table
