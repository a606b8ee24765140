"""The Questions and Organisations pages, the similar-trusts band, drivers and the WRES/WDES splits,
published data alone, the busy indicator and closing while loading — each drawn figure checked
against the session's own Results."""

from __future__ import annotations

import time

import pandas as pd
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.ui

from explorer.core.results import ORGANISATION_GROUP  # noqa: E402
from explorer.demo import demo_files  # noqa: E402


@pytest.fixture(scope="module")
def benchmarked():
    from explorer.core.session import Session

    session = Session.open_demo()
    session.open_benchmark(demo_files()["benchmark_xlsx"])
    return session


@pytest.fixture
def window(qtbot, benchmarked):
    from explorer.core.session import Session
    from explorer.ui.main import MainWindow

    w = MainWindow(None)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    fresh = Session(benchmarked.data, benchmarked.bank, benchmarked.source)
    fresh.benchmark, fresh.benchmark_source = benchmarked.benchmark, benchmarked.benchmark_source
    w.set_session(fresh)
    w.computer.wait()
    yield w
    w.close()


def _show(window, page):
    window.tabs.setCurrentWidget(page)
    window.computer.wait()
    return page


def test_the_trend_draws_similar_trusts_and_tables_them(window):
    page = _show(window, window.lens_pages["bullying"])
    page.select("harassment_public")
    truth = window.session.compute(window.session.spec.with_(lens="bullying", years=(),
                                                             statistics=("positive", "score"))).table
    truth = truth[(truth["measure"] == "harassment_public") & (truth["group"] == ORGANISATION_GROUP)]
    headers, rows = page.trend.table.headers, page.trend.table.rows
    table = pd.DataFrame(rows, columns=headers).set_index("Year")
    for r in truth.itertuples():
        assert table.loc[r.year, "Similar trusts: median"] == pytest.approx(r.benchmark_median, abs=1e-4)
        assert table.loc[r.year, "Similar trusts: best"] == pytest.approx(r.benchmark_best, abs=1e-4)
    assert "similar trusts" in page.trend.subtitle.text() or "Acute" in page.trend.subtitle.text()


def test_questions_are_found_by_words_or_code_and_charted_from_the_results(window, qtbot):
    page = _show(window, window.questions)
    page.search.setText("q14a")  # 2021-2025's code for harassment from patients / the public
    visible = [page.list.item(r, 0).data(256) for r in range(page.list.rowCount()) if not page.list.isRowHidden(r)]
    assert visible == ["harassment_public"]
    page.search.setText("enthusiastic job")
    visible = [page.list.item(r, 0).data(256) for r in range(page.list.rowCount()) if not page.list.isRowHidden(r)]
    assert visible == ["motivation_enthusiastic"]
    row = next(r for r in range(page.list.rowCount()) if not page.list.isRowHidden(r))
    page.list.selectRow(row)
    window.computer.wait()
    assert page.measure == "motivation_enthusiastic"
    truth = window.session.compute(window.session.spec.with_(lens=None, measures=("motivation_enthusiastic",),
                                                             years=(), statistics=("positive", "score"))).table
    truth = truth[truth["group"] == ORGANISATION_GROUP].sort_values("year")
    drawn = page.view.trend.chart.figures
    assert list(drawn["year"]) == list(truth["year"])
    assert list(drawn["value"].round(6)) == list(truth["value"].round(6))
    assert "enthusiastic" in page.view.trend.title.text().lower()


def test_organisations_are_ranked_with_ours_marked(window):
    page = _show(window, window.organisations)
    year = window.panel.focus_year()
    assert page.measure is not None
    drawn = page.ranking.chart.figures
    league = window.session.league(window.session.spec.with_(lens=None, measures=(page.measure,), years=(year,)))
    truth = league.table
    assert sorted(drawn["group"]) == sorted(truth["group"])
    shown = truth[~truth["suppressed"]].sort_values("rank", kind="stable")
    assert list(drawn["value"].dropna().round(6))[: len(shown)] == list(shown["value"].round(6))
    ours = [line for line in page.ranking.table.rows if "(your organisation)" in line[0]]
    assert len(ours) == 1 and "Northshire" in ours[0][0]
    assert "yours: rank" in page.ranking.title.text()
    assert "Organisations in" in window.selection.text()


def test_drivers_are_drawn_only_when_asked_and_say_association_not_causation(window):
    page = _show(window, window.lens_pages["trust"])
    assert "drivers" not in window.jobs()  # a click stays quick: drivers are worked out only when shown
    page.show_drivers.setChecked(True)
    window.computer.wait()
    assert "drivers" in window.jobs()
    year = window.panel.focus_year()
    truth = window.session.compute(window.session.spec.with_(lens="trust", statistics=("drivers",), breakdown=(),
                                                             comparator="none", years=(year,))).table
    drawn = page.drivers.chart.figures
    assert len(drawn) == len(truth) > 5
    assert drawn["value"].round(6).tolist() == truth.sort_values("value", ascending=False)["value"].round(6).tolist()
    assert "not causation" in page.drivers.subtitle.text().lower()


