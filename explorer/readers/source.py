"""Open a spreadsheet file read-only, find out what format it really is, decrypt it in memory.

The user's file is opened once, for reading, and never written: workbooks are read into memory
(and decrypted there when password-protected); CSV/text files are read by pandas from the path.
The format is decided from the content, not the file name, so a renamed PDF or a web page saved
as ".xls" gets a clear sentence instead of a traceback.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from python_calamine import CalamineError, CalamineWorkbook

from explorer.readers.errors import PasswordRequired, ReadError, WrongPassword

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_MAX_ROWS = 1_048_576
SNIFF_BYTES = 256 * 1024

PasswordSource = str | Callable[[str], str | None] | None


@dataclass(frozen=True)
class SheetInfo:
    name: str
    visible: bool = True


@dataclass
class Source:
    """A spreadsheet opened for reading. Workbooks are held in memory; text files stay on disk."""

    path: Path
    format: str  # xlsx | xlsm | xlsb | xls | ods | csv
    encrypted: bool = False
    encoding: str | None = None  # csv only
    delimiter: str | None = None  # csv only
    compression: str | None = None  # csv only: "gzip" for .csv.gz
    _workbook: CalamineWorkbook | None = field(default=None, repr=False)
    _data: bytes | None = field(default=None, repr=False)
    _sheet_cache: dict = field(default_factory=dict, repr=False)
    too_large: dict = field(default_factory=dict, repr=False)  # sheet -> why it is not read
    _extent_checked: set = field(default_factory=set, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_text(self) -> bool:
        return self.format == "csv"

    def sheets(self) -> list[SheetInfo]:
        if self.is_text:
            return [SheetInfo(self.path.stem)]
        out = []
        for meta in self._workbook.sheets_metadata:
            if "WorkSheet" not in str(meta.typ):
                continue  # chart sheets, macro sheets
            out.append(SheetInfo(meta.name, visible="Visible" in str(meta.visible) and "Hidden" not in str(meta.visible)))
        return out

    def _sheet(self, name: str):
        if name not in self._sheet_cache:
            if self.format in ("xlsx", "xlsm", "xlsb"):
                self._check_extent(name)  # before calamine: it makes the whole range at once
                if name in self.too_large:
                    raise ReadError(self.path, self.too_large[name])
            try:
                self._sheet_cache[name] = self._workbook.get_sheet_by_name(name)
            except (CalamineError, OSError, ValueError) as exc:  # a cut .xlsb record is an OSError
                raise ReadError(self.path, f"the sheet '{name}' is damaged ({_short(exc)})") from None
        return self._sheet_cache[name]

    def rows(self, name: str, limit: int | None = None) -> list[list]:
        """Cell values of a sheet, top to bottom (``limit`` rows at most). Blank cells are ''.
        A sheet too large to read is empty to a look at its first rows (a notes sheet with a stray far
        cell must not stop the data sheet being found) and a one-sentence error to a full read."""
        if self.is_text:
            return self.text_rows(limit)
        if limit is not None:
            try:
                sheet = self._sheet(name)
            except ReadError:
                if name in self.too_large:
                    return []
                raise
        else:
            sheet = self._sheet(name)
        try:
            if limit is None:
                return sheet.to_python(skip_empty_area=False)
            return sheet.to_python(skip_empty_area=False, nrows=limit)
        except CalamineError as exc:
            raise ReadError(self.path, f"the sheet '{name}' is damaged ({_short(exc)})") from None

    def _check_extent(self, name: str) -> None:
        """Refuse a sheet whose cells span far more than memory can hold (one stray value at XFD1048576
        made calamine ask for 512 GB and abort the process, which no handler can catch)."""
        if name in self._extent_checked:
            return
        self._extent_checked.add(name)
        measure = xlsb_sheet_extent if self.format == "xlsb" else sheet_extent
        extent = measure(self._data or b"", name)
        if extent is None:
            return
        rows, columns = extent
        if rows * columns > MAX_CELLS:
            self.too_large[name] = (f"the sheet '{name}' spans {rows:,} rows and {columns:,} columns, far more than "
                                    "its data can need (usually a stray value or format far below or right of the "
                                    "data): delete the empty rows and columns after the data in Excel, save, and "
                                    "open it again")

    def merged_ranges(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        if self.is_text:
            return []
        ranges = self._sheet(name).merged_cell_ranges
        return list(ranges or [])

    def text_rows(self, limit: int | None = 60) -> list[list[str]]:
        """The first rows of a CSV/text file, parsed with its own delimiter and encoding."""
        opener = gzip.open if self.compression == "gzip" else open
        with opener(self.path, "rt", encoding=self.encoding, newline="") as fh:
            csv.field_size_limit(2**31 - 1)  # a long comment is no error (the default limit is 128 KiB)
            reader = csv.reader(fh, delimiter=self.delimiter)
            out = []
            try:
                for row in reader:
                    out.append(row)
                    if limit is not None and len(out) >= limit:
                        break
            except csv.Error:
                raise ReadError(self.path, unbalanced_quote()) from None
        return out

    def raw_bytes(self) -> bytes:
        """The (decrypted) workbook bytes, for checks calamine cannot make (formula cells)."""
        return self._data or b""

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()


MAX_CELLS = 50_000_000  # a sheet's rows x columns that may be read at once (about 2 GB in calamine)
# a cell that holds something (not self-closing: a styled empty cell, which calamine skips, is "<c .../>"),
# its reference in any attribute position
_VALUED = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*(?<!/)>')
_FAR = re.compile(rb' r="(?:[A-Z]{3}\d+|[A-Z]{1,3}\d{7})"')  # beyond column ZZ or row 999,999 (cheap)
_UNNAMED = re.compile(rb'<(?:\w+:)?c(?: (?:t|s|cm|vm|ph)="[^"]*")*\s*>')  # a cell with a value and no reference


def unbalanced_quote(line: int | None = None) -> str:
    where = f" (on line {line:,})" if line else ""
    return (f"a quotation mark{where} is never closed, so one value runs on to the end of the file; "
            "correct it in a text editor, or export the file again")


def _zip_part(data: bytes, name: str, find) -> bytes | None:
    """The bytes of sheet ``name``'s part in a workbook package (``find(zipfile, name)`` names the part),
    or None when the package or the part cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = find(zf, name)
            return None if part is None else zf.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, struct.error):  # SyntaxError: bad XML
        return None


