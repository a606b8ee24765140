"""What each chart draws, taken from the engine's Results (Qt-free: used by the window and the
board pack, and tested without a display).

Neither the window nor the export computes a statistic: these functions only choose rows of a Results
table and put them in the order a chart draws them. The window's charts and tables, the
``screenshots`` CSVs and the board pack's charts and tables are made from the same frames, so what is
drawn, what is tabled and what is exported cannot drift apart.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from explorer.core.results import ORGANISATION_GROUP, Results

# One row per figure drawn (the screenshots CSV columns, in order).
FIGURE_COLUMNS = ("chart", "measure", "year", "group", "group_1", "group_2", "value", "n", "suppressed",
                  "suppression_reason")
MAIN_STATISTICS = ("positive", "score", "mean")  # what a measure is read by, in order of preference
SPECIAL_OPTIONS = ("don't know", "not applicable", "not sure", "prefer not to say")
# The questions people ask first (the Overview answers them; the board pack charts them): lens,
# measure, the question in words.
SEED_QUESTIONS = (
    ("bullying", "harassment_colleagues", "% bullied, harassed or abused by colleagues"),
    ("bullying", "harassment_managers", "% bullied, harassed or abused by managers"),
    ("bullying", "harassment_public", "% bullied, harassed or abused by patients / the public"),
    ("trust", "org_safe_to_speak_up", "% who feel safe to speak up about anything that concerns them"),
    ("trust", "org_confident_address_concern", "% who trust the organisation to address their concern"),
    ("morale", "leave_often_think", "% who often think about leaving"),
)



def _cached(results: Results, key: str, make):
    """Per-Results memo (a Results is never changed once made; charts ask many times per redraw)."""
    memo = results.__dict__.setdefault("_figures_memo", {})
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _arrays(results: Results) -> dict[str, np.ndarray]:
    """The columns the selectors read, as numpy arrays, once per Results (each pandas filter on the
    wide table copied every column: the figures of one redraw took 30 ms that way)."""
    def make():
        t = results.table
        out = {c: t[c].to_numpy() for c in ("measure", "label", "statistic", "group", "year", "option", "suppressed",
                                             "value") if c in t.columns}
        if len(t):
            out["measure"] = out["measure"].astype(str)
            out["group"] = out["group"].astype(str)
            out["statistic"] = out["statistic"].astype(str)
            out["year"] = out["year"].astype(np.int64)
        return out
    return _cached(results, "arrays", make)


def _take(results: Results, positions) -> pd.DataFrame:
    return results.table.iloc[np.asarray(positions, dtype=np.int64)]


def _split(results: Results) -> dict[str, np.ndarray]:
    """Positions of each measure's rows, found once per Results."""
    def make():
        a = _arrays(results)
        if not len(results.table):
            return {}
        codes, names = pd.factorize(a["measure"], sort=False)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
        return {str(name): order[bounds[i]:bounds[i + 1]] for i, name in enumerate(names)}
    return _cached(results, "split", make)


def _main_positions(results: Results, measure: str) -> np.ndarray:
    """Positions of a measure's rows of the statistic it is read by (% positive, else score, else mean)."""
    def make():
        where = _split(results).get(measure)
        if where is None:
            return np.zeros(0, dtype=np.int64)
        stats = _arrays(results)["statistic"][where]
        for stat in MAIN_STATISTICS:
            if (stats == stat).any():
                return where[stats == stat]
        return np.zeros(0, dtype=np.int64)
    return _cached(results, "main:" + measure, make)


def measures_in(results: Results) -> list[tuple[str, str]]:
    """(id, label) of the measures the Results hold, in the engine's order."""
    def make():
        a = _arrays(results)
        if not len(results.table):
            return []
        main = np.flatnonzero(np.isin(a["statistic"], MAIN_STATISTICS))
        seen: dict[str, str] = {}
        for m, label in zip(a["measure"][main], a["label"][main]):
            seen.setdefault(str(m), str(label))
        return list(seen.items())
    return _cached(results, "measures", make)


def headline(results: Results, year: int) -> pd.DataFrame:
    """Per measure, the organisation (or the filtered selection) row of ``year``."""
    return _cached(results, f"headline:{year}", lambda: _headline(results, year))


