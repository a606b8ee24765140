"""Find the header row of a sheet (under any title rows) and clean its column names."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Callable

from explorer.readers.errors import ReadError, column_letter

HEADER_SCAN_ROWS = 30


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and value != value)


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if is_blank(value) else str(value).strip()


def _is_texty(value: object) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value.replace(",", ""))
        return False
    except ValueError:
        return True


def find_header_row(rows: list[list], recognise: Callable[[str], bool | float] | None = None) -> int | None:
    """Index of the row that names the columns, or None.

    A header row has at least three filled cells, almost all text, and is followed by rows that
    are not; among such rows the one with most recognised names (question codes, known column
    names; ``recognise`` may weigh a name, e.g. a code above a wording) wins, then the widest, then the
    first. Title rows ("Northshire ... Staff Survey 2025")
    fill one cell and are skipped.
    """
    best, best_key = None, None
    scan = rows[:HEADER_SCAN_ROWS]
    for i, row in enumerate(scan):
        filled = [v for v in row if not is_blank(v)]
        if len(filled) < 3:
            continue
        texty = sum(_is_texty(v) for v in filled)
        if texty < 0.8 * len(filled):
            continue
        recognised = sum(float(recognise(cell_text(v))) for v in filled) if recognise else 0
        key = (recognised, len(filled), -i)
        if best_key is None or key > best_key:
            best, best_key = i, key
    return best


def header_names(path: Path, row: list, data_rows: list[list] | None = None, allow_duplicates: bool = False) -> list[str]:
    """Column names from a header row: trimmed; an unnamed column that holds data is named
    "Column F"; duplicate names are an error (which column would be which question?)."""
    names = []
    width = max([len(row)] + [len(r) for r in (data_rows or [])[:50]])
    for j in range(width):
        name = cell_text(row[j]) if j < len(row) else ""
        name = re.sub(r"\s+", " ", name)
        if not name:
            name = f"Column {column_letter(j)}"
        names.append(name)
    if not allow_duplicates:
        folded = Counter(n.casefold() for n in names if not n.startswith("Column "))
        dupes = [n for n, c in folded.items() if c > 1]
        if dupes:
            first = next(n for n in names if n.casefold() == dupes[0])
            where = [column_letter(j) for j, n in enumerate(names) if n.casefold() == dupes[0]]
            raise ReadError(path, f"the column name '{first}' appears more than once (columns {', '.join(where)}), "
                            "so it is not clear which is which; rename one of them")
    return names
