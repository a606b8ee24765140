"""The figures of a view as CSV: the Results table's rows as they are (one row per figure, withheld
ones blank with their reason), written atomically. Qt-free."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from explorer.core.results import COLUMNS, Results
from explorer.export.excel import FORMULA_START, ExportError, write_atomically


def csv_text(results: list[Results]) -> str:
    """Every row of ``results`` under the Results columns (UTF-8 with a BOM, so Excel reads accents)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in results:
        for record in r.to_records():
            writer.writerow([_cell(record.get(c)) for c in COLUMNS])
    return "\ufeff" + out.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # text from the person's file must never run as a formula when the CSV is opened
    return value


def pack_results(pack) -> list[Results]:
    """Every Results of a pack: each lens's figures and its answer shares."""
    return [r for part in pack.parts.values() for r in (part.results, part.answers) if r is not None]


def write_csv(results: Results | list[Results], path: str | os.PathLike) -> Path:
    target = Path(path)
    if target.suffix.lower() not in (".csv", ".txt"):
        raise ExportError(f"Give a file name ending in .csv, not '{target.name}'.")
    return write_atomically(target, csv_text(results if isinstance(results, list) else [results]).encode("utf-8"))
