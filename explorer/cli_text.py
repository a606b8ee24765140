"""Results as plain-text tables for the command line (rendering only: no statistics here).

It lives outside ``explorer.core``: the core makes Results, its clients render them. The text fits
about 120 characters: the main table (one row per measure, year and group: the value and its n, the
mean when asked for, the comparator's columns and the change since last year — or, where there is
none, why), then the answer shares (per question, one column per answer option), then the drivers
(ranked), then footnotes that explain every mark and short reason used above.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Callable

from explorer.core.results import ORGANISATION_GROUP, Results
from explorer.figures import context_parts, context_words

WIDTH = 120
GAP = "  "
MAIN_EXCLUDES = ("options", "mean", "drivers")  # shown in their own column or table, not as rows


# --------------------------------------------------------------------------------- formatting
def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fmt_value(value, unit: str) -> str:
    """A figure as people read it: 71.2%, 6.91/10, +0.45 (an association), 3.73 (a mean code)."""
    if _missing(value):
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "score":
        return f"{value:.2f}/10"  # as the window shows it: a change of 0.04 must be visible
    if unit == "rho":
        return f"{value:+.2f}"
    return f"{value:.2f}"


def _fmt_difference(value, unit: str, significant) -> str:
    """A change or difference: "+2.4 pts" for %, "+0.12" for scores (never "-0.0"), " *" if significant."""
    if _missing(value):
        return "-"
    digits = 1 if unit == "%" else 2
    text = f"{value:+.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text + (" pts" if unit == "%" else "") + (" *" if significant is True else "")


def _fmt_n(rec, notes: "Notes") -> str:
    """The base n; for a withheld figure, the footnote mark that says why (in the n's place)."""
    if rec.suppressed:
        return notes.mark(rec.suppression_reason)
    return "-" if _missing(rec.n) else f"{int(rec.n):,}"


def _fmt_shown(rec) -> str:
    return "withheld" if rec.suppressed else _fmt_value(rec.value, rec.unit)


# ------------------------------------------------------------------------------------ layout
@dataclass
class Column:
    header: str
    cells: list[str] = field(default_factory=list)
    right: bool = False
    narrowest: int = 0  # how far the column may shrink to fit WIDTH (0: it keeps its width)
    first: bool = False  # gives way before the others (a header people can guess, not a group's name)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def layout(columns: list[Column], width: int = WIDTH, indent: str = "") -> list[str]:
    """Aligned lines (header, rule, rows); the shrinkable columns give way (those marked ``first``
    first, then the widest) until the table fits ``width``. A ``first`` column's header then takes
    two lines rather than being cut ("Strongly / disagree"); other text that no longer fits ends in "…"."""
    widths = [max([len(c.header), *map(len, c.cells)]) for c in columns]
    over = len(indent) + sum(widths) + len(GAP) * (len(columns) - 1) - width
    while over > 0:
        shrinkable = [i for i, c in enumerate(columns) if c.narrowest and widths[i] > c.narrowest]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (columns[i].first, widths[i]))
        widths[widest] -= 1
        over -= 1

    def line(texts: list[str]) -> str:
        cells = [_clip(t, w).rjust(w) if c.right else _clip(t, w).ljust(w) for t, w, c in zip(texts, widths, columns)]
        return (indent + GAP.join(cells)).rstrip()

    headers = [textwrap.wrap(c.header, w, break_long_words=False) if c.first and len(c.header) > w else [c.header]
               for c, w in zip(columns, widths)]
    depth = max(map(len, headers), default=1)
    rows = [line([h[k] if k < len(h) else "" for h in headers] if depth == 1 else
                 [h[k - depth + len(h)] if k >= depth - len(h) else "" for h in headers]) for k in range(depth)]
    rows.append(indent + GAP.join("-" * w for w in widths))
    rows += [line([c.cells[i] for c in columns]) for i in range(len(columns[0].cells))] if columns else []
    return rows


