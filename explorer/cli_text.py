"""Results as a plain-text table for the command line (rendering only: no statistics here).

It lives outside ``explorer.core``: the core makes Results, its clients render them."""

from __future__ import annotations

import math

from explorer.core.results import Results


def _fmt_value(value, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "rho":
        return f"{value:+.2f}"
    return f"{value:.2f}"


def _fmt_change(change, unit: str, significant) -> str:
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    mark = " *" if significant is True else ""
    return (f"{change:+.1f} pts" if unit == "%" else f"{change:+.2f}") + mark


def results_as_text(results: Results) -> str:
    t = results.table
    ds = results.dataset
    head = [f"{ds.get('organisation') or ds.get('file')} ({ds.get('kind')})"]
    if results.filter_description:
        head.append(f"Filter: {results.filter_description}")
    if results.empty_reason:
        head.append(f"Nothing to show: {results.empty_reason}")
    lines = []
    widths = (46, 6, 38, 9, 7, 14)
    header = ("Measure", "Year", "Group", "Value", "n", "Change")
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    lines.append("  ".join("-" * w for w in widths))
    for rec in t.itertuples(index=False):
        label = rec.label if not rec.option else f"{rec.label}: {rec.option}"
        value = "withheld" if rec.suppressed else _fmt_value(rec.value, rec.unit)
        n = "" if rec.suppressed or rec.n != rec.n else f"{int(rec.n):,}"
        cells = (label[:46], str(rec.year), str(rec.group)[:38], value, n, _fmt_change(rec.change, rec.unit, rec.significant))
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip())
        if rec.suppressed:
            lines.append(" " * 56 + f"({rec.suppression_reason})")
    from explorer.core.engine.assemble import alpha_text

    foot = ["", f"* significant change since the previous survey year (two-sided, {alpha_text()})."]
    foot += list(results.notes)
    return "\n".join(head + [""] + lines + foot)
