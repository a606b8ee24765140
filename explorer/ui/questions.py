"""Two browsing pages: **Questions** (any question or score in the file, searchable by its words or
its code, with the same three charts as a lens page) and **Organisations** (published figures: the
chosen organisation ranked in its benchmarking group for any measure). Pages only draw Results."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QHeaderView, QLabel, QLineEdit, QScrollArea, QSplitter, QVBoxLayout, QWidget

from explorer.core.catalog import Catalog
from explorer.core.questionbank import QuestionBank
from explorer.core.results import Results
from explorer import figures as F
from explorer.ui.cards import ChartCard
from explorer.ui.charts import RankChart
from explorer.ui.pages import MeasureView, _put, _table, empty_label


def _codes(bank: QuestionBank | None, measure: str) -> str:
    """Every code a question had over the years ('q14a', 'Q13a' ...), for searching."""
    if bank is None or measure not in bank.items:
        return ""
    return " ".join(dict.fromkeys(v.code for v in bank.items[measure].versions.values()))


class _Browser(QWidget):
    """A searchable list of measures on the left, charts on the right."""

    measure_changed = Signal(str)

    def __init__(self, name: str, intro: str, headers: list[str], parent=None) -> None:
        super().__init__(parent)
        self.measure: str | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.hint = hint = QLabel(intro, self)
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        outer.addWidget(hint)
        self.empty = empty_label(name, self)
        outer.addWidget(self.empty)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(left)
        self.search.setPlaceholderText("Search by words or code (e.g. 'bullying', 'q14a')")
        self.search.setAccessibleName(f"Search {name.lower()}")
        self.search.setAccessibleDescription("Shows only the rows whose words or codes contain what you type.")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        column.addWidget(self.search)
        self.list = _table(name, headers, left)
        self.list.setAccessibleDescription("Choose a row to see its charts.")
        self.list.itemSelectionChanged.connect(self._chosen)
        # rows fit their words at the list's real width (resized while hidden, they were far too tall)
        self.list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.list, 1)
        left.setMinimumWidth(380)
        split.addWidget(left)
        self.scroll = QScrollArea(split)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        split.addWidget(self.scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([430, 870])
        outer.addWidget(split, 1)
        self._search_text: list[str] = []

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for r, hay in enumerate(self._search_text):
            self.list.setRowHidden(r, bool(words) and not all(w in hay for w in words))

    def _chosen(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            measure = self.list.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
            if measure != self.measure:
                self.measure = measure
                self.measure_changed.emit(measure)

    def _select(self, measure: str | None) -> None:
        self.list.blockSignals(True)
        for r in range(self.list.rowCount()):
            if self.list.item(r, 0).data(Qt.ItemDataRole.UserRole) == measure:
                self.list.selectRow(r)
                break
        self.list.blockSignals(False)


class QuestionsPage(_Browser):
    """Any question of the file (bank questions, scores, the file's own local questions)."""

    def __init__(self, parent=None) -> None:
        super().__init__("Questions", "Every question and score in the file. Type words or a question code to "
                         "find one; its trend, breakdown and answers are drawn on the right. ↓ marks a measure "
                         "where lower is better.", ["Question", "Code", "Years"], parent)
        self.view = MeasureView(self.scroll)
        self.view.column.addStretch(1)
        self.scroll.setWidget(self.view)

    def cards(self) -> list[ChartCard]:
        return self.view.cards()

    def set_catalog(self, catalog: Catalog, bank: QuestionBank | None) -> None:
        self.list.blockSignals(True)
        self.list.setRowCount(len(catalog.measures))
        self._search_text = []
        for r, m in enumerate(catalog.measures):
            codes = _codes(bank, m.id)
            label = ("↓ " if m.lower_is_better else "") + m.label
            _put(self.list, r, 0, label, m.id).setToolTip(f"{m.label} — {m.id}")
            _put(self.list, r, 1, codes.split(" ")[-1] if codes else ("score" if m.kind == "score" else m.kind))
            years = f"{min(m.years)}–{max(m.years)}" if len(m.years) > 1 else ", ".join(map(str, m.years))
            _put(self.list, r, 2, years)
            self._search_text.append(f"{m.label} {m.id} {codes} {m.kind}".casefold())
        self.list.blockSignals(False)
        ids = [m.id for m in catalog.measures]
        if self.measure not in ids:
            self.measure = ids[0] if ids else None
        self._select(self.measure)
        self._filter(self.search.text())

    def show_results(self, results: Results, options: Results | None, year: int, threshold: int) -> None:
        self.empty.setText(results.empty_reason)
        self.empty.setVisible(bool(results.empty_reason))
        if results.empty_reason or self.measure is None:
            self.view.show_message(results.empty_reason or "Choose a question on the left.")
            return
        self.view.draw(results, options, self.measure, year, threshold, dict(F.measures_in(results)))


INTRO = ("Published figures of {among}, best first; ◆ marks your organisation. These are the figures as the "
         "file gives them, not worked out from respondents.")


def among_words(results: Results | None) -> str:
    """Whose figures are ranked: the benchmarking group's, or (a file with no groups) every organisation's."""
    group = results.dataset.get("benchmark_group") if results is not None else None
    return f"every organisation in {group}" if group else "all organisations in the file"


class OrganisationsPage(_Browser):
    """Published figures: the chosen organisation ranked among its benchmarking group (or, where the file
    has no groups, among all its organisations)."""

    def __init__(self, parent=None) -> None:
        super().__init__("Organisations", INTRO.format(among="every organisation in the benchmarking group"),
                         ["Measure", "Your rank", "Value"], parent)
        body = QWidget(self.scroll)
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(2, 0, 2, 0)
        self.ranking = ChartCard(RankChart("Ranking"), "Ranking", body)
        self.column.addWidget(self.ranking)
        self.column.addStretch(1)
        self.scroll.setWidget(body)
        self.results: Results | None = None
        self.year: int | None = None
        # whether the ranked file says how its figures are weighted, where its Results do not tell (set by the window)
        self.weighting_stated = True
        self._pending: int | None = None  # the row to bring into view once the chart is laid out
        self.scroll.verticalScrollBar().rangeChanged.connect(self._range_changed)

    def cards(self) -> list[ChartCard]:
        return [self.ranking]

    def show_unavailable(self, reason: str) -> None:
        self.results = None
        self.list.setRowCount(0)
        self._search_text = []
        self.empty.setText(reason)
        self.empty.show()
        self.ranking.chart.show_message(reason)
        self.ranking.set_table([], [])

    def show_results(self, results: Results, year: int) -> None:
        self.results, self.year = results, year
        self.hint.setText(INTRO.format(among=among_words(results)))
        self.empty.setText(results.empty_reason)
        self.empty.setVisible(bool(results.empty_reason))
        measures = F.league_measures(results, year)
        self.list.blockSignals(True)
        self.list.setRowCount(len(measures))
        self._search_text = []
        for r, row in enumerate(measures.to_dict("records")):
            label = ("↓ " if row["lower_is_better"] else "") + str(row["label"])
            _put(self.list, r, 0, label, row["measure"])
            ranked = not F.is_missing(row.get("rank"))
            _put(self.list, r, 1, f"{int(row['rank'])} of {int(row['rank_of'])}" if ranked else
                 "withheld" if row.get("suppressed") is True else
                 "not ranked" if row.get("kind") not in ("item", "score") and row.get("suppressed") is False else
                 "not in this group")
            _put(self.list, r, 2, F.format_value(row.get("value"), row["unit"]), align_right=True)
            self._search_text.append(f"{row['label']} {row['measure']}".casefold())
        self.list.blockSignals(False)
        ids = measures["measure"].tolist() if len(measures) else []
        if self.measure not in ids:
            self.measure = ids[0] if ids else None
        self._select(self.measure)
        self._filter(self.search.text())
        self.draw()

    def _chosen(self) -> None:
        super()._chosen()
        self.draw()

    def _range_changed(self, _low: int, high: int) -> None:
        if self._pending is not None and high > 0:  # laid out at the chart's new height: scroll now
            row, self._pending = self._pending, None
            self._scroll_to(row)

    def _scroll_to(self, row: int) -> None:
        chart = self.ranking.chart
        at = chart.mapTo(self.scroll.widget(), QPoint(0, chart.row_y(row)))
        self.scroll.ensureVisible(0, at.y(), 10, 120)

    def draw(self) -> None:
        if self.results is None or self.measure is None:
            self.ranking.chart.show_message(self.results.empty_reason if self.results is not None and
                                            self.results.empty_reason else "Choose a measure on the left.")
            self.ranking.set_table([], [])
            return
        rows = F.league(self.results, self.measure, self.year)
        if rows.empty:
            self.ranking.chart.show_message(f"No organisation has a figure for this measure in {self.year}.")
            self.ranking.set_table([], [])
            return
        unit, lower = str(rows["unit"].iloc[0]), bool(rows["lower_is_better"].iloc[0])
        polarity = rows["kind"].iloc[0] in ("item", "score")  # a file's own measure: which way is better is unknown
        shown = rows[~rows["suppressed"].astype(bool)]
        weighting = ("the file does not say whether they are weighted"
                     if not self.results.dataset.get("weighting_stated", self.weighting_stated) else
                     "weighted" if shown["weighted"].astype(bool).all() else "unweighted"
                     if not shown["weighted"].astype(bool).any() else "some weighted, some not") if len(shown) else ""
        group = self.results.dataset.get("benchmark_group") or "all organisations in the file"
        label = str(rows["label"].iloc[0])
        self.ranking.chart.draw(rows, unit, lower, polarity)
        ours = rows.index[rows["ours"].astype(bool)].tolist()
        where = ""
        if ours:
            mine = rows.loc[ours[0]]
            where = (f" — yours: rank {int(mine['rank'])} of {int(mine['rank_of'])}, {F.format_value(mine['value'], unit)}"
                     if not F.is_missing(mine["rank"]) else f" — yours: {F.format_value(mine['value'], unit)}"
                     if not mine["suppressed"] else " — yours: withheld")
            self._scroll_to(ours[0])
            self._pending = ours[0]  # and again once the scroll area knows the chart's new height
        order = (f"{'lower' if lower else 'higher'} is better" if polarity else
                 "ordered by value, highest first (the file does not say which way is better, so not ranked)")
        self.ranking.set_title(f"{label}: {group}, {self.year}{where}",
                               f"{order}; published figures{', ' + weighting if weighting else ''}; organisations with fewer than "
                               f"{self.results.spec.threshold} responses are withheld and not ranked")
        self.ranking.set_table_of("league", rows, unit)