def sheet_extent(data: bytes, name: str) -> tuple[int, int] | None:
    """(rows, columns) the cells holding something span in a workbook sheet, read from its XML without
    making the range (its dimension tag can lie, so it is not used; a styled empty cell, which calamine
    skips, does not count). A sheet whose cells all lie within column ZZ and row 999,999 is passed at
    once: data that large are data, not a stray cell. None when it cannot be told."""
    xml = _zip_part(data, name, _sheet_part)
    if xml is None:
        return None
    # writers put a cell's reference first ('<c r="A1" ...'): only another order is worth the regex
    unnamed = any(tag in xml for tag in (b"<c>", b'<c t="', b'<c s="')) and _UNNAMED.search(xml) is not None
    if not unnamed and not _FAR.search(xml):
        return None  # nothing beyond ZZ999999 (and every cell says where it is): small enough
    if unnamed:  # cells without a reference follow on from the last: count rows and cells
        rows = xml.count(b"<row") or 1
        widest = max((len(_VALUED.findall(r)) + len(_UNNAMED.findall(r)) for r in xml.split(b"</row>")), default=1)
        return rows, max(1, widest)
    top = left = None
    bottom = right = 0
    for col, row in _VALUED.findall(xml):
        c, r = _column_number(col), int(row)
        bottom, right = max(bottom, r), max(right, c)
        top = r if top is None else min(top, r)
        left = c if left is None else min(left, c)
    return (0, 0) if top is None else (bottom - top + 1, right - left + 1)