def _headline(results: Results, year: int) -> pd.DataFrame:
    t = results.table
    if t.empty:
        return t
    a = _arrays(results)
    picked = []
    for measure, _ in measures_in(results):
        where = _main_positions(results, measure)
        here = where[(a["group"][where] == ORGANISATION_GROUP) & (a["year"][where] == year)]
        if len(here):
            picked.append(here[0])
    return _take(results, picked).reset_index(drop=True)


def trend(results: Results, measure: str) -> pd.DataFrame:
    return _cached(results, f"trend:{measure}", lambda: _trend(results, measure))


def _trend(results: Results, measure: str) -> pd.DataFrame:
    a = _arrays(results)
    where = _main_positions(results, measure)
    where = where[a["group"][where] == ORGANISATION_GROUP]
    where = where[np.argsort(a["year"][where], kind="stable")]
    return _take(results, where).reset_index(drop=True)


def breakdown(results: Results, measure: str, year: int) -> pd.DataFrame:
    """The compare-by groups of ``year``: shown groups by value (highest first), then withheld ones."""
    return _cached(results, f"breakdown:{measure}:{year}", lambda: _breakdown(results, measure, year))


def _breakdown(results: Results, measure: str, year: int) -> pd.DataFrame:
    a = _arrays(results)
    where = _main_positions(results, measure)
    where = where[(a["group"][where] != ORGANISATION_GROUP) & (a["year"][where] == year)]
    if not len(where):
        return _take(results, where)
    value = a["value"][where].astype(float)
    order_value = np.where(a["suppressed"][where].astype(bool), -np.inf, np.where(np.isnan(value), -np.inf, value))
    groups = a["group"][where]
    order = sorted(range(len(where)), key=lambda i: (-order_value[i], groups[i]))  # highest first, then by name
    return _take(results, where[order]).reset_index(drop=True)


def drivers(results: Results) -> pd.DataFrame:
    """The drivers rows (items by their association with the outcome), strongest first, withheld last;
    ``group`` is the item's name (what a bar is labelled with)."""
    t = results.table
    rows = t[t["statistic"] == "drivers"].copy()
    if rows.empty:
        return rows
    rows["group"] = rows["label"].astype(str)
    rows["_order"] = np.where(rows["suppressed"].astype(bool), -np.inf, rows["value"].astype(float).fillna(-np.inf))
    rows = rows.sort_values(["_order", "group"], ascending=[False, True], kind="stable").drop(columns="_order")
    return rows.reset_index(drop=True)


def league(results: Results, measure: str, year: int) -> pd.DataFrame:
    """One measure's organisations in ``year``: ranked ones best first, then withheld ones."""
    t = results.table
    rows = t[(t["measure"] == measure) & (t["year"] == year)].copy()
    if rows.empty:
        return rows
    rows["_order"] = rows["rank"].astype(float).fillna(np.inf)
    rows["_value"] = np.where(rows["suppressed"].astype(bool), np.inf, -rows["value"].astype(float).fillna(-np.inf))
    rows = rows.sort_values(["_order", "_value", "group"], kind="stable").drop(columns=["_order", "_value"])
    return rows.reset_index(drop=True)


def league_measures(results: Results, year: int) -> pd.DataFrame:
    """Per measure of a league: its label, unit, polarity and our organisation's row in ``year``
    (rank, value, n), in the engine's order."""
    t = results.table
    if t.empty:
        return t
    rows = t[t["year"] == year]
    first = rows.drop_duplicates("measure")[["measure", "label", "unit", "lower_is_better", "kind"]]
    ours = rows[rows["ours"].astype(bool)].drop_duplicates("measure")[
        ["measure", "value", "n", "rank", "rank_of", "suppressed", "suppression_reason"]]
    return first.merge(ours, on="measure", how="left").reset_index(drop=True)


def is_special(option: str) -> bool:
    return str(option).strip().lower() in SPECIAL_OPTIONS


def likert(results: Results, year: int) -> pd.DataFrame:
    """Answer shares (options rows) of the organisation/selection in ``year``, for ``measures``
    (default: all), with the questions in the engine's order and options in the scale's order."""
    a = _arrays(results)
    if not len(results.table):
        return results.table
    keep = (a["statistic"] == "options") & (a["group"] == ORGANISATION_GROUP) & (a["year"] == year)
    return _take(results, np.flatnonzero(keep)).reset_index(drop=True)


