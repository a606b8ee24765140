"""The Excel board pack: Summary, one sheet per lens (native charts beside the tables they are drawn
from), Breakdowns (a heat-map table) and Notes. Every number is a Results value; nothing is worked
out here. Qt-free.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.drawing.line import LineProperties
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from explorer import figures as F
from explorer import palette as P
from explorer.core.progress import Progress
from explorer.core.results import ORGANISATION_GROUP, Results
from explorer.export import excel as X
from explorer.export.pack import LENS_TITLES, Pack, published_weighting

# One layout for every lens sheet, so a page prints one page wide at a readable size (A4 landscape):
# tables in A-G, charts from I. Column A holds names (measures, groups, questions).
WIDTHS = {1: 34, 2: 10, 3: 8, 4: 11, 5: 17, 6: 11, 7: 26, 8: 2}
CHART_COLUMN = 9
CHART_WIDTH, CHART_HEIGHT = 13.5, 7.0  # cm
BLOCK_ROWS = 16  # rows a 7 cm chart needs
HOW_TO_READ = (
    "Each figure is a share of staff (%) or a score out of 10, with n, the number of people it is based on. "
    "Scores out of 10 are always better when higher. A % is better when higher unless the measure's name says "
    "'(lower is better)': the share experiencing harassment, violence or discrimination, feeling burnt out or "
    "thinking of leaving.",
    "Change on last year is tested for significance (two-proportion z-test for %, Welch's t-test for scores); "
    "'not significant' means the change may be chance.",
    "Similar trusts: the median of the benchmarking group's published figures (whole organisations, weighted "
    "as published), where the official benchmark workbook was opened.",
    "Withheld: no figure is shown for fewer than {threshold} people, nor any that would let one be worked out; "
    "such rows say why instead of showing a number.",
)
# Published files: each figure is the file's own, with its n and weighting as the file gives them
HOW_TO_READ_PUBLISHED = (
    "Each figure is a share of staff (%) or a score out of 10 as the file publishes it, with n, {n}. Scores out "
    "of 10 are always better when higher. A % is better when higher unless the measure's name says '(lower is "
    "better)': the share experiencing harassment, violence or discrimination, feeling burnt out or thinking of "
    "leaving.",
    "Change on last year is the difference between the file's figures; it is not tested for significance here "
    "unless the file flags it ('significance not tested').",
    HOW_TO_READ[2],
    "Withheld: {disclosure} Such rows say why instead of showing a number.",
)


def write_pack(pack: Pack, path: str | os.PathLike, progress: Progress | None = None) -> Path:
    """Write ``pack`` to ``path`` (.xlsx), atomically. Raises :class:`ExportError` with one sentence."""
    book = Book(pack)
    steps = [("Summary", book.summary)] + [(LENS_TITLES[lens], lambda lens=lens: book.lens_sheet(lens))
                                           for lens in pack.parts] + [("Breakdowns", book.breakdowns),
                                                                      ("Notes", book.notes)]
    for i, (name, make) in enumerate(steps):
        if progress is not None:
            progress(i / (len(steps) + 1), f"Writing {name}")
        make()
    if progress is not None:
        progress(len(steps) / (len(steps) + 1), "Saving the workbook")
    return X.save_atomically(book.wb, path, book.alt)


class Book:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.tables: set[str] = set()
        self.alt: dict[int, tuple[str, str]] = {}  # id(chart) -> (title, description)
        props = self.wb.properties
        props.title = pack.title
        props.subject = "NHS Staff Survey board pack: trust, bullying and harassment, morale"
        props.creator = pack.options.author or "Staff Survey Explorer"
        props.keywords = f"NHS Staff Survey; {pack.year}; {pack.options.marking}"
        props.description = f"{pack.selection} Made by Staff Survey Explorer {pack.version}."
        props.created = props.modified = pack.created
        self.threshold = pack.spec.threshold

    # ------------------------------------------------------------------ helpers
    def sheet(self, name: str, heading: str):
        ws = self.wb.create_sheet(name)
        X.put(ws, 1, 1, heading, font=X.TITLE)
        X.put(ws, 2, 1, self.pack.selection, font=X.NOTE)
        ws.sheet_view.showGridLines = False
        X.print_setup(ws, self.pack.title, self.pack.options.marking)
        return ws

    def chart(self, ws, chart, anchor: str, title: str, description: str) -> None:
        chart.title = _title(title)
        self.alt[id(chart)] = (title, description)
        ws.add_chart(chart, anchor)

    def name(self, *parts: str) -> str:
        return X.table_name(*parts, used=self.tables)

    # ------------------------------------------------------------------ Summary
    def summary(self) -> None:
        pack = self.pack
        ws = self.sheet("Summary", pack.title)
        years = pack.dataset.get("years", [])
        X.put(ws, 3, 1, f"Survey year {pack.year}" + (", with earlier years for the trends" if len(years) > 1 else ""),
              font=X.NOTE)
        widths = {1: 12, 2: 34, 3: 10, 4: 8, 5: 11, 6: 17, 7: 11, 8: 26}
        page = sum(widths.values())
        row = 5
        row = self.context_block(ws, row, page)
        X.put(ws, row, 1, "Findings", font=X.HEADING)
        found = [f for part in pack.parts.values() for f in _leading(part.findings, pack.spec.measures)]
        if not found:
            X.paragraph(ws, row + 1, "No finding can be stated: the figures of this selection are withheld.", 8, page)
            row += 1
        for f in found:
            row += 1
            X.paragraph(ws, row, f"• {f.text}", 8, page)
        row += 2
        X.put(ws, row, 1, "Headline figures", font=X.HEADING)
        headers = ["Lens", "Measure", f"Value {pack.year}", "n", "Change on last year", "Significance",
                   "Similar trusts median", "Withheld because"]
        rows, formats, withheld = [], [], []
        for lens, part in pack.parts.items():
            for rec in F.headline(part.results, pack.year).to_dict("records"):
                if rec["measure"] in part.charted:
                    rows.append([LENS_TITLES[lens], _label(rec, polarity=True)] + _figure_cells(rec))
                    formats.append([None, None] + _formats(rec["unit"]))
                    withheld.append(bool(rec["suppressed"]))
        first, last = X.write_table(ws, row + 1, 1, headers, rows, self.name("Headline_figures"),
                                    formats=_by_column(formats), withheld=withheld)
        X.put(ws, last + 1, 1, _weighting(pack), font=X.NOTE)
        X.fit_rows(ws, row + 1, last, widths)
        row = last + 3
        X.put(ws, row, 1, "How to read this", font=X.HEADING)
        for i, text in enumerate(_how_to_read(pack), start=1):
            X.paragraph(ws, row + i, text, 8, page)
        _widths(ws, widths)
        ws.freeze_panes = "A3"

    def context_block(self, ws, row: int, page: float) -> int:
        """Published data: the file's own numbers about the organisation (workforce composition, respondents),
        set apart from the results under a heading that says they are context; the next free row."""
        context = self.pack.context
        parts = F.context_parts(context)
        if not parts:
            return row
        organisation = self.pack.dataset.get("organisation") or "the organisation"
        X.put(ws, row, 1, f"About {organisation} (context, not survey results)", font=X.HEADING)
        X.paragraph(ws, row + 1, f"The file's own figures about the organisation in {context.get('year')}: "
                                 f"{', '.join(parts)}.", 8, page)
        return row + 3

    def _lens_of(self, measure: str) -> str:
        for lens, part in self.pack.parts.items():
            if any(m == measure for m, _ in F.measures_in(part.results)):
                return lens
        return ""

    # ------------------------------------------------------------------ a lens
    def lens_sheet(self, lens: str) -> None:
        pack, part = self.pack, self.pack.parts[lens]
        r = part.results
        ws = self.sheet(LENS_TITLES[lens], f"{pack.bank.lenses[lens].name}, {pack.year}")
        X.put(ws, 3, 1, r.empty_reason or _weighting(pack), font=X.NOTE)
        row = 4
        X.put(ws, row, 1, "The chosen measures" if pack.spec.measures else "Every measure of this lens",
              font=X.HEADING)
        recs = F.headline(r, pack.year).to_dict("records")
        headers = ["Measure", f"Value {pack.year}", "n", "Change on last year", "Significance", "Similar trusts median",
                   "Withheld because"]
        rows = [[_label(rec, polarity=True)] + _figure_cells(rec) for rec in recs]
        _, last = X.write_table(ws, row + 1, 1, headers, rows, self.name(LENS_TITLES[lens], "measures"),
                                formats=_by_column([[None] + _formats(rec["unit"]) for rec in recs]),
                                withheld=[bool(rec["suppressed"]) for rec in recs])
        X.fit_rows(ws, row + 1, last, WIDTHS)
        row = last + 3
        for m in part.charted:
            row = self.measure_block(ws, lens, r, m, row)
        if part.answers is not None:
            row = self.answers_block(ws, lens, part.answers, row)
        wide = ws.max_column if ws.max_column > len(WIDTHS) - 1 else len(WIDTHS)  # a 7-option answers table
        X.fit_columns(ws, {**WIDTHS, **{c: 11 for c in range(len(WIDTHS), wide + 1)}}, gutter={8: 2})
        ws.freeze_panes = "A3"

    def measure_block(self, ws, lens: str, r: Results, m: str, row: int) -> int:
        trend = F.trend(r, m)
        if trend.empty:
            return row
        first_rec = trend.iloc[0]
        unit, lower, label = first_rec["unit"], bool(first_rec["lower_is_better"]), str(first_rec["label"])
        polarity = "lower is better" if lower else "higher is better"
        ws.row_breaks.append(Break(id=row - 1))  # one measure per printed page: no chart cut in two
        X.put(ws, row, 1, f"{label} ({polarity})", font=X.HEADING)
        row += 1
        headers = ["Year", _value_header(unit), "n", "Change on last year", "Significance", "Similar trusts median",
                   "Withheld because"]
        recs = trend.to_dict("records")
        rows = [[int(rec["year"])] + _figure_cells(rec) for rec in recs]
        first, last = X.write_table(ws, row, 1, headers, rows, self.name(LENS_TITLES[lens], m, "trend"),
                                    ["0"] + _formats(unit), [bool(rec["suppressed"]) for rec in recs])
        X.fit_rows(ws, row, last, WIDTHS)
        band = trend["benchmark_median"].notna().any()
        if len(trend) < 2:  # one survey year: a table, not a "trend" of one point
            X.put(ws, last + 1, 1, "One survey year only: there is no trend to draw.", font=X.NOTE)
            return self._groups_block(ws, lens, r, m, trend, unit, label, polarity, max(last + 3, row + 2))
        chart = LineChart()
        chart.add_data(Reference(ws, min_col=2, min_row=row, max_row=last), titles_from_data=True)
        if band:
            chart.add_data(Reference(ws, min_col=6, min_row=row, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        _style_line(chart, unit, polarity, band, _ceiling(trend))
        shown = [rec for rec in recs if not rec["suppressed"]]
        words = (f"from {F.format_value(shown[0]['value'], unit)} in {int(shown[0]['year'])} to "
                 f"{F.format_value(shown[-1]['value'], unit)} in {int(shown[-1]['year'])}") if shown else "every year withheld"
        self.chart(ws, chart, f"{get_column_letter(CHART_COLUMN)}{row}", f"{label}: trend",
                   f"Line chart of {label} by survey year ({polarity}), {words}"
                   + ("; dashed: the median of similar trusts." if band else "."))
        return self._groups_block(ws, lens, r, m, trend, unit, label, polarity, max(last + 2, row + BLOCK_ROWS))

    def _groups_block(self, ws, lens, r, m, trend, unit, label, polarity, row: int) -> int:
        pack = self.pack
        groups = F.breakdown(r, m, pack.year)
        if groups.empty:
            return row
        by = " and ".join(r.spec.breakdown)
        if len(groups) > 12:  # a long list of groups starts a page of its own
            ws.row_breaks.append(Break(id=row - 1))
        X.put(ws, row, 1, f"{label} by {by}, {pack.year}", font=X.BOLD)
        row += 1
        org = trend[trend["year"] == pack.year]
        recs = (org.to_dict("records") if len(org) else []) + groups.to_dict("records")
        headers = ["Group", _value_header(unit), "n", "Difference from the rest", "Compared with the rest",
                   "Change on last year", "Withheld because"]
        rows = []
        for rec in recs:
            cells = _figure_cells(rec)
            name = (pack.reference_name + ("" if pack.published else " (whole selection)")
                    if rec["group"] == ORGANISATION_GROUP else str(rec["group"]))
            if rec["suppressed"]:
                name += " (withheld)"
            rows.append([name, cells[0], cells[1], None if rec["suppressed"] else F.number(rec.get("vs_rest")),
                         _rest_words(rec), cells[2], cells[-1]])
        fmt = _formats(unit)
        first, last = X.write_table(ws, row, 1, headers, rows, self.name(LENS_TITLES[lens], m, "by", by),
                                    [None, fmt[0], fmt[1], fmt[2], None, fmt[2], None],
                                    [bool(rec["suppressed"]) for rec in recs])
        X.fit_rows(ws, row, last, WIDTHS)
        chart = BarChart()
        chart.type = "bar"
        chart.add_data(Reference(ws, min_col=2, min_row=row, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        _style_bars(chart, unit, polarity, organisation_first=bool(len(org)))
        chart.height = min(17.0, max(CHART_HEIGHT, 0.75 * len(rows) + 3))  # room for every name, within a page
        combined = set(r.extra.get("combined_groups", ()))  # a mix made for protection is never singled out
        top = [rec for rec in groups.to_dict("records") if not rec["suppressed"] and rec["group_1"] not in combined
               and rec["group_2"] not in combined]
        words = (f"highest {top[0]['group']} at {F.format_value(top[0]['value'], unit)}, lowest {top[-1]['group']} at "
                 f"{F.format_value(top[-1]['value'], unit)}") if top else "every group withheld"
        self.chart(ws, chart, f"{get_column_letter(CHART_COLUMN)}{row}", f"{label} by {by}, {pack.year}",
                   f"Bar chart of {label} for each {by} group in {pack.year}, highest first ({polarity}): {words}; "
                   f"the first bar is {pack.reference}; withheld groups have no bar.")
        return max(last + 2, row + int(chart.height / 0.53) + 1)

    def answers_block(self, ws, lens: str, answers: Results, row: int) -> int:
        year = self.pack.year
        opts = F.likert(answers, year)
        if opts.empty:
            return row
        measures = list(dict.fromkeys(opts["measure"].astype(str)))
        options = list(dict.fromkeys(opts["option"].astype(str)))
        ws.row_breaks.append(Break(id=row - 1))
        X.put(ws, row, 1, f"How people answered, {year}", font=X.HEADING)
        row += 1
        rows, withheld = [], []
        for m in measures:
            mine = opts[opts["measure"] == m]
            hidden = bool(mine["suppressed"].astype(bool).any())
            share = dict(zip(mine["option"].astype(str), mine["value"]))
            reason = str(mine.loc[mine["suppressed"].astype(bool), "suppression_reason"].iloc[0]) if hidden else ""
            rows.append([str(mine["label"].iloc[0])] + [None if hidden else F.number(share.get(o)) for o in options]
                        + [f"withheld: {reason}" if hidden else F.whole(mine["n"].max())])
            withheld.append(hidden)
        headers = ["Question"] + [f"{o} (%)" for o in options] + ["n (or why withheld)"]
        first, last = X.write_table(ws, row, 1, headers, rows, self.name(LENS_TITLES[lens], "answers"),
                                    [None] + ['0.0"%"'] * len(options) + ["#,##0"], withheld)
        X.fit_rows(ws, row, last, {**WIDTHS, **{c: 11 for c in range(len(WIDTHS), len(headers) + 1)}})
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "percentStacked"
        chart.overlap = 100
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(options), min_row=row, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        ordinary = [o for o in options if not F.is_special(o)]
        colours = dict(zip(ordinary, P.ordinary_colours(len(ordinary), F.diverging(tuple(options)))))
        colours.update(zip([o for o in options if F.is_special(o)], P.SPECIAL))
        for series, option in zip(chart.series, options):
            series.graphicalProperties.solidFill = colours[option].lstrip("#")
            series.graphicalProperties.line.solidFill = "FFFFFF"
        chart.x_axis.scaling.orientation = "maxMin"
        chart.x_axis.tickLblSkip = 1
        chart.x_axis.txPr = _small_text()
        chart.y_axis.crosses = "max"
        chart.y_axis.number_format = "0%"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.legend.position = "b"
        chart.gapWidth = 50
        chart.width, chart.height = 24, min(16.0, max(CHART_HEIGHT, 0.6 * len(rows) + 3.5))
        below = last + 2  # below its table, on a page of its own (the table is as wide as the page)
        ws.row_breaks.append(Break(id=below - 1))
        self.chart(ws, chart, f"A{below}", f"How people answered, {year}",
                   f"100% stacked bar chart: the share of each answer ({', '.join(options)}) to {len(rows)} "
                   f"questions of the {self.pack.bank.lenses[lens].name.lower()} lens in {year}; withheld questions "
                   "have no bar.")
        return below + int(chart.height / 0.53) + 2

    # ------------------------------------------------------------------ Breakdowns
    def breakdowns(self) -> None:
        pack = self.pack
        ws = self.sheet("Breakdowns", f"Every measure by group, {pack.year}")
        by = " and ".join(pack.spec.breakdown) if pack.options.breakdowns else ""
        if not by:
            X.put(ws, 4, 1, "The groups were left out of this pack (as chosen when it was made)." if pack.spec.breakdown
                  else "No 'compare by' column was chosen for this pack, so there are no groups to set side by "
                       f"side. Choose one ({_example(pack)}) and export again.", font=X.NOTE)
            _widths(ws, {1: 100})
            return
        X.paragraph(ws, 3, f"By {by}. Shading runs from worse (orange) to better (purple) along each row, lower-is-better "
                           f"measures reversed ({pack.reference} is not shaded: it is the reference); the value is "
                           f"always printed. 'withheld': fewer than {self.threshold} responses, or withheld to protect "
                           "a smaller group.", 8, 95, font=X.NOTE)
        groups: list[str] = []
        lines = []
        for lens, part in pack.parts.items():
            for m, label in F.measures_in(part.results):
                rows = F.breakdown(part.results, m, pack.year)
                org = F.headline(part.results, pack.year)
                org = org[org["measure"] == m]
                if rows.empty and org.empty:
                    continue
                values = {str(rec["group"]): rec for rec in rows.to_dict("records")}
                for g in values:
                    if g not in groups:
                        groups.append(g)
                lines.append((lens, label, org.iloc[0].to_dict() if len(org) else None, values))
        headers = ["Measure", "Lens", "Lower is better", pack.reference_name] + groups
        rows, formats = [], []
        for lens, label, org, values in lines:
            unit = (org or next(iter(values.values()), {})).get("unit", "%")
            cells = [label, LENS_TITLES[lens], "yes" if (org or {}).get("lower_is_better") else "no"]
            for rec in [org] + [values.get(g) for g in groups]:
                cells.append("" if rec is None else "withheld" if rec["suppressed"] else F.number(rec["value"]))
            rows.append(cells)
            formats.append(_formats(unit)[0])
        top = 5
        columns = [None, None, None] + [formats] * (len(groups) + 1)
        first, last = X.write_table(ws, top, 1, headers, rows, self.name("Breakdowns", by), columns)
        left, right = get_column_letter(5), get_column_letter(4 + len(groups))  # the groups, not the whole selection
        for i, line in enumerate(rows):
            r = first + i
            worse, better = P.DIVERGING[5][1].lstrip("#"), P.DIVERGING[5][3].lstrip("#")
            low, high = (better, worse) if line[2] == "yes" else (worse, better)
            ws.conditional_formatting.add(f"{left}{r}:{right}{r}", ColorScaleRule(
                start_type="min", start_color=low, mid_type="percentile", mid_value=50, mid_color="FFFFFF",
                end_type="max", end_color=high))
        if len(groups) > 12:  # too many to read one page wide: pages across, the measure names on each
            ws.page_setup.fitToWidth = -(-(len(groups) + 4) // 14)
            ws.print_title_cols = "A:A"
        widths = {1: WIDTHS[1], 2: 9, 3: 8, **{4 + i: 11 for i in range(len(groups) + 1)}}
        X.fit_columns(ws, widths)
        X.fit_rows(ws, top, last, {1: WIDTHS[1]})
        actual = [ws.column_dimensions[get_column_letter(4 + i)].width for i in range(len(headers) - 3)]
        ws.row_dimensions[top].height = 15 * max(X.lines(h, w * 0.8) for h, w in zip(headers[3:], actual))
        ws.freeze_panes = ws.cell(top + 1, 2)

    # ------------------------------------------------------------------ Notes
    def notes(self) -> None:
        pack = self.pack
        ws = self.sheet("Notes", "Notes: where these figures come from")
        spec = pack.spec
        d = pack.dataset
        lines = [
            ("Source file", pack.source or str(d.get("file", ""))),
            ("Kind of file", str(d.get("kind", ""))),
            ("Organisation", str(d.get("organisation") or "")),
            ("Survey years in the file", ", ".join(map(str, d.get("years", [])))),
            ("Year of this pack", str(pack.year)),
            ("Selection", pack.selection),
            ("Compared by", " and ".join(spec.breakdown) if spec.breakdown and pack.options.breakdowns else "nothing"),
            ("Weighting", _weighting(pack)),
            ("Disclosure rule", " ".join(_disclosure_notes(pack)) if pack.published else
                                f"No figure is shown for fewer than {spec.threshold} respondents or answers, nor any "
                                "that would let one be worked out by subtraction: small groups are counted in "
                                "combined groups, so every figure in this pack, in any table, covers whole groups of "
                                f"at least {spec.threshold} people."
                                + (" Local rule on: a % also needs more than 3 positive and negative answers."
                                   if spec.local_rule else "")),
            ("Made", f"{pack.created:%d %B %Y %H:%M} by Staff Survey Explorer {pack.version}"),
            ("Protective marking", pack.options.marking),
        ]
        lines += [("Template", t) for t in pack.template]
        said = set(_disclosure_notes(pack)) if pack.published else set()  # already the disclosure rule
        if pack.published and pack.context:
            lines.append(("Organisation context", F.context_words(str(d.get("organisation") or "the organisation"),
                                                                  pack.context)))
        lines += [("Note", n) for n in pack.notes if n not in said]
        lines += self._definitions()
        first, last = X.write_table(ws, 4, 1, ["Item", "Detail"], [list(x) for x in lines], self.name("Notes"))
        for r in range(first, last + 1):
            ws.cell(r, 2).alignment = X.WRAP
            ws.cell(r, 1).alignment = X.WRAP
        X.fit_rows(ws, first, last, {1: 30, 2: 110})
        _widths(ws, {1: 30, 2: 110})
        ws.freeze_panes = "A5"

    def _definitions(self) -> list[tuple[str, str]]:
        bank = self.pack.bank  # the session's, which made the figures
        out = []
        seen = set()
        for part in self.pack.parts.values():
            for m, label in F.measures_in(part.results):
                if m in seen:
                    continue
                seen.add(m)
                out.append((f"Definition: {label}", _definition(bank, m, self.pack.year)))
        return out


def _definition(bank, measure: str, year: int) -> str:
    item = bank.items.get(measure)
    if item is not None and item.asked_in(year):
        rule = item.positive
        text = f"{item.code(year)}: \u201c{item.wording(year)}\u201d"
        if rule is not None:
            text += f" — {rule.label if rule.label.startswith('%') else '% ' + rule.label}" + ("" if rule.verified else " [V: rule not yet checked against the official one]")
        return text + (" (lower is better)" if item.lower_is_better else "")
    score = bank.scores.get(measure)
    if score is not None:
        parts = ", ".join(bank.items[i].code(year) for i in score.items if i in bank.items and bank.items[i].asked_in(year))
        return f"{score.name}: a score from 0 to 10, the mean of its questions' scores ({parts})." if parts else \
            f"{score.name}: a score from 0 to 10."
    return "A question of the file's own (not in the national questionnaire): as worded in the file."


# ---------------------------------------------------------------------------- cells and charts
def _label(rec: dict, polarity: bool = False) -> str:
    return str(rec["label"]) + (" (lower is better)" if polarity and rec["lower_is_better"] else "")


def _value_header(unit: str) -> str:
    return "Value (%)" if unit == "%" else "Score (out of 10)" if unit == "score" else "Value"


def _significance(rec: dict) -> str:
    sig = rec.get("significant")
    change = rec.get("change")
    if rec["suppressed"] or F.is_missing(change) or sig is None or F.is_missing(sig):
        return ""
    if not sig:
        return "not significant"
    better = (change < 0) if rec["lower_is_better"] else (change > 0)
    return "significantly better" if better else "significantly worse"


def _figure_cells(rec: dict) -> list:
    """Value, n, change, significance, similar trusts median, withheld because (the weighting is said
    once per sheet, above its tables)."""
    hidden = bool(rec["suppressed"])
    return [None if hidden else F.number(rec["value"]), "withheld" if hidden else F.whole(rec["n"]),
            None if hidden else F.number(rec.get("change")), _significance(rec),
            None if hidden else F.number(rec.get("benchmark_median")), str(rec["suppression_reason"]) if hidden else ""]


def _formats(unit: str) -> list:
    """Number formats of :func:`_figure_cells`."""
    value = X.FORMATS.get(unit, X.FORMATS["plain"])
    change = X.FORMATS["change%"] if unit == "%" else X.FORMATS["changescore"]
    return [value, X.FORMATS["n"], change, None, value, None]


def _median_note(pack: Pack) -> str | None:
    """The engine's note that some figures are the median of organisations (published data), if any."""
    return next((n for n in pack.notes if "median organisation" in n.lower()), None)


