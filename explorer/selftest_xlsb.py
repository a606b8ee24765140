"""A minimal Excel binary workbook (.xlsb) writer, so ``--self-test`` can prove the installed program
reads .xlsb without importing the tests (tests/xlsb_writer.py is the fuller version the tests use).

No Python library writes .xlsb, so the workbook is built record by record (MS-XLSB, "BIFF12"): a record
is its type and its payload's length, each a little-endian base-128 number, then the payload. Written:
``xl/workbook.bin`` (one BrtBundleSh per sheet), ``xl/worksheets/sheetN.bin`` (BrtWsDim, a BrtRowHdr
per row, BrtCellReal for numbers and BrtCellIsst for text), ``xl/sharedStrings.bin`` and the package
parts. Strings are 4-byte character counts and UTF-16LE; cells use style 0.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

BEGIN_BOOK, END_BOOK, BEGIN_SHEETS, END_SHEETS, SHEET = 0x83, 0x84, 0x8F, 0x90, 0x9C
BEGIN_SHEET, END_SHEET, DIMENSION, BEGIN_DATA, END_DATA = 0x81, 0x82, 0x94, 0x91, 0x92
ROW, CELL_REAL, CELL_SHARED = 0x00, 0x05, 0x07
BEGIN_SST, SST_ITEM, END_SST = 0x9F, 0x13, 0xA0
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_BOOK_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _record(kind: int, payload: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def _sheet(rows: list[list], strings: dict[str, int]) -> bytes:
    width = max([len(r) for r in rows] + [1])
    out = [_record(BEGIN_SHEET), _record(DIMENSION, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1)),
           _record(BEGIN_DATA)]
    for r, row in enumerate(rows):
        out.append(_record(ROW, struct.pack("<IIHHBBI", r, 0, 0, 0, 0, 0, 0)))
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            head = struct.pack("<II", c, 0)
            if isinstance(value, str):
                out.append(_record(CELL_SHARED, head + struct.pack("<I", strings.setdefault(value, len(strings)))))
            else:
                out.append(_record(CELL_REAL, head + struct.pack("<d", float(value))))
    return b"".join(out + [_record(END_DATA), _record(END_SHEET)])


def write_xlsb(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write ``sheets`` (name -> rows of numbers, text or None) as an .xlsb workbook at ``path``."""
    strings: dict[str, int] = {}
    parts: dict[str, bytes | str] = {f"xl/worksheets/sheet{i}.bin": _sheet(rows, strings)
                                     for i, rows in enumerate(sheets.values(), start=1)}
    book = _record(BEGIN_BOOK) + _record(BEGIN_SHEETS)
    for i, name in enumerate(sheets, start=1):
        book += _record(SHEET, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name))
    parts["xl/workbook.bin"] = book + _record(END_SHEETS) + _record(END_BOOK)
    parts["xl/sharedStrings.bin"] = b"".join(
        [_record(BEGIN_SST, struct.pack("<II", len(strings), len(strings)))]
        + [_record(SST_ITEM, b"\x00" + _wide(text)) for text in strings] + [_record(END_SST)])
    return write_package(path, parts, len(sheets))


def write_package(path: Path, parts: dict[str, bytes | str], sheets: int) -> Path:
    """Zip the binary parts (``xl/workbook.bin``, ``xl/worksheets/sheetN.bin`` for N = 1..``sheets``, and
    ``xl/sharedStrings.bin`` if present) with the content types and relationships that make an .xlsb."""
    parts = dict(parts)
    numbers = range(1, sheets + 1)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.bin" '
                        'ContentType="application/vnd.ms-excel.worksheet"/>' for i in numbers)
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.bin"/>'
                   for i in numbers)
    if "xl/sharedStrings.bin" in parts:
        overrides += '<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/>'
        rels += f'<Relationship Id="rIdS" Type="{_RELS}/sharedStrings" Target="sharedStrings.bin"/>'
    parts["[Content_Types].xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="bin" ContentType="{_BOOK_TYPE}"/>'
        f'<Override PartName="/xl/workbook.bin" ContentType="{_BOOK_TYPE}"/>{overrides}</Types>')
    parts["_rels/.rels"] = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE}/relationships">'
                            f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.bin"/>'
                            '</Relationships>')
    parts["xl/_rels/workbook.bin.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE}/relationships">{rels}'
        '</Relationships>')
    order = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.bin", "xl/_rels/workbook.bin.rels"]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in order + [n for n in parts if n not in order]:
            data = parts[name]
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path
