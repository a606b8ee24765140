"""The engine: SurveyData + ViewSpec -> Results. Qt-free, vectorised, deterministic.

Respondent data: per item the official % positive (numerator codes over the valid base), the
answer distribution, and for People Promise / theme scores the mean of respondents' 0-10 scores;
every figure with its base n and whether it is weighted; change since the previous survey year
(two-proportion z-test or Welch's t-test, two-sided); each group against the rest of the
organisation; benchmark best / median / worst and rank from a published workbook. Published data:
the values pass through with their n, release and any significance flag of their own.

Everything then passes :func:`explorer.core.disclosure.apply_disclosure` — once — before any
change or comparison is derived from it, so a withheld number cannot come back as a difference.

Speed: per dataset the engine caches each item's per-respondent state (out of base / not positive /
positive), option index and score; a recompute is then one ``numpy.bincount`` per measure over a
group key that already excludes filtered-out rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.core import disclosure
from explorer.core.filters import FilterError
from explorer.core.questionbank import QuestionBank, Scale
from explorer.core.results import COLUMNS, ORGANISATION_GROUP, Results
from explorer.core.scoring import positive_flags, respondent_scores
from explorer.core.stats import spearman, two_proportion_z, welch_t
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec

NOT_STATED = "Not stated"
LOCAL_AGREE = frozenset({4, 5})
LOCAL_SCALE_CODES = frozenset({1, 2, 3, 4, 5})
DRIVER_LENSES = ("trust", "morale")
DRIVER_CAVEAT = ("Association is not causation: items that move with the outcome may share causes with it, "
                 "and changing them will not necessarily change it.")


@dataclass(frozen=True)
class MeasureDef:
    id: str
    kind: str  # item | score | local | own
    label: str
    lens: str
    lower_is_better: bool
    unit: str  # "%" or "score"


# ----------------------------------------------------------------------- choosing measures
def _lens_of(measure_id: str, bank: QuestionBank, lens: str | None) -> str:
    if lens:
        return lens
    m = bank.items.get(measure_id) or bank.scores.get(measure_id)
    return (m.lenses[0] if m is not None and m.lenses else "")


def measures_for(spec: ViewSpec, data: SurveyData, bank: QuestionBank) -> list[MeasureDef]:
    """The lens's measures (plus the file's local questions that match it) and any named measures."""
    wanted: list[str] = []
    if spec.lens:
        wanted += list(bank.lens(spec.lens).measures)
    wanted += [m for m in spec.measures if m not in wanted]
    if not wanted:
        raise SpecError("Choose a lens (trust, bullying or morale) or at least one measure.")
    out: list[MeasureDef] = []
    available = _available_measures(data, bank)
    for mid in wanted:
        if mid in bank.items:
            item = bank.item(mid)
            if item.positive is None and item.id != "discrimination_grounds":
                continue
            if item.id == "discrimination_grounds":
                continue  # multi-select grounds: shown through their own breakdown, not as one %
            out.append(MeasureDef(mid, "item", item.short, _lens_of(mid, bank, spec.lens), item.lower_is_better, "%"))
        elif mid in bank.scores:
            score = bank.score(mid)
            out.append(MeasureDef(mid, "score", score.name, _lens_of(mid, bank, spec.lens), False, "score"))
        elif mid in available:
            label, kind, unit = available[mid]
            out.append(MeasureDef(mid, kind, label, spec.lens or "", False, unit))
        elif mid in spec.measures:
            raise SpecError(f"There is no measure '{mid}' in this dataset or the question bank.")
    if spec.lens:
        lens = bank.lens(spec.lens)
        for mid, (label, kind, unit) in available.items():
            if kind in ("local", "own") and lens.matches_local(label) and mid not in {m.id for m in out}:
                out.append(MeasureDef(mid, kind, label, spec.lens, False, unit))
    return out


def _available_measures(data: SurveyData, bank: QuestionBank) -> dict[str, tuple[str, str, str]]:
    """Local questions (respondent data) and a file's own measures (published data)."""
    if data.is_respondent_level:
        return {lid: (q.label, "local", "%") for lid, q in data.local_questions.items()}
    table = data.aggregates
    out = {}
    own = table[~table["measure"].astype(str).isin(list(bank.items) + list(bank.scores))]
    for mid, label, unit in own[["measure", "label", "unit"]].drop_duplicates("measure").itertuples(index=False):
        out[str(mid)] = (str(label) or str(mid), "own", str(unit))
    return out


