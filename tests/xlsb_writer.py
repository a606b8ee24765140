"""A minimal Excel binary workbook (.xlsb) writer, for tests only.

No Python library writes .xlsb and LibreOffice cannot save it, so the tests build one record by record
(MS-XLSB, "BIFF12"). A record is its type and its payload's length, each a little-endian base-128
number (7 bits a byte, the high bit set while more bytes follow), then the payload. What is written:

- ``xl/workbook.bin``: BrtBeginBook, BrtBeginBundleShs, one BrtBundleSh per sheet (visibility, tab id,
  relationship id, name), BrtEndBundleShs, BrtEndBook;
- ``xl/worksheets/sheetN.bin``: BrtBeginSheet, BrtWsDim (the used range), BrtBeginSheetData, for each
  row a BrtRowHdr then its cells (BrtCellReal for numbers, BrtCellIsst for text through the shared
  strings, or BrtCellSt for text held in the cell), BrtEndSheetData, BrtEndSheet;
- ``xl/sharedStrings.bin``: BrtBeginSst, one BrtSSTItem per distinct text, BrtEndSst;
- the package parts: ``[Content_Types].xml``, ``_rels/.rels``, ``xl/_rels/workbook.bin.rels``.

Strings are "wide strings": a 4-byte character count and UTF-16LE. No styles part: cells use style 0.
``far_cell`` places one more value at a given (row, column), as a stray value far below the data does.
"""

from __future__ import annotations

import struct
from pathlib import Path

BEGIN_BOOK, END_BOOK, BEGIN_SHEETS, END_SHEETS, SHEET = 0x83, 0x84, 0x8F, 0x90, 0x9C
BEGIN_SHEET, END_SHEET, DIMENSION, BEGIN_DATA, END_DATA = 0x81, 0x82, 0x94, 0x91, 0x92
ROW, CELL_REAL, CELL_TEXT, CELL_SHARED = 0x00, 0x05, 0x06, 0x07
BEGIN_SST, SST_ITEM, END_SST = 0x9F, 0x13, 0xA0
HIDDEN = 1


# the record primitives are the program's own (its self-test writes an .xlsb too)
from explorer.selftest_xlsb import _record as record, _wide as wide, write_package  # noqa: E402


def _workbook(sheets: list[tuple[str, bool]]) -> bytes:
    out = record(BEGIN_BOOK) + record(BEGIN_SHEETS)
    for i, (name, visible) in enumerate(sheets, start=1):
        out += record(SHEET, struct.pack("<II", 0 if visible else HIDDEN, i) + wide(f"rId{i}") + wide(name))
    return out + record(END_SHEETS) + record(END_BOOK)


def _sheet(rows: list[list], strings: dict[str, int], inline_text: bool, far_cell: tuple[int, int] | None) -> bytes:
    width = max([len(r) for r in rows] + [1])
    last_row, last_col = (max(len(rows) - 1, 0), width - 1) if far_cell is None else far_cell
    out = [record(BEGIN_SHEET), record(DIMENSION, struct.pack("<IIII", 0, last_row, 0, last_col)), record(BEGIN_DATA)]
    cells = [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row)]
    if far_cell is not None:
        cells.append((far_cell[0], far_cell[1], 1.0))
    current = None
    for r, c, value in cells:
        if value is None or value == "":
            continue
        if r != current:
            out.append(record(ROW, struct.pack("<IIHHBBI", r, 0, 0, 0, 0, 0, 0)))  # row, style, height, flags, spans
            current = r
        head = struct.pack("<II", c, 0)  # column, then style 0 and no flags
        if isinstance(value, str):
            if inline_text:
                out.append(record(CELL_TEXT, head + wide(value)))
            else:
                index = strings.setdefault(value, len(strings))
                out.append(record(CELL_SHARED, head + struct.pack("<I", index)))
        else:
            out.append(record(CELL_REAL, head + struct.pack("<d", float(value))))
    return b"".join(out + [record(END_DATA), record(END_SHEET)])


def _shared_strings(strings: dict[str, int]) -> bytes:
    items = [record(SST_ITEM, b"\x00" + wide(text)) for text in strings]  # in index order (dicts keep it)
    return b"".join([record(BEGIN_SST, struct.pack("<II", len(strings), len(strings)))] + items + [record(END_SST)])


def write_xlsb(path: Path, sheets: dict[str, list[list]], *, hidden: tuple[str, ...] = (), inline_text: bool = False,
               far_cell: tuple[int, int] | None = None) -> Path:
    """Write ``sheets`` (name -> rows of numbers, text or None) as an .xlsb workbook at ``path``.
    ``far_cell`` (0-based row, column) adds one stray value to the first sheet."""
    strings: dict[str, int] = {}
    parts = {}
    for i, (name, rows) in enumerate(sheets.items(), start=1):
        parts[f"xl/worksheets/sheet{i}.bin"] = _sheet(rows, strings, inline_text, far_cell if i == 1 else None)
    parts["xl/workbook.bin"] = _workbook([(name, name not in hidden) for name in sheets])
    if strings:
        parts["xl/sharedStrings.bin"] = _shared_strings(strings)
    return write_package(path, parts, len(sheets))
