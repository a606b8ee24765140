"""Adding up a view: one question's protected blocks, selected by the filter and grouped by the
compare-by columns. Every number is a sum over whole blocks (see :mod:`explorer.core.disclosure`);
nothing here decides what may be shown beyond marking groups that have no block of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core import disclosure as D
from explorer.core.disclosure.families import BlockIndex
from explorer.core.engine.groupkeys import _attach_audit, _decode, _group_sums, _key_of, _labels
from explorer.core.engine.measures import MeasureDef
from explorer.core.engine.prepared import Prepared
from explorer.core.filters import Filter, FilterError
from explorer.core.results import ORGANISATION_GROUP


@dataclass(frozen=True)
class View:
    """A view resolved against the data: one family, its filter and compare-by, years, settings."""

    family: str
    filter: Filter | None
    breakdown: tuple[str, ...]
    years: tuple[int, ...]
    threshold: int
    local: bool
    weighted: bool


class Context:
    """What one computation shares across its questions: the blocks its filter selects in each
    partition and the groups the view would show in each year.

    A filter is read on each block's *label* (what all its members share), never on the members
    themselves: a block is selected only where the filter is surely true of its label. A combined
    group's label does not say which values its members have, so ``=`` and ``!=`` leave it out
    alike (unless the filter names the combined group): a view never holds someone its filter
    excludes, and which views hold a combined group depends only on the labels, never on who
    happens to be in it (that would tell whether a combination is empty)."""

    def __init__(self, prep: Prepared, view: View, audit: bool = False) -> None:
        self.prep, self.view, self.audit = prep, view, audit
        self.family = prep.family(view.family)
        self.groups = prep.groups(view.family, view.threshold)
        self._series: dict[tuple[str, str], int] = {}
        self._masks: dict[int, np.ndarray] = {}
        self._reference: dict[int, dict[tuple, str | None]] = {}

    def series_id(self, measure: str, statistic: str) -> int:
        """A number per (question, statistic) within this computation (row keys are built on it)."""
        return self._series.setdefault((measure, statistic), len(self._series))

    def select(self, part) -> np.ndarray:
        """Per block of ``part``: in the view (a shown year, and the filter surely holds for its label)."""
        key = id(part)
        if key not in self._masks:
            index = self.prep.index(self.family, part)
            mask = np.isin(index.year, self.view.years)
            if self.view.filter is not None:
                used = self.view.filter.columns()
                missing = used - set(index.codes)
                if missing:
                    raise FilterError(f"There is no column '{sorted(missing)[0]}' to filter on in this dataset.")
                mask &= self._truth(index, used)
            self._masks[key] = mask
        return self._masks[key]

    def _truth(self, index: BlockIndex, used) -> np.ndarray:
        """Where the filter surely holds for the blocks' labels; kept on the dataset per (blocks, filter):
        the view of the answer shares and the next view with the same filter ask again."""
        cache = self.prep.__dict__.setdefault("_filter_truth", {})
        key = (id(index), self.view.filter)
        if key not in cache:
            if len(cache) > 4096:
                cache.clear()
            unknown = {c: index.codes[c] == len(index.names[c]) - 1 for c in used}
            cache[key] = (index, self.view.filter.truth(index.table, unknown)[0])  # the index kept: its id stays its own
        return cache[key][1]

    def key(self, index: BlockIndex) -> np.ndarray:
        """One integer per block for its compare-by group."""
        key = np.zeros(len(index.year), dtype=np.int64)
        for column in self.view.breakdown:
            key = key * (len(index.names[column]) + 1) + index.codes[column]
        return key

    def reference(self, year: int) -> dict[tuple, str | None]:
        """Group codes the view would show in ``year`` -> None (the protected groups there), plus,
        in a one-way view of everyone, each of the column's own values that is combined entirely
        -> why (a value of the file's is known to exist; a combination of two is not, so two-way
        views name only protected groups and the notes say what is combined)."""
        if year not in self._reference:
            leaves = self.prep.index(self.family, self.groups)
            here = self.select(self.groups) & (leaves.year == year)
            groups = {tuple(int(leaves.codes[c][i]) for c in self.view.breakdown): None for i in np.flatnonzero(here)}
            if self.view.filter is None and len(self.view.breakdown) == 1:
                fam, column = self.family, self.view.breakdown[0]
                j = fam.columns.index(column)
                pool = fam.pooled_name(column)
                for name in fam.pooled(year, self.groups.leaf_codes()).get(column, []):
                    # one reason whatever the value's own size: a reason that changed with it would
                    # tell that size to anyone trying thresholds one after another
                    groups.setdefault((fam.categories[j].index(name),), D.reason_combined_or_small(self.view.threshold, pool))
            self._reference[year] = groups
        return self._reference[year]

    def silent(self, m: MeasureDef) -> dict[int, set[int]]:
        """Per year, the compare-by keys (:meth:`key`) of the view's groups whose respondents gave no
        answer at all to ``m``: read over the protected respondent groups, so only groups the view
        names anyway. Such a group has nothing to protect; its rows say so, in no other words. Not
        said in a filtered view, where people who match can sit in combined groups outside it."""
        if self.view.filter is not None or not self.view.breakdown:
            return {}
        part = self.groups
        index = self.prep.index(self.family, part)
        answers = np.bincount(part.block_of_leaf, weights=self.prep.leaf_sums(self.family, m, "answers"),
                              minlength=part.size)
        here = np.flatnonzero(self.select(part))
        key, year = self.key(index)[here], index.year[here]
        out: dict[int, set[int]] = {}
        for y in np.unique(year).tolist():
            in_year = year == y
            keys, inverse = np.unique(key[in_year], return_inverse=True)
            total = np.bincount(inverse.reshape(-1), weights=answers[here][in_year], minlength=len(keys))
            out[int(y)] = set(keys[total == 0].tolist())
        return out


def code_of(prep: Prepared, m: MeasureDef, year: int) -> str:
    return prep.bank.item(m.id).code(year) if m.kind == "item" else m.id


def asked(prep: Prepared, m: MeasureDef, statistic: str, year: int) -> bool:
    if statistic == "score":
        return year in prep.bank.score_years(m.id)
    return m.kind != "item" or prep.bank.item(m.id).asked_in(year)


def _sums(prep: Prepared, family, part, m: MeasureDef, statistic: str, weighted: bool) -> dict[str, np.ndarray]:
    """Per block of the question's partition: the sums its statistic needs (``w*`` weighted, each
    block with its one weight: :meth:`Prepared.block_weights`)."""
    b, size = part.block_of_leaf, part.size

    def get(what):
        return _group_sums(prep.leaf_sums(family, m, what), b, size)

    w = prep.block_weights(family, part) if weighted and prep.weights is not None else None
    if statistic == "positive":
        out = {"n": get("positive:base"), "pos": get("positive:pos")}
        out.update({"wn": out["n"] * w, "wpos": out["pos"] * w} if w is not None else {"wn": out["n"], "wpos": out["pos"]})
    elif statistic == "options":
        out = {"counts": get("options")}
        out["wcounts"] = out["counts"] * w[:, None] if w is not None else out["counts"]
    else:
        out = {"n": get(f"{statistic}:base"), "s1": get(f"{statistic}:value"), "s2": get(f"{statistic}:square")}
        out.update({"s0": out["n"] * w, "ws1": out["s1"] * w, "ws2": out["s2"] * w} if w is not None else
                   {"s0": out["n"], "ws1": out["s1"], "ws2": out["s2"]})
    return out


def _fields(statistic: str, d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Value, n and the private test inputs from summed counts (arrays, one per row)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.asarray(d["n"], dtype=float)
        if statistic == "positive":
            wn = np.asarray(d["wn"], dtype=float)
            p = np.where(wn > 0, d["wpos"] / np.where(wn > 0, wn, 1), np.nan)
            return {"value": 100.0 * p, "n": n, "_n": n, "_positive": np.asarray(d["pos"], dtype=float), "_p": p,
                    "_sd": np.full(len(n), np.nan)}
        s0 = np.asarray(d["s0"], dtype=float)
        good = (s0 > 0) & (n > 0)
        mean = np.where(good, d["ws1"] / np.where(good, s0, 1), np.nan)
        var = np.maximum(0.0, d["ws2"] / np.where(good, s0, 1) - mean * mean) * n / np.where(n > 1, n - 1, 1)
        sd = np.where(good & (n > 1), np.sqrt(var), np.nan)
        return {"value": mean, "n": n, "_n": n, "_positive": np.full(len(n), np.nan), "_p": mean, "_sd": sd}


KEYS = {"positive": ("n", "pos", "wn", "wpos"), "score": ("n", "s0", "ws1", "ws2"), "mean": ("n", "s0", "ws1", "ws2")}
# Every column a chunk of rows carries (one DataFrame is made per view from all chunks).
CHUNK = ("year", "group", "group_1", "group_2", "_g1", "_g2", "_total", "_pooled", "option", "_option_code", "value", "n",
         "_n", "_positive", "_p", "_sd", "_rest_p", "_rest_n", "_rest_sd", "suppressed", "suppression_reason",
         "measure", "label", "kind", "lens", "statistic", "lower_is_better", "unit", "code")


NUMBERS = ("value", "n", "_n", "_positive", "_p", "_sd", "_rest_p", "_rest_n", "_rest_sd", "_option_code")
FLAGS = ("_total", "_pooled", "suppressed")


def _chunk(count: int, **columns) -> dict[str, np.ndarray]:
    out = {}
    for name in CHUNK:
        if name in FIXED or name == "code":
            continue
        if name in columns and isinstance(columns[name], np.ndarray):
            out[name] = columns[name]
        elif name in NUMBERS:
            out[name] = np.full(count, columns.get(name, np.nan), dtype=float)
        elif name in FLAGS:
            out[name] = np.full(count, columns.get(name, False), dtype=bool)
        else:
            out[name] = np.full(count, columns.get(name, ""), dtype=object)
    return out


def frame(ctx: Context, m: MeasureDef, statistic: str) -> list[dict[str, np.ndarray]]:
    """Every row of one question and statistic for the view (all years), as column chunks, before
    changes and comparisons; private columns carry the true counts the tests need."""
    prep, view, family = ctx.prep, ctx.view, ctx.family
    years = [y for y in view.years if asked(prep, m, statistic, y)]
    if not years:
        return []
    part = prep.partition(view.family, m, view.threshold, view.local)
    index = prep.index(family, part)
    s = _sums(prep, family, part, m, statistic, view.weighted)
    chosen = np.flatnonzero(ctx.select(part) & np.isin(index.year, years))
    ypos = np.searchsorted(np.array(years), index.year[chosen])
    y_count = len(years)
    too_small = np.bincount(ypos, weights=~part.ok[chosen], minlength=y_count) > 0
    totals = {k: _group_sums(v[chosen], ypos, y_count) for k, v in s.items()}
    chunks = _rows(prep, m, statistic, years, np.arange(y_count), totals, too_small, None, None, index, view)
    silent = ctx.silent(m)
    audit = [chosen[ypos == y] for y in range(y_count)] if ctx.audit else None
    if view.breakdown:
        key = ctx.key(index)[chosen]
        width = int(key.max()) + 1 if len(key) else 1
        combo, inverse = np.unique(ypos * width + key, return_inverse=True)
        groups = {k: _group_sums(v[chosen], inverse.reshape(-1), len(combo)) for k, v in s.items()}
        g_year, g_key = combo // width, combo % width
        rest = {k: totals[k][g_year] - groups[k] for k in KEYS.get(statistic, ())}
        g_silent = _silent_rows(ctx, m, part, chosen, inverse.reshape(-1), len(combo), index, years, g_year, g_key, silent)
        chunks += _rows(prep, m, statistic, years, g_year, groups, too_small, g_key, rest, index, view, g_silent)
        codes = _decode(g_key, view.breakdown, index)
        found = set(zip(np.array(years)[g_year].tolist(), map(tuple, codes.tolist())))
        missing = _missing(ctx, part, index, years, found, silent)
        chunks += missing
        if audit is not None:
            inverse = inverse.reshape(-1)
            audit += [chosen[inverse == g] for g in range(len(combo))]
            audit += [chosen[:0]] * sum(len(ch["year"]) for ch in missing)
    if audit is not None:
        _attach_audit(prep, family, part, chunks, audit, statistic)
    fixed = {"measure": m.id, "label": m.label, "kind": m.kind, "lens": m.lens, "statistic": statistic,
             "lower_is_better": m.lower_is_better, "unit": {"options": "%", "mean": "mean code"}.get(statistic, m.unit)}
    codes_by_year = {y: code_of(prep, m, y) for y in years}
    series = ctx.series_id(m.id, statistic)
    for chunk in chunks:
        chunk["_fixed"] = fixed
        chunk["code"] = np.array([codes_by_year[y] for y in chunk["year"].tolist()], dtype=object)
        option = chunk["_option_code"]
        option = np.where(np.isnan(option), 0, option + 1).astype(np.int64)
        org = series * 1024 + option
        g1, g2 = chunk["_g1"].astype(np.int64) + 1, chunk["_g2"].astype(np.int64) + 1
        chunk["_org"] = org
        chunk["_key"] = ((org * 100_003 + g1) * 100_003 + g2) * 2 + chunk["_total"]
    return chunks


FIXED = ("measure", "label", "kind", "lens", "statistic", "lower_is_better", "unit")


def concatenate(chunks: list[dict], columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """One array per column from all chunks (a question's constant fields repeated per row)."""
    lengths = np.array([len(ch["year"]) for ch in chunks])
    out = {}
    for c in columns:
        if c in FIXED:
            out[c] = np.repeat(np.array([ch["_fixed"][c] for ch in chunks], dtype=object), lengths)
        else:
            out[c] = np.concatenate([ch[c] for ch in chunks])
    return out


def _rows(prep, m, statistic, years, yi, sums, too_small, g_key, rest, index, view, silent=None) -> list[dict]:
    """Rows from summed counts: totals (``g_key`` None) or groups, one per entry of ``yi`` (``silent``:
    per group, nobody in it answered the question at all)."""
    count = len(yi)
    year = np.array(years, dtype=np.int64)[yi] if count else np.zeros(0, dtype=np.int64)
    if g_key is None:
        labels = {"group": np.full(count, ORGANISATION_GROUP, dtype=object), "_g1": np.full(count, -1),
                  "_g2": np.full(count, -1), "_total": np.ones(count, dtype=bool), "_pooled": np.zeros(count, dtype=bool)}
    else:
        labels = _labels(_decode(g_key, view.breakdown, index), view.breakdown, index)
    pool = prep.family(view.family).pooled_name(view.breakdown[-1]) if g_key is not None else ""
    if statistic != "options":
        fields = _fields(statistic, sums)
        if rest is not None:
            r = _fields(statistic, rest)
            fields.update(_rest_p=r["_p"], _rest_n=r["_n"], _rest_sd=r["_sd"])
        return [_withhold(_chunk(count, year=year, **labels, **fields), too_small[yi], pool, silent)]
    out = []
    for y_index, y in enumerate(years):
        rows = np.flatnonzero(yi == y_index)
        got = prep.options(m, y)
        if not len(rows) or got is None:
            continue
        options = got[1]
        k = len(options)
        counts, wcounts = sums["counts"][rows][:, : k + 1], sums["wcounts"][rows][:, : k + 1]
        n_valid, w_valid = counts[:, 1:].sum(axis=1), wcounts[:, 1:].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(w_valid[:, None] > 0, 100.0 * wcounts[:, 1:] / np.where(w_valid > 0, w_valid, 1)[:, None], np.nan)
        chunk = _chunk(len(rows) * k, year=np.full(len(rows) * k, y, dtype=np.int64),
                       **{c: np.repeat(np.asarray(v)[rows], k) for c, v in labels.items()},
                       option=np.array([label for _, label in options] * len(rows), dtype=object),
                       _option_code=np.array([code for code, _ in options] * len(rows), dtype=float),
                       value=value.reshape(-1), n=np.repeat(n_valid, k), _n=np.repeat(n_valid, k))
        out.append(_withhold(chunk, np.repeat(too_small[yi[rows]], k), pool,
                             None if silent is None else np.repeat(silent[rows], k)))
    return out


def _withhold(chunk: dict, too_small: np.ndarray, pool: str = "", silent: np.ndarray | None = None) -> dict:
    """Withhold rows of a year too small to show, and rows without answers: a group's in the words
    of a group with too few or combined to protect one (``pool``: where its answers are counted), so
    those cannot be told apart, unless nobody in the group answered at all (``silent``)."""
    empty = ~(chunk["_n"].astype(float) > 0)
    nobody = chunk["_total"].astype(bool) | (silent if silent is not None else False)
    group_reason = np.where(nobody, D.reason_no_answers(), D.reason_parts(pool) if pool
                            else D.reason_no_answers())
    reason = np.where(too_small, D.REASON_YEAR_TOO_SMALL, np.where(empty, group_reason, ""))
    chunk["suppression_reason"] = reason.astype(object)
    chunk["suppressed"] = reason != ""
    return chunk


def _silent_rows(ctx: Context, m: MeasureDef, part, chosen, inverse, size, index, years, g_year, g_key, silent) -> np.ndarray:
    """Per group row: nobody in the group answered. A group of the view's own (a protected respondent
    group) by :meth:`Context.silent`; a combination made only for this question (empty parts of
    several groups, combined) by its blocks, which are all of it."""
    if ctx.view.filter is not None:
        return np.zeros(len(g_key), dtype=bool)
    answers = _group_sums(ctx.prep.leaf_sums(ctx.family, m, "answers"), part.block_of_leaf, part.size)
    empty = _group_sums(answers[chosen], inverse, size) == 0
    own = {y: {_key_of(c, ctx.view.breakdown, index) for c, why in ctx.reference(y).items() if why is None}
           for y in years}
    out = np.zeros(len(g_key), dtype=bool)
    for i, (y, k) in enumerate(zip(g_year.tolist(), g_key.tolist())):
        out[i] = k in silent.get(years[y], ()) if k in own[years[y]] else bool(empty[i])
    return out


def _missing(ctx: Context, part, index: BlockIndex, years: list[int], found: set,
             silent: dict[int, set[int]] | None = None) -> list[dict]:
    """Withheld rows for groups the view would show but that have no block of their own for this
    question (never dropped silently), with the reason (``silent``: per year, the keys of groups where
    nobody answered, see :meth:`Context.silent`)."""
    view, family = ctx.view, ctx.family
    pool = family.pooled_name(view.breakdown[-1])
    rows, reasons = [], []
    for year in years:
        kept = part.kept_columns.get(year, len(family.columns))
        dropped = [c for c in view.breakdown if family.columns.index(c) >= kept]
        for codes, reason in ctx.reference(year).items():
            if (year, codes) in found:
                continue
            rows.append((year, codes))
            if reason is None and _key_of(codes, view.breakdown, index) in (silent or {}).get(year, ()):
                reason = D.reason_no_answers()
            reasons.append(reason or (D.reason_column_dropped(dropped[0]) if dropped else D.reason_parts(pool)))
    if not rows:
        return []
    count = len(rows)
    labels = _labels(np.array([c for _, c in rows], dtype=np.int64), view.breakdown, index)
    labels["_pooled"] = np.zeros(count, dtype=bool)
    chunk = _chunk(count, year=np.array([y for y, _ in rows], dtype=np.int64), **labels,
                   value=np.full(count, np.nan), n=np.full(count, np.nan), _n=np.full(count, np.nan),
                   _positive=np.full(count, np.nan), _p=np.full(count, np.nan), _sd=np.full(count, np.nan))
    chunk["suppressed"] = np.ones(count, dtype=bool)
    chunk["suppression_reason"] = np.array(reasons, dtype=object)
    return [chunk]
