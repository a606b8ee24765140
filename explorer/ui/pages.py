"""The pages: Overview (the three lenses' headlines and the questions people ask first) and one page
per lens (a list of its measures; for the chosen one a trend, a breakdown by the compare-by columns
and the answer distribution of the questions on its scale). Pages only draw Results."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QListWidget, QPushButton,
    QScrollArea, QSplitter,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from explorer.core.results import Results
from explorer import figures as F
from explorer.figures import context_words
from explorer.core.findings import findings
from explorer.ui.cards import ChartCard
from explorer.ui.charts import BreakdownChart, DriversChart, LikertChart, TrendChart

DRIVER_LENSES = ("trust", "morale")  # the engine's drivers lenses
LENS_TITLES = {"trust": "Trust", "bullying": "Bullying & harassment", "morale": "Morale"}
LENS_INTRO = {
    "trust": "Trust in managers and the organisation: immediate managers, raising concerns, and whether "
             "staff trust the organisation to act.",
    "bullying": "Harassment, bullying and abuse, physical violence and discrimination — from patients and "
                "the public, managers and colleagues — and whether it was reported. Lower is better.",
    "morale": "Morale: thinking about leaving, work pressure, burnout and engagement.",
}
# The questions people ask first, answerable from the Overview: (lens, measure id, words).
QUICK = F.SEED_QUESTIONS


def _item(text, number=None, align_right=False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    if number is not None:
        item.setData(Qt.ItemDataRole.UserRole, number)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _put(table: QTableWidget, row: int, column: int, text, number=None, align_right=False) -> QTableWidgetItem:
    """Set a cell's text, reusing its item (a new item per cell per redraw was slow)."""
    item = table.item(row, column)
    if item is None:
        item = _item(text, number, align_right)
        table.setItem(row, column, item)
        return item
    item.setText("" if text is None else str(text))
    item.setData(Qt.ItemDataRole.UserRole, number)
    return item


