"""The three chart kinds, drawn with pyqtgraph from the frames of :mod:`explorer.figures`.

Each chart keeps ``figures`` (one row per figure drawn, the screenshots CSV layout) and shows a
sentence instead of axes when it has nothing to draw. Mouse zoom and the context menu are off (these
are report charts, not plots to explore); tooltips give value, n and group; values are printed on
the chart so colour is never the only cue.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QSizePolicy

from explorer import figures as F
from explorer import palette as P

# antialiasing for the lines and markers that need it (set on them); bars and axes are straight edges,
# drawn the same without it and a third faster to paint
pg.setConfigOptions(antialias=False, background="w", foreground=P.NHS_TEXT)

MAX_HEIGHT = 16777215  # Qt's "no maximum"
ROW_HEIGHT = 36  # pixels per bar row (two-line labels need it: tighter, the axis drops some), so long lists scroll


AXIS_BREAKDOWN = 190  # pixels for group names left of the bars
AXIS_LIKERT = 230  # pixels for question names


def wrap(text: str, width: int = 28, lines: int = 2) -> str:
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def fit(text: str, pixels: int, lines: int = 2) -> str:
    """Wrap ``text`` so every line is at most ``pixels`` wide in the application's font: an axis
    silently drops a tick label wider than itself (a question then had no name on the chart)."""
    metrics = QFontMetrics(QFont())
    width = max(8, pixels // max(1, metrics.averageCharWidth()))
    while width > 8:
        out = wrap(text, width, lines)
        if all(metrics.horizontalAdvance(line) <= pixels for line in out.split("\n")):
            return out
        width -= 2
    return wrap(text, width, lines)


class Chart(pg.PlotWidget):
    """A report chart: no mouse zoom, hover tooltips, a sentence when empty."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setAccessibleDescription(f"{name}. Press Ctrl+T for the table of the figures it shows.")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.vb.setMouseEnabled(x=False, y=False)
        self._figures: tuple = ("", None)
        self._pending = None  # a drawing left until the chart is seen (see draw_when_seen)
        self.message = ""
        self._tips: list[tuple[float, float, float, float, str]] = []
        self._texts: list[pg.TextItem] = []
        self._used = 0
        self._bars: list[pg.BarGraphItem] = []
        self._bars_used = 0
        self._shown_texts = 0
        self._shown_bars = 0
        self._axis_labels: dict[str, str] = {}
        self._label_state: dict[int, tuple] = {}
        self._legend: pg.LegendItem | None = None
        self._kept: dict[str, object] = {}  # items made once and shown or hidden by each drawing
        self._kept_used: set[str] = set()
        self._inverted = False
        self._bold = QFont()
        self._bold.setBold(True)
        self.scene().sigMouseMoved.connect(self._hover)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    def draw_when_seen(self, draw) -> None:
        """Run ``draw(sync=...)`` now if any of the chart is on screen, else when it is first painted
        (scrolled to, its tab or card shown: ``sync=False``, it may ask for its figures in the
        background) or its figures, table or image are asked for (``sync=True``: they are needed now).
        A chart below the fold costs nothing at a click (drawing one was a fifth of a redraw)."""
        self._pending = None
        if on_screen(self):
            draw(sync=False)
        else:
            self._pending = draw

    def on_screen(self) -> bool:
        return on_screen(self)

    def flush(self, sync: bool = True) -> None:
        """Draw what :meth:`draw_when_seen` left for later, now."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending(sync=sync)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._pending is not None:
            self.flush(sync=False)
        super().paintEvent(event)

    @property
    def figures(self) -> pd.DataFrame:
        """One row per figure drawn (the screenshots CSV layout), made when asked for."""
        self.flush()
        if not isinstance(self._figures, pd.DataFrame):
            self._figures = F.figures(*self._figures)
        return self._figures

    @figures.setter
    def figures(self, value) -> None:
        """Set at the end of every drawing: the pooled items this drawing did not reuse are hidden now
        (hiding all of them first and showing them again made every label update twice)."""
        self._figures = value
        for label in self._texts[self._used: self._shown_texts]:
            label.setVisible(False)
        self._shown_texts = self._used
        for bars in self._bars[self._bars_used: self._shown_bars]:
            bars.setVisible(False)
        self._shown_bars = self._bars_used
        for name, kept in self._kept.items():
            if name not in self._kept_used and kept.isVisible():
                kept.setVisible(False)
        vb = self.getPlotItem().vb
        if vb.yInverted() != self._inverted:  # set only when it changes (each setting re-lays the view out)
            vb.invertY(self._inverted)

    def axis_label(self, side: str, text: str) -> None:
        """An axis's label, set only when it changes (each setting re-lays the axis out)."""
        if self._axis_labels.get(side) != text:
            self.getPlotItem().getAxis(side).setLabel(text)
            self._axis_labels[side] = text

    def reset(self) -> None:
        """Remove what the last drawing added. Text labels are kept in a pool and reused (making and
        adding a pyqtgraph item costs far more than moving one): a redraw must take milliseconds."""
        item = self.getPlotItem()
        self._pending = None  # a newer drawing replaces one left for later
        self._used = 0  # the pooled labels and bars are reused by the drawing; the rest hidden at its end
        self._bars_used = 0
        self._kept_used = set()
        if self._legend is not None:
            self._legend.setVisible(False)
        item.getAxis("left").setTicks(None)
        item.getAxis("bottom").setTicks(None)
        item.showAxis("left")
        item.showAxis("bottom")
        self._inverted = False  # rows top-down (bar charts ask for it); applied at the drawing's end
        self._tips = []
        self.message = ""
        self.setToolTip("")

    def set_rows_height(self, pixels: int) -> None:
        """Bar charts are as tall as their rows need, no taller (stretched, four bars were 95 px each)."""
        self.setMinimumHeight(pixels)
        self.setMaximumHeight(pixels + 30)

    def bars(self, **opts) -> None:
        """Draw bars with a pooled item (a new BarGraphItem per option per redraw cost a millisecond each)."""
        if self._bars_used == len(self._bars):
            item = pg.BarGraphItem(x0=[0], y=[0], height=[0], width=[0])
            self.getPlotItem().addItem(item)
            self._bars.append(item)
        item = self._bars[self._bars_used]
        self._bars_used += 1
        item.setOpts(**opts)
        if not item.isVisible():
            item.setVisible(True)

    def row_names(self, names: list[str], width: int, lines: int = 2) -> None:
        """Name each bar row on the left axis, wrapped to fit its width (a wider label is dropped silently)."""
        axis = self.getPlotItem().getAxis("left")
        axis.setTicks([[(float(i), fit(n, width - 16, lines)) for i, n in enumerate(names)]])
        axis.setWidth(width)

    def kept(self, name: str, make):
        """An item made once (by ``make()``) and reused by every drawing that asks for it; hidden at the
        end of a drawing that does not (making and adding a pyqtgraph item costs milliseconds)."""
        if name not in self._kept:
            self._kept[name] = make()
            self.getPlotItem().addItem(self._kept[name])
        item = self._kept[name]
        self._kept_used.add(name)
        if not item.isVisible():
            item.setVisible(True)
        return item

    def show_message(self, text: str) -> None:
        """Nothing to draw: say why, in the middle of the chart."""
        self.reset()
        self.message = text
        self.setMinimumHeight(110)
        self.setMaximumHeight(MAX_HEIGHT)
        item = self.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        self.text(wrap(text, 60, 4), 0.5, 0.97, anchor=(0.5, 0))  # at the top: a tall chart hid it below the fold
        item.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.figures = ("", None)

    def add_tip(self, x0: float, x1: float, y0: float, y1: float, text: str) -> None:
        self._tips.append((min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1), text))

    def _hover(self, pos) -> None:
        point = self.getPlotItem().vb.mapSceneToView(pos)
        for x0, x1, y0, y1, text in self._tips:
            if x0 <= point.x() <= x1 and y0 <= point.y() <= y1:
                self.setToolTip(text)
                return
        self.setToolTip("")

    def text(self, text: str, x: float, y: float, anchor=(0, 0.5), color: str = P.NHS_TEXT, bold: bool = False) -> None:
        if self._used == len(self._texts):
            label = pg.TextItem("", anchor=anchor)
            label.setZValue(100)  # above bars added by later drawings
            self.getPlotItem().addItem(label)
            self._texts.append(label)
        index = self._used
        label = self._texts[index]
        self._used += 1
        state = (text, color, bold, tuple(anchor))
        if self._label_state.get(index) != state:  # unchanged labels are only moved
            label.setFont(self._bold if bold else QFont())
            label.setText(text, color=color)
            label.setAnchor(anchor)
            self._label_state[index] = state
        label.setPos(x, y)
        if not label.isVisible():
            label.setVisible(True)


