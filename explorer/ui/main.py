"""The desktop window.

This version opens a dataset (the demo by default, or any file the readers understand) in a
worker, with progress and cancel, asks for a password or a survey year when the file needs one,
and shows what was loaded. The lens pages (trust, bullying, morale), filters and the board pack are
built on the engine's Results in later versions.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QAction
from PySide6.QtWidgets import (
    QApplication, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QListWidget, QMainWindow,
    QMessageBox, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from explorer import APP_NAME, __version__
from explorer.core.session import Session
from explorer.core.surveydata import SurveyData
from explorer.ui.workers import Worker


def _load(file: str | None, password: str | None, year: int | None, progress) -> Session:
    """Runs in a worker thread: a session on the demo, or on the user's file (read and protected)."""
    if file is None:
        return Session.open_demo(progress=progress)
    return Session.open(file, password=password, ask_year=(lambda *_: year) if year else None, progress=progress)


class MainWindow(QMainWindow):
    def __init__(self, file: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.data: SurveyData | None = None
        self.session: Session | None = None
        self._worker: Worker | None = None
        self._file: str | None = None
        self._password: str | None = None
        self._year: int | None = None

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.title = QLabel(APP_NAME, central)
        self.title.setObjectName("title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName("Dataset title")
        layout.addWidget(self.title)

        self.banner = QLabel("", central)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Data notice")
        self.banner.setStyleSheet("QLabel { background: #fff4ce; color: #3d3000; padding: 6px; border: 1px solid #c8a600; }")
        self.banner.hide()
        layout.addWidget(self.banner)

        row = QHBoxLayout()
        self.progress = QProgressBar(central)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Loading progress")
        self.status = QLabel("", central)
        self.status.setAccessibleName("Loading status")
        self.cancel_button = QPushButton("&Cancel", central)
        self.cancel_button.setAccessibleName("Cancel loading")
        self.cancel_button.clicked.connect(self.cancel_loading)
        row.addWidget(self.progress, 1)
        row.addWidget(self.status, 2)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)

        self.table = QTableWidget(0, 2, central)
        self.table.setHorizontalHeaderLabels(["Survey year", "Respondents"])
        self.table.setAccessibleName("Respondents by survey year")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)

        self.notes = QListWidget(central)
        self.notes.setAccessibleName("What the reader noticed in the file")
        self.notes.setMaximumHeight(110)
        self.notes.hide()
        layout.addWidget(self.notes)

        self.note = QLabel(
            "The trust, bullying and morale pages and the Excel board pack arrive in the next versions; "
            "the numbers behind them are available now with: staff-survey-explorer summary.",
            central,
        )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.setCentralWidget(central)

        file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open...", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.choose_file)
        demo_action = QAction("Open the &demo", self)
        demo_action.triggered.connect(lambda: self.start_loading(None))
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for action in (open_action, demo_action, quit_action):
            file_menu.addAction(action)
        self.statusBar().showMessage(f"{APP_NAME} {__version__} - offline; nothing leaves this computer")
        self.resize(1100, 700)
        self.start_loading(file)

    # loading ---------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open staff survey results", "",
            "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.gz);;All files (*)",
        )
        if path:
            self.start_loading(path)

    def start_loading(self, file: str | None, password: str | None = None, year: int | None = None) -> None:
        if self._worker is not None:
            return  # one load at a time; Cancel first
        self._file = file
        self._password, self._year = password, year
        self._worker = Worker(_load, file, password, year)
        self._worker.signals.progress.connect(self._on_progress)
        self._worker.signals.finished.connect(self._on_loaded)
        self._worker.signals.failed.connect(self._on_failed)
        self._worker.signals.cancelled.connect(self._on_cancelled)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self._worker.start()

    def cancel_loading(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 100)))
        self.status.setText(message)

    def _finish(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self._worker = None

    def _on_loaded(self, session: Session) -> None:
        self._finish()
        self.session = session
        data = self.data = session.data
        name = data.organisation or Path(data.provenance.path).name
        self.title.setText(name)
        self.setWindowTitle(f"{name} - {APP_NAME}")
        self.banner.setText(data.provenance.description)
        self.banner.setVisible(bool(data.provenance.description))
        if data.is_respondent_level:
            self.table.setHorizontalHeaderLabels(["Survey year", "Respondents"])
            counts = data.respondents_by_year()
            rows = [(str(y), f"{n:,}") for y, n in counts.items()]
            summary = f"Loaded {sum(counts.values()):,} respondents, {len(counts)} survey year(s)"
        else:
            self.table.setHorizontalHeaderLabels(["Survey year", "Organisations"])
            table = data.aggregates
            per_year = table.groupby("year", observed=True)["org_id"].nunique()
            rows = [(str(int(y)), f"{max(1, n):,}") for y, n in per_year.items()]
            summary = f"Loaded {len(table):,} published results ({data.kind.replace('_', ' ')})"
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self.notes.clear()
        self.notes.addItems(list(data.warnings) + list(data.details.get("notes", [])))
        self.notes.setVisible(self.notes.count() > 0)
        self.status.setText("")
        self.statusBar().showMessage(summary)

    def _on_failed(self, message: str, error: object) -> None:
        from explorer.readers import PasswordRequired, WrongPassword, YearUnknown

        self._finish()
        file = self._file
        if isinstance(error, (PasswordRequired, WrongPassword)):
            prompt = f"{Path(file).name} is password-protected. Password:"
            if isinstance(error, WrongPassword):
                prompt = f"That password is not correct. Password for {Path(file).name}:"
            password, ok = QInputDialog.getText(self, APP_NAME, prompt, QLineEdit.EchoMode.Password)
            if ok and password:
                self.start_loading(file, password=password, year=self._year)
            else:
                self.status.setText("Opening cancelled.")
            return
        if isinstance(error, YearUnknown):
            year, ok = QInputDialog.getInt(self, APP_NAME, f"Which survey year does {Path(file).name} hold?",
                                           2025, 2000, 2100)
            if ok:
                self.start_loading(file, password=self._password, year=year)
            else:
                self.status.setText("Opening cancelled.")
            return
        self.status.setText(message)
        QMessageBox.warning(self, APP_NAME, message)

    def _on_cancelled(self) -> None:
        self._finish()
        self.status.setText("Loading cancelled.")


def run(file: str | None = None) -> int:
    from explorer.appdirs import setup_logging

    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("StaffSurveyExplorer")
    window = MainWindow(file)
    window.show()
    return app.exec()
