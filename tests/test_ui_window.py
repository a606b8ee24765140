"""The window, driven as a user would: filters, compare-by, undo, withheld groups, empty views,
accessibility; every chart's table checked against the session's own Results."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.ui

from explorer.core.filters import And, Eq  # noqa: E402
from explorer.core.results import ORGANISATION_GROUP  # noqa: E402


@pytest.fixture(scope="module")
def demo_session():
    from explorer.core.session import Session

    return Session.open_demo()


@pytest.fixture
def window(qtbot, demo_session):
    from explorer.ui.main import MainWindow

    w = MainWindow(None)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.set_session(demo_session.__class__(demo_session.data, demo_session.bank, demo_session.source))
    w.computer.wait()
    yield w
    w.close()


def _tick(window, column: str, *names: str) -> None:
    lst = window.panel.columns[column].list
    from PySide6.QtCore import Qt

    for i in range(lst.count()):
        if lst.item(i).data(Qt.ItemDataRole.UserRole) in names:
            lst.item(i).setCheckState(Qt.CheckState.Checked)
    window.computer.wait()


def _page(window, lens: str):
    window.tabs.setCurrentWidget(window.lens_pages[lens])
    window.computer.wait()
    return window.lens_pages[lens]


def test_a_filter_changes_the_header_n_and_the_charts(window):
    year = window.panel.focus_year()
    everyone = window.session.compute(window.session.spec.with_(lens="trust")).extra["respondents"][year]
    assert f"{everyone:,} respondents" in window.selection.text()
    page = _page(window, "bullying")
    before = page.trend.chart.figures.copy()
    _tick(window, "Directorate", "Surgery")
    assert window.session.spec.filter == Eq("Directorate", "Surgery")
    surgery = {g.name: g.respondents for g in window.session.catalog().column("Directorate").groups[year]}["Surgery"]
    assert f"{surgery:,} respondents" in window.selection.text() and "Directorate is Surgery" in window.selection.text()
    after = page.trend.chart.figures
    assert not np.allclose(before["value"].astype(float), after["value"].astype(float))
    truth = window.session.compute(window.session.spec.with_(lens="bullying", years=()))
    t = truth.table
    rows = t[(t["measure"] == page.measure) & (t["group"] == ORGANISATION_GROUP)
             & (t["statistic"] == t[t["measure"] == page.measure]["statistic"].iloc[0])].sort_values("year")
    assert np.allclose(after["value"].astype(float), rows["value"].astype(float), equal_nan=True)
    assert after["n"].tolist() == rows["n"].astype(int).tolist()


def test_every_chart_table_equals_the_session_results(window):
    page = _page(window, "trust")
    window.panel.by1.setCurrentIndex(window.panel.by1.findData("Staff group"))
    window.computer.wait()
    spec = window.session.spec.with_(lens="trust", years=(), statistics=("positive", "score"))
    truth = window.session.compute(spec).table
    year = window.panel.focus_year()
    for measure in ("manager_encourages", "PP7_2", "org_safe_to_speak_up"):
        page.select(measure)
        stat = "score" if measure.startswith("PP") else "positive"
        rows = truth[(truth["measure"] == measure) & (truth["statistic"] == stat) & (truth["year"] == year)
                     & (truth["group"] != ORGANISATION_GROUP)]
        table = page.breakdown.table
        shown = {table.rows[i][0]: table.rows[i] for i in range(len(table.rows))}
        assert set(shown) == set(rows["group"])
        for r in rows.itertuples():
            line = shown[r.group]
            if r.suppressed:
                assert line[2] is None and line[-1] == r.suppression_reason
            else:
                assert abs(line[2] - r.value) < 1e-3 and line[3] == int(r.n)
        trend = page.trend.table.rows
        org = truth[(truth["measure"] == measure) & (truth["statistic"] == stat) & (truth["group"] == ORGANISATION_GROUP)]
        assert [line[1] for line in trend] == sorted(org["year"].tolist())


def test_withheld_groups_are_shown_as_withheld_never_dropped(window):
    page = _page(window, "bullying")
    window.panel.by1.setCurrentIndex(window.panel.by1.findData("Directorate"))
    window.computer.wait()
    page.select("harassment_colleagues")
    figures = page.breakdown.chart.figures
    withheld = figures[figures["suppressed"]]
    assert "Research and Innovation" in set(withheld["group"])
    assert withheld["value"].isna().all() and (withheld["suppression_reason"].str.len() > 0).all()
    assert "Research and Innovation" in window.withheld.text()
    assert (figures[~figures["suppressed"]]["n"] >= 11).all()


def test_compare_by_two_columns_and_only_one_family(window):
    page = _page(window, "morale")
    panel = window.panel
    panel.by1.setCurrentIndex(panel.by1.findData("Directorate"))
    offered = [panel.by2.itemData(i) for i in range(1, panel.by2.count())]
    assert "Staff group" in offered and "gender" not in offered  # equality columns are another family
    panel.by2.setCurrentIndex(panel.by2.findData("Staff group"))
    window.computer.wait()
    assert window.session.spec.breakdown == ("Directorate", "Staff group")
    figures = page.breakdown.chart.figures
    assert len(figures) > 10 and (figures["group_1"] != "").all() and (figures["group_2"] != "").all()
    assert not panel.columns["gender"].isEnabled()


def test_the_header_says_when_a_weighted_view_cannot_be_weighted(window):
    panel = window.panel
    assert not panel.weighted.isHidden()  # offered: the demo's weights follow staff group
    panel.weighted.setChecked(True)
    window.computer.wait()
    assert "weighted" in window.selection.text() and "unweighted" not in window.selection.text()
    page = _page(window, "bullying")
    panel.by1.setCurrentIndex(panel.by1.findData("gender"))  # equality columns: never weighted
    window.computer.wait()
    assert "unweighted (this view cannot be weighted)" in window.selection.text()
    assert not page.breakdown.chart.figures.empty
    assert "unweighted" in page.breakdown.subtitle.text()


def test_undo_and_redo_restore_the_view_and_the_widgets(window):
    _tick(window, "Staff group", "Medical and Dental")
    window.panel.by1.setCurrentIndex(window.panel.by1.findData("Site"))
    window.computer.wait()
    assert window.session.spec.breakdown == ("Site",)
    window.undo()
    window.computer.wait()
    assert window.session.spec.breakdown == () and window.panel.by1.currentData() is None
    assert window.panel.columns["Staff group"].chosen() == ["Medical and Dental"]
    window.undo()
    assert window.session.spec.filter is None and window.panel.columns["Staff group"].chosen() == []
    window.redo()
    window.redo()
    window.computer.wait()
    assert window.session.spec.breakdown == ("Site",) and window.panel.by1.currentData() == "Site"
    assert "Site" in window.selection.text()


def test_cancel_during_load_keeps_the_previous_dataset(window, qtbot):
    before = window.session
    window.start_loading(None)  # the demo again: long enough to cancel
    window.cancel_loading()
    qtbot.waitUntil(lambda: window._worker is None, timeout=30000)
    assert window.session is before
    assert "cancelled" in window.status.text().lower()


def test_a_view_matching_nobody_says_why_on_every_page(window):
    spec = window.session.spec.with_(filter=And((Eq("Directorate", "Estates and Facilities"),
                                                 Eq("Staff group", "Medical and Dental"))))
    window.session.set_spec(spec)
    window.panel.apply(window.session.spec)
    window.refresh(immediate=True)
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        window.computer.wait()
        page = window.tabs.currentWidget()
        assert page.empty.isVisible() or not page.isVisible()
        if page is window.organisations:  # published figures, no filter: it says what it needs instead
            assert "benchmark workbook" in page.empty.text()
            continue
        assert "No figures can be shown" in page.empty.text()
        if hasattr(page, "cards"):
            assert all(card.chart.message for card in page.cards())


def test_every_interactive_widget_has_an_accessible_name_and_description(window):
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QHeaderView, QLineEdit,
                                   QTabBar, QTabWidget)
    import pyqtgraph as pg

    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        window.computer.wait()
    missing, undescribed = [], []
    for widget in window.findChildren(QWidget_types()):
        if isinstance(widget, (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QTabWidget, pg.PlotWidget)):
            parent, inside_combo = widget.parent(), False
            while parent is not None:
                inside_combo |= isinstance(parent, (QComboBox, QLineEdit, QTabBar))  # their own parts
                parent = parent.parent()
            if inside_combo or isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
                continue  # parts of a combo box or a table, named through their owner
            if not widget.accessibleName():
                missing.append(f"{type(widget).__name__} {widget.text() if hasattr(widget, 'text') else ''}")
            elif not widget.accessibleDescription() and not isinstance(widget, QTabWidget):
                undescribed.append(f"{type(widget).__name__} {widget.accessibleName()}")
    assert not missing, missing
    assert not undescribed, "\n".join(undescribed)


def QWidget_types():  # noqa: N802 - a helper returning a Qt class
    from PySide6.QtWidgets import QWidget

    return QWidget


def test_overview_answers_the_first_questions_and_links_to_the_page(window):
    window.tabs.setCurrentIndex(0)
    window.computer.wait()
    quick = window.overview.quick
    words = [quick.item(r, 0).text() for r in range(quick.rowCount())]
    assert any("colleagues" in w for w in words) and any("speak up" in w for w in words)
    year = window.panel.focus_year()
    truth = window.session.compute(window.session.spec.with_(lens="bullying", years=(), breakdown=(),
                                                             statistics=("positive", "score"))).table
    row = truth[(truth["measure"] == "harassment_colleagues") & (truth["year"] == year)
                & (truth["group"] == ORGANISATION_GROUP)].iloc[0]
    r = next(i for i, w in enumerate(words) if "colleagues" in w)
    assert quick.item(r, 1).text() == f"{row['value']:.1f}%" and quick.item(r, 2).text() == f"{int(row['n']):,}"
    window.overview._open_quick(quick.item(r, 0))
    window.computer.wait()
    assert window.tabs.currentWidget() is window.lens_pages["bullying"]
    assert window.lens_pages["bullying"].measure == "harassment_colleagues"


def test_a_one_year_file_renders_every_page(qtbot, tmp_path):
    from explorer.ui.main import MainWindow
    from tests import readers_fixtures as fx

    path = fx.write_respondent_xlsx(tmp_path / "one.xlsx")
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.session is not None, timeout=30000)
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        w.computer.wait()
        page = w.tabs.currentWidget()
        if hasattr(page, "cards"):  # every chart drawn, or a sentence saying why not
            assert all(len(card.chart.figures) or card.chart.message for card in page.cards()), i
    w.close()


def test_screenshots_write_pages_whose_csvs_equal_the_results(tmp_path, qtbot, demo_session):
    from explorer.ui.screenshots import render

    index = render(None, tmp_path, (1366, 768))
    names = [p["page"] for p in index]
    assert names[0] == "welcome" and {"overview", "trust", "bullying-and-harassment", "morale"} <= set(names)
    for p in index:
        assert (tmp_path / p["png"]).stat().st_size > 5000
    assert json.loads((tmp_path / "index.json").read_text())["pages"] == index
    frame = pd.read_csv(tmp_path / "03-trust.csv")
    truth = demo_session.compute(demo_session.spec.with_(lens="trust", years=(), statistics=("positive", "score"))).table
    trend = frame[frame["chart"] == "trend"]
    assert len(trend) >= 5
    for r in trend.itertuples():
        t = truth[(truth["measure"] == r.measure) & (truth["year"] == r.year) & (truth["group"] == r.group)]
        t = t[t["statistic"].isin(("positive", "score"))]
        assert abs(float(t["value"].iloc[0]) - r.value) < 1e-9 and int(t["n"].iloc[0]) == r.n


def test_settings_stay_in_the_test_folder_and_recent_files_are_remembered(qtbot, tmp_path):
    import os

    from explorer.ui.main import MainWindow
    from tests import readers_fixtures as fx

    path = fx.write_respondent_xlsx(tmp_path / "recent.xlsx")
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.session is not None, timeout=30000)
    assert w.settings.fileName().startswith(os.environ["XDG_CONFIG_HOME"])
    assert w.recent_files()[0] == str(path.resolve())
    path.unlink()  # a recent file that has gone is not offered
    assert str(path.resolve()) not in w.recent_files()
    w.close()


def test_charts_redraw_in_place_and_name_every_row(window):
    """Redrawing reuses the chart's items (a legend per drawing once piled up on the plot), and every
    row's name fits its axis (pyqtgraph silently drops a tick label wider than the axis)."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont, QFontMetrics

    page = _page(window, "trust")
    chart = page.answers.chart
    chart.flush()  # below the fold it is drawn when seen: as if scrolled to
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # and laid out
    items_before = len(chart.getPlotItem().items)
    for _ in range(3):
        page.draw()
        chart.flush()
    vb = chart.getPlotItem().vb
    assert sum(isinstance(c, pg.LegendItem) for c in vb.childItems()) == 1
    assert len(chart.getPlotItem().items) == items_before  # nothing left behind by earlier drawings
    visible = [t for t in chart._texts if t.isVisible()]
    assert len(visible) == chart._used > 0
    metrics = QFontMetrics(QFont())
    for c in (page.answers.chart, page.breakdown.chart):
        axis = c.getPlotItem().getAxis("left")
        labels = [label for _, label in (axis._tickLevels or [[]])[0]]
        for label in labels:
            assert all(metrics.horizontalAdvance(line) <= axis.width() - 10 for line in label.split("\n")), label
    assert len(chart.figures) > 0