# ------------------------------------------------------------------------------------ reasons
class Notes:
    """Footnotes gathered while rendering: numbered withholding reasons and the short reasons a
    change is blank, each explained once below the tables."""

    def __init__(self) -> None:
        self.withheld: dict[str, int] = {}
        self.reasons: dict[str, str] = {}

    def mark(self, reason: str) -> str:
        """"[k]": the footnote that says why a figure is withheld (one number per distinct reason)."""
        number = self.withheld.setdefault(reason or "to protect small groups", len(self.withheld) + 1)
        return f"[{number}]"

    def reason(self, short: str, explanation: str) -> str:
        self.reasons.setdefault(short, explanation)
        return short

    def lines(self) -> list[str]:
        out = [f"{short}: {text}" for short, text in self.reasons.items()]
        return out + [f"[{n}] Withheld: {reason.rstrip('.')}." for reason, n in self.withheld.items()]


def _asked(bank, measure: str, kind: str, year: int) -> bool:
    """Whether the measure was in that year's questionnaire (the question bank says)."""
    if bank is None:
        return True
    if kind == "item" and measure in bank.items:
        return bank.item(measure).asked_in(year)
    if kind == "score" and measure in bank.scores:
        return year in bank.score_years(measure)
    return True


def change_cell(rec, notes: Notes, bank, combined: tuple[str, ...]) -> str:
    """The change since last year, or a short reason why there is none (never a bare blank)."""
    if rec.suppressed:
        return "withheld"
    if not _missing(rec.change):
        return _fmt_difference(rec.change, rec.unit, rec.significant)
    if _missing(rec.previous_year):
        return notes.reason("first year", "no earlier survey year in the data, so no change to show")
    previous = int(rec.previous_year)
    asked = _asked(bank, rec.measure, rec.kind, previous)
    if rec.comparable is False or not asked:
        if not asked:
            return notes.reason(f"not asked in {previous}", "the question was not in that year's survey")
        return notes.reason("not comparable", "the question changed (its wording or scale) since the previous survey "
                                              "year, so the two years cannot be compared")
    if str(rec.group) in combined:
        return notes.reason("combined group", "a group combined to protect small groups has a different make-up "
                                              "each year, so no change is shown for it")
    return notes.reason(f"no {previous} figure", "the previous year's figure for this group is withheld or missing")


# -------------------------------------------------------------------------------- the tables
def _group_label(rec, results: Results) -> str:
    """The group a row describes; a filtered view's total says its filter, not "All staff"."""
    if str(rec.group) == ORGANISATION_GROUP and results.dataset.get("subject"):
        return results.dataset["subject"]  # published data: e.g. "Median organisation"
    if str(rec.group) == ORGANISATION_GROUP and results.filter_description:
        return results.filter_description
    return str(rec.group)


def group_columns(rows: list, results: Results, narrowest: int) -> list[Column]:
    """"Group", or one column per compare-by column when there are two (a joined "A / B" label cut
    short would hide which group a row is)."""
    names = next((str(r.breakdown).split(" / ") for r in rows if str(r.breakdown)), [])
    if len(names) < 2:
        return [Column("Group", [_group_label(r, results) for r in rows], narrowest=narrowest)]
    first = [str(r.group_1) or _group_label(r, results) for r in rows]
    return [Column(names[0], first, narrowest=narrowest), Column(names[1], [str(r.group_2) for r in rows],
                                                                 narrowest=narrowest)]


def _benchmark_header() -> str:
    from explorer.core.unverified import load_unverified

    return f"Benchmark {load_unverified().benchmark_average}"


def _published(results: Results) -> bool:
    """Figures a file publishes (no respondents here): changes and differences are not tested."""
    return results.dataset.get("kind", "respondents") != "respondents"