def on_screen(widget) -> bool:
    """Is any of ``widget`` inside its window and every scroll area around it? (Qt's visibleRegion is
    empty on some platforms, offscreen among them.)"""
    if not widget.isVisible():
        return False
    rect = QRect(QPoint(0, 0), widget.size())
    while widget.parentWidget() is not None:
        rect = rect.translated(widget.pos())
        widget = widget.parentWidget()
        rect = rect.intersected(QRect(QPoint(0, 0), widget.size()))
        if rect.isEmpty():
            return False
    return True


TIP_COLUMNS = ("group", "year", "value", "n", "suppressed", "suppression_reason", "weighted", "significant_vs_rest",
               "vs_rest", "lower_is_better")


def _records(rows: pd.DataFrame) -> list[dict]:
    """The few columns labels and tooltips read, as dicts (a Results row is wide: reading whole rows
    was a third of a redraw)."""
    return F._narrow(rows, TIP_COLUMNS)


def _tip(row, unit: str) -> str:
    if row["suppressed"]:
        return f"{row['group']}: withheld — {row['suppression_reason']}"
    weighted = "weighted" if row.get("weighted") else "unweighted"
    return f"{row['group']} {int(row['year'])}: {F.format_value(row['value'], unit)} (n = {F.format_n(row['n'])}, {weighted})"