def _sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    from xml.etree import ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(rel) for s in book.iter(f"{main}sheet") if s.get("name") == name), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


# ------------------------------------------------------------------ Excel binary (.xlsb)
# MS-XLSB records: a type and a payload length (little-endian base-128 numbers), then the payload
_XLSB_ROW, _XLSB_SHEET, _XLSB_END_SHEETS, _XLSB_END_DATA = 0x00, 0x9C, 0x90, 0x92
_XLSB_CELLS = range(0x02, 0x0C)  # cells holding a value (numbers, text, booleans, errors, formula results)
# a run of fixed-size value cells in columns A..SR (column number below 512: its 2nd byte 0 or 1), which
# cannot lie far right, skipped in C; anything else (row headers, text held in the cell) is read one by one
_XLSB_NEAR_CELLS = re.compile(
    rb"(?:\x05\x10.[\x00\x01]\x00\x00.{12}|[\x02\x07]\x0c.[\x00\x01]\x00\x00.{8}|[\x03\x04]\x09.[\x00\x01]\x00\x00.{5})+",
    re.DOTALL)
_XLSB_NEAR_WIDTH = 512


def _xlsb_records(buf: bytes, pos: int = 0):
    """(type, payload start, payload end) of each record from ``pos``; stops at a truncated record."""
    n = len(buf)
    while pos < n:
        kind = buf[pos]
        pos += 1
        if kind & 0x80:
            if pos >= n:
                return
            kind = (kind & 0x7F) | ((buf[pos] & 0x7F) << 7)
            pos += 1
        size, shift = 0, 0
        while pos < n and shift < 28:
            byte = buf[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > n:
            return
        yield kind, pos, pos + size
        pos += size


def _u32(buf: bytes, pos: int) -> int:
    return struct.unpack_from("<I", buf, pos)[0] if pos + 4 <= len(buf) else 0


def xlsb_sheet_extent(data: bytes, name: str) -> tuple[int, int] | None:
    """(rows, columns) the value cells of an .xlsb sheet span, from its records (its dimension record can
    lie, and a row header or a blank styled cell, which calamine skips, does not count). Runs of cells in
    the first 512 columns are skipped in C and counted as reaching column 512; only when that rough
    extent is too large is every cell read for the exact one. None when it cannot be told."""
    sheet = _zip_part(data, name, _xlsb_sheet_part)
    if sheet is None:
        return None
    rows, columns = _xlsb_extent(sheet, skip_near=True)
    if rows * columns > MAX_CELLS:
        rows, columns = _xlsb_extent(sheet, skip_near=False)
    return rows, columns


def _xlsb_extent(sheet: bytes, skip_near: bool) -> tuple[int, int]:
    span = _Span()
    pos, n = 0, len(sheet)
    while pos < n:
        run = _XLSB_NEAR_CELLS.match(sheet, pos) if skip_near else None
        if run is not None:
            span.cell(0)
            span.cell(_XLSB_NEAR_WIDTH - 1)
            pos = run.end()
            continue
        for kind, start, end in _xlsb_records(sheet, pos):
            pos = end
            if kind == _XLSB_ROW:
                span.row = _u32(sheet, start)
            elif kind in _XLSB_CELLS:
                span.cell(_u32(sheet, start))
            elif kind == _XLSB_END_DATA:
                return span.extent()
            if skip_near:
                break  # back to skipping runs of cells
        else:
            break  # the end of the sheet, or a truncated record
    return span.extent()


class _Span:
    """The rows and columns value cells reach, cell by cell."""

    def __init__(self) -> None:
        self.row, self.top, self.bottom, self.left, self.right = 0, None, 0, None, 0

    def cell(self, col: int) -> None:
        self.top = self.row if self.top is None else min(self.top, self.row)
        self.left = col if self.left is None else min(self.left, col)
        self.bottom, self.right = max(self.bottom, self.row), max(self.right, col)

    def extent(self) -> tuple[int, int]:
        return (0, 0) if self.top is None else (self.bottom - self.top + 1, self.right - self.left + 1)


def _xlsb_sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip part holding the .xlsb sheet ``name`` (workbook.bin names it by relationship id)."""
    from xml.etree import ElementTree as ET

    book = zf.read("xl/workbook.bin")
    rid = None
    for kind, start, end in _xlsb_records(book):
        if kind == _XLSB_END_SHEETS:
            break
        if kind != _XLSB_SHEET:
            continue
        chars = _u32(book, start + 8)  # after the sheet's state and tab id: its relationship id, then its name
        if chars == 0xFFFFFFFF:
            continue
        rel_end = start + 12 + 2 * chars
        sheet_name = book[rel_end + 4:rel_end + 4 + 2 * _u32(book, rel_end)].decode("utf-16-le", "replace")
        if sheet_name == name:
            rid = book[start + 12:rel_end].decode("utf-16-le", "replace")
            break
    rels = ET.fromstring(zf.read("xl/_rels/workbook.bin.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None) if rid else None
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# ---------------------------------------------------------------------------- opening
def open_source(path: str | Path, password: PasswordSource = None) -> Source:
    """Open ``path`` read-only as a spreadsheet; raise :class:`ReadError` with one clear sentence."""
    path = Path(path)
    data = _read_bytes(path)
    if not data:
        raise ReadError(path, "the file is empty")
    head = data[:8]
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _open_zip(path, data)
    if head == OLE_MAGIC:
        return _open_ole(path, data, password)
    if head.startswith(b"\x1f\x8b"):  # a gzip-compressed text table (.csv.gz)
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                text_head = gz.read(SNIFF_BYTES)
        except (OSError, EOFError):
            raise ReadError(path, "the compressed file is damaged or incomplete") from None
        source = _open_text(path, text_head)
        source.compression = "gzip"
        return source
    return _open_text(path, data)


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:  # read-only: the user's file is never written
            return fh.read()
    except FileNotFoundError:
        raise ReadError(path, "the file does not exist (it may have been moved or renamed)") from None
    except IsADirectoryError:
        raise ReadError(path, "it is a folder, not a file") from None
    except PermissionError:
        raise ReadError(path, "another program has locked the file or you may not read it; close it there and try again") from None
    except OSError as exc:
        raise ReadError(path, f"the file could not be read ({exc.strerror or exc})") from None


def _calamine(path: Path, data: bytes, fmt: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for damaged files
        kind = {"ods": "OpenDocument", "xls": "Excel 97-2003", "xlsb": "Excel binary"}.get(fmt, "Excel")
        raise ReadError(path, f"the {kind} file is damaged or incomplete ({_short(exc)})") from None


def _open_zip(path: Path, data: bytes) -> Source:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
            manifest = zf.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError):
        raise ReadError(path, "the file is damaged or incomplete (it may not have finished copying or downloading)") from None
    if "xl/workbook.bin" in names:
        fmt = "xlsb"  # Excel binary workbook: calamine reads it as it reads .xlsx
    elif "xl/workbook.xml" in names:
        fmt = "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    elif mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        if b"encryption-data" in manifest:
            raise ReadError(path, "it is a password-protected OpenDocument file; save a copy without a password and open that")
        fmt = "ods"
    elif "word/document.xml" in names or mimetype.endswith(".text"):
        raise ReadError(path, "it is a word-processor document, not a spreadsheet")
    elif any(n.startswith("ppt/") for n in names):
        raise ReadError(path, "it is a PowerPoint presentation, not a spreadsheet")
    else:
        raise ReadError(path, "it is a zip archive that holds no spreadsheet (unzip it and open the spreadsheet inside)")
    return Source(path=path, format=fmt, _workbook=_calamine(path, data, fmt), _data=data)


def _open_ole(path: Path, data: bytes, password: PasswordSource) -> Source:
    import olefile  # a dependency of msoffcrypto-tool

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        streams = {"/".join(s) for s in ole.listdir()}
        ole.close()
    except Exception:  # noqa: BLE001 - any failure here means a damaged container
        raise ReadError(path, "the file is damaged or incomplete (it may not have finished copying or downloading)") from None
    if "EncryptionInfo" in streams and "EncryptedPackage" in streams:
        decrypted = _decrypt(path, data, password)
        source = _open_zip(path, decrypted)
        source.encrypted = True
        return source
    if "Workbook" in streams or "Book" in streams:
        if _xls_is_encrypted(data):
            decrypted = _decrypt(path, data, password)
            return Source(path=path, format="xls", encrypted=True, _workbook=_calamine(path, decrypted, "xls"), _data=decrypted)
        return Source(path=path, format="xls", _workbook=_calamine(path, data, "xls"), _data=data)
    if "WordDocument" in streams:
        raise ReadError(path, "it is a Word document, not a spreadsheet")
    raise ReadError(path, "it is an Office file that holds no spreadsheet")


def _xls_is_encrypted(data: bytes) -> bool:
    try:
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - if msoffcrypto cannot tell, calamine will report problems
        return False


def _decrypt(path: Path, data: bytes, password: PasswordSource) -> bytes:
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    secret = password(path.name) if callable(password) else password
    if not secret:
        raise PasswordRequired(path)
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=secret)
        out = io.BytesIO()  # decrypted in memory only: never written to disk
        office.decrypt(out)
    except InvalidKeyError:
        raise WrongPassword(path) from None
    except DecryptionError as exc:
        if "password" in str(exc).lower() or "key" in str(exc).lower():
            raise WrongPassword(path) from None
        raise ReadError(path, f"it could not be decrypted ({_short(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - unsupported encryption and damaged containers
        raise ReadError(path, f"it could not be decrypted ({_short(exc)})") from None
    return out.getvalue()


# ------------------------------------------------------------------------------- text
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _open_text(path: Path, data: bytes) -> Source:
    head = data[:SNIFF_BYTES]
    if head.startswith(b"%PDF"):
        raise ReadError(path, "it is a PDF document, not a spreadsheet")
    if head[:4] in (b"\x89PNG", b"GIF8") or head[:3] == b"\xff\xd8\xff":
        raise ReadError(path, "it is a picture, not a spreadsheet")
    encoding = _detect_encoding(head)
    if encoding is None:
        raise ReadError(path, "it is not a spreadsheet or a text table (it holds binary data)")
    text = head.decode(encoding, errors="replace")
    lowered = text.lstrip()[:2000].lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<table" in lowered[:2000]:
        raise ReadError(path, "it is a web page saved with a spreadsheet name; open it in Excel and save it as .xlsx")
    if lowered.startswith("<?xml"):
        raise ReadError(path, "it is an XML file, not a spreadsheet Excel or LibreOffice saved as .xlsx, .xls, .ods or .csv")
    delimiter = _detect_delimiter(text, path)
    return Source(path=path, format="csv", encoding=encoding, delimiter=delimiter)


def _detect_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _NOT_TEXT.search(head):
        return None
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the sniffing window
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _cells(line: str, delimiter: str) -> int:
    """How many cells ``line`` splits into (1 when it cannot be split: a very long line with none of
    this delimiter is one over-long field, which the csv module refuses)."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except csv.Error:
        return 1


def _detect_delimiter(text: str, path: Path) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise ReadError(path, "the file holds no rows")
    best, best_score = ",", -1.0
    for delim in (",", "\t", ";", "|"):
        counts = [_cells(line, delim) for line in lines]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        common = max(set(wide), key=wide.count)
        score = wide.count(common) * common
        if score > best_score:
            best, best_score = delim, score
    if best_score < 0:
        # one column: still a table (a single list of answers), comma is as good as any
        return ","
    return best