def _comparator_columns(results: Results, rows: list) -> tuple[list[tuple[str, Callable]], list[str]]:
    """The comparator's columns (header, cell maker) and what their marks mean."""
    comparator = results.spec.comparator
    legend: list[str] = []
    columns: list[tuple[str, Callable]] = []
    if comparator == "last_year":
        columns.append(("Last year", lambda r: "-" if r.suppressed else _fmt_value(r.comparator_value, r.unit)))
    elif comparator == "organisation":
        columns.append(("Organisation", lambda r: _fmt_value(r.comparator_value, r.unit)))
        columns.append(("Difference", lambda r: _fmt_difference(r.comparator_difference, r.unit,
                                                                r.comparator_significant)))
        if _published(results):  # the file's figures: the organisation's own beside each group, nothing tested
            legend.append("Organisation: the organisation's own published figure ('-' on its own row); Difference: "
                          "the group minus it (published figures: not tested for significance).")
        else:
            legend.append("Organisation: the figure for the whole (filtered) organisation ('-' on its own row); "
                          "Difference: the group minus it, * where the group differs significantly from the rest of "
                          "the organisation.")
    has_band = any(not _missing(r.benchmark_median) for r in rows)
    if comparator == "benchmark" or has_band:
        header = _benchmark_header()
        columns.append((header, lambda r: _fmt_value(r.benchmark_median, r.unit)))
        vintage = next((str(r.vintage) for r in rows if isinstance(r.vintage, str) and r.vintage), "")
        legend.append(f"{header}: the {header.split()[-1]} of the benchmarking group in the benchmark workbook"
                      f"{f' ({vintage})' if vintage else ''}; '-' where it has no figure for that measure and year.")
    if comparator == "benchmark":
        columns.append(("vs benchmark", lambda r: _fmt_difference(r.comparator_difference, r.unit, None)))
    return columns, legend


def main_table(results: Results, notes: Notes, bank) -> tuple[list[str], list[str]]:
    """One section per measure (its name, then a row per year and group), the columns aligned across
    sections: a label is never cut short, however many groups repeat it."""
    t = results.table
    rows = list(t[~t["statistic"].isin(MAIN_EXCLUDES)].itertuples(index=False))
    if not rows:
        return [], []
    means = {(r.measure, r.year, r.group): r for r in t[t["statistic"] == "mean"].itertuples(index=False)}
    combined = tuple(results.extra.get("combined_groups", ()))
    columns = [Column("Year", [str(r.year) for r in rows]),
               *group_columns(rows, results, 20),
               Column("Value", [_fmt_shown(r) for r in rows], right=True),
               Column("n", [_fmt_n(r, notes) for r in rows], right=True)]
    if means:
        columns.append(Column("Mean", [_mean_cell(means.get((r.measure, r.year, r.group))) for r in rows],
                              right=True))
    extra, legend = _comparator_columns(results, rows)
    columns += [Column(header, [make(r) for r in rows], right=True) for header, make in extra]
    if results.spec.comparator != "none":
        columns.append(Column("Change", [change_cell(r, notes, bank, combined) for r in rows], narrowest=12))
        from explorer.core.engine.assemble import alpha_text

        legend.insert(0, "Change: since the previous survey year; * where the file flags a significant change (others "
                         "are not tested)." if _published(results) else
                      f"Change: since the previous survey year; * a significant change (two-sided, {alpha_text()}).")
    if means:
        legend.append("Mean: the average answer code (1 = the first answer option), specials such as "
                      "\"Don't know\" left out.")
    lines = layout(columns, indent="  ")
    out, shown = lines[:2], None
    several = t[~t["statistic"].isin(MAIN_EXCLUDES)].groupby("measure", sort=False)["statistic"].nunique()
    for r, line in zip(rows, lines[2:]):
        if (r.measure, r.statistic) != shown:
            shown = (r.measure, r.statistic)
            out.append(f"{r.label}" + (f" ({r.statistic})" if several.get(r.measure, 1) > 1 else ""))
        out.append(line)
    return out, legend


