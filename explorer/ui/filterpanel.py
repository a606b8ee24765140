"""The filter panel, built from the session's catalog (no widget reads respondents).

Year in focus; per grouping column a checkable list of its groups with respondent counts (search
box on long lists); compare by one or two columns; comparator; weighted; reset. Columns of one
family only can be combined (the organisation's own columns, or the equality columns), so choosing
a group in one family greys the other family out, with the reason in words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
    QVBoxLayout, QWidget,
)

from explorer.core.catalog import Catalog
from explorer.core.filters import And, Eq, Filter, In
from explorer.core.viewspec import ViewSpec

COMPARATOR_WORDS = {"last_year": "Last year", "organisation": "The whole organisation",
                    "benchmark": "Similar trusts (benchmark median)", "none": "Nothing"}
SEARCH_FROM = 10  # lists longer than this get a search box


PUBLISHED_FAMILIES = {"organisations", "published"}  # published data: organisation attributes, the file's breakdowns


def rule_words(families: set[str]) -> str:
    """Why the other family of columns is greyed out, true for the data: respondent columns would reveal
    small groups; a published file gives its figures one breakdown at a time."""
    if families & PUBLISHED_FAMILIES:
        return ("Published figures are given for one breakdown at a time: organisation columns and the file's "
                "breakdowns cannot be crossed; clear one to use the other.")
    return ("The organisation's own columns and the equality columns cannot be combined "
            "(it would reveal small groups); clear one to use the other.")


class ColumnFilter(QGroupBox):
    changed = Signal()

    def __init__(self, name: str, label: str, family: str, parent=None) -> None:
        super().__init__(label, parent)
        self.name, self.label, self.family = name, label, family
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(f"Search {label.lower()}")
        self.search.setAccessibleName(f"Search {label}")
        self.search.setAccessibleDescription(f"Type to show only the {label} groups whose names contain it.")
        self.search.textChanged.connect(self._search)
        layout.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setAccessibleName(f"Filter by {label}")
        self.list.setAccessibleDescription(f"Tick groups of {label} to show only them; none ticked means everyone.")
        self.list.itemChanged.connect(lambda _: self.changed.emit())
        layout.addWidget(self.list)
        self.setAccessibleName(f"{label} filter")

    def fill(self, groups, chosen: set[str]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        names = set()
        for g in groups:
            names.add(g.name)
            item = QListWidgetItem(f"{g.name} ({g.respondents:,})")
            item.setData(Qt.ItemDataRole.UserRole, g.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if g.name in chosen else Qt.CheckState.Unchecked)
            item.setToolTip(f"{g.name}: {g.respondents:,} respondents" + (" (a combined group)" if g.combined else ""))
            self.list.addItem(item)
        for name in sorted(chosen - names):  # chosen in another year: kept, shown without a count
            item = QListWidgetItem(f"{name} (not in this year)")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        self.search.setVisible(self.list.count() > SEARCH_FROM)
        rows = min(self.list.count(), 6)
        self.list.setFixedHeight(max(1, rows) * (self.list.sizeHintForRow(0) if self.list.count() else 18) + 6)
        self.list.blockSignals(False)

    def chosen(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def clear_choice(self) -> None:
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.list.blockSignals(False)

    def _search(self, text: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(text) and text.lower() not in item.text().lower())


class FilterPanel(QWidget):
    """Emits ``changed`` when the view (filters, compare-by, comparator, weighting) changes and
    ``year_changed`` when the year in focus changes (a display choice: trends show every year)."""

    changed = Signal()
    year_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.catalog: Catalog | None = None
        self.columns: dict[str, ColumnFilter] = {}
        self._quiet = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        def combo(label: str, name: str, description: str, slot) -> QComboBox:
            box = QComboBox(self)
            box.setAccessibleName(name)
            box.setAccessibleDescription(description)
            box.currentIndexChanged.connect(slot)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
            form.addRow(label, box)
            return box

        self.year = combo("&Year", "Survey year", "The year the headline figures, breakdowns and answers are for.",
                          self._year_changed)
        self.by1 = combo("Compare &by", "Compare by", "Show each group of this column side by side.", self._by1_changed)
        self.by2 = combo("and b&y", "and by", "A second column to compare by (same family of columns only).", self._emit)
        self.comparator = combo("Compare &with", "Compare with",
                                "What each figure's change or difference is measured against.", self._emit)
        self.organisation = combo("Your &organisation", "Your organisation", "Published data holds many organisations: "
                                  "the one whose results are shown and ranked.", self._emit)
        self.group = combo("Similar &trusts", "Similar trusts", "The benchmarking group whose best, median and worst "
                           "are drawn on the trends and whose organisations are ranked.", self._emit)
        self.form = form
        layout.addLayout(form)
        self.weighted = QCheckBox("&Weighted (as the national figures)", self)
        self.weighted.setAccessibleName("Weighted results")
        self.weighted.setAccessibleDescription("Weight results by staff group as the national figures are "
                                               "(offered only where the file's weights allow it).")
        self.weighted.toggled.connect(self._emit)
        layout.addWidget(self.weighted)
        self.reset_button = QPushButton("&Reset filters", self)
        self.reset_button.setAccessibleName("Reset filters and comparisons")
        self.reset_button.setAccessibleDescription("Clear every filter and compare-by column and compare with "
                                                   "last year again.")
        self.reset_button.clicked.connect(self.reset)
        layout.addWidget(self.reset_button)
        self.rule = QLabel("", self)
        self.rule.setWordWrap(True)
        self.rule.setObjectName("hint")
        layout.addWidget(self.rule)
        self.lists = QVBoxLayout()
        layout.addLayout(self.lists)
        layout.addStretch(1)

    # ------------------------------------------------------------------ building
    def set_catalog(self, catalog: Catalog, spec: ViewSpec) -> None:
        self._quiet = True
        self.catalog = catalog
        for w in self.columns.values():
            w.setParent(None)
            w.deleteLater()
        self.columns = {}
        self.year.clear()
        for y in sorted(catalog.years, reverse=True):
            self.year.addItem(str(y), y)
        for c in catalog.columns:
            w = ColumnFilter(c.name, c.label, c.family, self)
            w.changed.connect(self._emit)
            self.columns[c.name] = w
            self.lists.addWidget(w)
        self.comparator.clear()
        for c in catalog.comparators:
            self.comparator.addItem(COMPARATOR_WORDS.get(c, c), c)
        self.weighted.setVisible(catalog.weighted)
        self.organisation.clear()
        # published data of many organisations: whose figures; beside respondent data (a benchmark
        # workbook open): which of the workbook's organisations is this file's, so similar trusts are known
        choose_org = len(catalog.organisations) > 1
        if choose_org and catalog.kind == "respondents":
            self.organisation.addItem("As the file names it", None)
        if choose_org:
            for o in sorted(catalog.organisations, key=lambda o: o["name"].casefold()):
                self.organisation.addItem(f"{o['name']} ({o['org_id']})" if o["name"] else o["org_id"], o["org_id"])
        self.form.setRowVisible(self.organisation, choose_org)
        self.group.clear()
        self.group.addItem("Your organisation's group", None)
        for g in catalog.benchmark_groups:
            self.group.addItem(g, g)
        self.form.setRowVisible(self.group, bool(catalog.benchmark_groups))
        self._quiet = False
        self.apply(spec)

    def focus_year(self) -> int | None:
        return self.year.currentData()

    def apply(self, spec: ViewSpec) -> None:
        """Show ``spec`` in the widgets without emitting (undo, redo, opening a view)."""
        if self.catalog is None:
            return
        self._quiet = True
        chosen: dict[str, set[str]] = {}
        if spec.filter is not None:
            for column, values, negated in spec.filter.leaves():
                if not negated:
                    chosen.setdefault(self._name(column), set()).update(values)
        self._fill_lists(chosen)
        self._fill_by(spec.breakdown)
        i = self.comparator.findData(spec.comparator)
        self.comparator.setCurrentIndex(max(0, i))
        self.weighted.setChecked(spec.weighted)
        self.organisation.setCurrentIndex(max(0, self._org_index(spec.organisation)))
        self.group.setCurrentIndex(max(0, self.group.findData(spec.benchmark_group)))
        self._quiet = False
        self._family_rule()

    def _org_index(self, organisation: str | None) -> int:
        if organisation is None or self.catalog is None:
            return -1
        wanted = organisation.strip().casefold()
        for o in self.catalog.organisations:
            if wanted in (o["org_id"].casefold(), o["name"].casefold()):
                return self.organisation.findData(o["org_id"])
        return -1

    def _name(self, column: str) -> str:
        if column in self.columns:
            return column
        for name, w in self.columns.items():
            if w.label == column:
                return name
        return column

    def _fill_lists(self, chosen: dict[str, set[str]] | None = None) -> None:
        year = self.focus_year()
        if chosen is None:
            chosen = {name: set(w.chosen()) for name, w in self.columns.items()}
        for c in self.catalog.columns:
            self.columns[c.name].fill(c.groups.get(year, []), chosen.get(c.name, set()))

    def _fill_by(self, breakdown: tuple[str, ...]) -> None:
        self.by1.blockSignals(True)
        self.by1.clear()
        self.by1.addItem("Nothing", None)
        for c in self.catalog.columns:
            self.by1.addItem(c.label, c.name)
        first = self._name(breakdown[0]) if breakdown else None
        self.by1.setCurrentIndex(max(0, self.by1.findData(first)))
        self.by1.blockSignals(False)
        self._fill_by2(self._name(breakdown[1]) if len(breakdown) > 1 else None)

    def _fill_by2(self, keep: str | None) -> None:
        self.by2.blockSignals(True)
        self.by2.clear()
        self.by2.addItem("Nothing", None)
        first = self.by1.currentData()
        if first is not None:
            family = self.columns[first].family
            for c in self.catalog.columns:
                if c.name != first and c.family == family:
                    self.by2.addItem(c.label, c.name)
        self.by2.setCurrentIndex(max(0, self.by2.findData(keep)))
        self.by2.setEnabled(first is not None)
        self.by2.blockSignals(False)

    # ------------------------------------------------------------------ reading
    def filter(self) -> Filter | None:
        parts: list[Filter] = []
        for name, w in self.columns.items():
            values = w.chosen()
            if len(values) == 1:
                parts.append(Eq(name, values[0]))
            elif values:
                parts.append(In(name, tuple(values)))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def breakdown(self) -> tuple[str, ...]:
        return tuple(b for b in (self.by1.currentData(), self.by2.currentData()) if b)

    def spec(self, base: ViewSpec) -> ViewSpec:
        organisation = self.organisation.currentData() if self.organisation.count() else base.organisation
        return base.with_(filter=self.filter(), breakdown=self.breakdown(),
                          comparator=self.comparator.currentData() or base.comparator,
                          weighted=self.weighted.isChecked() and not self.weighted.isHidden(),
                          organisation=organisation, benchmark_group=self.group.currentData())

    def compare_by(self, column: str) -> bool:
        """Compare by ``column`` alone (a page's shortcut, e.g. the WRES split); one view change.
        False when the filters in use rule it out (another family of columns)."""
        i = self.by1.findData(column)
        if i < 0 or not self.by1.model().item(i).isEnabled():
            return False
        self._quiet = True
        self.by1.setCurrentIndex(i)
        self._fill_by2(None)
        self._quiet = False
        self._emit()
        return True

    # ------------------------------------------------------------------ events
    def reset(self) -> None:
        self._quiet = True
        for w in self.columns.values():
            w.clear_choice()
        self.by1.setCurrentIndex(0)
        self._fill_by2(None)
        i = self.comparator.findData("last_year")
        self.comparator.setCurrentIndex(max(0, i))
        self.weighted.setChecked(False)
        self._quiet = False
        self._family_rule()
        self.changed.emit()

    def _by1_changed(self) -> None:
        if self.catalog is None:
            return
        self._fill_by2(self.by2.currentData())
        self._emit()

    def _year_changed(self) -> None:
        if self._quiet or self.catalog is None:
            return
        self._quiet = True
        self._fill_lists()
        self._quiet = False
        self.year_changed.emit(self.focus_year())

    def _family_rule(self) -> None:
        """Only one family of columns at a time: grey out the other, and say why."""
        used = {self.columns[n].family for n, w in self.columns.items() if w.chosen()}
        used |= {self.columns[b].family for b in self.breakdown() if b in self.columns}
        for w in self.columns.values():
            w.setEnabled(not used or w.family in used)
        filtered = {w.family for w in self.columns.values() if w.chosen()}
        for i in range(1, self.by1.count()):
            self.by1.model().item(i).setEnabled(not filtered or self.columns[self.by1.itemData(i)].family in filtered)
        self.rule.setText("" if not used else rule_words(used))

    def _emit(self) -> None:
        if self._quiet:
            return
        self._family_rule()
        self.changed.emit()