def _disclosure_notes(pack: Pack) -> list[str]:
    """Published data: the engine's sentences on what is withheld (its notes name the threshold)."""
    return [n for n in pack.notes if f"fewer than {pack.spec.threshold} responses" in n]


def _published_n(pack: Pack) -> str:
    n = "the number of responses the file gives for it"
    return n + ("; for a median of organisations, their responses added up" if _median_note(pack) else "")


def _how_to_read(pack: Pack) -> list[str]:
    if not pack.published:
        return [text.format(threshold=pack.spec.threshold) for text in HOW_TO_READ]
    disclosure = " ".join(_disclosure_notes(pack)) or \
        f"no figure is shown on fewer than {pack.spec.threshold} responses."
    disclosure = disclosure[:1].lower() + disclosure[1:]
    return [text.format(n=_published_n(pack), disclosure=disclosure) for text in HOW_TO_READ_PUBLISHED]


def _weighting(pack: Pack) -> str:
    """The weighting of the pack's figures, said once per sheet (every number is labelled by it)."""
    if pack.published:  # the file's own figures: weighted as the file says of each, n as the file gives it
        said = {"weighted": "All figures are weighted, as the file says of each",
                "unweighted": "All figures are unweighted, as the file says of each",
                "not stated": "The file does not say whether its figures are weighted",
                }.get(published_weighting(pack.parts), "Some figures are weighted and some are not, as the file says "
                                                       "of each")
        return f"{said} (published figures, shown as given); n is {_published_n(pack)}."
    flags = {bool(w) for part in pack.parts.values() for w in part.results.table["weighted"].tolist()}
    if flags == {True}:
        return "All figures are weighted by the file's weight column; n is the number of people answering."
    if flags == {False} and pack.spec.weighted:
        return "All figures are unweighted (this view cannot be weighted); n is the number of people answering."
    if flags == {True, False}:
        return "Some figures are weighted and some are not (see Notes); n is the number of people answering."
    return "All figures are unweighted: each respondent counts once; n is the number of people answering."