# ----------------------------------------------------------------- prepared respondent data
class Prepared:
    """Per-dataset caches of per-respondent arrays (built on first use, reused on every recompute)."""

    def __init__(self, data: SurveyData, bank: QuestionBank) -> None:
        r = data.respondents
        self.data, self.bank, self.frame = data, bank, r
        self.n = len(r)
        self.year = r["year"].to_numpy(dtype=np.int64)
        self.years = tuple(int(y) for y in np.unique(self.year))
        self.weights = None
        self.unusable_weights = 0
        if data.has_weights:
            w = r["weight"].to_numpy(dtype=float, copy=True)
            bad = ~(w >= 0)  # blank, negative or not a number: counts zero
            self.unusable_weights = int(bad.sum())
            w[bad] = 0.0
            self.weights = w
        self._withheld: dict[tuple, dict] = {}
        self._state: dict[str, np.ndarray] = {}
        self._options: dict[tuple[str, int], tuple[np.ndarray, list]] = {}
        self._score: dict[str, object] = {}
        self._groups: dict[str, tuple[np.ndarray, list[str]]] = {}

    @classmethod
    def of(cls, data: SurveyData, bank: QuestionBank) -> "Prepared":
        cached = data.__dict__.get("_engine_prepared")
        if cached is None or cached.frame is not data.respondents:
            cached = cls(data, bank)
            data.__dict__["_engine_prepared"] = cached
        return cached

    def codes(self, column: str) -> np.ndarray:
        return self.frame[column].to_numpy(dtype=float, na_value=np.nan)

    def state(self, measure: MeasureDef) -> np.ndarray | None:
        """int8 per respondent: 0 out of the base, 1 in the base but not positive, 2 positive."""
        if measure.id in self._state:
            return self._state[measure.id]
        if measure.id not in self.frame.columns:
            return None
        codes = self.codes(measure.id)
        state = np.zeros(self.n, dtype=np.int8)
        if measure.kind == "item":
            item = self.bank.item(measure.id)
            for year in self.years:
                if not item.asked_in(year):
                    continue
                rows = self.year == year
                flags = positive_flags(codes[rows], item.positive, item.scale(year).codes)
                state[rows] = np.where(np.isnan(flags), 0, flags + 1).astype(np.int8)
        else:  # a local question: % agree when it is a 1-5 agreement scale
            present = codes[~np.isnan(codes)]
            if len(present) and set(np.unique(present).astype(int)) <= LOCAL_SCALE_CODES:
                in_base = np.isin(codes, list(LOCAL_SCALE_CODES))
                state[in_base] = np.where(np.isin(codes[in_base], list(LOCAL_AGREE)), 2, 1)
            else:
                state = None
        self._state[measure.id] = state
        return state

    def options(self, measure: MeasureDef, year: int) -> tuple[np.ndarray, list[tuple[int, str]]] | None:
        """Per respondent the answer option's index (0 = no valid answer), and the options."""
        key = (measure.id, year)
        if key not in self._options:
            if measure.id not in self.frame.columns:
                return None
            if measure.kind == "item":
                scale: Scale = self.bank.item(measure.id).scale(year)
                options = [(o.code, o.label) for o in scale.options]
            else:
                scale = self.bank.scales["agree5"]
                options = [(o.code, o.label) for o in scale.options]
            codes = self.codes(measure.id)
            index = np.zeros(self.n, dtype=np.int16)
            for i, (code, _label) in enumerate(options, start=1):
                index[codes == code] = i
            self._options[key] = (index, options)
        return self._options[key]

    def score(self, score_id: str) -> np.ndarray:
        if score_id not in self._score:
            items = self.bank.score_items(score_id)
            answers = {i: self.frame[i] for i in items if i in self.frame.columns}
            values = respondent_scores(answers, self.bank, [score_id])
            if score_id in values:
                v = values[score_id].to_numpy(dtype=float, copy=True)
            else:
                v = np.full(self.n, np.nan)
            valid_years = set(self.bank.score_years(score_id))
            v[~np.isin(self.year, list(valid_years))] = np.nan
            self._score[score_id] = v
        return self._score[score_id]

    def score_parts(self, score_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(has a score, score with 0 for none, its square): what every recompute sums."""
        key = "_parts:" + score_id
        if key not in self._score:
            v = self.score(score_id)
            valid = ~np.isnan(v)
            x = np.where(valid, v, 0.0)
            self._score[key] = (valid, x, x * x)
        return self._score[key]

    def mean_parts(self, measure: MeasureDef) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`score_parts` for an item's answer codes on its substantive scale (specials out)."""
        key = "_mean:" + measure.id
        if key not in self._score:
            codes = self.codes(measure.id)
            if measure.kind == "item":
                item = self.bank.item(measure.id)
                ok = np.zeros(self.n, dtype=bool)
                for year in self.years:
                    if item.asked_in(year):
                        rows = self.year == year
                        ok[rows] = np.isin(codes[rows], item.scale(year).substantive_codes)
            else:
                ok = ~np.isnan(codes)
            x = np.where(ok, codes, 0.0)
            self._score[key] = (ok, x, x * x)
        return self._score[key]

    def withheld_groups(self, data: SurveyData, bank: QuestionBank, column: str, measure_ids: tuple[str, ...],
                        spec: ViewSpec) -> dict[tuple, set[str]]:
        """(measure, year) -> the groups an unfiltered breakdown by ``column`` withholds (cached)."""
        key = (column, measure_ids, spec.threshold, spec.local_rule, spec.statistics)
        if key not in self._withheld:
            one_way = ViewSpec(measures=measure_ids, breakdown=(column,), threshold=spec.threshold,
                               local_rule=spec.local_rule, statistics=tuple(s for s in spec.statistics if s != "drivers")
                               or ("positive",), comparator="none")
            table = _compute_respondents(data, one_way, bank, None).table
            gone = table[table["suppressed"] & (table["group"] != ORGANISATION_GROUP)]
            found: dict[tuple, set[str]] = {}
            for m, y, g in zip(gone["measure"], gone["year"], gone["group_1"]):
                found.setdefault((m, int(y)), set()).add(str(g))
            self._withheld[key] = found
        return self._withheld[key]

    def groups(self, column: str) -> tuple[np.ndarray, list[str]]:
        """Group codes 0..G-1 per respondent and their labels; blanks are "Not stated" (joining a
        category of that name if the file has one)."""
        if column not in self._groups:
            if column not in self.frame.columns:
                raise FilterError(f"There is no column '{column}' to compare by in this dataset.")
            values = self.frame[column]
            if not isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype("string").astype("category")
            cats = [str(c) for c in values.cat.categories]
            codes = values.cat.codes.to_numpy().astype(np.int32)
            used = np.unique(codes[codes >= 0])
            labels = [cats[c] for c in used]
            remap = np.full(len(cats) + 1, len(labels), dtype=np.int32)
            remap[used] = np.arange(len(used))
            if NOT_STATED in labels:  # the file's own "Not stated" and blank cells are one group
                remap[-1] = labels.index(NOT_STATED)
            else:
                labels.append(NOT_STATED)
            codes = remap[codes]  # -1 (blank) -> the "Not stated" group
            self._groups[column] = (codes, labels)
        return self._groups[column]


# ------------------------------------------------------------------------ tallying helpers
@dataclass
class _Keys:
    key: np.ndarray  # per respondent: cell index, or K for "not counted"
    cells: int
    years: tuple[int, ...]
    g1: list[str]
    g2: list[str]


def _keys(prep: Prepared, mask: np.ndarray, years: tuple[int, ...], breakdown: tuple[str, ...]) -> _Keys:
    ypos = np.full(prep.n, -1, dtype=np.int64)
    for i, y in enumerate(years):
        ypos[prep.year == y] = i
    codes1, labels1 = prep.groups(breakdown[0]) if breakdown else (np.zeros(prep.n, dtype=np.int32), [""])
    codes2, labels2 = prep.groups(breakdown[1]) if len(breakdown) > 1 else (np.zeros(prep.n, dtype=np.int32), [""])
    g1, g2 = len(labels1), len(labels2)
    cells = len(years) * g1 * g2
    key = ypos * (g1 * g2) + codes1.astype(np.int64) * g2 + codes2
    key[(ypos < 0) | ~mask] = cells
    return _Keys(key, cells, years, labels1, labels2)


def _bincount(key: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(key, weights=weights, minlength=size)[:size]


# ------------------------------------------------------------------------------ the engine
def compute(data: SurveyData, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData | None = None) -> Results:
    """Results for ``spec`` on ``data`` (optionally against a published ``benchmark`` workbook)."""
    if data.is_respondent_level:
        return _compute_respondents(data, spec, bank, benchmark)
    return _compute_aggregates(data, spec, bank)


def _years(spec: ViewSpec, available: tuple[int, ...]) -> tuple[int, ...]:
    if not spec.years:
        return available
    missing = [y for y in spec.years if y not in available]
    if missing:
        raise SpecError(f"There are no results for {missing[0]} in this dataset (it has {', '.join(map(str, available))}).")
    return tuple(sorted(spec.years))


def _dataset_info(data: SurveyData) -> dict:
    info = {"file": data.provenance.path, "kind": data.kind, "years": list(data.years),
            "organisation": data.organisation, "vintage": data.provenance.vintage}
    if data.is_respondent_level:
        info["respondents"] = int(len(data.respondents))
        info["respondents_by_year"] = {str(y): n for y, n in data.respondents_by_year().items()}
    else:
        info["rows"] = int(len(data.aggregates))
    return info


def _column_names(data: SurveyData, bank: QuestionBank) -> dict[str, str]:
    """Readable names for filter descriptions ("ethnicity" -> "Ethnic background")."""
    return {iid: bank.items[iid].short for iid in bank.items}


def _resolve_column(column: str, data: SurveyData, bank: QuestionBank) -> str:
    columns = list(data.respondents.columns)
    if column in columns:
        return column
    folded = column.strip().casefold()
    for c in columns:
        if c.casefold() == folded:
            return c
    for iid, item in bank.items.items():
        if iid in columns and (item.short.casefold() == folded or any(a.casefold() == folded for a in item.aliases)):
            return iid
    raise SpecError(f"There is no column '{column}' in this dataset (try one of: {', '.join(data.breakdowns)}).")


def _resolve_filter(f, data: SurveyData, bank: QuestionBank):
    from explorer.core import filters as F

    if f is None:
        return None
    if isinstance(f, F.Eq):
        return F.Eq(_resolve_column(f.column, data, bank), f.value)
    if isinstance(f, F.In):
        return F.In(_resolve_column(f.column, data, bank), f.values)
    if isinstance(f, F.Not):
        return F.Not(_resolve_filter(f.filter, data, bank))
    if isinstance(f, F.And):
        return F.And(tuple(_resolve_filter(p, data, bank) for p in f.filters))
    if isinstance(f, F.Or):
        return F.Or(tuple(_resolve_filter(p, data, bank) for p in f.filters))
    return f


def _compute_respondents(data: SurveyData, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData | None) -> Results:
    prep = Prepared.of(data, bank)
    shown_years = _years(spec, prep.years)
    # previous survey years are computed too: changes need them (and they pass disclosure as well)
    needed = sorted(set(shown_years) | {p for y in shown_years for p in [_previous(y, prep.years)] if p})
    years = tuple(needed)
    breakdown = tuple(_resolve_column(c, data, bank) for c in spec.breakdown)
    flt = _resolve_filter(spec.filter, data, bank)
    mask = flt.to_mask(data.respondents) if flt is not None else np.ones(prep.n, dtype=bool)
    keys = _keys(prep, mask, years, breakdown)
    all_keys = _keys(prep, np.ones(prep.n, dtype=bool), years, breakdown) if flt is not None else None
    weights = prep.weights if (spec.weighted and prep.weights is not None) else None
    measures = measures_for(spec, data, bank)
    notes = []
    if spec.weighted and prep.weights is None:
        notes.append("The file has no weight column, so results are unweighted.")

    if weights is not None and prep.unusable_weights:
        notes.append(f"{prep.unusable_weights:,} respondent(s) have no usable weight (blank or negative) and count "
                     "zero in weighted results.")
    rows = _raw_rows(prep, measures, spec.statistics, keys, all_keys, weights)
    table = _frame(rows, breakdown, weights is not None)
    table = disclosure.apply_disclosure(table, spec.threshold, spec.local_rule)
    if flt is not None:
        table = _filter_safety(prep, data, bank, spec, flt, measures, years, breakdown, mask, table)
    table = _changes(table, bank, prep.years)
    ours = spec if spec.organisation or not data.organisation else spec.with_(organisation=data.organisation)
    table = _comparators(table, ours, bank, benchmark)
    if "drivers" in spec.statistics and spec.lens in DRIVER_LENSES:
        drivers = _drivers(prep, spec, bank, mask, shown_years, weights)
        if not drivers.empty:
            table = pd.concat([table, drivers], ignore_index=True)
            notes.append(DRIVER_CAVEAT)
    table = table[table["year"].isin(shown_years)]
    table = _order(disclosure.drop_private(table), measures)
    notes += _method_notes(spec, weights is not None)
    names = _column_names(data, bank)
    return Results(table=table, spec=spec, dataset=_dataset_info(data), notes=tuple(notes),
                   filter_description=flt.describe(names) if flt is not None else "")


def _raw_rows(prep, measures, statistics, keys, all_keys, weights) -> list[dict]:
    """Every figure before disclosure control, with its true base in private columns."""
    rows: list[dict] = []
    for m in measures:
        if m.kind == "score":
            if "score" in statistics:
                rows += _score_rows(prep, m, keys, all_keys, weights)
            continue
        state = prep.state(m)
        if state is None:
            continue
        if "positive" in statistics or "score" in statistics:
            rows += _positive_rows(prep, m, state, keys, all_keys, weights)
        if "options" in statistics:
            rows += _option_rows(prep, m, keys, all_keys, weights)
        if "mean" in statistics:
            rows += _score_rows(prep, m, keys, all_keys, weights, statistic="mean")
    return rows


REASON_FILTER_GROUP = ("the filter includes part of a withheld group, so comparing it with other views would "
                       "reveal that group")
REASON_FILTER_STEP = "one condition of the filter changes the result by fewer than {t} responses"


def _leaves(f):
    """(column, selected values, negated) for every equality / is-in condition of a filter."""
    from explorer.core import filters as F

    if isinstance(f, F.Eq):
        yield f.column, {f.value}, False
    elif isinstance(f, F.In):
        yield f.column, set(f.values), False
    elif isinstance(f, F.Not) and isinstance(f.filter, (F.Eq, F.In)):
        inner = f.filter
        yield inner.column, {inner.value} if isinstance(inner, F.Eq) else set(inner.values), True
    elif isinstance(f, F.Not):
        yield from _leaves(f.filter)
    elif isinstance(f, (F.And, F.Or)):
        for part in f.filters:
            yield from _leaves(part)


def _filter_safety(prep, data, bank, spec, flt, measures, years, breakdown, mask, table) -> pd.DataFrame:
    """Keep filtered views consistent with every other view a user can make.

    1. Per filtered column: the groups that column's own breakdown withholds (W) must be wholly in
       or wholly out of the filter; otherwise "filter" minus shown groups reveals part of W.
    2. Each condition of an and/or filter must change every result by 0 or at least threshold
       responses, so two filters one condition apart cannot be subtracted.
    (Rule "all staff minus the filter" is in disclosure.apply_disclosure.)
    """
    from explorer.core import filters as F

    unsafe: dict[tuple, str] = {}
    ids = tuple(m.id for m in measures)
    for column, selected, negated in _leaves(flt):
        withheld = prep.withheld_groups(data, bank, column, ids, spec)
        _codes, labels = prep.groups(column)
        chosen = set(labels) - selected if negated else selected & set(labels)
        for key, w in withheld.items():
            inside = chosen & w
            if inside and inside != w:
                unsafe.setdefault(key, REASON_FILTER_GROUP)
    neighbours = []
    if isinstance(flt, (F.And, F.Or)) and len(flt.filters) >= 2:
        for i in range(len(flt.filters)):
            rest = flt.filters[:i] + flt.filters[i + 1:]
            neighbours.append(rest[0] if len(rest) == 1 else type(flt)(rest))
    if neighbours:
        n_here = _n_by_row(table)
        for other in neighbours:
            other_keys = _keys(prep, other.to_mask(data.respondents), years, breakdown)
            other_rows = _raw_rows(prep, measures, spec.statistics, other_keys, None, None)
            for row in other_rows:
                key = (row["measure"], row["statistic"], row["option"], row["year"], row["group_1"], row["group_2"])
                diff = abs(row["_n"] - n_here.get(key, 0.0))
                if 0 < diff < spec.threshold:
                    unsafe.setdefault((row["measure"], row["year"]), REASON_FILTER_STEP.format(t=spec.threshold))
    if not unsafe:
        return table
    keys = list(zip(table["measure"], table["year"]))
    reasons = [unsafe.get(k, "") for k in keys]
    hit = np.array([bool(r) for r in reasons]) & ~table["suppressed"].to_numpy(dtype=bool)
    return disclosure.withhold(table, hit, np.array(reasons, dtype=object))


def _n_by_row(table: pd.DataFrame) -> dict:
    return {(m, st, o, y, g1, g2): n for m, st, o, y, g1, g2, n in zip(
        table["measure"], table["statistic"], table["option"], table["year"], table["group_1"], table["group_2"],
        table["_n"])}


def _previous(year: int, years: tuple[int, ...]) -> int | None:
    earlier = [y for y in years if y < year]
    return max(earlier) if earlier else None


def _cell_labels(keys: _Keys, cell: int) -> tuple[int, str, str]:
    g = len(keys.g1) * len(keys.g2)
    year = keys.years[cell // g]
    rest = cell % g
    return year, keys.g1[rest // len(keys.g2)], keys.g2[rest % len(keys.g2)]


def _per_year(values: np.ndarray, keys: _Keys) -> np.ndarray:
    """Sum cells into their year (the whole-organisation figure: groups partition it)."""
    return values.reshape(len(keys.years), -1).sum(axis=1)


def _row(m: MeasureDef, code: str, statistic: str, option: str, year: int, g1: str, g2: str, total: bool) -> dict:
    unit = {"options": "%", "mean": "mean code"}.get(statistic, m.unit)
    return {"measure": m.id, "code": code, "label": m.label, "kind": m.kind, "lens": m.lens, "statistic": statistic,
            "option": option, "year": year, "group_1": "" if total else g1, "group_2": "" if total else g2,
            "_total": total, "unit": unit, "lower_is_better": m.lower_is_better}


def _code(m: MeasureDef, bank: QuestionBank, year: int) -> str:
    if m.kind == "item":
        return bank.item(m.id).code(year)
    return m.id


def _positive_rows(prep, m, state, keys, all_keys, weights) -> list[dict]:
    bank = prep.bank
    k3 = keys.key * 3 + state
    size = (keys.cells + 1) * 3
    counts = _bincount(k3, size).reshape(-1, 3)[: keys.cells]
    n = counts[:, 1] + counts[:, 2]
    pos = counts[:, 2]
    if weights is not None:
        w = _bincount(k3, size, weights).reshape(-1, 3)[: keys.cells]
        wn, wpos = w[:, 1] + w[:, 2], w[:, 2]
    else:
        wn, wpos = n.astype(float), pos.astype(float)
    if all_keys is not None:
        all_counts = _bincount(all_keys.key * 3 + state, size).reshape(-1, 3)[: keys.cells]
        all_n = all_counts[:, 1] + all_counts[:, 2]
    out = []
    totals = (_per_year(n, keys), _per_year(pos, keys), _per_year(wn, keys), _per_year(wpos, keys))
    totals_all = _per_year(all_n, keys) if all_keys is not None else None
    g_per_year = len(keys.g1) * len(keys.g2)
    has_groups = g_per_year > 1 or keys.g1 != [""]
    for yi, year in enumerate(keys.years):
        if m.kind == "item" and not bank.item(m.id).asked_in(year):
            continue
        code = _code(m, bank, year)
        t_n, t_pos, t_wn, t_wpos = (float(a[yi]) for a in totals)
        if t_n == 0 and not has_groups:
            continue
        row = _row(m, code, "positive", "", year, "", "", True)
        row.update(_prop_fields(t_n, t_pos, t_wn, t_wpos))
        row["_complement"] = (totals_all[yi] - t_n) if totals_all is not None else np.nan
        out.append(row)
        if not has_groups:
            continue
        for j in range(g_per_year):
            cell = yi * g_per_year + j
            if n[cell] == 0 and (all_keys is None or all_n[cell] == 0):
                continue
            _year, g1, g2 = _cell_labels(keys, cell)
            row = _row(m, code, "positive", "", year, g1, g2, False)
            row.update(_prop_fields(n[cell], pos[cell], wn[cell], wpos[cell]))
            row["_complement"] = (all_n[cell] - n[cell]) if all_keys is not None else np.nan
            rest = _prop_fields(t_n - n[cell], t_pos - pos[cell], t_wn - wn[cell], t_wpos - wpos[cell])
            row["_rest_p"], row["_rest_n"] = rest["_p"], rest["_n"]
            out.append(row)
    return out


def _prop_fields(n, pos, wn, wpos) -> dict:
    n, pos, wn, wpos = float(n), float(pos), float(wn), float(wpos)
    p = wpos / wn if wn > 0 else np.nan
    return {"value": 100.0 * p if wn > 0 else np.nan, "n": n, "_n": n, "_positive": pos, "_p": p, "_sd": np.nan}


def _option_rows(prep, m, keys, all_keys, weights) -> list[dict]:
    bank = prep.bank
    out = []
    g_per_year = len(keys.g1) * len(keys.g2)
    has_groups = g_per_year > 1 or keys.g1 != [""]
    for yi, year in enumerate(keys.years):
        if m.kind == "item" and not bank.item(m.id).asked_in(year):
            continue
        got = prep.options(m, year)
        if got is None:
            continue
        index, options = got
        k = len(options) + 1
        year_rows = np.where(prep.year == year, keys.key, keys.cells)
        kk = year_rows * k + index
        size = (keys.cells + 1) * k
        counts = _bincount(kk, size).reshape(-1, k)[: keys.cells]
        wsum = _bincount(kk, size, weights).reshape(-1, k)[: keys.cells] if weights is not None else counts.astype(float)
        if all_keys is not None:
            all_counts = _bincount(np.where(prep.year == year, all_keys.key, keys.cells) * k + index, size).reshape(-1, k)[: keys.cells]
        cells = range(yi * g_per_year, (yi + 1) * g_per_year)
        code = _code(m, bank, year)
        targets = [(None, True)] + ([(c, False) for c in cells] if has_groups else [])
        for cell, total in targets:
            sel = list(cells) if total else [cell]
            c = counts[sel].sum(axis=0)
            w = wsum[sel].sum(axis=0)
            n_valid = float(c[1:].sum())
            if n_valid == 0 and not total and (all_keys is None or all_counts[sel].sum() == 0):
                continue
            w_valid = float(w[1:].sum())
            complement = float(all_counts[sel].sum(axis=0)[1:].sum()) - n_valid if all_keys is not None else np.nan
            g1 = g2 = ""
            if not total:
                _y, g1, g2 = _cell_labels(keys, cell)
            for i, (opt_code, label) in enumerate(options, start=1):
                row = _row(m, code, "options", label, year, g1, g2, total)
                row.update({"value": 100.0 * w[i] / w_valid if w_valid > 0 else np.nan, "n": n_valid, "_n": n_valid,
                            "_positive": np.nan, "_complement": complement, "_p": np.nan, "_sd": np.nan,
                            "_option_code": opt_code})
                out.append(row)
    return out


def _score_rows(prep, m, keys, all_keys, weights, statistic: str = "score") -> list[dict]:
    """Means per cell: a 0-10 score, or (statistic "mean") the mean answer code of an item."""
    valid, x, x2 = prep.score_parts(m.id) if statistic == "score" else prep.mean_parts(m)
    key = np.where(valid, keys.key, keys.cells)
    size = keys.cells + 1
    n = _bincount(key, size)
    if weights is None:
        s0, s1, s2 = n.astype(float), _bincount(key, size, x), _bincount(key, size, x2)
    else:
        s0 = _bincount(key, size, np.where(valid, weights, 0.0))
        s1 = _bincount(key, size, weights * x)
        s2 = _bincount(key, size, weights * x2)
    if all_keys is not None:
        all_n = _bincount(np.where(valid, all_keys.key, keys.cells), size)
    out = []
    g_per_year = len(keys.g1) * len(keys.g2)
    has_groups = g_per_year > 1 or keys.g1 != [""]
    if statistic == "score":
        available = set(prep.bank.score_years(m.id))
    elif m.kind == "item":
        available = set(prep.bank.item(m.id).years)
    else:
        available = set(keys.years)
    for yi, year in enumerate(keys.years):
        if year not in available:
            continue
        cells = slice(yi * g_per_year, (yi + 1) * g_per_year)
        t = [float(a[cells].sum()) for a in (n, s0, s1, s2)]
        if t[0] == 0 and not has_groups:
            continue
        row = _row(m, _code(m, prep.bank, year), statistic, "", year, "", "", True)
        row.update(_mean_fields(*t))
        row["_complement"] = (float(all_n[cells].sum()) - t[0]) if all_keys is not None else np.nan
        out.append(row)
        if not has_groups:
            continue
        for cell in range(cells.start, cells.stop):
            if n[cell] == 0 and (all_keys is None or all_n[cell] == 0):
                continue
            _year, g1, g2 = _cell_labels(keys, cell)
            row = _row(m, _code(m, prep.bank, year), statistic, "", year, g1, g2, False)
            row.update(_mean_fields(n[cell], s0[cell], s1[cell], s2[cell]))
            row["_complement"] = (all_n[cell] - n[cell]) if all_keys is not None else np.nan
            rest = _mean_fields(t[0] - n[cell], t[1] - s0[cell], t[2] - s1[cell], t[3] - s2[cell])
            row["_rest_p"], row["_rest_sd"], row["_rest_n"] = rest["_p"], rest["_sd"], rest["_n"]
            out.append(row)
    return out


def _mean_fields(n, s0, s1, s2) -> dict:
    n, s0, s1, s2 = float(n), float(s0), float(s1), float(s2)
    if s0 <= 0 or n <= 0:
        return {"value": np.nan, "n": n, "_n": n, "_positive": np.nan, "_p": np.nan, "_sd": np.nan}
    mean = s1 / s0
    var = max(0.0, s2 / s0 - mean * mean) * (n / (n - 1) if n > 1 else np.nan)
    return {"value": mean, "n": n, "_n": n, "_positive": np.nan, "_p": mean, "_sd": math.sqrt(var) if n > 1 else np.nan}


def _frame(rows: list[dict], breakdown: tuple[str, ...], weighted: bool) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=[c for c in COLUMNS] + ["_n", "_positive", "_complement", "_total", "_p", "_sd"])
    for col in ("_rest_p", "_rest_n", "_rest_sd", "_complement", "_option_code"):
        if col not in table.columns:
            table[col] = np.nan
    table["breakdown"] = np.where(table["_total"].astype(bool), "", " / ".join(breakdown))
    names = table[["group_1", "group_2"]].astype(str)
    table["group"] = np.where(table["_total"].astype(bool), ORGANISATION_GROUP,
                              np.where(names["group_2"] != "", names["group_1"] + " / " + names["group_2"], names["group_1"]))
    table["weighted"] = weighted
    return table


# -------------------------------------------------------------------- changes and tests
def _alpha(bank: QuestionBank) -> float:
    return bank.unverified.alpha


def _comparable(bank: QuestionBank, measure: str, kind: str, year: int, previous: int) -> bool:
    if kind == "item":
        return bank.item(measure).comparable(year, previous)
    if kind == "score":
        years = bank.score_years(measure)
        return year in years and previous in years
    return True


def _test(stat: str, p1, sd1, n1, p2, sd2, n2) -> np.ndarray:
    p1, sd1, n1, p2, sd2, n2 = (np.asarray(a, dtype=float) for a in (p1, sd1, n1, p2, sd2, n2))
    out = np.full(len(p1), np.nan)
    if len(p1) == 0:
        return out
    if stat in ("score", "mean"):
        _t, _df, p = welch_t(p1, sd1, n1, p2, sd2, n2)
    else:
        _z, p = two_proportion_z(p1, n1, p2, n2)
    return p


def _changes(table: pd.DataFrame, bank: QuestionBank, data_years: tuple[int, ...]) -> pd.DataFrame:
    """Change since the previous survey year, from shown values only; significance from the raw counts."""
    t = table.copy()
    t["previous_year"] = np.nan
    t["change"] = np.nan
    t["significant"] = None
    t["comparable"] = None
    if t.empty:
        return t
    keys = ["measure", "statistic", "option", "group_1", "group_2", "_total"]
    prev = {y: _previous(y, data_years) for y in data_years}
    t["_prev_year"] = pd.to_numeric(t["year"].map(prev), errors="coerce").astype(float)
    t["_year_f"] = t["year"].astype(float)
    lookup = t[keys + ["_year_f", "value", "_p", "_sd", "_n", "suppressed"]].rename(
        columns={"_year_f": "_prev_year", "value": "_prev_value", "_p": "_prev_p", "_sd": "_prev_sd", "_n": "_prev_n",
                 "suppressed": "_prev_suppressed"})
    merged = t.merge(lookup, on=keys + ["_prev_year"], how="left", sort=False)
    comparable = np.array([
        (not pd.isna(py)) and _comparable(bank, m, k, int(y), int(py))
        for m, k, y, py in zip(merged["measure"], merged["kind"], merged["year"], merged["_prev_year"])
    ], dtype=bool)
    shown = ~merged["suppressed"].astype(bool) & ~merged["_prev_suppressed"].fillna(True).astype(bool)
    ok = comparable & shown.to_numpy() & merged["_prev_value"].notna().to_numpy()
    merged["previous_year"] = np.where(merged["_prev_year"].notna(), merged["_prev_year"], np.nan)
    merged["comparable"] = np.where(merged["_prev_year"].notna(), comparable, None)
    merged["change"] = np.where(ok, merged["value"] - merged["_prev_value"], np.nan)
    significant = [None] * len(merged)
    for stat in ("positive", "score", "mean"):
        sel = np.flatnonzero(ok & (merged["statistic"] == stat).to_numpy())
        if len(sel):
            p = _test(stat, merged["_p"].to_numpy()[sel], merged["_sd"].to_numpy()[sel], merged["_n"].to_numpy()[sel],
                      merged["_prev_p"].to_numpy()[sel], merged["_prev_sd"].to_numpy()[sel],
                      merged["_prev_n"].to_numpy()[sel])
            for i, pv in zip(sel, p):
                significant[i] = None if np.isnan(pv) else bool(pv < _alpha(bank))
    merged["significant"] = significant
    return merged.drop(columns=[c for c in merged.columns if c.startswith("_prev") or c == "_year_f"])


def _comparators(table: pd.DataFrame, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData | None) -> pd.DataFrame:
    t = table.copy()
    for col in ("comparator_value", "comparator_difference", "vs_rest"):
        t[col] = np.nan
    t["comparator"] = spec.comparator
    t["comparator_significant"] = None
    t["significant_vs_rest"] = None
    for col in ("benchmark_best", "benchmark_median", "benchmark_worst", "rank", "rank_of"):
        t[col] = np.nan
    t["vintage"] = ""
    if t.empty:
        return t
    # each group against the rest of the organisation: only where the organisation row is shown, the
    # rest has at least threshold responses, and (with a filter) the rest's left-out part is 0 or
    # at least threshold too; otherwise the difference would reveal what is withheld
    groups = ~t["_total"].astype(bool) & ~t["suppressed"].astype(bool) & t["statistic"].isin(["positive", "score", "mean"])
    totals = t[t["_total"].astype(bool)].set_index(["measure", "statistic", "option", "year"])
    total_shown = totals["suppressed"].to_dict()
    total_comp = totals["_complement"].to_dict()
    keys4 = list(zip(t["measure"], t["statistic"], t["option"], t["year"]))
    org_shown = np.array([not total_shown.get(k, True) for k in keys4], dtype=bool)
    rest_comp = np.array([total_comp.get(k, np.nan) for k in keys4], dtype=float) - t["_complement"].to_numpy(dtype=float)
    rest_comp_ok = np.isnan(rest_comp) | (rest_comp == 0) | (rest_comp >= spec.threshold)
    rest_ok = groups & (t["_rest_n"] >= spec.threshold) & org_shown & rest_comp_ok
    sel = np.flatnonzero(rest_ok.to_numpy())
    sig = t["significant_vs_rest"].to_numpy(dtype=object, copy=True)
    vs = t["vs_rest"].to_numpy(dtype=float, copy=True)
    for stat in ("positive", "score", "mean"):
        s = sel[(t["statistic"].to_numpy()[sel] == stat)]
        if not len(s):
            continue
        p1, n1, sd1 = t["_p"].to_numpy()[s], t["_n"].to_numpy()[s], t["_sd"].to_numpy()[s]
        p2, n2, sd2 = t["_rest_p"].to_numpy()[s], t["_rest_n"].to_numpy()[s], t["_rest_sd"].to_numpy()[s]
        pv = _test(stat, p1, sd1, n1, p2, sd2, n2)
        scale = 100.0 if stat == "positive" else 1.0
        vs[s] = (p1 - p2) * scale
        for i, v in zip(s, pv):
            sig[i] = None if np.isnan(v) else bool(v < _alpha(bank))
    t["vs_rest"] = vs
    t["significant_vs_rest"] = sig

    if spec.comparator == "organisation":
        keys = ["measure", "statistic", "option", "year"]
        org = t[t["_total"].astype(bool)][keys + ["value"]].rename(columns={"value": "_org_value"})
        t = t.merge(org, on=keys, how="left", sort=False)
        is_group = ~t["_total"].astype(bool)
        t["comparator_value"] = np.where(is_group, t["_org_value"], np.nan)
        t["comparator_difference"] = t["value"] - t["comparator_value"]
        t["comparator_significant"] = np.where(is_group, t["significant_vs_rest"], None)
        t = t.drop(columns=["_org_value"])
    elif spec.comparator == "last_year":
        t["comparator_value"] = t["value"] - t["change"]
        t["comparator_difference"] = t["change"]
        t["comparator_significant"] = t["significant"]
    elif spec.comparator == "benchmark" and benchmark is not None:
        t = _benchmark_columns(t, spec, bank, benchmark)
    return t


def _benchmark_columns(t: pd.DataFrame, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData,
                       as_comparator: bool = True) -> pd.DataFrame:
    stats = benchmark_stats(benchmark, spec, bank)
    if stats.empty:
        return t
    keyed = stats.set_index(["measure", "year"])
    for col in ("benchmark_best", "benchmark_median", "benchmark_worst"):
        t[col] = [keyed[col].get((m, y), np.nan) if (m, y) in keyed.index else np.nan
                  for m, y in zip(t["measure"], t["year"])]
    is_row = t["statistic"].isin(["positive", "score"])
    t.loc[~is_row | t["suppressed"].astype(bool), ["benchmark_best", "benchmark_median", "benchmark_worst"]] = np.nan
    if as_comparator:
        t["comparator_value"] = t["benchmark_median"]
        t["comparator_difference"] = t["value"] - t["benchmark_median"]
        t["comparator_significant"] = None
    t["vintage"] = benchmark.provenance.vintage or ""
    return t


def benchmark_stats(benchmark: SurveyData, spec: ViewSpec, bank: QuestionBank) -> pd.DataFrame:
    """Best, median and worst of the chosen benchmarking group per measure and year (whole orgs)."""
    table = benchmark.aggregates
    table = table[(table["breakdown"].astype(str) == "") & (table["option"].astype(str) == "")]
    group = spec.benchmark_group
    if group is None and spec.organisation:
        ours = _match_org(table, spec.organisation)
        if len(ours):
            group = str(ours["benchmark_group"].iloc[0])
    if group is None:
        groups = sorted({str(g) for g in table["benchmark_group"].unique() if str(g)})
        if len(groups) > 1:
            raise SpecError("The benchmark workbook has several benchmarking groups; choose yours (or your "
                            f"organisation): {', '.join(groups[:6])}{' ...' if len(groups) > 6 else ''}.")
        group = groups[0] if groups else None
    if group is not None:
        table = table[table["benchmark_group"].astype(str) == group]
    # an organisation's figure on fewer than threshold responses takes no part
    table = table[~(table["n"] < spec.threshold)]
    if table.empty:
        return pd.DataFrame(columns=["measure", "year", "benchmark_best", "benchmark_median", "benchmark_worst"])
    average = bank.unverified.benchmark_average
    rows = []
    for (measure, year), frame in table.groupby(["measure", "year"], observed=True, sort=True):
        values = frame["value"].dropna()
        if values.empty:
            continue
        m = str(measure)
        lower = bank.items[m].lower_is_better if m in bank.items else False
        best, worst = (values.min(), values.max()) if lower else (values.max(), values.min())
        mid = values.median() if average == "median" else values.mean()
        rows.append({"measure": m, "year": int(year), "benchmark_best": best, "benchmark_median": mid,
                     "benchmark_worst": worst, "benchmark_orgs": int(len(values))})
    return pd.DataFrame(rows)


def _match_org(table: pd.DataFrame, organisation: str) -> pd.DataFrame:
    wanted = organisation.strip().casefold()
    ids = table["org_id"].astype(str).str.casefold()
    names = table["org_name"].astype(str).str.casefold()
    return table[(ids == wanted) | (names == wanted)]


# -------------------------------------------------------------------------- drivers
DRIVER_ITEMS = {
    "trust": ("line_manager", "your_team", "people_in_org"),
    "morale": ("line_manager", "your_team", "people_in_org"),
}


def _drivers(prep: Prepared, spec: ViewSpec, bank: QuestionBank, mask, years, weights) -> pd.DataFrame:
    """Line-manager and team items ranked by Spearman correlation with an outcome (per year)."""
    outcome = spec.driver_outcome
    if outcome in bank.scores:
        y_all = prep.score(outcome)
        outcome_label = bank.score(outcome).name
    elif outcome in bank.items and outcome in prep.frame.columns:
        item = bank.item(outcome)
        y_all = np.array([item.recode.points.get(int(c), np.nan) if not np.isnan(c) else np.nan
                          for c in prep.codes(outcome)])
        outcome_label = item.short
    else:
        raise SpecError(f"There is no outcome '{outcome}' for the driver view.")
    candidates = [i for i in bank.items.values() if i.group in DRIVER_ITEMS.get(spec.lens, ()) and i.id != outcome
                  and i.id in prep.frame.columns and i.recode is not None]
    rows = []
    for year in years:
        rows_y = (prep.year == year) & mask
        y = y_all[rows_y]
        for item in candidates:
            if not item.asked_in(year):
                continue
            codes = prep.codes(item.id)[rows_y]
            x = np.full(len(codes), np.nan)
            for code, points in item.recode.points.items():
                x[codes == code] = points
            rho, n = spearman(x, y)
            rows.append({"measure": item.id, "code": item.code(year), "label": item.short, "kind": "item",
                         "lens": spec.lens, "statistic": "drivers", "option": f"association with {outcome_label}",
                         "year": year, "group_1": "", "group_2": "", "breakdown": "", "group": ORGANISATION_GROUP,
                         "value": rho, "unit": "rho", "n": float(n), "weighted": False,
                         "lower_is_better": False, "_n": float(n), "_total": True})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["_complement"] = np.nan
    frame["_positive"] = np.nan
    frame = disclosure.apply_disclosure(frame, spec.threshold, False)
    frame["rank"] = frame.groupby("year")["value"].rank(ascending=False, method="min")
    return frame


# ------------------------------------------------------------------------ published data
def _compute_aggregates(data: SurveyData, spec: ViewSpec, bank: QuestionBank) -> Results:
    table = data.aggregates
    shown_years = _years(spec, data.years)
    measures = measures_for(spec, data, bank)
    orgs = table[["org_id", "org_name"]].drop_duplicates()
    if spec.organisation:
        ours = _match_org(table, spec.organisation)
        if ours.empty:
            raise SpecError(f"There is no organisation '{spec.organisation}' in this file.")
    elif len(orgs) == 1:
        ours = table
    else:
        raise SpecError("This file holds many organisations; choose yours (its org_id or name).")
    org_id = str(ours["org_id"].iloc[0])
    group_name = str(ours["benchmark_group"].iloc[0])
    ours = table[(table["org_id"].astype(str) == org_id)]
    by_measure = {m.id: m for m in measures}
    sel = ours[ours["measure"].astype(str).isin(list(by_measure))]
    if spec.breakdown:
        wanted = set(spec.breakdown)
        sel = sel[(sel["breakdown"].astype(str) == "") | sel["breakdown"].astype(str).isin(wanted)]
    else:
        sel = sel[sel["breakdown"].astype(str) == ""]
    rows = []
    for rec in sel.itertuples(index=False):
        m = by_measure[str(rec.measure)]
        is_option = str(rec.option) != ""
        statistic = "options" if is_option else ("score" if str(rec.unit) == "score" else "positive")
        if statistic == "options" and "options" not in spec.statistics:
            continue
        total = str(rec.breakdown) == ""
        row = {"measure": m.id, "code": str(rec.code), "label": m.label if m.kind != "own" else str(rec.label),
               "kind": m.kind, "lens": m.lens, "statistic": statistic, "option": str(rec.option), "year": int(rec.year),
               "group_1": "" if total else str(rec.group), "group_2": "", "_total": total,
               "breakdown": "" if total else str(rec.breakdown),
               "unit": "%" if statistic == "options" else str(rec.unit), "lower_is_better": m.lower_is_better,
               "value": float(rec.value), "n": float(rec.n), "_n": float(rec.n) if not math.isnan(rec.n) else np.inf,
               "_positive": (round(rec.value * rec.n / 100.0) if statistic == "positive" and not math.isnan(rec.n)
                             and not math.isnan(rec.value) else np.nan),
               "_complement": np.nan, "_p": np.nan, "_sd": np.nan,
               "_sig": str(rec.sig), "_source_reason": str(rec.missing_reason), "_weighted": bool(rec.weighted),
               "_vintage": str(rec.vintage)}
        if math.isnan(rec.n) and not math.isnan(rec.value):
            row["_n"] = np.inf  # the file gives no base: its own suppression is all there is
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise SpecError("None of the chosen measures is in this file for that organisation.")
    frame["group"] = np.where(frame["_total"], ORGANISATION_GROUP, frame["group_1"])
    frame["weighted"] = frame["_weighted"]
    frame = disclosure.apply_disclosure(frame, spec.threshold, spec.local_rule)
    source = frame["_source_reason"].astype(str)
    missing_in_source = frame["value"].isna() & ~frame["suppressed"] & (source != "")
    frame.loc[missing_in_source, "suppressed"] = True
    frame.loc[missing_in_source, "suppression_reason"] = source[missing_in_source]
    frame = _aggregate_changes(frame, bank, data.years)
    frame["_rest_n"] = np.nan  # published groups are not tested against the rest
    frame["_rest_p"] = np.nan
    frame["_rest_sd"] = np.nan
    frame = _comparators(frame, spec, bank, None)
    if data.kind == "benchmark_workbook":
        # the workbook is its own benchmark: best / median / worst and rank within our group
        frame = _benchmark_columns(frame, spec.with_(organisation=org_id, benchmark_group=group_name), bank, data,
                                   as_comparator=spec.comparator == "benchmark")
        frame = _ranks(frame, data, group_name, org_id, bank, spec.threshold)
    frame["vintage"] = frame["_vintage"]
    frame = frame[frame["year"].isin(shown_years)]
    frame = _order(disclosure.drop_private(frame), measures)
    notes = _method_notes(spec, bool(frame["weighted"].any()) if len(frame) else False, published=True)
    info = _dataset_info(data)
    info["organisation"] = str(ours["org_name"].iloc[0]) or org_id
    info["benchmark_group"] = group_name
    return Results(table=frame, spec=spec, dataset=info, notes=tuple(notes))


def _aggregate_changes(frame: pd.DataFrame, bank: QuestionBank, years: tuple[int, ...]) -> pd.DataFrame:
    t = _changes(frame, bank, years)
    # published data: no test of our own; the file's own flag where it has one
    sig_text = t["_sig"].astype(str).str.lower()
    flagged = sig_text.str.contains("significant")
    negated = sig_text.str.contains(r"\b(?:not|no|non)[- ]?(?:statistically[- ])?significant", regex=True)
    t["significant"] = np.where(flagged, ~negated, None)
    t.loc[t["change"].isna(), "significant"] = None
    return t


def _ranks(frame: pd.DataFrame, data: SurveyData, group: str, org_id: str, bank: QuestionBank,
           threshold: int = 11) -> pd.DataFrame:
    table = data.aggregates
    table = table[(table["benchmark_group"].astype(str) == group) & (table["breakdown"].astype(str) == "")
                  & (table["option"].astype(str) == "")]
    ranks, counts = [], []
    grouped = {key: g for key, g in table.groupby(["measure", "year"], observed=True)}
    for m, y, value, suppressed in zip(frame["measure"], frame["year"], frame["value"], frame["suppressed"]):
        g = grouped.get((m, y))
        if g is None or suppressed or pd.isna(value):
            ranks.append(np.nan)
            counts.append(np.nan)
            continue
        values = g.loc[~(g["n"] < threshold), "value"].dropna()
        lower = bank.items[m].lower_is_better if m in bank.items else False
        better = (values < value).sum() if lower else (values > value).sum()
        ranks.append(float(better + 1))
        counts.append(float(len(values)))
    frame["rank"] = ranks
    frame["rank_of"] = counts
    return frame


# --------------------------------------------------------------------------- finishing
def _order(table: pd.DataFrame, measures: list[MeasureDef]) -> pd.DataFrame:
    """Deterministic order: measures as the lens lists them, then statistic, year, groups, options."""
    if table.empty:
        return table.reindex(columns=list(COLUMNS))
    position = {m.id: i for i, m in enumerate(measures)}
    stat_order = {"score": 0, "positive": 1, "mean": 2, "options": 3, "drivers": 4}
    t = table.copy()
    t["_m"] = t["measure"].map(position).fillna(len(position))
    t["_s"] = t["statistic"].map(stat_order)
    t["_t"] = ~t["_total"].astype(bool) if "_total" in t.columns else (t["group"] != ORGANISATION_GROUP)
    t["_o"] = t.groupby(["measure", "statistic", "year", "group"], sort=False).cumcount()
    if "statistic" in t and (t["statistic"] == "drivers").any():
        t.loc[t["statistic"] == "drivers", "_o"] = t.loc[t["statistic"] == "drivers", "rank"]
    t = t.sort_values(["_m", "_s", "year", "_t", "group_1", "group_2", "_o"], kind="stable")
    for col in COLUMNS:
        if col not in t.columns:
            t[col] = np.nan
    return t[list(COLUMNS)].reset_index(drop=True)


def _method_notes(spec: ViewSpec, weighted: bool, published: bool = False) -> list[str]:
    notes = []
    if published:
        notes.append("Published figures as given in the file (weighted where the file says so); "
                     "change since last year is not tested here unless the file flags it.")
    else:
        notes.append("Weighted by the file's weight column." if weighted else
                     "Unweighted: each respondent counts once (the national benchmark figures are weighted).")
        notes.append("Change since last year: two-proportion z-test for % results, Welch's t-test for scores, "
                     "two-sided at 5%, only between comparable years and never below the suppression threshold.")
    notes.append(f"Results for fewer than {spec.threshold} responses are not shown, nor any that would let them be worked out.")
    if spec.local_rule:
        notes.append("Local rule on: a % is also hidden when 3 or fewer answers are positive or negative.")
    return notes
