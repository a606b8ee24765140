"""The column-mapping dialog: when the reader cannot tell what a respondent file's columns are, the
user says so — which sheet, which row names the columns, the survey year, and per column its role
(a survey question and which one, a breakdown, a local question, the weight, an id, or ignore).

Pre-filled from what the reader recognises (question codes and wording of that year); savable as
the same JSON ``--mapping`` reads, and reusable next year (Load…). The first rows are read in a
worker (:func:`read_for_mapping`); the file is opened read-only and never changed.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMessageBox, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from explorer.core.questionbank import QuestionBank
from explorer.readers.columns import looks_like_question_header, match_column
from explorer.readers.grid import find_header_row
from explorer.readers.mapping import ColumnMapping, MappingError
from explorer.readers.source import open_source

ROLES = {"question": "Survey question", "breakdown": "Breakdown (filter / compare by)",
         "local": "Local question (agree scale)", "weight": "Weight", "id": "Respondent id", "ignore": "Ignore"}
HEAD_ROWS = 200  # rows read for the dialog: a header may sit below notes


def read_head(path: str, password: str | None = None) -> dict[str, list[list]]:
    """The first rows of every visible sheet (one sentence on failure, from the reader)."""
    source = open_source(path, password)
    try:
        return {info.name: source.rows(info.name, limit=HEAD_ROWS) for info in source.sheets() if info.visible}
    finally:
        source.close()


class MappingDialog(QDialog):
    """Say which column is which; ``mapping()`` is the result."""

    def __init__(self, path: str, bank: QuestionBank, heads: dict[str, list[list]], reason: str = "",
                 parent=None, year: int = 2025) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Which column is which — {Path(path).name}")
        self.setAccessibleName("Column mapping")
        self.bank, self.heads, self.path = bank, heads, path
        self.items = sorted(((i.id, i.short) for i in bank.items.values() if i.positive is not None),
                            key=lambda x: x[1].casefold())
        layout = QVBoxLayout(self)
        intro = QLabel((reason + " " if reason else "") + "Say which column holds what; questions recognised by "
                       "their code or wording are filled in. Save the mapping to reuse it next year.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.sheet = QComboBox(self)
        self.sheet.setAccessibleName("Sheet")
        self.sheet.setAccessibleDescription("The sheet that holds one row per respondent.")
        self.sheet.addItems(list(heads))
        self.sheet.setCurrentIndex(max(range(len(heads)), key=lambda i: self._promise(list(heads)[i]), default=0))
        form.addRow("&Sheet", self.sheet)
        self.header = QSpinBox(self)
        self.header.setRange(1, HEAD_ROWS)
        self.header.setAccessibleName("Header row")
        self.header.setAccessibleDescription("The row (as Excel numbers it) that names the columns.")
        form.addRow("&Header row", self.header)
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        hint = re.search(r"(?<!\d)(20\d\d)(?!\d)", f"{self.sheet.currentText()} {Path(path).stem}")
        if hint:
            self.year.setValue(int(hint.group(1)))
        self.year.setAccessibleName("Survey year")
        self.year.setAccessibleDescription("The survey year the answers are from (question codes change by year).")
        form.addRow("Survey &year", self.year)
        layout.addLayout(form)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Column", "What it holds", "Which question / its wording"])
        self.table.setAccessibleName("Columns and their roles")
        self.table.setAccessibleDescription("One row per column of the sheet: choose what it holds.")
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summary = QLabel("", self)
        self.summary.setAccessibleName("What the mapping says")
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        load = QPushButton("&Load a saved mapping…", self)
        load.setAccessibleName("Load a saved mapping")
        load.setAccessibleDescription("Fill the roles from a mapping saved before (for example last year's).")
        load.clicked.connect(self.load)
        save = QPushButton("Sa&ve this mapping…", self)
        save.setAccessibleName("Save this mapping")
        save.setAccessibleDescription("Write the roles to a JSON file to reuse next year.")
        save.clicked.connect(self.save)
        row.addWidget(load)
        row.addWidget(save)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Open with this mapping")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Open with this mapping")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 620)
        self.sheet.currentIndexChanged.connect(lambda _: self._guess_header())
        self.header.valueChanged.connect(lambda _: self._fill())
        self.year.valueChanged.connect(lambda _: self._fill())
        self._guess_header()

    # ------------------------------------------------------------------ filling
    def _promise(self, sheet: str) -> int:
        """How many survey-question names a sheet's header row has (the likeliest sheet is shown first)."""
        rows = self.heads.get(sheet, [])
        found = find_header_row(rows, lambda text: looks_like_question_header(text, self.bank))
        if found is None:
            return 0
        return sum(looks_like_question_header(str(v), self.bank) for v in rows[found] if str(v).strip())

    def _guess_header(self) -> None:
        rows = self.heads.get(self.sheet.currentText(), [])
        found = find_header_row(rows, lambda text: looks_like_question_header(text, self.bank))
        if found is None:
            found = find_header_row(rows)
        self.header.blockSignals(True)
        self.header.setValue((found or 0) + 1)
        self.header.blockSignals(False)
        self._fill()

    def names(self) -> list[str]:
        return [name for _, name in self._columns()]

    def _columns(self) -> list[tuple[int, str]]:
        """(position in the sheet, name) of each named cell of the header row."""
        rows = self.heads.get(self.sheet.currentText(), [])
        h = self.header.value() - 1
        if h >= len(rows):
            return []
        return [(i, str(v).strip()) for i, v in enumerate(rows[h]) if str(v).strip()]

    def _fill(self, roles: dict[str, dict] | None = None) -> None:
        """One row per column; roles given (a loaded mapping) or chosen already are kept, the rest guessed
        (changing the year or the header row must not throw away what the user said)."""
        if roles is None and self.table.rowCount():
            roles = {name: spec for name, spec in self.mapping().columns.items() if spec["role"] != "ignore"}
        columns = self._columns()
        self.table.setRowCount(len(columns))
        for r, (position, name) in enumerate(columns):
            cell = QTableWidgetItem(name)
            cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, 0, cell)
            given = (roles or {}).get(name)
            if given is None:
                given = self._guess(name, position)
            role = QComboBox(self.table)
            role.setAccessibleName(f"What column {name} holds")
            role.setAccessibleDescription("Survey question, breakdown, local question, weight, respondent id or ignore.")
            for key, words in ROLES.items():
                role.addItem(words, key)
            role.setCurrentIndex(max(0, role.findData(given.get("role"))))
            self.table.setCellWidget(r, 1, role)
            self._detail(r, name, given)
            role.currentIndexChanged.connect(lambda _, r=r, name=name: self._detail(r, name, {"role": self._role(r)}))
        self._summarise()

    def _guess(self, name: str, column: int) -> dict:
        """A question by its code or wording; else, from the rows below the header: a weight, an id,
        or a breakdown (a few text values) — the user checks every guess."""
        match = match_column(name, self.year.value(), self.bank)
        if match.item:
            return {"role": "question", "item": match.item}
        folded = name.casefold()
        if "weight" in folded:
            return {"role": "weight"}
        rows = self.heads.get(self.sheet.currentText(), [])[self.header.value():]
        values = [str(row[column]).strip() for row in rows if column < len(row) and str(row[column]).strip()]
        if re.search(r"\b(id|ref|reference)\b", folded) or (values and len(set(values)) == len(values) > 20):
            return {"role": "id"}
        text = [v for v in values if not v.replace(".", "", 1).isdigit()]
        if values and len(text) == len(values) and len(set(values)) <= 40:
            return {"role": "breakdown"}
        if values and not text and {v.split(".")[0] for v in values} <= set("1234567") and len(name) > 12:
            return {"role": "local", "label": name}  # worded, answered 1-5: a question of the trust's own
        return {"role": "ignore"}

    def _detail(self, r: int, name: str, given: dict) -> None:
        role = given.get("role")
        if role == "question":
            combo = QComboBox(self.table)
            combo.setAccessibleName(f"Which question column {name} holds")
            combo.setAccessibleDescription("The national survey question this column answers.")
            combo.addItem("(choose the question)", None)
            for item_id, short in self.items:
                combo.addItem(short, item_id)
            combo.setCurrentIndex(max(0, combo.findData(given.get("item"))))
            combo.currentIndexChanged.connect(lambda _: self._summarise())
            self.table.setCellWidget(r, 2, combo)
        elif role == "local":
            edit = QLineEdit(given.get("label") or name, self.table)
            edit.setAccessibleName(f"Wording of local question {name}")
            edit.setAccessibleDescription("The question's wording, as charts and the board pack will show it.")
            self.table.setCellWidget(r, 2, edit)
        else:
            self.table.removeCellWidget(r, 2)
        self._summarise()

    def _role(self, r: int) -> str:
        return self.table.cellWidget(r, 1).currentData()

    def _summarise(self) -> None:
        counts: dict[str, int] = {}
        for r in range(self.table.rowCount()):
            if self.table.cellWidget(r, 1) is not None:
                counts[self._role(r)] = counts.get(self._role(r), 0) + 1
        self.summary.setText(", ".join(f"{n} {ROLES[k].split(' (')[0].lower()}{'s' if n > 1 and k != 'ignore' else ''}"
                                       for k, n in counts.items()) or "No columns on this row.")

    # ------------------------------------------------------------------ result
    def mapping(self) -> ColumnMapping:
        columns: dict[str, dict] = {}
        for r in range(self.table.rowCount()):
            name = self.table.item(r, 0).text()
            role = self._role(r)
            spec = {"role": role}
            widget = self.table.cellWidget(r, 2)
            if role == "question":
                if widget is None or widget.currentData() is None:
                    continue  # a question not chosen is left to the reader
                spec["item"] = widget.currentData()
            elif role == "local" and widget is not None:
                spec["label"] = widget.text().strip() or name
            columns[name] = spec
        return ColumnMapping(kind="respondents", sheets=[self.sheet.currentText()], header_row=self.header.value(),
                             year=self.year.value(), columns=columns)

    def accept(self) -> None:
        chosen = self.mapping()
        if not any(spec["role"] == "question" for spec in chosen.columns.values()):
            QMessageBox.warning(self, self.windowTitle(), "Choose at least one column that holds a survey question.")
            return
        super().accept()

    def save(self, path: str | None = None) -> str | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the column mapping", f"{Path(self.path).stem}-mapping.json",
                                                  "Column mappings (*.json)")
        if not path:
            return None
        try:
            self.mapping().save(path)
        except OSError as exc:
            QMessageBox.warning(self, self.windowTitle(), f"The mapping could not be saved: {exc.strerror or exc}.")
            return None
        return path

    def load(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Load a column mapping", "", "Column mappings (*.json)")
        if not path:
            return False
        try:
            saved = ColumnMapping.load(path)
        except MappingError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return False
        if saved.sheets and saved.sheets[0] in self.heads:
            self.sheet.blockSignals(True)
            self.sheet.setCurrentText(saved.sheets[0])
            self.sheet.blockSignals(False)
        if saved.header_row and saved.header_row > HEAD_ROWS:
            QMessageBox.warning(self, self.windowTitle(), f"The mapping's header row {saved.header_row} is below the "
                                f"first {HEAD_ROWS} rows this dialog shows; use it with --mapping on the command line.")
            return False
        for widget, value in ((self.header, saved.header_row), (self.year, saved.year)):
            if value:
                widget.blockSignals(True)
                widget.setValue(value)
                widget.blockSignals(False)
        self._fill(saved.columns)
        return True


def read_for_mapping(path: str, password: str | None, bank: QuestionBank | None, progress=None) -> tuple:
    """Runs in a worker: the first rows of ``path`` and the question bank the dialog matches them with."""
    from explorer.core.questionbank import load_bank

    if progress is not None:
        progress(0.1, f"Reading the first rows of {Path(path).name}")
    return read_head(path, password), bank or load_bank()
