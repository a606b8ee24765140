"""The desktop window.

This first version opens a dataset (the demo by default) in a worker, with progress and cancel,
and shows what was loaded. The lens pages (trust, bullying, morale), filters and the board pack are
built on the engine's Results in later versions.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QAction
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QHeaderView, QLabel, QMainWindow, QMessageBox, QProgressBar, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from explorer import APP_NAME, __version__
from explorer.core.surveydata import SurveyData
from explorer.ui.workers import Worker


def _load(file: str | None, progress) -> SurveyData:
    if file is None:
        from explorer.demo import load_demo

        return load_demo(progress=progress)
    raise ValueError(f"Opening your own files ({file}) arrives in the next version; this version opens the demo only.")


class MainWindow(QMainWindow):
    def __init__(self, file: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.data: SurveyData | None = None
        self._worker: Worker | None = None

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

        self.note = QLabel(
            "The trust, bullying and morale pages, filters and the Excel board pack arrive in the next versions.",
            central,
        )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.setCentralWidget(central)

        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.menuBar().addMenu("&File").addAction(quit_action)
        self.statusBar().showMessage(f"{APP_NAME} {__version__} - offline; nothing leaves this computer")
        self.resize(1100, 700)
        self.start_loading(file)

    # loading ---------------------------------------------------------------------------
    def start_loading(self, file: str | None) -> None:
        self._worker = Worker(_load, file)
        self._worker.signals.progress.connect(self._on_progress)
        self._worker.signals.finished.connect(self._on_loaded)
        self._worker.signals.failed.connect(self._on_failed)
        self._worker.signals.cancelled.connect(self._on_cancelled)
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

    def _on_loaded(self, data: SurveyData) -> None:
        self._finish()
        self.data = data
        name = data.organisation or data.provenance.path
        self.title.setText(name)
        self.setWindowTitle(f"{name} - {APP_NAME}")
        if data.provenance.description:
            self.banner.setText(data.provenance.description)
            self.banner.show()
        counts = data.respondents_by_year()
        self.table.setRowCount(len(counts))
        for row, (year, n) in enumerate(counts.items()):
            for col, value in enumerate((str(year), f"{n:,}")):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        self.status.setText("")
        self.statusBar().showMessage(f"Loaded {sum(counts.values()):,} respondents, {len(counts)} survey years")

    def _on_failed(self, message: str) -> None:
        self._finish()
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
