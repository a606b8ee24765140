"""Exports (the Excel board pack, CSV): they render the engine's Results and never compute statistics. Qt-free."""

from explorer.export.csvfile import write_csv
from explorer.export.excel import ExportError
from explorer.export.pack import Pack, PackOptions, gather
from explorer.export.workbook import write_pack

__all__ = ["ExportError", "Pack", "PackOptions", "gather", "write_csv", "write_pack"]
