"""openpyxl plumbing for the board pack: safe text, tables with styles and widths, print setup,
chart alt text, and saving without ever leaving a half-written file. Qt-free.

Facts this relies on (../shared/design/PACKAGING-AND-EXPORTS.md): openpyxl never sizes columns; fit
to page width needs ``sheet_properties.pageSetUpPr.fitToPage``; it has no API for chart alt text
(the drawing XML's ``cNvPr/@descr`` carries it); write values, not formulas.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

NHS_BLUE = "005EB8"
DARK = "212B32"
GREY = "768692"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FONT = "Arial"  # on every Windows machine; LibreOffice draws it with a metric-compatible font
TITLE = Font(name=FONT, bold=True, size=16, color=NHS_BLUE)
HEADING = Font(name=FONT, bold=True, size=12, color=DARK)
BOLD = Font(name=FONT, bold=True, color=DARK)
NOTE = Font(name=FONT, italic=True, color=GREY)
BODY = Font(name=FONT, size=10, color=DARK)
HEADER = Font(name=FONT, size=10, bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LEFT = Alignment(horizontal="left", vertical="top")
WITHHELD_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor=NHS_BLUE)
FORMATS = {"%": '0.0"%"', "score": "0.00", "n": "#,##0", "change%": '+0.0" pts";-0.0" pts";0.0" pts"',
           "changescore": "+0.00;-0.00;0.00", "plain": "0.00"}


class ExportError(OSError):
    """A pack could not be written: one sentence for the person (the old file, if any, is untouched)."""


def put(ws, row: int, column: int, value, number_format: str | None = None, font: Font | None = None,
        alignment: Alignment | None = None):
    """Write one cell. Text (which may come from the person's file: group names, local questions)
    is always stored as text, so a name starting with = + - @ can never run as a formula."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    if number_format and not isinstance(value, str):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def table_name(*parts: str, used: set[str]) -> str:
    """A valid, unique Excel table name from readable parts ("Trust_PP7_2_trend")."""
    base = re.sub(r"\W+", "_", "_".join(p for p in parts if p)).strip("_")[:200] or "Table"
    if not re.match(r"[A-Za-z_]", base[0]) or re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", base):
        base = "T_" + base  # a name may not start with a digit nor look like a cell reference
    name, i = base, 2
    while name.casefold() in used:
        name, i = f"{base}_{i}", i + 1
    used.add(name.casefold())
    return name


def write_table(ws, top: int, left: int, headers: list[str], rows: list[list], name: str,
                formats: list | None = None, withheld: list[bool] | None = None) -> tuple[int, int]:
    """A styled Excel table at (top, left): a header row, then ``rows``. ``formats`` gives each
    column's number format (or a per-row list). Returns (first data row, last data row)."""
    headers = _unique_headers(headers)
    for j, h in enumerate(headers):  # styled in the cells too: LibreOffice does not draw table styles
        cell = put(ws, top, left + j, h, font=HEADER, alignment=WRAP)
        cell.fill = HEADER_FILL
    for i, line in enumerate(rows, start=1):
        for j, value in enumerate(line):
            fmt = formats[j] if formats else None
            if isinstance(fmt, list):
                fmt = fmt[i - 1]
            align = WRAP if isinstance(value, str) else LEFT if j == 0 else TOP
            cell = put(ws, top + i, left + j, value, number_format=fmt, font=BODY, alignment=align)
            if withheld and withheld[i - 1]:
                cell.fill = WITHHELD_FILL
    last = top + max(1, len(rows))
    if not rows:  # a table needs a data row: say there is nothing
        put(ws, top + 1, left, "No figures", font=NOTE)
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + len(headers) - 1)}{last}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    return top + 1, last


def paragraph(ws, row: int, text: str, columns: int, width: float, font: Font | None = None) -> None:
    """A sentence across ``columns`` columns (merged: it is prose, not a data table), as tall as its
    wrapped lines need (neither Excel nor LibreOffice sizes a merged row)."""
    put(ws, row, 1, text, font=font or BODY, alignment=WRAP)
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    ws.row_dimensions[row].height = 15 * lines(text, width)


def lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide (a cautious estimate)."""
    usable = max(4.0, width * 1.2 - 1)  # 10-point text in columns sized for 11-point
    return sum(max(1, -(-len(part) // int(usable))) for part in str(text).split("\n"))


def fit_rows(ws, first: int, last: int, widths: dict[int, float]) -> None:
    """Heights for rows whose wrapped text needs more than one line (openpyxl sets none, and
    LibreOffice does not grow a row written without one)."""
    for r in range(first, last + 1):
        need = 1
        for column, width in widths.items():
            cell = ws.cell(r, column)
            if isinstance(cell.value, str) and cell.value:
                bold = cell.font is not None and cell.font.bold
                need = max(need, lines(cell.value, width * (0.8 if bold else 1.0)))
        if need > 1:
            ws.row_dimensions[r].height = 15 * need


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = str(h) or "Column"
        key = h.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(h if seen[key] == 1 else f"{h} ({seen[key]})")
    return out


def fit_columns(ws, caps: dict[int, float], minimum: float = 6, gutter: dict[int, float] | None = None) -> None:
    """Widths from content (openpyxl never sizes columns): each column as wide as its longest line,
    up to its cap in the page's layout (beyond it, text wraps and rows grow: see :func:`fit_rows`).
    ``gutter``: widths for columns with no content of their own (the space between tables and charts)."""
    widths: dict[int, float] = {}
    merged = {cell for rng in ws.merged_cells.ranges for cell in rng.cells}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in merged or cell.column not in caps:
                continue
            text = cell.value if isinstance(cell.value, str) else _shown(cell)
            longest = max((len(line) for line in str(text).split("\n")), default=0)
            bold = cell.font is not None and cell.font.bold
            widths[cell.column] = max(widths.get(cell.column, 0), longest * (1.1 if bold else 1.0) + 2)
    for column, cap in caps.items():
        width = max(minimum, min(cap, widths[column])) if column in widths else (gutter or {}).get(column, cap)
        ws.column_dimensions[get_column_letter(column)].width = width


def _shown(cell) -> str:
    value = cell.value
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_setup(ws, title: str, marking: str, title_rows: str = "1:2") -> None:
    """A4 landscape, one page wide, the title rows on every page, and a header and footer with the
    title, the protective marking and page numbers."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_title_rows = title_rows
    safe_title, safe_marking = _hf(title), _hf(marking)
    ws.oddHeader.left.text = safe_title
    ws.oddHeader.right.text = safe_marking
    ws.oddHeader.right.font = "Arial,Bold"
    ws.oddFooter.left.text = "&A"  # the sheet's name
    ws.oddFooter.center.text = safe_marking
    ws.oddFooter.center.font = "Arial,Bold"
    ws.oddFooter.right.text = "Page &P of &N"


def _hf(text: str) -> str:
    """Header/footer text: & starts a code there, so a literal one is doubled."""
    return text[:100].replace("&", "&&")  # cut first: a halved "&&" would start a code


# ---------------------------------------------------------------------------- alt text and saving
_NS = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
       "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
       "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def add_alt_text(package: bytes, descriptions: dict[str, tuple[str, str]]) -> bytes:
    """Set each chart's alt text (``cNvPr`` ``name``/``descr`` in the drawing XML; openpyxl has no API
    for it). ``descriptions`` maps a chart's part name ("xl/charts/chart3.xml") to (title, text)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", info.filename):
                rels_name = info.filename.replace("drawings/", "drawings/_rels/") + ".rels"
                data = _describe(data, source.read(rels_name), descriptions)
            target.writestr(info, data)
    return out.getvalue()


def _describe(drawing: bytes, rels: bytes, descriptions: dict[str, tuple[str, str]]) -> bytes:
    for prefix, uri in _NS.items():
        if prefix != "rel":
            ET.register_namespace(prefix, uri)
    targets = {r.get("Id"): _part(r.get("Target")) for r in ET.fromstring(rels).findall("rel:Relationship", _NS)}
    root = ET.fromstring(drawing)
    for frame in root.iter(f"{{{_NS['xdr']}}}graphicFrame"):
        chart = frame.find(".//c:chart", _NS)
        props = frame.find("xdr:nvGraphicFramePr/xdr:cNvPr", _NS)
        if chart is None or props is None:
            continue
        found = descriptions.get(targets.get(chart.get(f"{{{_NS['r']}}}id"), ""))
        if found:
            props.set("name", found[0][:250])
            props.set("title", found[0][:250])
            props.set("descr", found[1])
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _part(target: str) -> str:
    """A relationship's target as a part name: absolute ("/xl/charts/chart1.xml", as openpyxl writes
    it) or relative to the drawings folder ("../charts/chart1.xml", as Excel writes it)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return os.path.normpath(os.path.join("xl/drawings", target)).replace(os.sep, "/")


def save_atomically(workbook, path: str | os.PathLike, descriptions: dict) -> Path:
    """Save the workbook (with its charts' alt text) through :func:`write_atomically`."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExportError(f"A board pack is an Excel workbook: give a file name ending in .xlsx, not '{target.name}'.")
    buffer = io.BytesIO()
    workbook.save(buffer)
    charts = {c.path.lstrip("/"): descriptions[id(c)] for ws in workbook.worksheets for c in ws._charts
              if id(c) in descriptions}
    return write_atomically(target, add_alt_text(buffer.getvalue(), charts))


def write_atomically(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target``, then replace ``target`` with it: a crash
    or a full disk leaves the old file as it was, and never a half-written one."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"The folder {folder} does not exist.")
    handle, temporary = None, None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".~sse-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as fh:
            handle = None
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600): give it the old file's mode, else the usual one
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
    except PermissionError:
        if temporary is None:  # the temporary file could not even be made: the folder refuses writing
            raise ExportError(f"{target.name} could not be saved: the folder {folder} cannot be written to; "
                              "save it somewhere else.") from None
        raise ExportError(f"{target.name} could not be replaced: it is probably open in Excel (close it there), or "
                          "the folder is read-only; or save under another name.") from None
    except OSError as exc:
        raise ExportError(f"{target.name} could not be written to {folder} ({exc.strerror or exc}); "
                          "nothing there was changed.") from None
    finally:
        if handle is not None:
            os.close(handle)
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
    return target