def answers(options: Results, year: int, measure: str) -> pd.DataFrame:
    """The answer shares drawn for ``measure``: its own and those of the questions on the same scale
    (itself first), for the organisation / selection in ``year``."""
    def make():
        opts = likert(options, year)
        same = same_scale(opts, measure)
        if not same:
            return opts.iloc[0:0]
        order = {k: i for i, k in enumerate(same)}
        where = np.flatnonzero(opts["measure"].isin(same).to_numpy())
        rank = np.array([order[m] for m in opts["measure"].to_numpy()[where]])
        return opts.iloc[where[np.argsort(rank, kind="stable")]]
    return _cached(options, f"answers:{year}:{measure}", make)


def answer_measures(catalog, bank, lens: str, measure: str | None, year: int) -> tuple[str, ...]:
    """Which questions' answer shares a lens page needs for ``measure`` in ``year``: the lens's bank
    questions on its scale (itself first; for a score, the scale most of them use) and the file's own
    questions (which of those share it is read from their answers, :func:`same_scale`). Empty: all
    of the lens (a question of the file's own is chosen, or the lens has no bank question)."""
    lens_measures = catalog.lenses.get(lens, {}).get("measures", [])
    items = [m.id for m in lens_measures if m.kind == "item" and m.id in bank.items and bank.items[m.id].asked_in(year)]
    if not items or (measure is not None and measure not in items and measure not in bank.scores):
        return ()
    scale_of = {m: bank.items[m].scale(year).id for m in items}
    if measure in scale_of:
        scale = scale_of[measure]
    else:
        counts: dict[str, int] = {}
        for s in scale_of.values():
            counts[s] = counts.get(s, 0) + 1
        scale = max(counts, key=counts.get)
    same = sorted((m for m in items if scale_of[m] == scale), key=lambda m: m != measure)
    return tuple(same) + tuple(m.id for m in lens_measures if m.kind in ("local", "own"))


def same_scale(options_rows: pd.DataFrame, measure: str) -> list[str]:
    """The measures answered on the same options as ``measure`` (itself first), for one Likert chart."""
    if options_rows.empty:
        return []
    scales = options_rows.groupby("measure", sort=False)["option"].apply(tuple)
    if measure not in scales.index:
        counts = scales.value_counts()
        if counts.empty:
            return []
        scale = counts.index[0]
    else:
        scale = scales[measure]
    same = [m for m, s in scales.items() if s == scale]
    return sorted(same, key=lambda m: m != measure)


def diverging(options: tuple[str, ...]) -> bool:
    """Whether a scale is drawn around a centre: an odd number (5 or 7) of ordinary options."""
    ordinary = [o for o in options if not is_special(o)]
    return len(ordinary) in (5, 7)


def figures(chart: str, rows: pd.DataFrame, value_column: str = "value") -> pd.DataFrame:
    """The figures a chart draws, one row each, in the screenshots CSV layout."""
    if rows is None or rows.empty:
        return pd.DataFrame(columns=list(FIGURE_COLUMNS))
    out = pd.DataFrame({
        "chart": chart,
        "measure": rows["measure"].astype(str).to_numpy(),
        "year": rows["year"].to_numpy(),
        "group": [g if not o else f"{g}: {o}" for g, o in zip(rows["group"].astype(str),
                                                               rows.get("option", pd.Series([""] * len(rows))).fillna(""))],
        "group_1": rows["group_1"].fillna("").to_numpy() if "group_1" in rows else "",
        "group_2": rows["group_2"].fillna("").to_numpy() if "group_2" in rows else "",
        "value": rows[value_column].to_numpy(),
        "n": pd.array(pd.to_numeric(rows["n"], errors="coerce").round(), dtype="Int64"),
        "suppressed": rows["suppressed"].astype(bool).to_numpy(),
        "suppression_reason": rows["suppression_reason"].fillna("").to_numpy(),
    })
    return out


# ------------------------------------------------------------------------------ words
def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_value(value, unit: str) -> str:
    if is_missing(value):
        return ""
    if unit == "%":
        return f"{float(value):.1f}%"
    if unit == "score":
        return f"{float(value):.2f}/10"
    return f"{float(value):.2f}"