def _table(name: str, headers: list[str], parent) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setAccessibleName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setWordWrap(True)
    t.setTabKeyNavigation(False)
    header = t.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for c in range(1, len(headers)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    return t


def empty_label(page: str, parent) -> QLabel:
    """The sentence a page shows when it has nothing to draw (hidden until it has one)."""
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setObjectName("emptyReason")
    label.setAccessibleName(f"Why the {page} page is empty")
    label.hide()
    return label


def headline_cells(row) -> list[str]:
    unit = row["unit"]
    if row["suppressed"]:
        return ["withheld", "", row["suppression_reason"]]
    change = F.change_short(row.get("change"), row.get("significant"), bool(row["lower_is_better"]), unit)
    return [F.format_value(row["value"], unit), F.format_n(row["n"]), change or "no figure last year"]


def published(results: Results) -> bool:
    """Figures a file publishes (no respondents): their changes and groups are not tested here."""
    return results.dataset.get("kind", "respondents") != "respondents"


def weighting_word(results: Results, weighted: bool) -> str:
    """'weighted' / 'unweighted', or that the file does not say (a published file with no weighting column)."""
    if not results.dataset.get("weighting_stated", True):
        return "weighting not stated in the file"
    return "weighted" if weighted else "unweighted"


def example_words(columns) -> str:
    """A compare-by column to suggest, one the data has: 'for example Region' (or 'a column' when none)."""
    first = next(iter(columns), None)
    return f"for example {first.label}" if first is not None else "a column"


def breakdown_subtitle(results: Results, what: str, better: str, weighted: str) -> str:
    """What a breakdown chart shows: respondent groups are tested against the rest of the organisation;
    published groups (other organisations' medians, or the file's own breakdowns) are not."""
    if published(results):
        return (f"{what}, {better}; {weighted}; each group beside the organisation's own figure; published "
                "figures, differences not tested for significance")
    return f"{what}, {better}; {weighted}; ✓/✗ = significantly better/worse than the rest of the organisation"


class MeasureView(QWidget):
    """One measure's three charts: its trend, its breakdown by the compare-by columns and how people
    answered it (with the questions on the same scale). Used by the lens pages and the Questions page."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(2, 0, 2, 0)
        self.trend = ChartCard(TrendChart("Trend"), "Trend", self)
        self.breakdown = ChartCard(BreakdownChart("Breakdown"), "Breakdown", self)
        self.answers = ChartCard(LikertChart("Answers"), "How people answered", self)
        self.trend.setMinimumHeight(250)
        self.trend.setMaximumHeight(330)  # so the breakdown starts on the first screen at 1366x768
        for card in (self.trend, self.breakdown, self.answers):
            column.addWidget(card)
        self.column = column
        self.example = "for example Directorate"  # a compare-by column to suggest: the window sets the data's own
        # set by the window: fetch_answers(sync) -> the answer shares for the current view (sync=True,
        # worked out now) or None after asking for them in the background (sync=False)
        self.fetch_answers = None

    def cards(self) -> list[ChartCard]:
        return [self.trend, self.breakdown, self.answers]

    def show_message(self, text: str) -> None:
        for card in (self.trend, self.breakdown, self.answers):
            card.chart.show_message(text)
            card.set_table([], [])

    def draw(self, r: Results, options: Results | None, m: str, year: int, threshold: int,
             labels: dict[str, str]) -> None:
        rows = F.trend(r, m)
        if rows.empty:
            self.show_message("No figure for this question in this selection.")
            return
        first = rows.iloc[0]
        unit, lower = first["unit"], bool(first["lower_is_better"])
        label = labels.get(m, m)
        weighted = weighting_word(r, bool(first["weighted"]))
        better = "lower is better" if lower else "higher is better"
        what = "% " + ("positive" if not lower else "experiencing it") if unit == "%" else "score out of 10"
        band = ""
        if "benchmark_median" in rows and rows["benchmark_median"].notna().any():
            group = r.dataset.get("benchmark_group") or "similar trusts"
            band = f"; shaded: best to worst of {group} (whole organisations, as published), dashed: their median"
        self.trend.chart.draw(rows, unit, lower)
        self.trend.set_title(f"{label}: trend", f"{what}, {better}; {weighted}{band}; each year's n in the table")
        self.trend.set_table_of("trend", rows, unit)
        org = rows[rows["year"] == year]
        groups = F.breakdown(r, m, year)
        by = " and ".join(r.spec.breakdown) if r.spec.breakdown else ""
        self.breakdown.chart.draw(groups, org.iloc[0] if len(org) else None, unit, lower, threshold)
        self.breakdown.set_title(f"{label}: by {by} in {year}" if by else f"{label}: breakdown",
                                 breakdown_subtitle(r, what, better, weighted) if by else
                                 f"Choose a 'compare by' column on the left ({self.example}) to see the "
                                 "groups side by side.")
        self.breakdown.set_table_of("breakdown", groups, unit)
        if options is not None and options.spec.measures and options.spec.lens is None \
                and m not in options.spec.measures and unit != "score":
            # the answers of the newly chosen question are being worked out: never another question's meanwhile
            self.answers.chart.show_message("Working out how people answered…")
            self.answers.set_title(f"How people answered in {year}", "")
            self.answers.set_table([], [])
        elif options is not None:
            self._draw_answers(options, m, year, labels)
        elif self.fetch_answers is not None:
            self._answers_later(m, year, labels)
        else:
            self.answers.chart.show_message("Answer distributions are not available for this data.")
            self.answers.set_table([], [])

    def _draw_answers(self, options: Results, m: str, year: int, labels: dict[str, str]) -> None:
        rows = F.answers(options, year, m)
        labels = {**dict(F.measures_in(options)), **labels}
        chart = self.answers.chart
        chart.draw_when_seen(lambda sync: chart.draw(rows, labels))  # often below the fold at 1366x768
        mine = len(rows) and str(rows["measure"].iloc[0]) == m
        self.answers.set_title(f"How people answered in {year}" + (f" — {labels.get(m, m)} and questions on the "
                                                                  "same scale" if mine else ""),
                               "share of each answer; unweighted counts in the table")
        self.answers.set_table_of("answers", rows, "%", labels)

    def _answers_later(self, m: str, year: int, labels: dict[str, str]) -> None:
        """The answers were not worked out with the click (the chart was off screen): ask for them when
        the chart is seen (in the background), or at once when its figures, table or image are wanted."""
        chart = self.answers.chart

        def when_seen(sync: bool) -> None:
            if sync:
                options = self.fetch_answers(True)
                if options is not None:
                    self._draw_answers(options, m, year, labels)
                    chart.flush()
            else:
                chart.show_message("Working out how people answered…")
                self.fetch_answers(False)

        def table():
            options = self.fetch_answers(True)
            if options is None:
                return [], []
            rows = F.answers(options, year, m)
            return F.table("answers", rows, "%", {**dict(F.measures_in(options)), **labels})

        self.answers.set_title(f"How people answered in {year}", "share of each answer; unweighted counts in the table")
        self.answers.table.fill_later(table)
        self.answers.copy_table_button.setEnabled(True)
        chart.draw_when_seen(when_seen)


EQUALITY_SPLITS = (("WRES", ("ethnic",), "Workforce Race Equality Standard: compare by ethnic group"),
                   ("WDES", ("disab", "long_term", "long-term", "ltc"),
                    "Workforce Disability Equality Standard: compare by disability / long-term condition"))


class LensPage(QWidget):
    """One lens: measures on the left, the chosen measure's charts on the right (and, for trust and
    morale, what moves with the outcome; for bullying, the WRES / WDES splits one click away)."""

    drivers_toggled = Signal(bool)
    compare_by = Signal(str)
    measure_changed = Signal(str)  # the answer shares drawn follow the chosen question's scale

    def __init__(self, lens: str, parent=None) -> None:
        super().__init__(parent)
        self.lens = lens
        self.results: Results | None = None
        self.options: Results | None = None
        self.year: int | None = None
        self.threshold = 11
        self.measure: str | None = None
        self.labels: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        intro = QLabel(LENS_INTRO[lens] + " ↓ marks a measure where lower is better.", self)
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        outer.addWidget(intro)
        self.splits: dict[str, QPushButton] = {}
        self.split_row: QWidget | None = None
        if lens == "bullying":
            self.split_row = QWidget(self)
            row = QHBoxLayout(self.split_row)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(QLabel("Equality standards:", self.split_row))
            for name, _, description in EQUALITY_SPLITS:
                button = QPushButton(f"{name} split", self.split_row)
                button.setAccessibleName(f"{name} split")
                button.setAccessibleDescription(description)
                button.setToolTip(description)
                button.clicked.connect(lambda _=False, n=name: self._split(n))
                button.setEnabled(False)
                self.splits[name] = button
                row.addWidget(button)
            row.addStretch(1)
            outer.addWidget(self.split_row)
        self.split_columns: dict[str, str] = {}
        self.empty = empty_label(LENS_TITLES[lens], self)
        outer.addWidget(self.empty)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = _table(f"{LENS_TITLES[lens]} measures", ["Measure", "Value", "n", "Change"], split)
        self.list.setAccessibleDescription("Choose a measure to see its trend, its breakdown and how people answered.")
        self.list.itemSelectionChanged.connect(self._chosen)
        self.list.setMinimumWidth(420)  # question wording stays readable at 150 % scaling
        split.addWidget(self.list)
        scroll = QScrollArea(split)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.view = MeasureView(scroll)
        self.trend, self.breakdown, self.answers = self.view.cards()
        self.drivers: ChartCard | None = None
        if lens in DRIVER_LENSES:
            self.show_drivers = QCheckBox("Show what moves with staff engagement here (association, not causation)",
                                          self.view)
            self.show_drivers.setAccessibleName("Show what moves with staff engagement")
            self.show_drivers.setAccessibleDescription("Ranks manager, team and organisation items by how closely "
                                                       "they move with the engagement score for this selection.")
            self.show_drivers.toggled.connect(self._drivers_toggled)
            self.view.column.addWidget(self.show_drivers)
            self.drivers = ChartCard(DriversChart("What moves with engagement"), "What moves with engagement", self.view)
            self.drivers.hide()
            self.view.column.addWidget(self.drivers)
        self.view.column.addStretch(1)
        scroll.setWidget(self.view)
        split.addWidget(scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([430, 870])
        outer.addWidget(split, 1)

    def cards(self) -> list[ChartCard]:
        return self.view.cards() + ([self.drivers] if self.drivers is not None and self.drivers.isVisibleTo(self) else [])

    def wants_drivers(self) -> bool:
        return self.drivers is not None and self.show_drivers.isChecked()

    def _drivers_toggled(self, on: bool) -> None:
        self.drivers.setVisible(on)
        self.drivers_toggled.emit(on)

    def set_columns(self, columns, published: bool = False) -> None:
        """Which catalog columns the WRES / WDES buttons compare by. None: on respondent data the button is
        off and says why (the column may be named otherwise); on published data, whose breakdowns are
        the file's, a button with nothing to split by is not shown at all (nor the row, when neither has)."""
        self.split_columns = {}
        for name, keys, description in EQUALITY_SPLITS:
            found = next((c.name for c in columns if any(k in f"{c.name} {c.label}".casefold() for k in keys)), None)
            if name in self.splits:
                self.splits[name].setEnabled(found is not None)
                self.splits[name].setVisible(found is not None or not published)
                self.splits[name].setToolTip(description if found else f"{description} — this file has no such column.")
            if found:
                self.split_columns[name] = found
        if self.split_row is not None:
            self.split_row.setVisible(not published or bool(self.split_columns))

    def _split(self, name: str) -> None:
        if name in self.split_columns:
            self.compare_by.emit(self.split_columns[name])

    def show_drivers_results(self, results: Results | None) -> None:
        if self.drivers is None or not self.wants_drivers():
            return
        if results is None:
            self.drivers.chart.show_message("Working out what moves with engagement…")
            return
        rows = F.drivers(results)
        outcome = "staff engagement"
        self.drivers.chart.draw(rows, outcome)
        who = results.filter_description or "all staff"
        self.drivers.set_title(f"What moves with {outcome} ({who}, {self.year})",
                               "Spearman's ρ between each item and the engagement score, among people who answered "
                               "both; unweighted. Association is not causation: an item high here may share causes "
                               "with engagement, and changing it will not necessarily change engagement.")
        self.drivers.set_table_of("drivers", rows, "")

    def show_results(self, results: Results, options: Results | None, year: int, threshold: int) -> None:
        self.results, self.options, self.year, self.threshold = results, options, year, threshold
        self.labels = dict(F.measures_in(results))
        head = F.headline(results, year)
        self.empty.setText(results.empty_reason)
        self.empty.setVisible(bool(results.empty_reason))
        keep = self.measure
        self.list.blockSignals(True)
        self.list.setUpdatesEnabled(False)
        self.list.setRowCount(len(head))
        model = self.list.model()
        # each cell's change would make the header measure every row again (34 ms a redraw): one signal at the end
        model.blockSignals(True)
        columns = [c for c in ("measure", "label", "code", "unit", "value", "n", "suppressed", "suppression_reason",
                               "change", "significant", "lower_is_better") if c in head.columns]
        for r, row in enumerate(F._narrow(head, tuple(columns))):
            cells = headline_cells(row)
            label = ("↓ " if row["lower_is_better"] else "") + row["label"]
            _put(self.list, r, 0, label, row["measure"]).setToolTip(f"{row['label']} — {row['code'] or row['measure']}")
            _put(self.list, r, 1, cells[0], align_right=True)
            _put(self.list, r, 2, cells[1], align_right=True)
            _put(self.list, r, 3, cells[2])
        model.blockSignals(False)
        if len(head):
            model.dataChanged.emit(model.index(0, 0), model.index(len(head) - 1, model.columnCount() - 1))
        self.list.setUpdatesEnabled(True)
        if self.list.property("rows") != len(head):  # row heights depend on the labels, not the values
            self.list.resizeRowsToContents()
            self.list.setProperty("rows", len(head))
        ids = head["measure"].tolist() if len(head) else []
        self.list.blockSignals(False)
        if not ids or results.empty_reason:
            self.measure = keep if keep in ids else None
            self.view.show_message(results.empty_reason or "Nothing to show for this selection.")
            return
        self.select(keep if keep in ids else ids[0])

    def select(self, measure: str) -> None:
        for r in range(self.list.rowCount()):
            if self.list.item(r, 0).data(Qt.ItemDataRole.UserRole) == measure:
                self.list.selectRow(r)
                self.measure = measure
                self.draw()
                return

    def _chosen(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            measure = self.list.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
            changed = measure != self.measure
            self.measure = measure
            self.draw()
            if changed:
                self.measure_changed.emit(measure)

    def draw(self) -> None:
        if self.results is None or self.measure is None:
            return
        self.view.draw(self.results, self.options, self.measure, self.year, self.threshold, self.labels)


class OverviewPage(QWidget):
    """The three lenses at a glance and the questions people ask first; each links to its page."""

    open_measure = Signal(str, str)  # lens, measure

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.empty = empty_label("Overview", self)
        outer.addWidget(self.empty)
        # published data: the file's own figures about the organisation (workforce composition ...)
        self.context = QLabel(self)
        self.context.setWordWrap(True)
        self.context.setAccessibleName("About the organisation")
        self.context.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.context.hide()
        outer.addWidget(self.context)
        quick_title = QLabel("The questions asked first", self)
        quick_title.setObjectName("sectionTitle")
        outer.addWidget(quick_title)
        self.quick = _table("The questions asked first", ["Question", "Value", "n", "Change on last year"], self)
        self.quick.setAccessibleDescription("Press Enter on a row to open its page.")
        self.quick.itemActivated.connect(self._open_quick)
        self.quick.cellDoubleClicked.connect(lambda r, c: self._open_quick(self.quick.item(r, 0)))
        outer.addWidget(self.quick)  # as tall as its rows (set when filled): the findings below get the room
        stands_title = QLabel("What stands out", self)
        stands_title.setObjectName("sectionTitle")
        outer.addWidget(stands_title)
        self.stands_out = QListWidget(self)
        self.stands_out.setWordWrap(True)
        self.stands_out.setAccessibleName("What stands out")
        self.stands_out.setAccessibleDescription("The findings of each lens in words, as in the board pack: "
                                                 "significant changes first, then gaps to similar trusts.")
        outer.addWidget(self.stands_out, 1)
        grid = QGridLayout()
        self.lens_tables: dict[str, QTableWidget] = {}
        self.lens_buttons: dict[str, QPushButton] = {}
        for i, lens in enumerate(LENS_TITLES):
            box = QVBoxLayout()
            row = QHBoxLayout()
            title = QLabel(LENS_TITLES[lens], self)
            title.setObjectName("sectionTitle")
            row.addWidget(title, 1)
            button = QPushButton(f"Open {LENS_TITLES[lens].replace('&', '&&')} →", self)  # & would be a mnemonic
            button.setAccessibleName(f"Open the {LENS_TITLES[lens]} page")
            button.setAccessibleDescription("Open the page with this lens's charts.")
            button.clicked.connect(lambda _=False, lens=lens: self.open_measure.emit(lens, ""))
            row.addWidget(button)
            self.lens_buttons[lens] = button
            box.addLayout(row)
            table = _table(f"{LENS_TITLES[lens]} headline figures", ["Measure", "Value", "Change"], self)
            table.setAccessibleDescription("Press Enter on a row to open its chart on the lens page.")
            table.itemActivated.connect(lambda item, lens=lens: self._open(lens, item))
            table.cellDoubleClicked.connect(lambda r, c, lens=lens, t=table: self._open(lens, t.item(r, 0)))
            self.lens_tables[lens] = table
            box.addWidget(table)
            grid.addLayout(box, 0, i)
        outer.addLayout(grid, 3)

    def _open_quick(self, item) -> None:
        if item is None:
            return
        row = self.quick.item(item.row(), 0)
        lens, measure = row.data(Qt.ItemDataRole.UserRole)
        self.open_measure.emit(lens, measure)

    def _open(self, lens: str, item) -> None:
        if item is not None:
            table = self.lens_tables[lens]
            self.open_measure.emit(lens, table.item(item.row(), 0).data(Qt.ItemDataRole.UserRole))

    def show_results(self, by_lens: dict[str, Results], year: int) -> None:
        heads = {lens: F.headline(r, year) for lens, r in by_lens.items()}
        self.stands_out.clear()
        for lens, r in by_lens.items():
            for finding in findings(r, year)[:2]:  # the same sentences as the board pack's Summary
                self.stands_out.addItem(f"{LENS_TITLES[lens]}: {finding.text}")
        context = next((r.dataset.get("organisation_context") for r in by_lens.values()
                        if r.dataset.get("organisation_context")), None)
        self.context.setText(context_words(next(iter(by_lens.values())).dataset.get("organisation", ""), context)
                             if context else "")
        self.context.setVisible(bool(context))
        reasons = [r.empty_reason for r in by_lens.values() if r.empty_reason]
        self.empty.setText(reasons[0] if reasons else "")
        self.empty.setVisible(bool(reasons))
        rows = []
        for lens, measure, words in QUICK:
            head = heads.get(lens)
            if head is None or head.empty:
                continue
            match = head[head["measure"] == measure]
            if len(match):
                rows.append((lens, measure, words, match.iloc[0]))
        self.quick.setRowCount(len(rows))
        for r, (lens, measure, words, row) in enumerate(rows):
            cells = headline_cells(row)
            self.quick.setItem(r, 0, _item(words + (" (lower is better)" if row["lower_is_better"] else ""),
                                           (lens, measure)))
            for c, text in enumerate(cells, start=1):
                self.quick.setItem(r, c, _item(text, align_right=c < 3))
        self.quick.resizeRowsToContents()
        rows_height = sum(self.quick.rowHeight(r) for r in range(self.quick.rowCount()))
        self.quick.setFixedHeight(self.quick.horizontalHeader().height() + rows_height + 2 * self.quick.frameWidth() + 2)
        for lens, table in self.lens_tables.items():
            head = heads.get(lens, pd.DataFrame())
            # the lens's summary scores (themes, People Promise elements); its questions are on its page
            if len(head):
                scores = head[head["unit"] == "score"]
                head = scores if len(scores) else head.head(6)
            table.setRowCount(len(head))
            for r, row in enumerate(head.to_dict("records")):
                cells = headline_cells(pd.Series(row))
                name = _item(row["label"] + (" (lower is better)" if row["lower_is_better"] else ""), row["measure"])
                name.setToolTip(f"{row['label']}: {cells[0]}, n = {cells[1]}")
                table.setItem(r, 0, name)
                table.setItem(r, 1, _item(cells[0], align_right=True))
                table.setItem(r, 2, _item(cells[2]))
            table.resizeRowsToContents()