class BreakdownChart(Chart):
    """Horizontal bars by compare-by group, highest first, with the organisation's value as a line;
    withheld groups are listed with their reason, never dropped."""

    def draw(self, rows: pd.DataFrame, organisation: pd.Series | None, unit: str, lower_is_better: bool,
             threshold: int) -> None:
        self.reset()
        if rows.empty:
            self.show_message("Choose a 'compare by' column to see the groups side by side.")
            return
        item = self.getPlotItem()
        self._inverted = True
        values = rows["value"].astype(float).to_numpy(copy=True)
        withheld = rows["suppressed"].astype(bool).to_numpy()
        shown = ~withheld & ~np.isnan(values)
        top = float(np.nanmax(values[shown])) if shown.any() else 1.0
        org_value = float(organisation["value"]) if organisation is not None and not organisation["suppressed"] else None
        top = max(top, org_value or 0.0)
        # room right of the longest bar for its value, n and mark (a score's axis still stops at 10)
        limit = 10.0 * 1.45 if unit == "score" else (min(100.0, top * 1.6 + 2) if unit == "%" else top * 1.6 + 0.5)
        y = np.arange(len(rows), dtype=float)
        if shown.any():
            self.bars(x0=np.zeros(shown.sum()), y=y[shown], height=0.62, width=values[shown],
                      brush=QColor(P.BAR), pen=pg.mkPen(P.NHS_DARK_BLUE))
        for i, row in enumerate(_records(rows)):
            if withheld[i] or np.isnan(values[i]):
                reason = row["suppression_reason"] or f"fewer than {threshold} responses"
                self.text(f"withheld: {wrap(reason, 70, 1)}", 0, i, color=P.NHS_MID_GREY)
            else:
                mark = F.rest_mark(row)
                label = f"{F.format_value(values[i], unit)}  n={F.format_n(row['n'])}" + (f"  {mark}" if mark else "")
                self.text(label, values[i], i)
            self.add_tip(0, limit, i - 0.45, i + 0.45, _tip(row, unit))
        if org_value is not None:
            line = self.kept("organisation", lambda: pg.InfiniteLine(
                pos=0, angle=90, pen=pg.mkPen(P.NHS_TEXT, width=2, style=Qt.PenStyle.DashLine), label="",
                labelOpts={"position": 0.02, "color": P.NHS_TEXT, "fill": (255, 255, 255, 220),
                           "anchors": [(0.5, 0), (0.5, 0)]}))
            line.setPos(org_value)
            text = f"{organisation['group']} {F.format_value(org_value, unit)}"
            line.label.setFormat(text.replace("{", "{{").replace("}", "}}"))  # a format string: a name's braces are text
        self.row_names(rows["group"].astype(str).tolist(), AXIS_BREAKDOWN)
        if unit == "score":
            item.getAxis("bottom").setTicks([[(v, str(v)) for v in range(0, 11, 2)]])
        self.axis_label("bottom", ("% " if unit == "%" else "score 0-10 " if unit == "score" else "")
                                        + ("(lower is better)" if lower_is_better else "(higher is better)"))
        item.vb.setRange(xRange=(0, limit), yRange=(-1.1, len(rows) - 0.2), padding=0)  # room for the line's label
        self.set_rows_height(max(180, 70 + ROW_HEIGHT * len(rows)))
        self.figures = ("breakdown", rows)