def format_n(n) -> str:
    return "" if is_missing(n) else f"{int(n):,}"


def change_words(change, significant, lower_is_better: bool, unit: str) -> str:
    """'up 1.9 points, significantly worse' — the mark is words (and an arrow), never colour alone."""
    if is_missing(change):
        return ""
    step = "points" if unit == "%" else ""
    size = f"{abs(float(change)):.1f} {step}".strip() if unit == "%" else f"{abs(float(change)):.2f}"
    if abs(float(change)) < 1e-9:
        direction = "no change"
    else:
        direction = ("▲ up " if change > 0 else "▼ down ") + size
    if significant is True or significant == 1:
        better = (change < 0) if lower_is_better else (change > 0)
        return f"{direction}, significantly {'better' if better else 'worse'}"
    if significant is False or significant == 0:
        return f"{direction}, not a significant change"
    return direction


def rest_mark(row) -> str:
    """A short mark for a group that differs significantly from the rest of the organisation."""
    sig = row.get("significant_vs_rest") if hasattr(row, "get") else None
    diff = row.get("vs_rest") if hasattr(row, "get") else None
    if sig is True and not is_missing(diff):
        better = (diff < 0) if bool(row.get("lower_is_better")) else (diff > 0)
        return "✓ better" if better else "✗ worse"
    return ""


def table(kind: str, rows: pd.DataFrame, unit: str, labels: dict[str, str] | None = None) -> tuple[list[str], list[list]]:
    """The data table beside a chart: headers and rows (numbers as numbers, so a copy pastes into
    Excel as numbers). Value and n always; change, significance and the reason where they apply."""
    if rows is None or rows.empty:
        return [], []
    labels = labels or {}
    out = []
    if kind == "answers":
        headers = ["Question", "Year", "Answer", "% of answers", "n", "Withheld because"]
        for r in _narrow(rows, ("measure", "label", "year", "option", "suppressed", "value", "n", "suppression_reason")):
            out.append([labels.get(r["measure"], r["label"]), int(r["year"]), r["option"],
                        None if r["suppressed"] else number(r["value"]), whole(r["n"]),
                        r["suppression_reason"] if r["suppressed"] else ""])
        return headers, out
    if kind == "drivers":
        headers = ["Item", "Association with the outcome (Spearman's rho)", "n (answered both)", "Withheld because"]
        for r in _narrow(rows, ("group", "value", "n", "suppressed", "suppression_reason")):
            withheld = bool(r["suppressed"])
            out.append([r["group"], None if withheld else number(r["value"]), whole(r["n"]),
                        r["suppression_reason"] if withheld else ""])
        return headers, out
    if kind == "league":
        what = "Value (%)" if unit == "%" else "Score (0-10)" if unit == "score" else "Value"
        headers = ["Organisation", "Code", "Year", "Rank (1 = best)", "Out of", what, "n", "Weighted", "Withheld because"]
        for r in _narrow(rows, ("group", "org_id", "year", "rank", "rank_of", "value", "n", "weighted", "suppressed",
                                "suppression_reason", "ours")):
            withheld = bool(r["suppressed"])
            out.append([r["group"] + (" (your organisation)" if r.get("ours") else ""), r.get("org_id", ""),
                        int(r["year"]), whole(r.get("rank")), whole(r.get("rank_of")), None if withheld else number(r["value"]),
                        whole(r["n"]), "weighted" if r.get("weighted") else "unweighted",
                        r["suppression_reason"] if withheld else ""])
        return headers, out
    what = "Value (%)" if unit == "%" else "Score (0-10)" if unit == "score" else "Value"
    headers = ["Group", "Year", what, "n", "Weighted", "Change on last year", "Change", "Significance",
               "Difference from the rest", "Withheld because"]
    band = kind == "trend" and "benchmark_median" in rows and rows["benchmark_median"].notna().any()
    for r in _narrow(rows, ("group", "year", "value", "n", "weighted", "change", "significant", "lower_is_better",
                            "vs_rest", "suppressed", "suppression_reason")):
        withheld = bool(r["suppressed"])
        sig = r.get("significant")
        out.append([r["group"], int(r["year"]), None if withheld else number(r["value"]), whole(r["n"]),
                    "weighted" if r.get("weighted") else "unweighted",
                    None if withheld else number(r.get("change")),
                    "" if withheld else change_words(r.get("change"), sig, bool(r.get("lower_is_better")), unit),
                    "" if withheld or sig is None or is_missing(sig) else ("significant" if sig else "not significant"),
                    None if withheld else number(r.get("vs_rest")),
                    r["suppression_reason"] if withheld else ""])
    if band:  # the similar-trusts band drawn on the trend, in words too
        headers += ["Similar trusts: best", "Similar trusts: median", "Similar trusts: worst"]
        for line, r in zip(out, _narrow(rows, ("benchmark_best", "benchmark_median", "benchmark_worst"))):
            line += [number(r["benchmark_best"]), number(r["benchmark_median"]), number(r["benchmark_worst"])]
    return headers, out


