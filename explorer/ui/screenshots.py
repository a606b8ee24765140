"""``staff-survey-explorer screenshots FILE|--demo OUTDIR``: every page rendered to PNG, with beside
each a CSV of every figure drawn on it (one row each) and ``index.json`` listing the pages.

Used for the README's images, visual review and checks from outside: the CSVs come from the charts'
own figure frames, which are rows of the session's Results, so they can be compared with
``summary --view`` for the same view.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd

from explorer import figures as F


def _wait(app, window, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while (window.session is None or window._worker is not None) and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)
    if window.computer is not None:
        window.computer.wait(int(timeout * 1000))
    app.processEvents()


def render(file: str | None, outdir: str | os.PathLike, size: tuple[int, int] = (1366, 768),
           view: str | None = None) -> list[dict]:
    """Render the welcome view and every page; returns the index entries."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication([])
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    saved = QMessageBox.warning, QMessageBox.information
    QMessageBox.warning = lambda *a, **k: errors.append(str(a[2]) if len(a) > 2 else "")  # no modal dialogs here
    QMessageBox.information = lambda *a, **k: None
    try:
        return _render(app, out, size, file, view, errors)
    finally:
        QMessageBox.warning, QMessageBox.information = saved


def _render(app, out: Path, size: tuple[int, int], file: str | None, view: str | None, errors: list[str]) -> list[dict]:
    from explorer.ui.main import MainWindow

    window = MainWindow(None)
    window.remember_files = False
    window.resize(*size)
    window.show()
    app.processEvents()
    index = []

    def shot(name: str, frame: pd.DataFrame | None) -> None:
        number = len(index) + 1
        stem = f"{number:02d}-{name}"
        window.grab().save(str(out / f"{stem}.png"))
        (frame if frame is not None else F.figures("", None)).to_csv(out / f"{stem}.csv", index=False)
        index.append({"page": name, "png": f"{stem}.png", "csv": f"{stem}.csv", "figures": 0 if frame is None else len(frame)})

    shot("welcome", None)
    if view:
        window.open_view(view)
    else:
        window.start_loading(file)
    _wait(app, window)
    if window.session is None:
        raise RuntimeError(errors[0] if errors else "The data could not be opened.")
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        _wait(app, window)
        page = window.tabs.currentWidget()
        name = window.tabs.tabText(i).replace("&&", "and").replace("&", "").replace(" ", "-").lower()
        frames = []
        if hasattr(page, "cards"):
            for card in page.cards():
                frames.append(card.chart.figures)
        else:
            frames.append(_overview_figures(window))
        frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
            else F.figures("", None)
        shot(name, frame)
    (out / "index.json").write_text(json.dumps({"size": list(size), "pages": index}, indent=2), encoding="utf-8")
    window.close()
    return index


def _overview_figures(window) -> pd.DataFrame:
    """The Overview's figures: each lens's headline rows for the year in focus."""
    year = window.panel.focus_year()
    frames = [F.figures(f"headline:{lens}", F.headline(r, year)) for lens, r in window.shown.items()]
    return pd.concat(frames, ignore_index=True) if frames else F.figures("", None)


def main(file: str | None, outdir: str, size: str = "1366x768", scale: float = 1.0, view: str | None = None,
         demo: bool = False) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if scale and scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(scale)
    width, height = (int(x) for x in size.lower().split("x"))
    # SIZE is the screen in pixels; at a scaling of S the window has SIZE / S of room in Qt's units
    pages = render(None if demo else file, outdir, (round(width / scale), round(height / scale)), view)
    print(f"Wrote {len(pages)} pages to {outdir}")
    return 0
