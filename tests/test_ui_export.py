"""The board pack from the window: File → Export board pack… (Ctrl+E), written in a worker with
progress; cancelling writes nothing; the Overview says the same findings as the pack."""

from __future__ import annotations


import openpyxl
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.ui


@pytest.fixture
def window(qtbot):
    from explorer.core.session import Session
    from explorer.ui.main import MainWindow

    w = MainWindow(None)
    w.show_done_dialogs = False
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.set_session(Session.open_demo())
    w.computer.wait()
    yield w
    w.close()


def _until_done(window, qtbot, timeout: float = 60) -> None:
    qtbot.waitUntil(lambda: window._worker is None, timeout=int(timeout * 1000))
    window.computer.wait()


def test_export_writes_the_current_view_and_says_so(window, qtbot, tmp_path):
    from explorer.export import PackOptions

    window.panel.by1.setCurrentIndex(window.panel.by1.findData("Directorate"))
    window.computer.wait()
    assert window.export_action.shortcut().toString() == "Ctrl+E" and window.export_action.isEnabled()
    target = tmp_path / "pack.xlsx"
    window.export_pack(str(target), PackOptions(lenses=("bullying",), marking="OFFICIAL-SENSITIVE"), csv=True)
    assert not window.export_action.isEnabled()  # one export at a time
    _until_done(window, qtbot)
    assert "Board pack saved" in window.status.text()
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Bullying", "Breakdowns", "Notes"]
    assert any("Directorate" in t.name for t in book["Bullying"].tables.values())  # the window's compare-by
    assert target.with_suffix(".csv").exists()
    assert window.export_action.isEnabled()


def test_cancelling_an_export_writes_nothing(window, qtbot, tmp_path):
    from explorer.export import PackOptions

    target = tmp_path / "pack.xlsx"
    window.export_pack(str(target), PackOptions())
    window.cancel_loading()  # the status bar's Cancel button
    _until_done(window, qtbot)
    assert "cancelled" in window.status.text() and not target.exists()
    assert list(tmp_path.iterdir()) == []  # and no temporary file either


def test_a_locked_target_is_one_sentence_and_the_old_file_stays(window, qtbot, tmp_path, monkeypatch):
    from explorer.export import PackOptions
    from explorer.export import excel as X

    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"open in Excel")
    monkeypatch.setattr(X.os, "replace", lambda *a: (_ for _ in ()).throw(PermissionError(13, "in use")))
    window.export_pack(str(target), PackOptions(lenses=("trust",)))
    _until_done(window, qtbot)
    assert "not saved" in window.status.text() and "open in Excel" in window.status.text()
    assert target.read_bytes() == b"open in Excel"


def test_the_dialog_offers_lenses_groups_and_marking(window, qtbot):
    from explorer.ui.export_dialog import ExportDialog

    names = {lens: window.session.bank.lenses[lens].name for lens in ("trust", "bullying", "morale")}
    dialog = ExportDialog(window.session.spec.with_(breakdown=("Directorate",)), window.settings, names, window)
    qtbot.addWidget(dialog)
    for widget in [*dialog.lenses.values(), dialog.breakdowns, dialog.marking, dialog.title, dialog.author, dialog.csv]:
        assert widget.accessibleName()
    dialog.lenses["trust"].setChecked(False)
    dialog.marking.setText("OFFICIAL-SENSITIVE")
    options = dialog.options()
    assert options.lenses == ("bullying", "morale") and options.breakdowns and options.marking == "OFFICIAL-SENSITIVE"
    assert window.settings.value("export/marking") == "OFFICIAL-SENSITIVE"  # remembered for next time
    for box in dialog.lenses.values():
        box.setChecked(False)
    assert not dialog.export_button.isEnabled()  # a pack of nothing is not offered
    flat = ExportDialog(window.session.spec.with_(breakdown=()), window.settings, names, window)
    qtbot.addWidget(flat)
    assert not flat.breakdowns.isEnabled() and not flat.options().breakdowns


def test_the_overview_says_what_stands_out_as_the_pack_does(window):
    from explorer.core.findings import findings

    window.tabs.setCurrentWidget(window.overview)
    window.computer.wait()
    year = window.panel.focus_year()
    items = [window.overview.stands_out.item(i).text() for i in range(window.overview.stands_out.count())]
    expected = [f.text for lens in ("trust", "bullying", "morale") for f in findings(window.shown[lens], year)[:2]]
    assert items and [i.split(": ", 1)[1] for i in items] == expected


def test_a_template_saved_in_the_window_re_runs_with_the_same_selections(window, qtbot, tmp_path):
    from explorer.export import PackOptions

    window.panel.by1.setCurrentIndex(window.panel.by1.findData("Directorate"))
    window.computer.wait()
    template = window.save_template(str(tmp_path / "t.json"), PackOptions(lenses=("morale",), marking="OFFICIAL"))
    assert template and "template saved" in window.status.text()
    window.panel.reset()  # the selection is gone ...
    window.computer.wait()
    assert window.session.spec.breakdown == ()
    window.export_from_template(template, str(tmp_path / "pack.xlsx"))
    _until_done(window, qtbot)
    assert window.session.spec.breakdown == ("Directorate",)  # ... and back, in the window and the pack
    assert window.panel.by1.currentData() == "Directorate"
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    assert book.sheetnames == ["Summary", "Morale", "Breakdowns", "Notes"]
    notes = [c.value for row in book["Notes"].iter_rows() for c in row]
    assert "Template" in notes


def test_a_template_in_the_window_keeps_the_stricter_threshold_and_its_notes_stay_with_it(window, qtbot, tmp_path,
                                                                                          monkeypatch):
    from explorer.export import PackOptions
    from explorer.ui import export_dialog as E

    window.session.set_spec(window.session.spec.with_(threshold=25))
    template = window.save_template(str(tmp_path / "t.json"), PackOptions(lenses=("trust",)))
    window.session.set_spec(window.session.spec.with_(threshold=11))
    monkeypatch.setattr(E, "ask_target", lambda *a: None)  # the person closes the save dialog
    window.export_from_template(template)
    assert window.session.spec.threshold == 25  # a template never lowers protection
    assert window._worker is None  # nothing was exported
    window.export_pack(str(tmp_path / "plain.xlsx"), PackOptions(lenses=("trust",)))
    _until_done(window, qtbot)
    notes = [c.value for row in openpyxl.load_workbook(tmp_path / "plain.xlsx")["Notes"].iter_rows() for c in row]
    assert "Template" not in notes  # the cancelled template's notes did not follow into another pack
    assert any("fewer than 25" in str(n) for n in notes)
