"""File → Export board pack… (Ctrl+E): what goes in the pack, then writing it in a worker with
progress and Cancel, and "Open containing folder" when it is done. The pack itself is made by
:mod:`explorer.export` from the session's Results; nothing is worked out here."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
    QVBoxLayout, QWidget,
)

from explorer.core.session import Session
from explorer.core.viewspec import LENSES, ViewSpec
from explorer.export import ExportError, PackOptions, gather, write_csv, write_pack
from explorer.export.csvfile import pack_results


def export_job(session: Session, spec: ViewSpec, options: PackOptions, path: str, csv_path: str | None,
               template: list[str], progress) -> str:
    """Runs in the worker: gather the figures (most of the time), then write the workbook (and CSV).
    ``template``: what a template could not match, for the Notes sheet."""
    def part(start: float, width: float):
        return lambda fraction, message: progress(start + width * fraction, message)

    pack = gather(session, spec, options, progress=part(0.0, 0.7))
    pack.template = list(template)
    write_pack(pack, path, progress=part(0.7, 0.25))
    if csv_path:  # no progress report (which is where Cancel stops the work): the workbook is saved by now
        write_csv(pack_results(pack), csv_path)
    return path


class ExportDialog(QDialog):
    """Which lenses, whether to include the compare-by groups, the protective marking, title and author."""

    def __init__(self, spec: ViewSpec, settings: QSettings, lens_names: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export board pack")
        self.settings = settings
        outer = QVBoxLayout(self)
        intro = QLabel("An Excel workbook for the board: findings in words, each lens's figures with native charts "
                       "beside their tables, the groups side by side, and notes on where the figures come from. "
                       "It shows exactly the current selection; no figure on fewer people than the threshold.", self)
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        lenses = QHBoxLayout()
        self.lenses: dict[str, QCheckBox] = {}
        for lens in LENSES:
            box = QCheckBox(lens_names[lens], self)
            box.setChecked(True)
            box.setAccessibleName(f"Include {lens_names[lens]}")
            box.setAccessibleDescription("Include this lens's sheet and its findings in the pack.")
            box.toggled.connect(self._check)
            lenses.addWidget(box)
            self.lenses[lens] = box
        form.addRow("Lenses:", lenses)
        by = " and ".join(spec.breakdown)
        self.breakdowns = QCheckBox(f"Compare by {by}" if by else "No 'compare by' column is chosen", self)
        self.breakdowns.setChecked(bool(by))
        self.breakdowns.setEnabled(bool(by))
        self.breakdowns.setAccessibleName("Include the compare-by groups")
        self.breakdowns.setAccessibleDescription("Charts of each group and the Breakdowns sheet. Choose a "
                                                 "'compare by' column on the left first to have groups.")
        form.addRow("Groups:", self.breakdowns)
        self.marking = self._line(settings.value("export/marking", "OFFICIAL"), "Protective marking",
                                  "Printed at the top and bottom of every page (for example OFFICIAL-SENSITIVE).")
        form.addRow("&Protective marking:", self.marking)
        self.title = self._line("", "Title", "Leave empty for 'NHS Staff Survey <year>: <organisation>'.")
        self.title.setPlaceholderText("NHS Staff Survey <year>: <organisation>")
        form.addRow("&Title:", self.title)
        self.author = self._line(settings.value("export/author", ""), "Author",
                                 "Saved in the workbook's document properties.")
        form.addRow("&Author:", self.author)
        self.csv = QCheckBox("Also save every figure as CSV (beside the workbook)", self)
        self.csv.setAccessibleName("Also save the figures as CSV")
        form.addRow("", self.csv)
        outer.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("&Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setAccessibleName("Choose where to save the board pack")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    def _line(self, value, name: str, description: str) -> QLineEdit:
        line = QLineEdit(str(value or ""), self)
        line.setAccessibleName(name)
        line.setAccessibleDescription(description)
        line.setMaxLength(60 if name == "Protective marking" else 120)
        return line

    def _check(self) -> None:
        self.export_button.setEnabled(any(b.isChecked() for b in self.lenses.values()))

    def options(self) -> PackOptions:
        self.settings.setValue("export/marking", self.marking.text().strip())
        self.settings.setValue("export/author", self.author.text().strip())
        return PackOptions(lenses=tuple(lens for lens, b in self.lenses.items() if b.isChecked()),
                           breakdowns=self.breakdowns.isChecked(), marking=self.marking.text().strip() or "OFFICIAL",
                           title=self.title.text().strip(), author=self.author.text().strip())


def default_name(organisation: str | None, year: int | None) -> str:
    words = " ".join(x for x in ("Board pack", str(year or ""), organisation or "") if x)
    return re.sub(r'[<>:"/\\|?*]+', " ", words).strip()[:100] + ".xlsx"


def ask_target(parent: QWidget, settings: QSettings, name: str) -> str | None:
    """Where to save: a .xlsx in the folder used last time."""
    folder = settings.value("export/folder", str(Path.home()))
    path, _ = QFileDialog.getSaveFileName(parent, "Save the board pack", str(Path(folder) / name),
                                          "Excel workbook (*.xlsx)")
    if not path:
        return None
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    settings.setValue("export/folder", str(Path(path).parent))
    return path


def done(parent: QWidget, path: str) -> None:
    """Say where the pack is, with a way to its folder."""
    box = QMessageBox(QMessageBox.Icon.Information, "Board pack saved", f"The board pack is saved as {path}.",
                      QMessageBox.StandardButton.Close, parent)
    folder = box.addButton("&Open containing folder", QMessageBox.ButtonRole.ActionRole)
    box.exec()
    if box.clickedButton() is folder:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


def failed(parent: QWidget, message: str, error: object) -> bool:
    """One sentence; when the target is locked (open in Excel), offer another name. True: try again."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Board pack not saved", message, QMessageBox.StandardButton.Close,
                      parent)
    again = None
    if isinstance(error, ExportError) and "open in Excel" in message:
        again = box.addButton("Save under &another name…", QMessageBox.ButtonRole.ActionRole)
    box.exec()
    return again is not None and box.clickedButton() is again