class TrendChart(Chart):
    """The selection's value across survey years, with the benchmark best-worst band and median
    when a benchmark workbook is loaded; withheld years are gaps with a word, not zeros. Its lines
    are made once and given new data on each drawing (adding five items per drawing cost 10 ms)."""

    def _lines(self) -> dict:
        if getattr(self, "_trend_lines", None) is None:
            item = self.getPlotItem()
            best = pg.PlotDataItem(pen=pg.mkPen("#9BB8D3"), antialias=True)
            worst = pg.PlotDataItem(pen=pg.mkPen("#9BB8D3"), antialias=True)
            lines = {"best": best, "worst": worst,
                     "band": pg.FillBetweenItem(best, worst, brush=pg.mkBrush(155, 184, 211, 70)),
                     "median": pg.PlotDataItem(pen=pg.mkPen(P.NHS_MID_GREY, width=2, style=Qt.PenStyle.DashLine),
                                               antialias=True),
                     "ours": pg.PlotDataItem(pen=pg.mkPen(P.NHS_BLUE, width=3), symbol="o", symbolSize=10,
                                             symbolBrush=P.NHS_BLUE, symbolPen="w", antialias=True)}
            for key in ("band", "best", "worst", "median", "ours"):
                item.addItem(lines[key])
            self._trend_lines = lines
        return self._trend_lines

    def reset(self) -> None:
        super().reset()
        for line in (getattr(self, "_trend_lines", None) or {}).values():
            line.setVisible(False)

    def draw(self, rows: pd.DataFrame, unit: str, lower_is_better: bool) -> None:
        self.reset()
        if rows.empty:
            self.show_message("No figures for this question in the years of the file.")
            return
        item = self.getPlotItem()
        years = rows["year"].astype(int).to_numpy()
        values = rows["value"].astype(float).to_numpy(copy=True)
        values[rows["suppressed"].astype(bool).to_numpy()] = np.nan
        band = {k: rows[k].astype(float).to_numpy() for k in ("benchmark_best", "benchmark_median", "benchmark_worst")
                if k in rows and rows[k].notna().any()}
        lines = self._lines()
        if "benchmark_best" in band and "benchmark_worst" in band:
            lines["best"].setData(years, band["benchmark_best"], connect="finite")
            lines["worst"].setData(years, band["benchmark_worst"], connect="finite")
            for key in ("best", "worst", "band"):
                lines[key].setVisible(True)
        if "benchmark_median" in band:
            lines["median"].setData(years, band["benchmark_median"], connect="finite")
            lines["median"].setVisible(True)
        if np.isfinite(values).any():  # every year withheld: words only, no empty line
            lines["ours"].setData(years, values, connect="finite")
            lines["ours"].setVisible(True)
        finite = values[~np.isnan(values)]
        lows = [finite.min()] if len(finite) else [0.0]
        highs = [finite.max()] if len(finite) else [1.0]
        for k in band.values():
            if np.isfinite(k).any():
                lows.append(np.nanmin(k))
                highs.append(np.nanmax(k))
        low, high = min(lows), max(highs)
        pad = max((high - low) * 0.35, 2.0 if unit == "%" else 0.3)
        low, high = low - pad, high + pad
        if unit == "%":
            low, high = max(0.0, low), min(100.0, high)
        elif unit == "score":
            low, high = max(0.0, low), min(10.0, high)
        for i, row in enumerate(_records(rows)):
            if np.isnan(values[i]):
                self.text("withheld", years[i], low + (high - low) * 0.1, anchor=(0.5, 0.5), color=P.NHS_MID_GREY)
            else:
                self.text(F.format_value(values[i], unit), years[i], values[i], anchor=(0.5, 1.2), bold=True)
            self.add_tip(years[i] - 0.3, years[i] + 0.3, low, high, _tip(row, unit))
        item.getAxis("bottom").setTicks([[(int(y), str(int(y))) for y in years]])
        item.getAxis("left").setWidth(48)
        self.axis_label("left", ("%" if unit == "%" else "score 0-10" if unit == "score" else "")
                                      + (", lower is better" if lower_is_better else ""))
        item.vb.setRange(xRange=(years.min() - 0.5, years.max() + 0.5), yRange=(low, high), padding=0)
        self.figures = ("trend", rows)


