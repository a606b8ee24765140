"""The desktop window opens the demo in a worker; the pinned PySide6 + pyqtgraph pair exports charts."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.ui


def test_main_window_loads_the_demo_off_the_ui_thread(qtbot):
    from explorer.ui.main import MainWindow

    window = MainWindow(None, demo=True)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window._worker.signals.finished, timeout=20000):
        pass
    assert window.data is not None
    assert window.data.respondents_by_year() == {2021: 3350, 2022: 3080, 2023: 3720, 2024: 4010, 2025: 4290}
    assert "fictional" in window.banner.text().lower()
    assert "Northshire" in window.windowTitle()
    assert window.stack.currentIndex() == 1 and window.cancel_button.accessibleName()


def test_the_welcome_view_comes_first_and_offers_the_demo(qtbot):
    from explorer.ui.main import MainWindow

    window = MainWindow(None)
    qtbot.addWidget(window)
    assert window.stack.currentIndex() == 0 and window.session is None
    window.welcome.demo.click()
    qtbot.waitUntil(lambda: window.session is not None, timeout=30000)
    assert window.stack.currentIndex() == 1


def test_loading_failure_is_one_sentence_not_a_traceback(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from explorer.ui.main import MainWindow

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    window = MainWindow("missing.xlsx")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "Traceback" not in shown[0] and shown[0].endswith(".")


def test_pyqtgraph_exports_png_and_svg(qtbot, tmp_path):
    """PySide6 6.11/6.12 break pyqtgraph 0.14's SVG exporter; the pinned pair must not."""
    import pyqtgraph as pg
    from pyqtgraph.exporters import ImageExporter, SVGExporter

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.addItem(pg.BarGraphItem(x0=0, y=[1, 2, 3], height=0.6, width=[30, 45, 60], brush="#0072B2"))
    plot.plot([0, 1, 2], [1, 2, 3], pen="k")
    plot.resize(400, 300)
    ImageExporter(plot.plotItem).export(str(tmp_path / "chart.png"))
    SVGExporter(plot.plotItem).export(str(tmp_path / "chart.svg"))
    assert (tmp_path / "chart.png").stat().st_size > 1000
    svg = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and svg.count("<path") >= 1


def test_password_and_year_are_asked_for_then_the_file_opens(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from explorer.ui.main import MainWindow
    from tests import readers_fixtures as fx

    plain = fx.write_respondent_xlsx(tmp_path / "plain.xlsx", year_sheet="Results")
    locked = fx.encrypt_xlsx(plain, tmp_path / "locked.xlsx", "pa55")
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append("password") or ("pa55", True))
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: asked.append("year") or (2023, True))
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.start_loading(str(locked))
    qtbot.waitUntil(lambda: window.data is not None, timeout=20000)
    assert asked == ["password", "year"]
    assert window.data.respondents_by_year() == {2023: fx.N_RESPONDENTS}
    assert "locked.xlsx" in window.windowTitle()


def test_the_demo_gets_its_similar_trusts_just_after_its_first_figures(qtbot):
    """The demo's figures are asked for before its benchmark workbook is opened (a quicker start); the
    workbook follows on the same worker thread and the trends then carry similar trusts."""
    from explorer.ui.main import MainWindow

    window = MainWindow(None, demo=True)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.session is not None, timeout=60000)
    assert window.session.benchmark is None and window.computer._side  # figures first, the workbook queued
    window.computer.wait(60000)
    assert window.session.benchmark is not None and "Similar trusts" in window.status.text()
    trust = window.lens_pages["trust"]
    window.tabs.setCurrentWidget(trust)
    window.computer.wait(60000)
    assert window.shown["main"].table["benchmark_median"].notna().any()
