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


def _no_weighting_no_groups(path):
    """An organisation table like a reviewer's: no Weighting column, no benchmarking group, no equality column."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    rows = []
    for i in range(8):
        for year in (2023, 2024):
            rows.append({"ODS code": f"RQ{i}", "Trust": f"Trust {i}", "Year": year,
                         "Region": ["London", "Midlands"][i % 2],
                         "Would recommend as a place to work": round(float(rng.uniform(30, 50)), 1),
                         "We are safe and healthy - Burnout": round(float(rng.uniform(4, 6)), 2),
                         "Respondents": int(rng.integers(500, 3000))})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def plain_window(qtbot, tmp_path):
    from explorer.ui.main import MainWindow

    w = MainWindow(str(_no_weighting_no_groups(tmp_path / "org results.csv")))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.session is not None, timeout=60000)
    w.computer.wait()
    yield w
    w.close()


def test_the_header_never_calls_figures_unweighted_when_the_file_does_not_say(plain_window):
    w = plain_window
    assert w.session.spec.organisation  # the first organisation, chosen for the user
    w.tabs.setCurrentWidget(w.overview)
    w.computer.wait()
    assert "the file does not say whether its figures are weighted" in w.selection.text()
    assert "unweighted" not in w.selection.text()


def test_a_published_file_is_offered_only_columns_and_splits_it_has(plain_window):
    w = plain_window
    bullying = w.lens_pages["bullying"]  # no equality column in the file: no WRES / WDES buttons at all
    assert bullying.split_row is not None and not bullying.split_row.isVisibleTo(bullying)
    page = w.lens_pages["morale"]
    w.tabs.setCurrentWidget(page)
    w.computer.wait()
    assert "for example Region" in page.breakdown.subtitle.text() and "Directorate" not in page.breakdown.subtitle.text()


def test_published_groups_are_never_said_to_be_tested_and_the_rule_gives_the_true_reason(plain_window):
    w = plain_window
    page = w.lens_pages["morale"]
    w.tabs.setCurrentWidget(page)
    w.panel.by1.setCurrentIndex(w.panel.by1.findData("Region"))  # medians of organisations beside ours
    w.computer.wait()
    said = page.breakdown.subtitle.text()
    assert "significantly" not in said and "not tested for significance" in said
    assert "organisation's own figure" in said
    assert "one breakdown at a time" in w.panel.rule.text() and "small groups" not in w.panel.rule.text()


def test_the_organisations_page_of_a_file_with_no_benchmarking_group_ranks_all_its_organisations(plain_window):
    w = plain_window
    w.tabs.setCurrentWidget(w.organisations)
    w.computer.wait()
    assert w.selection.text().startswith("All organisations in the file, 2024 · published figures")
    assert "all organisations in the file" in w.organisations.hint.text()
    assert "benchmarking group" not in w.organisations.hint.text()
    assert ": all organisations in the file, 2024" in w.organisations.ranking.title.text()
    assert ": ," not in w.organisations.ranking.title.text()
    ranking = w.organisations.ranking.subtitle.text()
    assert "the file does not say whether they are weighted" in ranking and "unweighted" not in ranking