def test_the_wres_split_compares_by_ethnicity_in_one_click(window):
    page = _show(window, window.lens_pages["bullying"])
    page.splits["WRES"].click()
    window.computer.wait()
    assert window.session.spec.breakdown == ("Ethnicity (WRES summary)",)
    assert window.panel.by1.currentData() == "Ethnicity (WRES summary)"
    groups = set(page.breakdown.chart.figures["group"])
    assert "White" in groups
    window.undo()
    window.computer.wait()
    assert window.session.spec.breakdown == ()


def test_published_data_alone_renders_every_page_and_chooses_an_organisation(qtbot):
    from explorer.ui.main import MainWindow

    w = MainWindow(str(demo_files()["benchmark_xlsx"]))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.session is not None, timeout=60000)
    w.computer.wait()
    assert w.panel.organisation.isVisibleTo(w.panel) and w.panel.organisation.count() > 100
    assert w.session.spec.organisation is not None and not w.session.can_undo
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        w.computer.wait()
        page = w.tabs.currentWidget()
        if hasattr(page, "cards"):
            assert all(len(card.chart.figures) or card.chart.message for card in page.cards()), w.tabs.tabText(i)
    # choosing another organisation changes what is shown, and the header says whose figures they are
    w.tabs.setCurrentWidget(w.organisations)
    w.computer.wait()
    i = w.panel.organisation.findData("XNH")
    w.panel.organisation.setCurrentIndex(i)
    w.computer.wait()
    assert w.session.spec.organisation == "XNH"
    assert "Northshire" in w.selection.text()
    w.close()


def test_the_busy_indicator_shows_only_for_slow_work(window, qtbot, monkeypatch):
    from explorer.ui import compute

    shown = []
    window.computer.busy.connect(shown.append)
    window.refresh(immediate=True)  # cached: quick, no indicator
    window.computer.wait()
    assert True not in shown
    real = window.session.compute

    def slow(spec=None, progress=None):
        time.sleep(0.4)
        return real(spec, progress)

    monkeypatch.setattr(window.session, "compute", slow)
    window.refresh(immediate=True)
    qtbot.waitUntil(lambda: not window.busy.isHidden(), timeout=3000)
    window.computer.wait()
    assert window.busy.isHidden() and shown[-1] is False
    assert compute.BUSY_AFTER_MS == 150


def test_closing_while_loading_exits_cleanly(qtbot, capfd):
    from explorer.ui.main import MainWindow

    w = MainWindow(None)
    qtbot.addWidget(w)
    w.start_loading(None)
    assert w._worker is not None
    w.close()  # while the demo is still being read
    qtbot.wait(200)
    err = capfd.readouterr().err
    assert w._worker is not None and w._worker.signals.signalsBlocked()
    assert "Signal source has been deleted" not in err and "Traceback" not in err


def _unrecognisable_csv(path):
    """A respondent file whose columns name nothing the reader knows (an analyst's own codes)."""
    import numpy as np

    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"Dept": rng.choice(["Wards", "Theatres", "Admin"], 60),
                          "A1": rng.integers(1, 6, 60), "A2": rng.integers(1, 6, 60), "A3": rng.integers(1, 6, 60)})
    frame.to_csv(path, index=False)
    return path, frame