class LikertChart(Chart):
    """How people answered, one bar per question: centred on the neutral option for agreement-type
    scales (disagreement left, agreement right), 100 %-stacked otherwise; shares printed on the bars."""

    def draw(self, rows: pd.DataFrame, labels: dict[str, str]) -> None:
        self.reset()
        if rows.empty:
            self.show_message("No answer distribution to show for these questions.")
            return
        item = self.getPlotItem()
        self._inverted = True
        measures = list(dict.fromkeys(rows["measure"].astype(str)))
        options = tuple(dict.fromkeys(rows["option"].astype(str)))
        ordinary = [o for o in options if not F.is_special(o)]
        special = [o for o in options if F.is_special(o)]
        centred = F.diverging(options) and not special
        colours = dict(zip(ordinary, P.ordinary_colours(len(ordinary), centred)))
        colours.update(zip(special, P.SPECIAL))
        # shares as a questions x options matrix (plain numpy: pandas' pivot was a fifth of a redraw)
        m_at = {m: i for i, m in enumerate(measures)}
        o_at = {o: j for j, o in enumerate(options)}
        mi = np.array([m_at[m] for m in rows["measure"].astype(str)])
        oj = np.array([o_at[o] for o in rows["option"].astype(str)])
        share = np.zeros((len(measures), len(options)))
        share[mi, oj] = np.nan_to_num(rows["value"].astype(float).to_numpy())
        flags = rows["suppressed"].astype(bool).to_numpy()
        withheld = np.zeros(len(measures), dtype=bool)
        np.logical_or.at(withheld, mi, flags)
        reasons = dict(zip(rows["measure"].astype(str)[flags], rows["suppression_reason"].astype(str)[flags]))
        share[withheld] = 0.0
        y = np.arange(len(measures), dtype=float)
        if centred:
            half = [o_at[o] for o in ordinary[: len(ordinary) // 2]]
            left = -(share[:, half].sum(axis=1) + share[:, o_at[ordinary[len(ordinary) // 2]]] / 2)
        else:
            left = np.zeros(len(measures))
        start = left.copy()
        legend = []
        for option in options:
            width = share[:, o_at[option]]
            self.bars(x0=start, y=y, height=0.62, width=width, brush=QColor(colours[option]),
                      pen=pg.mkPen("#FFFFFF", width=1))
            dark = QColor(colours[option]).lightnessF() < 0.55
            for i, (x0, w) in enumerate(zip(start, width)):
                if w >= 7:
                    self.text(f"{w:.0f}%", x0 + w / 2, i, anchor=(0.5, 0.5), color="#FFFFFF" if dark else P.NHS_TEXT)
                if w > 0:
                    self.add_tip(x0, x0 + w, i - 0.31, i + 0.31, f"{labels.get(measures[i], measures[i])}: {option} {w:.1f}%")
            start = start + width
            legend.append((option, colours[option]))
        for i, m in enumerate(measures):
            if withheld[i]:
                self.text(f"withheld: {reasons.get(m, '')}", (left[i] if centred else 0), i, color=P.NHS_MID_GREY)
        self.row_names([labels.get(m, m) for m in measures], AXIS_LIKERT)
        low, high = (float(min(left.min(), -50)) - 2, float(max(start.max(), 50)) + 2) if centred else (0, 100)
        ticks = [(v, f"{abs(v):.0f}%") for v in range(-100, 101, 25) if low <= v <= high]
        item.getAxis("bottom").setTicks([ticks])
        self.axis_label("bottom", "share of answers" + (" (centred on the middle answer)" if centred else ""))
        if centred:
            # the centre line spans the bars only (a full-height line crossed the key above them)
            centre = self.kept("centre", lambda: pg.PlotDataItem(pen=pg.mkPen(P.NHS_TEXT, width=1)))
            centre.setData([0, 0], [-0.5, len(measures) - 0.5])
        if self._legend is None:  # one legend, refilled (a new one each time piled up on the plot)
            self._legend = pg.LegendItem(offset=(0, 0), labelTextColor=P.NHS_TEXT)
            self._legend.setParentItem(item.vb)
            self._legend.anchor((0, 0), (0, 0), offset=(4, 0))
        key = self._legend
        key.setVisible(True)
        # one row of keys where they fit beside each other, else two (a long answer was cut off at the edge)
        metrics = QFontMetrics(QFont())
        room = max(200, self.width() - AXIS_LIKERT - 20)
        rows_of_keys = 1 if sum(metrics.horizontalAdvance(o) + 44 for o, _ in legend) <= room else 2
        columns = -(-len(legend) // rows_of_keys)
        if getattr(self, "_legend_of", None) != (legend, columns):  # rebuilt only when the answers change
            key.clear()
            key.setColumnCount(columns)
            for option, colour in legend:
                key.addItem(pg.BarGraphItem(x=[0], height=[1], width=[1], brush=QColor(colour), pen=pg.mkPen(P.NHS_TEXT)),
                            option)
            self._legend_of = (legend, columns)
        item.vb.setRange(xRange=(low, high), yRange=(-1.5 - 0.8 * (rows_of_keys - 1), len(measures) - 0.4), padding=0)
        self.set_rows_height(max(200, 90 + ROW_HEIGHT * (len(measures) + rows_of_keys - 1)))
        self.figures = ("answers", rows)


class DriversChart(Chart):
    """Items by their association (Spearman's rho) with the outcome, strongest first; withheld items
    listed with their reason. The caption says association is not causation."""

    def draw(self, rows: pd.DataFrame, outcome: str) -> None:
        self.reset()
        if rows.empty:
            self.show_message("No item can be set beside the outcome for this selection.")
            return
        item = self.getPlotItem()
        self._inverted = True
        values = rows["value"].astype(float).to_numpy(copy=True)
        withheld = rows["suppressed"].astype(bool).to_numpy() | np.isnan(values)
        y = np.arange(len(rows), dtype=float)
        shown = ~withheld
        if shown.any():
            self.bars(x0=np.minimum(values[shown], 0), y=y[shown], height=0.62,
                      width=np.abs(values[shown]), brush=QColor(P.BAR), pen=pg.mkPen(P.NHS_DARK_BLUE))
        low = min(0.0, float(np.nanmin(values[shown])) if shown.any() else 0.0)
        for i, row in enumerate(_records(rows)):
            if withheld[i]:
                self.text(f"withheld: {wrap(row['suppression_reason'], 70, 1)}", 0, i, color=P.NHS_MID_GREY)
                tip = f"{row['group']}: withheld — {row['suppression_reason']}"
            else:
                self.text(f"ρ = {values[i]:.2f}  n={F.format_n(row['n'])}", max(values[i], 0), i)
                tip = f"{row['group']}: ρ = {values[i]:.2f} with {outcome} (n = {F.format_n(row['n'])} answered both)"
            self.add_tip(low, 1.0, i - 0.45, i + 0.45, tip)
        self.row_names(rows["group"].astype(str).tolist(), AXIS_LIKERT)
        self.axis_label("bottom", f"Spearman's ρ with {outcome} (0 = none, 1 = fully)")
        item.vb.setRange(xRange=(low, 1.0), yRange=(-0.8, len(rows) - 0.2), padding=0)
        self.set_rows_height(max(180, 60 + ROW_HEIGHT * len(rows)))
        self.figures = ("drivers", rows)


RANK_ROW = 22  # organisation names fit one line; a group can have 60 organisations
AXIS_RANK = 300


class RankChart(Chart):
    """Organisations of a benchmarking group, best first, with ours marked by colour, a ◆ and words."""

    def draw(self, rows: pd.DataFrame, unit: str, lower_is_better: bool, polarity: bool = True) -> None:
        self.reset()
        if rows.empty:
            self.show_message("No organisation has a figure for this measure in this year.")
            return
        item = self.getPlotItem()
        self._inverted = True
        values = rows["value"].astype(float).to_numpy(copy=True)
        withheld = rows["suppressed"].astype(bool).to_numpy() | np.isnan(values)
        ours = rows["ours"].astype(bool).to_numpy() if "ours" in rows else np.zeros(len(rows), dtype=bool)
        y = np.arange(len(rows), dtype=float)
        for mask, colour in ((~withheld & ~ours, "#9BB8D3"), (~withheld & ours, P.NHS_DARK_BLUE)):
            if mask.any():
                self.bars(x0=np.zeros(mask.sum()), y=y[mask], height=0.7, width=values[mask],
                          brush=QColor(colour), pen=pg.mkPen(P.NHS_DARK_BLUE))
        top = float(np.nanmax(values[~withheld])) if (~withheld).any() else 1.0
        limit = 10.0 * 1.3 if unit == "score" else (min(100.0, top * 1.35 + 2) if unit == "%" else top * 1.35 + 0.5)
        for i, row in enumerate(_records(rows)):
            if withheld[i]:
                self.text(f"withheld: {wrap(row['suppression_reason'], 60, 1)}", 0, i, color=P.NHS_MID_GREY)
            elif ours[i]:
                self.text(f"{F.format_value(values[i], unit)}  ◆ your organisation", values[i], i, bold=True)
            else:
                self.text(F.format_value(values[i], unit), values[i], i)
            self.add_tip(0, limit, i - 0.45, i + 0.45, _tip(row, unit))
        self.row_names([("◆ " if o else "") + g for g, o in zip(rows["group"].astype(str), ours)], AXIS_RANK, 1)
        if unit == "score":
            item.getAxis("bottom").setTicks([[(v, str(v)) for v in range(0, 11, 2)]])
        self.axis_label("bottom", ("% " if unit == "%" else "score 0-10 " if unit == "score" else "")
                                        + ("" if not polarity else "(lower is better)" if lower_is_better
                                           else "(higher is better)"))
        item.vb.setRange(xRange=(0, limit), yRange=(-0.8, len(rows) - 0.2), padding=0)
        self.set_rows_height(max(180, 60 + RANK_ROW * len(rows)))
        self.rows_drawn = len(rows)
        self.figures = ("organisations", rows)

    def row_y(self, i: int) -> int:
        """Roughly where row ``i`` is drawn, in pixels from the chart's top (to scroll it into view)."""
        return int(20 + (self.minimumHeight() - 60) * (i + 0.8) / max(1, getattr(self, "rows_drawn", 1)))
