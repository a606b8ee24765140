"""A chart card: title, a line of context, the chart, and its data table one keystroke away
(Ctrl+T), with copy chart / copy table / save PNG."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel, QStackedWidget, QTableWidget, QTableWidgetItem,
    QToolButton, QVBoxLayout,
)

from explorer import figures as F
from explorer.ui.charts import Chart

PRINT_WIDTH_PX = 1654  # 300 dpi at A4 half width (140 mm)


class DataTable(QTableWidget):
    """A read-only table of a chart's figures; numbers kept as numbers for copying."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setAccessibleDescription("The figures the chart shows, one row each: value, n, weighting, change, "
                                      "significance and why any is withheld. Ctrl+T returns to the chart.")
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)
        self._headers: list[str] = []
        self._rows: list[list] = []
        self._source = None

    def fill(self, headers: list[str], rows: list[list], now: bool = True) -> None:
        """Keep the figures; build the widget's items now or when first shown (drawing stays fast)."""
        self._headers, self._rows, self._source = headers, rows, None
        self._stale = True
        if now or self.isVisible():
            self._build()

    def fill_later(self, source) -> None:
        """Keep how to make the figures (``source() -> (headers, rows)``): they are made when the table
        is shown, copied or read, not at every redraw of a chart whose table is hidden."""
        self._source = source
        self._stale = True
        if self.isVisible():
            self._build()

    def _resolve(self) -> None:
        if self._source is not None:
            source, self._source = self._source, None
            self._headers, self._rows = source()

    @property
    def headers(self) -> list[str]:
        self._resolve()
        return self._headers

    @property
    def rows(self) -> list[list]:
        self._resolve()
        return self._rows

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if getattr(self, "_stale", False):
            self._build()
        super().showEvent(event)

    def _build(self) -> None:
        self._stale = False
        headers, rows = self.headers, self.rows
        self.setSortingEnabled(False)
        self.clear()
        self.setColumnCount(len(headers))
        self.setRowCount(len(rows))
        self.setHorizontalHeaderLabels(headers)
        for r, line in enumerate(rows):
            for c, value in enumerate(line):
                item = QTableWidgetItem()
                if isinstance(value, float):
                    item.setData(Qt.ItemDataRole.DisplayRole, round(value, 1))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                elif isinstance(value, int):
                    item.setData(Qt.ItemDataRole.DisplayRole, value)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                else:
                    item.setText("" if value is None else str(value))
                self.setItem(r, c, item)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def text(self) -> str:
        return F.tsv(self.headers, self.rows)


class ChartCard(QFrame):
    def __init__(self, chart: Chart, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.chart = chart
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel(title, self)
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        top = QHBoxLayout()
        self.subtitle = QLabel("", self)
        self.subtitle.setObjectName("cardSubtitle")
        self.subtitle.setWordWrap(True)
        top.addWidget(self.subtitle, 1)
        self.table_button = self._button("Table", "Show the figures as a table (Ctrl+T)", self.toggle_table)
        self.table_button.setCheckable(True)
        self.copy_button = self._button("Copy", "Copy the chart as an image", self.copy_chart)
        self.copy_table_button = self._button("Copy table", "Copy the table (tab-separated, pastes into Excel)",
                                              self.copy_table)
        self.save_button = self._button("Save PNG…", "Save the chart as a PNG at print resolution", self.save_png)
        for b in (self.table_button, self.copy_button, self.copy_table_button, self.save_button):
            top.addWidget(b)
        layout.addLayout(top)
        self.stack = QStackedWidget(self)
        self.table = DataTable(f"Table: {title}", self)
        self.stack.addWidget(chart)
        self.stack.addWidget(self.table)
        layout.addWidget(self.stack, 1)
        for key in ("Ctrl+T",):
            shortcut = QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.toggle_table)

    def _button(self, text: str, description: str, slot) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(description)
        b.setAccessibleName(f"{text.rstrip('…')} — {self.title.text()}")
        b.setAccessibleDescription(description)
        b.clicked.connect(slot)
        return b

    def set_title(self, title: str, subtitle: str = "") -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self.chart.setAccessibleName(f"Chart: {title}")
        self.table.setAccessibleName(f"Table: {title}")
        for b, text in ((self.table_button, "Table"), (self.copy_button, "Copy chart"),
                        (self.copy_table_button, "Copy table"), (self.save_button, "Save PNG")):
            b.setAccessibleName(f"{text} — {title}")

    def set_table(self, headers: list[str], rows: list[list]) -> None:
        self.table.fill(headers, rows, now=False)
        self.copy_table_button.setEnabled(bool(rows))

    def set_table_of(self, kind: str, rows, unit: str, labels: dict[str, str] | None = None) -> None:
        """The table of ``rows`` (a Results slice), made only when it is shown, copied or read."""
        if rows is None or rows.empty:
            self.set_table([], [])
            return
        self.table.fill_later(lambda: F.table(kind, rows, unit, labels))
        self.copy_table_button.setEnabled(True)

    def toggle_table(self) -> None:
        showing = self.stack.currentWidget() is self.table
        self.stack.setCurrentWidget(self.chart if showing else self.table)
        self.table_button.setChecked(not showing)
        (self.chart if showing else self.table).setFocus()

    def image(self, width: int | None = None):
        from pyqtgraph.exporters import ImageExporter

        self.chart.flush()  # a chart not yet seen is drawn before it is copied or saved
        exporter = ImageExporter(self.chart.getPlotItem())
        if width:
            exporter.parameters()["width"] = width
        return exporter.export(toBytes=True)

    def copy_chart(self) -> None:
        QGuiApplication.clipboard().setImage(self.image(PRINT_WIDTH_PX // 2))

    def copy_table(self) -> None:
        QGuiApplication.clipboard().setText(self.table.text())

    def save_png(self, path: str | None = None) -> str | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save chart as PNG", f"{self.title.text()[:60]}.png",
                                                  "PNG image (*.png)")
        if not path:
            return None
        image = self.image(PRINT_WIDTH_PX)
        image.setDotsPerMeterX(11811)  # 300 dpi
        image.setDotsPerMeterY(11811)
        if not image.save(path, "PNG"):
            raise OSError(f"The chart could not be saved to {path}.")
        return path