def test_an_unreadable_layout_offers_the_mapping_dialog_which_opens_it(qtbot, tmp_path, monkeypatch):
    from explorer.core.session import Session
    from explorer.ui.main import MainWindow
    from explorer.ui.mapping import MappingDialog, read_head

    path, frame = _unrecognisable_csv(tmp_path / "own-codes.csv")
    before = path.read_bytes()
    offered = []
    monkeypatch.setattr(MainWindow, "offer_mapping", lambda self, message: offered.append(message) or False)
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: bool(offered), timeout=20000)
    assert offered[0].startswith("Cannot read own-codes.csv") and "Traceback" not in offered[0]
    w.close()

    dialog = MappingDialog(str(path), _bank(), read_head(str(path)))
    qtbot.addWidget(dialog)
    assert dialog.header.value() == 1 and dialog.names() == ["Dept", "A1", "A2", "A3"]
    roles = {"Dept": ("breakdown", None), "A1": ("question", "manager_encourages"),
             "A2": ("question", "harassment_colleagues"), "A3": ("ignore", None)}
    for r in range(dialog.table.rowCount()):
        role, item = roles[dialog.table.item(r, 0).text()]
        combo = dialog.table.cellWidget(r, 1)
        combo.setCurrentIndex(combo.findData(role))
        if item:
            detail = dialog.table.cellWidget(r, 2)
            detail.setCurrentIndex(detail.findData(item))
    dialog.year.setValue(2024)
    mapping = dialog.mapping()
    assert mapping.columns["A1"] == {"role": "question", "item": "manager_encourages"}
    saved = dialog.save(str(tmp_path / "mapping.json"))
    again = MappingDialog(str(path), _bank(), read_head(str(path)))
    qtbot.addWidget(again)
    assert again.load(saved) and again.mapping() == mapping  # reusable next year, exactly
    session = Session.open(path, mapping=mapping)
    t = session.compute(session.spec.with_(lens=None, measures=("manager_encourages",), comparator="none")).table
    row = t[(t["group"] == ORGANISATION_GROUP) & (t["statistic"] == "positive")].iloc[0]
    answered = frame["A1"]
    assert row["year"] == 2024 and row["n"] == len(answered)
    assert row["value"] == pytest.approx(100 * (answered >= 4).mean())  # agree / strongly agree
    assert path.read_bytes() == before  # the user's file is never changed


def _bank():
    from explorer.core.questionbank import load_bank

    return load_bank()


def test_a_new_dataset_never_shows_the_last_ones_organisations(window, qtbot, tmp_path, monkeypatch):
    from explorer.core.session import Session
    from tests import readers_fixtures as fx

    _show(window, window.organisations)
    assert window.organisations.ranking.chart.figures.shape[0] > 10
    session = Session.open(fx.write_contractor_options_xlsx(tmp_path / "contractor.xlsx"))
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *a, **k: shown.append(a))
    window.set_session(session)
    window.computer.wait()
    page = window.organisations
    assert not shown  # said on the page, not in a box at every visit
    assert page.empty.isVisibleTo(page) and page.empty.text()
    assert page.ranking.chart.message and len(page.ranking.chart.figures) == 0
    assert "Acute" not in window.selection.text()


def test_the_wres_split_says_why_it_cannot_join_an_organisation_filter(window, monkeypatch):
    from PySide6.QtCore import Qt

    said = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a, **k: said.append(a[2]))
    lst = window.panel.columns["Directorate"].list
    lst.item(0).setCheckState(Qt.CheckState.Checked)
    window.computer.wait()
    page = _show(window, window.lens_pages["bullying"])
    page.splits["WRES"].click()
    window.computer.wait()
    assert window.session.spec.breakdown == () and said and "cannot be combined" in said[0]


def test_your_organisation_can_be_chosen_when_the_workbook_does_not_name_the_file(qtbot, tmp_path):
    from explorer.core.session import Session
    from explorer.ui.main import MainWindow
    from tests import readers_fixtures as fx

    session = Session.open(fx.write_respondent_xlsx(tmp_path / "resp.xlsx"))
    assert session.data.organisation is None
    session.open_benchmark(demo_files()["benchmark_xlsx"])
    w = MainWindow(None)
    qtbot.addWidget(w)
    w.set_session(session)
    w.computer.wait()
    combo = w.panel.organisation
    assert combo.isVisibleTo(w.panel) and combo.currentData() is None
    combo.setCurrentIndex(combo.findData("XNH"))
    w.computer.wait()
    spec = w.session.spec
    assert spec.organisation == "XNH"
    t = w.session.compute(spec.with_(lens="trust", years=())).table
    assert t["benchmark_median"].notna().any()  # the band is there once the file's organisation is known
    w.close()


def test_degenerate_files_say_why_every_group_is_withheld_and_nobody_answered(qtbot, tmp_path):
    """30 respondents over five directorates (every one under 11) and a question left blank by all."""
    import numpy as np

    from explorer.ui.main import MainWindow

    rng = np.random.default_rng(1)
    path = tmp_path / "small-2025.csv"
    pd.DataFrame({"Directorate": rng.choice(list("ABCDE"), 30), "q9a": rng.integers(1, 6, 30),
                  "q9b": rng.integers(1, 6, 30), "q9c": rng.integers(1, 6, 30), "q14c": [None] * 30}).to_csv(path, index=False)
    w = MainWindow(str(path))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.session is not None, timeout=30000)
    w.computer.wait()
    w.panel.by1.setCurrentIndex(w.panel.by1.findData("Directorate"))
    w.computer.wait()
    page = _show(w, w.lens_pages["trust"])
    drawn = page.breakdown.chart.figures
    own = drawn[drawn["group"].isin(list("ABCDE"))]
    assert len(own) == 5 and own["suppressed"].all() and own["value"].isna().all()
    assert own["suppression_reason"].str.contains("fewer than 11").all()
    assert "Withheld in 2025" in w.withheld.text()
    bullying = _show(w, w.lens_pages["bullying"])  # its only question was answered by nobody
    assert "No one in this selection answered" in bullying.empty.text()
    assert all(card.chart.message for card in bullying.cards())
    questions = _show(w, w.questions)
    row = next(r for r in range(questions.list.rowCount())
               if questions.list.item(r, 0).data(256) == "harassment_colleagues")
    questions.list.selectRow(row)
    w.computer.wait()
    assert "No one in this selection answered" in questions.empty.text()
    assert questions.view.trend.chart.message
    w.close()