def test_the_keyboard_reaches_filters_pages_lists_charts_and_their_tables(window, qtbot):
    """Tab walks the window: the filters, the page tabs, the measure list, each chart and its buttons;
    Ctrl+T on a chart shows its table; Ctrl+2 opens the Trust page."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTabBar

    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    page = _page(window, "trust")
    window.panel.year.setFocus()
    seen = []
    for _ in range(200):
        widget = QApplication.focusWidget()
        seen.append(widget)
        window.focusNextChild()
        QApplication.processEvents()
    names = {w.accessibleName() for w in seen if w is not None}
    assert {"Survey year", "Compare by", "Compare with"} <= names
    assert any(isinstance(w, QTabBar) for w in seen)
    assert page.list in seen
    assert page.trend.chart in seen and page.breakdown.chart in seen
    assert any(w is page.trend.table_button for w in seen)
    page.trend.chart.setFocus()
    qtbot.keyClick(page.trend.chart, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert page.trend.stack.currentWidget() is page.trend.table and page.trend.table.hasFocus()
    assert page.trend.table.rowCount() == len(page.trend.chart.figures)
    qtbot.keyClick(page.trend.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert page.trend.stack.currentWidget() is page.trend.chart
    window.tabs.setCurrentIndex(0)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is page


def test_the_header_fits_its_wrapped_text_at_any_width(window, qtbot):
    from PySide6.QtWidgets import QApplication

    window.show()
    qtbot.waitExposed(window)
    _page(window, "bullying")
    _tick(window, "Directorate", *[window.panel.columns["Directorate"].list.item(i).data(256)
                                   for i in range(window.panel.columns["Directorate"].list.count())][:5])
    _tick(window, "Staff group", *[window.panel.columns["Staff group"].list.item(i).data(256) for i in range(6)])
    window.resize(900, 700)  # narrow: the long selection wraps
    QApplication.processEvents()
    label = window.selection
    assert label.heightForWidth(label.width()) > label.fontMetrics().height() * 1.5, "the text should wrap here"
    for w in (window.title, window.selection, window.withheld):  # every line of the header is on screen
        assert w.isVisible()
        assert w.geometry().bottom() <= window.header.contentsRect().bottom()
        assert w.height() >= (w.heightForWidth(w.width()) if w.wordWrap() else w.sizeHint().height()) - 1
    height = window.header.height()
    window.resize(1366, 768)
    QApplication.processEvents()
    assert window.header.height() < height  # wider: fewer lines, and the charts get the room back


def test_a_chart_below_the_fold_is_drawn_when_scrolled_to_with_the_views_figures(window):
    """At a click only the charts on screen are drawn (and the answer shares worked out only when their
    chart is on screen); one below the fold is drawn when scrolled to (or when its figures, table or
    image are asked for) — with the current view's figures, never stale."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    window.show()
    page = _page(window, "bullying")
    window.panel.by1.setCurrentIndex(window.panel.by1.findData("Directorate"))
    window.computer.wait()
    chart = page.answers.chart
    assert page.trend.chart.on_screen() and page.trend.chart._pending is None
    assert not chart.on_screen() and chart._pending is not None  # 1366x768: under the trend and the breakdown
    lst = window.panel.columns["Staff group"].list
    name = lst.item(0).data(0x0100)
    _tick(window, "Staff group", name)
    scroll = page.answers.parentWidget()
    while not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    assert "options" not in window.jobs()  # the click did not work out answers nobody can see
    scroll.ensureWidgetVisible(page.answers)
    for _ in range(3):
        QApplication.processEvents()
    window.computer.wait()  # seen: its answers are worked out in the background, then drawn
    for _ in range(3):
        QApplication.processEvents()
    assert chart.on_screen() and chart._pending is None  # drawn by being painted, not by the test
    assert "options" in window.jobs()  # on screen now: the next click works them out with the rest
    expected = window.session.compute(window.jobs()["options"]).table  # the view the page asked for
    expected = expected[expected["year"] == window.panel.focus_year()]
    shares = {(m, f"All staff: {o}"): v for m, o, v in zip(expected["measure"].astype(str), expected["option"].astype(str),
                                                            expected["value"].astype(float))}
    drawn = chart.figures
    assert len(drawn) > 0
    for m, group, value in zip(drawn["measure"].astype(str), drawn["group"].astype(str), drawn["value"].astype(float)):
        assert value == pytest.approx(shares[(m, group)])