def _mean_cell(rec) -> str:
    return "-" if rec is None else _fmt_shown(rec)


def answer_tables(results: Results, notes: Notes) -> list[str]:
    """Per question, one row per year and group, one column per answer option (% of those answering)."""
    t = results.table
    options = t[t["statistic"] == "options"]
    out: list[str] = []
    for measure in dict.fromkeys(options["measure"]):
        rows = options[options["measure"] == measure]
        labels = [o for o in dict.fromkeys(rows["option"].astype(str)) if o]  # "": a group withheld as a whole
        cell = {(r.year, r.group, str(r.option)): r for r in rows.itertuples(index=False)}
        by_group: dict = {}  # each year and group's first row (its n; its withholding)
        for r in rows.itertuples(index=False):
            by_group.setdefault((r.year, r.group), r)
        first = list(by_group.values())
        columns = [Column("Year", [str(r.year) for r in first]), *group_columns(first, results, 14)]
        for option in labels:
            found = [cell.get((r.year, r.group, option), cell.get((r.year, r.group, ""))) for r in first]
            columns.append(Column(option, ["-" if r is None else _fmt_shown(r) for r in found], right=True,
                                  narrowest=max(len("withheld"), _two_lines(option)), first=True))
        columns.append(Column("n", [_fmt_n(r, notes) for r in first], right=True))
        label = str(rows["label"].iloc[0])
        out += ["", f"Answers: {label} (% of those answering)"] + layout(columns, indent="  ")
    return out


def _two_lines(header: str) -> int:
    """The narrowest width at which ``header`` wraps onto at most two lines."""
    return next(w for w in range(1, len(header) + 1) if len(textwrap.wrap(header, w, break_long_words=False)) <= 2)


def driver_table(results: Results, notes: Notes) -> list[str]:
    """Items ranked by their association with the outcome, per year (the engine's ranks)."""
    t = results.table
    rows = t[t["statistic"] == "drivers"]
    if rows.empty:
        return []
    rows = rows.assign(_order=rows["rank"].fillna(float("inf"))).sort_values(["year", "_order"], kind="stable")
    recs = list(rows.itertuples(index=False))
    columns = [Column("Year", [str(r.year) for r in recs]),
               Column("Rank", [("-" if _missing(r.rank) else str(int(r.rank))) for r in recs], right=True),
               Column("Item", [str(r.label) for r in recs], narrowest=30),
               Column("Association", [_fmt_shown(r) for r in recs], right=True),
               Column("n pairs", [_fmt_n(r, notes) for r in recs], right=True)]
    outcome = str(recs[0].option).replace("association with ", "")
    title = f"What moves with {outcome} (Spearman's rho over everyone in the view; 1 = strongest)"
    return ["", title] + layout(columns, indent="  ")


def results_as_text(results: Results, bank=None) -> str:
    """The whole text: heading, tables, then footnotes (marks, short reasons, the Results' notes).
    ``bank`` (the session's question bank) tells a question not asked last year from one reworded."""
    ds = results.dataset
    head = [f"{ds.get('organisation') or ds.get('file')} ({ds.get('kind')})"]
    if context_parts(ds.get("organisation_context") or {}):  # published: the file's own numbers, not results
        head.append(context_words(ds.get("organisation") or "the organisation", ds["organisation_context"]))
    if results.filter_description:
        head.append(f"Filter: {results.filter_description}")
    if results.empty_reason:
        head.append(f"Nothing to show: {results.empty_reason}")
    notes = Notes()
    table, legend = main_table(results, notes, bank)
    body = table + answer_tables(results, notes) + driver_table(results, notes)
    foot = [textwrap.fill(line, WIDTH, subsequent_indent="  ") for line in legend + notes.lines() + list(results.notes)]
    return "\n".join(head + [""] + body + [""] + foot)