def test_the_answers_follow_the_chosen_questions_scale(window):
    page = _show(window, window.lens_pages["bullying"])
    bank = window.session.bank
    year = window.panel.focus_year()
    for measure in ("harassment_public", "equal_career_progression"):
        assert measure in [page.list.item(r, 0).data(256) for r in range(page.list.rowCount())]
        page.select(measure)
        window.computer.wait()
        drawn = page.answers.chart.figures
        measures = list(dict.fromkeys(drawn["measure"]))
        assert measures[0] == measure  # the chosen question first, then those on its scale
        assert {bank.items[m].scale(year).id for m in measures} == {bank.items[measure].scale(year).id}
        truth = window.session.compute(window.session.spec.with_(lens=None, measures=(measure,), years=(year,),
                                                                 statistics=("options",), comparator="none")).table
        mine = drawn[drawn["measure"] == measure]
        assert mine["value"].round(6).tolist() == truth.loc[truth["group"] == ORGANISATION_GROUP, "value"].round(6).tolist()


def test_the_answers_keep_the_files_own_questions_on_the_same_scale(window):
    page = _show(window, window.lens_pages["trust"])
    local = [m.id for m in window.catalog.lenses["trust"]["measures"] if m.kind == "local"]
    assert local  # the demo's own senior-manager questions
    page.select("manager_encourages")
    window.computer.wait()
    drawn = list(dict.fromkeys(page.answers.chart.figures["measure"]))
    assert drawn[0] == "manager_encourages" and set(local) <= set(drawn)


def test_a_newly_chosen_question_never_shows_another_ones_answers_meanwhile(window):
    page = _show(window, window.lens_pages["bullying"])
    page.select("harassment_public")
    window.computer.wait()
    row = next(r for r in range(page.list.rowCount()) if page.list.item(r, 0).data(256) == "equal_career_progression")
    page.list.selectRow(row)  # drawn at once from what is there; its answers are being worked out
    assert page.measure == "equal_career_progression"
    drawn = page.answers.chart.figures
    assert drawn.empty or list(drawn["measure"])[0] == "equal_career_progression"
    assert page.answers.chart.message or list(drawn["measure"])[0] == "equal_career_progression"
    window.computer.wait()
    assert list(dict.fromkeys(page.answers.chart.figures["measure"]))[0] == "equal_career_progression"


def test_the_first_organisation_hint_goes_once_the_user_chooses(qtbot):
    from explorer.ui.main import MainWindow

    w = MainWindow(str(demo_files()["benchmark_xlsx"]))
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.session is not None, timeout=60000)
    w.tabs.setCurrentWidget(w.organisations)
    w.computer.wait()
    assert "the first in the file" in w.selection.text()
    w.panel.organisation.activated.emit(w.panel.organisation.currentIndex())  # the user picks the one shown
    w.computer.wait()
    assert "the first in the file" not in w.selection.text()
    w.close()


def test_mapping_a_protected_file_reads_it_off_the_ui_thread_after_asking_its_password(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from explorer.ui import mapping as M
    from explorer.ui.main import MainWindow
    from tests import readers_fixtures as fx

    plain = fx.write_respondent_xlsx(tmp_path / "plain.xlsx")
    locked = fx.encrypt_xlsx(plain, tmp_path / "locked.xlsx", "s3cret")
    before = locked.read_bytes()
    asked, shown = [], []
    monkeypatch.setattr(MainWindow, "_ask_password", lambda self, path, wrong: asked.append(wrong) or "s3cret")
    monkeypatch.setattr(M.MappingDialog, "exec", lambda self: shown.append(self.names()) or QDialog.DialogCode.Rejected)
    w = MainWindow(None)
    qtbot.addWidget(w)
    w.open_with_mapping(str(locked))
    assert w._worker is not None  # read in a worker, not on the UI thread
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert asked == [False] and "q9a" in shown[0]  # asked once, then its header row is offered
    assert "cancelled" in w.status.text().lower() and locked.read_bytes() == before
    w.close()