def _narrow(rows: pd.DataFrame, columns: tuple[str, ...]) -> list[dict]:
    """Rows as dicts of only the columns read (a Results row is wide; pandas' to_dict took 2 ms a table)."""
    keys = [c for c in columns if c in rows.columns]
    values = [rows[c].tolist() for c in keys]
    return [dict(zip(keys, line)) for line in zip(*values)]


def number(value):
    """A figure for a table cell: a plain float (4 decimals), or None where there is none."""
    return None if is_missing(value) else round(float(value), 4)


def whole(value):
    """A count, rank or year for a table cell: an int, or None where there is none."""
    return None if is_missing(value) else int(value)


def tsv(headers: list[str], rows: list[list]) -> str:
    """Tab-separated text for the clipboard: numbers unformatted so Excel reads them as numbers."""
    def cell(v):
        if v is None:
            return ""
        text = str(v).replace("\t", " ").replace("\r", " ").replace("\n", " ")
        if isinstance(v, str) and text[:1] in ("=", "+", "-", "@"):
            text = "'" + text  # text from the user's file must never run as a formula where it is pasted
        return text
    return "\n".join("\t".join(cell(v) for v in line) for line in [headers] + rows) + "\n"


def change_short(change, significant, lower_is_better: bool, unit: str) -> str:
    """A compact change for narrow tables: '▲ +0.1 pts, n.s.' / '▼ -1.9 pts, sig. better'."""
    if is_missing(change):
        return ""
    c = float(change)
    size = f"{c:+.1f} pts" if unit == "%" else f"{c:+.2f}"
    arrow = "▲" if c > 0 else "▼" if c < 0 else "="
    if significant is True or significant == 1:
        better = (c < 0) if lower_is_better else (c > 0)
        return f"{arrow} {size}, sig. {'better' if better else 'worse'}"
    if significant is False or significant == 0:
        return f"{arrow} {size}, n.s."
    return f"{arrow} {size}"


def context_parts(context: dict) -> list[str]:
    """The file's own numbers about an organisation, one phrase each: 'Turnover rate 28.8', 'Female 81.6%',
    'Respondents 3,332'. The column's own name is kept (only underscores become spaces: 'Staff survey
    response rate 18.5' must not read as 18 responses), one decimal unless the value is whole (two
    significant digits below 1), and a %
    only where the file's units say so (and the name does not already carry one)."""
    parts = []
    units = context.get("units", {})
    for name, value in context.items():
        if name in ("year", "units") or value is None or is_missing(value):
            continue
        label = str(name).replace("_", " ")
        v = float(value)
        # one decimal, but a small number as written (a sickness rate of 0.043 is not "0.0")
        number = f"{v:,.0f}" if v == round(v) else (f"{v:.2g}" if abs(v) < 1 else f"{v:,.1f}")
        parts.append(f"{label} {number}{'%' if units.get(name) == '%' and '%' not in label else ''}")
    return parts


def context_words(organisation: str, context: dict) -> str:
    """The file's own numbers about an organisation, in words: context, never survey results (the window's
    Overview, the board pack's Summary and the text table say it the same way)."""
    return (f"About {organisation} in {context.get('year')} (the file's own figures about the organisation — "
            f"context, not survey results): {', '.join(context_parts(context))}.")
