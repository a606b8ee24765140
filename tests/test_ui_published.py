"""The window on a published organisation table: its attributes filter and group organisations, the
header says whose figures these are, and the workforce composition is context on the Overview."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.ui

from tests.test_published_tables import org_table  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    from explorer.ui.main import MainWindow

    path = tmp_path / "organisation results.csv"
    frame = org_table(path)
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.session is not None, timeout=60000)
    w.computer.wait()
    yield w, frame
    w.close()


def test_region_filters_and_groups_organisations_in_the_window(window):
    from PySide6.QtCore import Qt

    w, frame = window
    assert {"Region", "Benchmarking group"} <= set(w.panel.columns)
    assert "Female_rate" not in w.panel.columns
    ours = w.session.spec.organisation
    region = frame.loc[frame["ODS code"] == ours, "Region"].iloc[0]
    # the Overview shows the composition as context, not as a result
    w.tabs.setCurrentWidget(w.overview)
    w.computer.wait()
    assert w.overview.context.isVisibleTo(w.overview) and "Female" in w.overview.context.text()
    assert "context, not survey results" in w.overview.context.text()
    assert "published figures" in w.selection.text()
    # ticking our region: our figures beside the region's median organisation
    page = w.lens_pages["bullying"]
    w.tabs.setCurrentWidget(page)
    w.computer.wait()
    lst = w.panel.columns["Region"].list
    for i in range(lst.count()):
        if lst.item(i).data(Qt.ItemDataRole.UserRole) == region:
            lst.item(i).setCheckState(Qt.CheckState.Checked)
    w.computer.wait()
    assert f"Region is {region}" in w.selection.text()
    groups = set(page.breakdown.chart.figures["group"])
    assert f"Median where Region is {region}" in groups
    expected = w.session.compute(w.session.spec.with_(lens="bullying"))
    median = expected.table[expected.table["group"] == f"Median where Region is {region}"]
    shown = page.breakdown.chart.figures
    shown = shown[shown["group"] == f"Median where Region is {region}"]
    assert float(shown["value"].iloc[0]) == pytest.approx(float(median[(median["measure"] == page.measure)
                                                                       & (median["year"] == w.panel.focus_year())]["value"].iloc[0]))
    # compare by benchmarking group: one median per group
    w.panel.by1.setCurrentIndex(w.panel.by1.findData("Benchmarking group"))
    w.computer.wait()
    groups = set(page.breakdown.chart.figures["group"])
    assert len(groups - {"All staff"}) >= 1 and all(not g.startswith("Median where") for g in groups)