def _widths(ws, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width


def _title(text: str) -> Title:
    """A chart title at 11 pt (the default 14 pt wrapped a long question over three lines and left
    the plot a sliver)."""
    size = CharacterProperties(sz=1100, b=True, solidFill="212B32")
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=size), r=[RegularTextRun(rPr=size, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _leading(found: list, chosen: tuple[str, ...], count: int = 4) -> list:
    """A lens's first findings for the Summary; with measures chosen, each one's own figure first
    (a long list of group findings must not crowd out the figure the pack was made for)."""
    heads = [f for f in found if f.kind in ("change", "level") and f.measure in chosen]
    return heads + [f for f in found if f not in heads][:max(0, count - len(heads))]


def _ceiling(rows) -> float:
    """The top of a % axis: a round number above the highest value drawn (100 at most)."""
    values = [v for c in ("value", "benchmark_median") for v in rows[c].tolist() if not F.is_missing(v)]
    top = max(values, default=0.0) * 1.25
    step = 5 if top <= 30 else 10 if top <= 60 else 20
    return float(min(100, max(step, -(-top // step) * step)))


def _small_text() -> RichText:
    """8-point axis labels: a name per bar, every bar."""
    size = CharacterProperties(sz=800)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def _by_column(per_row: list[list]) -> list[list] | None:
    """Per-row number formats (a table mixing % and scores) as one list per column."""
    if not per_row:
        return None
    return [[line[j] for line in per_row] for j in range(len(per_row[0]))]


def _example(pack: Pack) -> str:
    """A compare-by column to suggest, one the data has ('for example Region'), or 'a column' when none."""
    return f"for example {pack.columns[0]}" if pack.columns else "a column"


def _rest_words(rec: dict) -> str:
    """A group against the rest of the organisation, in words (never for the whole selection)."""
    if rec["suppressed"] or rec["group"] == ORGANISATION_GROUP or F.is_missing(rec.get("vs_rest")):
        return ""
    mark = F.rest_mark(rec)  # "✓ better" / "✗ worse" where significant (the window's mark)
    if mark:
        return "significantly " + mark.split(" ", 1)[1]
    return "not significantly different" if rec.get("significant_vs_rest") is False else ""


def _style_line(chart: LineChart, unit: str, polarity: str, band: bool, ceiling: float = 100) -> None:
    chart.y_axis.title = ("%" if unit == "%" else "score 0-10") + f" ({polarity})"
    chart.x_axis.title = "Survey year"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.number_format = "0" if unit == "%" else "0.0"
    chart.display_blanks = "gap"  # a withheld year is a gap, never a zero
    chart.y_axis.scaling.min = 0  # from zero (a score: its whole 0-10 range): a small change must look small
    chart.y_axis.scaling.max = 10 if unit == "score" else ceiling
    ours = chart.series[0]
    for series in chart.series:
        series.smooth = False  # a smoothed line would show values between the years that were never measured
    ours.marker.symbol = "circle"
    ours.marker.size = 7
    ours.graphicalProperties.line.solidFill = P.NHS_BLUE.lstrip("#")
    ours.graphicalProperties.line.width = 28575
    ours.marker.graphicalProperties = GraphicalProperties(solidFill=P.NHS_BLUE.lstrip("#"))
    ours.dLbls = DataLabelList()
    ours.dLbls.showVal = True
    ours.dLbls.position = "t"
    ours.dLbls.numFmt = '0.0"%"' if unit == "%" else "0.00"
    for key in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
        setattr(ours.dLbls, key, False)
    if band:
        median = chart.series[1]
        median.graphicalProperties.line = LineProperties(solidFill=P.NHS_MID_GREY.lstrip("#"), prstDash="dash", w=19050)
        median.marker.symbol = "none"
    chart.legend.position = "b"
    if not band:
        chart.legend = None  # one line: its name is the chart's title
    chart.width, chart.height = CHART_WIDTH, CHART_HEIGHT


def _style_bars(chart: BarChart, unit: str, polarity: str, organisation_first: bool) -> None:
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top
    chart.y_axis.crosses = "max"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.title = ("%" if unit == "%" else "score 0-10") + f" ({polarity})"
    chart.y_axis.number_format = "0" if unit == "%" else "0.0"
    chart.y_axis.scaling.min = 0
    if unit == "score":
        chart.y_axis.scaling.max = 10
    chart.legend = None
    chart.gapWidth = 60
    chart.x_axis.tickLblSkip = 1  # every group named (LibreOffice skipped every other name at 10 pt)
    chart.x_axis.txPr = _small_text()
    bars = chart.series[0]
    bars.graphicalProperties.solidFill = P.NHS_BLUE.lstrip("#")
    bars.dLbls = DataLabelList()
    bars.dLbls.showVal = True
    bars.dLbls.numFmt = '0.0"%"' if unit == "%" else "0.00"
    for key in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
        setattr(bars.dLbls, key, False)
    if organisation_first:  # the whole selection in grey (its name says so too: colour is not the only cue)
        point = DataPoint(idx=0)
        point.graphicalProperties.solidFill = P.NHS_MID_GREY.lstrip("#")
        bars.dPt.append(point)
    chart.width = CHART_WIDTH
