"""Per-dataset working state, built once and owned by the :class:`~explorer.core.session.Session`.

Per respondent: each question's state (out of base / in base / positive), answer option, 0-10 score,
weight. Per threshold: the two protected families (:mod:`explorer.core.disclosure`). Per question:
sufficient statistics per family *leaf* (counts, sums) and the question's partition of the leaves.
A view then only adds up a few hundred numbers, whatever the number of respondents.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from explorer.core import disclosure as D
from explorer.core.disclosure import families as F
from explorer.core.disclosure.families import BlockIndex
from explorer.core.engine.measures import MeasureDef
from explorer.core.questionbank import QuestionBank, Scale
from explorer.core.scoring import positive_flags, respondent_scores
from explorer.core.surveydata import OCCUPATION_SUMMARY, WRES_SUMMARY, SurveyData

LOCAL_AGREE = (4, 5)
LOCAL_SCALE = (1, 2, 3, 4, 5)


class Prepared:
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
            bad = ~((w >= 0) & np.isfinite(w))  # blank, negative, infinite or not a number: takes its group's weight
            self.unusable_weights = int(bad.sum())
            w[bad] = np.nan
            self.weights = w
        self._cache: dict[tuple, object] = {}

    def _cached(self, key: tuple, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # ----------------------------------------------------------------- per respondent
    def codes(self, column: str) -> np.ndarray:
        return self.frame[column].to_numpy(dtype=float, na_value=np.nan)

    def state(self, m: MeasureDef) -> np.ndarray | None:
        """int8 per respondent: 0 out of the base, 1 in the base but not positive, 2 positive."""
        return self._cached(("state", m.id), lambda: self._state(m))

    def _state(self, m: MeasureDef) -> np.ndarray | None:
        if m.id not in self.frame.columns:
            return None
        codes = self.codes(m.id)
        state = np.zeros(self.n, dtype=np.int8)
        if m.kind == "item":
            item = self.bank.item(m.id)
            for year in self.years:
                if item.asked_in(year):
                    rows = self.year == year
                    flags = positive_flags(codes[rows], item.positive, item.scale(year).codes)
                    state[rows] = np.where(np.isnan(flags), 0, flags + 1).astype(np.int8)
            return state
        present = codes[~np.isnan(codes)]  # a local question: % agree on a 1-5 agreement scale
        if len(present) and set(np.unique(present).astype(int)) <= set(LOCAL_SCALE):
            in_base = np.isin(codes, LOCAL_SCALE)
            state[in_base] = np.where(np.isin(codes[in_base], LOCAL_AGREE), 2, 1)
            return state
        return None

    def options(self, m: MeasureDef, year: int) -> tuple[np.ndarray, list[tuple[int, str]]] | None:
        """Per respondent the answer option's index (0 = no valid answer), and the options."""
        return self._cached(("options", m.id, year), lambda: self._options(m, year))

    def rows_of(self, year: int) -> np.ndarray:
        return self._cached(("rows", year), lambda: np.flatnonzero(self.year == year))

    def _options(self, m: MeasureDef, year: int):
        if m.id not in self.frame.columns:
            return None
        scale: Scale = self.bank.item(m.id).scale(year) if m.kind == "item" else self.bank.scales["agree5"]
        options = [(o.code, o.label) for o in scale.options]
        rows = self.rows_of(year)
        codes = self.codes(m.id)[rows]
        lut = np.zeros(max([c for c, _ in options] + [0]) + 2, dtype=np.int16)  # code -> option index
        for i, (code, _label) in enumerate(options, start=1):
            lut[code] = i
        valid = ~np.isnan(codes) & (codes >= 0) & (codes < len(lut) - 1)
        index = np.zeros(self.n, dtype=np.int16)
        index[rows[valid]] = lut[codes[valid].astype(np.int64)]
        return index, options

    def score_parts(self, score_id: str) -> tuple[np.ndarray, np.ndarray]:
        """(has a score, score with 0 where none) per respondent."""
        return self._cached(("score", score_id), lambda: self._score_parts(score_id))

    def _score_parts(self, score_id: str):
        items = self.bank.score_items(score_id)
        # a question the file does not hold was answered by nobody: the same as a blank column, so the
        # score is the mean of the items each respondent answered (not withheld for the whole file)
        blank = pd.Series(np.nan, index=self.frame.index, dtype=float)
        answers = {i: self.frame[i] if i in self.frame.columns else blank for i in items} \
            if self.missing_items(score_id) != items else {}
        values = respondent_scores(answers, self.bank, [score_id])
        v = values[score_id].to_numpy(dtype=float, copy=True) if score_id in values else np.full(self.n, np.nan)
        v[~np.isin(self.year, list(self.bank.score_years(score_id)))] = np.nan
        valid = ~np.isnan(v)
        return valid, np.where(valid, v, 0.0)

    def missing_items(self, score_id: str) -> tuple[str, ...]:
        """The score's questions that are not in the file (its figures are made from the others)."""
        return tuple(i for i in self.bank.score_items(score_id) if i not in self.frame.columns)

    def mean_parts(self, m: MeasureDef) -> tuple[np.ndarray, np.ndarray]:
        """(answered on the substantive scale, answer code with 0 where not) per respondent."""
        return self._cached(("mean", m.id), lambda: self._mean_parts(m))

    def _mean_parts(self, m: MeasureDef):
        codes = self.codes(m.id) if m.id in self.frame.columns else np.full(self.n, np.nan)
        if m.kind == "item":
            item = self.bank.item(m.id)
            ok = np.zeros(self.n, dtype=bool)
            for year in self.years:
                if item.asked_in(year):
                    rows = self.year == year
                    ok[rows] = np.isin(codes[rows], item.scale(year).substantive_codes)
        else:
            ok = ~np.isnan(codes)
        return ok, np.where(ok, codes, 0.0)

    def value_parts(self, m: MeasureDef, statistic: str) -> tuple[np.ndarray, np.ndarray]:
        return self.score_parts(m.id) if statistic == "score" else self.mean_parts(m)

    # --------------------------------------------------------------- protected families
    def demographic_columns(self) -> list[str]:
        items = [c for c in self.frame.columns if c in self.bank.items and self.bank.items[c].kind == "demographic"]
        return items + [c for c in (WRES_SUMMARY, OCCUPATION_SUMMARY) if c in self.frame.columns]

    def families(self) -> tuple[D.Family, D.Family]:
        """(organisation, people), built at the minimum threshold: their leaves are the finest
        protected groups, and every partition of any setting is made of whole leaves."""
        return self._cached(("families",), self._families)

    def _families(self):
        minimum = D.minimum_threshold()
        org = F.build(D.ORGANISATION, self.frame, F.organisation_columns(self.frame, self.data.breakdowns), minimum)
        demographic = self.demographic_columns()
        people = F.build_people(self.frame, F.people_candidates(self.frame, demographic), org, minimum, demographic)
        return org, people

    def family(self, name: str) -> D.Family:
        org, people = self.families()
        return org if name == D.ORGANISATION else people

    def groups(self, name: str, threshold: int) -> D.MeasurePartition:
        """The respondent-level protected groups at ``threshold``: the leaves at the minimum, each
        threshold recoded from the one below (so they nest); people groups stay separable from the
        organisation's at the same threshold."""
        minimum = D.minimum_threshold()
        for t in range(minimum, threshold + 1):  # build the chain up to here, once
            self._cached(("groups", name, t), lambda t=t: self._groups(name, t))
        return self._cached(("groups", name, max(threshold, minimum)), lambda: None)

    def _groups(self, name: str, threshold: int) -> D.MeasurePartition:
        family = self.family(name)
        if threshold <= D.minimum_threshold():
            return D.leaves(family)
        base = self._cache[("groups", name, threshold - 1)].leaf_codes()
        counts = np.bincount(family.leaf_of, minlength=len(family.leaf_year)).astype(float)
        if name == D.ORGANISATION:
            return D.coarsen(family, counts, D.rule(threshold), base=base)
        org = self.family(D.ORGANISATION)
        org_block = self.groups(D.ORGANISATION, threshold).block_of_leaf[org.leaf_of]
        return D.separated(family, org_block, [np.ones(self.n, dtype=bool)], counts, D.rule(threshold), base=base)

    # ----------------------------------------------------------- per question and leaf
    def units(self, m: MeasureDef) -> dict[str, np.ndarray]:
        """0/1 per respondent for each base the question's figures use."""
        return self._cached(("units", m.id), lambda: self._units(m))

    def pair_measure(self, first: str, second: str, both: np.ndarray) -> MeasureDef:
        """A measure whose base is who answered both questions (what moves with what): its
        partition holds at least T such respondents in every block, so an association is only
        ever worked out over whole blocks of them."""
        m = MeasureDef(f"pair:{first}:{second}", "pair", f"{first} with {second}", "", False, "rho")
        self._cached(("units", m.id), lambda: {"pairs": np.asarray(both, dtype=bool)})
        return m

    def _units(self, m: MeasureDef) -> dict[str, np.ndarray]:
        if m.kind == "score":
            return {"score": self.score_parts(m.id)[0]}
        state = self.state(m)
        if state is None:
            return {}
        return {"positive": state > 0, "mean": self.mean_parts(m)[0]}

    def counted(self, m: MeasureDef) -> list[np.ndarray]:
        """0/1 per respondent for every set of answers a figure of the question counts in its n: the
        bases of its statistics (the % positive base first, which the local rule goes with) and,
        for a question with an answer distribution, everyone who answered at all."""
        units = list(self.units(m).values())
        return units + ([self.answered(m)] if units and m.kind not in ("score", "pair") else [])

    def answered(self, m: MeasureDef) -> np.ndarray:
        """Per respondent: gave any answer on the question's scale (the answer distribution's base)."""
        return self._cached(("answered", m.id), lambda: self._answered(m))

    def _answered(self, m: MeasureDef) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for year in self.years:
            if self._asked(m, year):
                out |= self.options(m, year)[0] > 0
        return out

    def gave_any_answer(self, m: MeasureDef) -> np.ndarray:
        """Per respondent: answered the question at all (any base of any statistic, Don't know and Not
        applicable included), so a group where this is nobody has nothing of its own to protect."""
        return self._cached(("any answer", m.id), lambda: np.logical_or.reduce(
            self.counted(m) + [np.zeros(self.n, dtype=bool)]))

    def leaf_sums(self, family: D.Family, m: MeasureDef, what: str) -> np.ndarray:
        """Per leaf of ``family``: a sum over its respondents. ``what``: base | pos | value | square
        (statistic score or mean), options (leaves x options), or answers (anyone who answered at all)."""
        key = ("leaf", family.name, family.threshold, id(family), m.id, what)
        return self._cached(key, lambda: self._leaf_sums(family, m, what))

    def _leaf_sums(self, family: D.Family, m: MeasureDef, what: str) -> np.ndarray:
        leaf = self._cached(("leaf_of", id(family)), lambda: family.leaf_of)
        size = len(family.leaf_year)
        stat, _, part = what.partition(":")
        if stat == "options":
            k = 1 + max((len(self.options(m, y)[1]) for y in self.years if self._asked(m, y)), default=0)
            index = np.zeros(self.n, dtype=np.int64)
            for y in self.years:
                if self._asked(m, y):
                    rows = self.rows_of(y)
                    index[rows] = self.options(m, y)[0][rows]
            flat = np.bincount(leaf * k + index, minlength=size * k).astype(float)
            return flat.reshape(size, k)
        if stat == "answers":
            return np.bincount(leaf, weights=self.gave_any_answer(m).astype(float), minlength=size)
        if stat in ("score", "mean"):
            valid, x = self.value_parts(m, stat)
            values = {"base": valid.astype(float), "value": x, "square": x * x}[part]
            return np.bincount(leaf, weights=values, minlength=size)
        state = self.state(m)
        flag = (state > 0) if part == "base" else (state == 2)
        return np.bincount(leaf, weights=flag.astype(float), minlength=size)

    def _asked(self, m: MeasureDef, year: int) -> bool:
        return (m.kind != "item" or self.bank.item(m.id).asked_in(year)) and self.options(m, year) is not None

    def partition(self, name: str, m: MeasureDef, threshold: int, local: bool) -> D.MeasurePartition:
        """The question's blocks for these settings. Thresholds form a chain (each recoded from the
        join of the one below and the respondent groups at its own threshold), and the local rule
        is recoded from the join of the partition without it and the local one a step below: every
        setting nests inside every less strict one, so figures made under different settings can
        never be subtracted into a smaller group."""
        minimum = D.minimum_threshold()
        for t in range(minimum, max(threshold, minimum) + 1):
            for lr in (False, True) if local else (False,):
                self._cached(("partition", name, t, lr, m.id), lambda t=t, lr=lr: self._partition(name, m, t, lr))
        return self._cache[("partition", name, max(threshold, minimum), local, m.id)]

    def _partition(self, name: str, m: MeasureDef, threshold: int, local: bool) -> D.MeasurePartition:
        family = self.family(name)
        leaf = family.leaf_of
        size = len(family.leaf_year)
        checked = self.counted(m)
        # one count per base a figure uses, each to be met on its own (D.coarsen): the answer
        # distribution counts Don't know and Not applicable too, so a group with no answer in the %
        # base but a few outside it is a small group like any other
        counts = [np.bincount(leaf, weights=u.astype(float), minlength=size) for u in checked]
        weight = np.column_stack(counts) if counts else np.zeros(size)
        pos = None
        if local and m.kind != "score" and self.state(m) is not None:
            pos = np.bincount(leaf, weights=(self.state(m) == 2).astype(float), minlength=size)
        minimum = D.minimum_threshold()
        below = threshold > minimum
        parts = [self.groups(name, threshold)] if below else []
        if below:
            parts.append(self._cache[("partition", name, threshold - 1, local, m.id)])
        if local:
            parts.append(self._cache[("partition", name, threshold, False, m.id)])
        base = D.join(family, *parts) if parts else None
        rule = D.rule(threshold, local)
        if name == D.ORGANISATION:
            return D.coarsen(family, weight, rule, pos, base=base)
        org = self.family(D.ORGANISATION)
        org_block = self.partition(D.ORGANISATION, m, threshold, local).block_of_leaf[org.leaf_of]
        return D.separated(family, org_block, checked, weight, rule, pos, base=base)

    # ----------------------------------------------------------------------- weights
    def weight_columns(self) -> tuple[str, ...] | None:
        """The organisation's columns the file's weights follow: the fewest such that everyone of
        a year with the same values in them has the same weight (the survey's weights follow the
        occupation group); None when the weights follow none of them."""
        return self._cached(("weight_columns",), self._weight_columns)

    def _weight_columns(self) -> tuple[str, ...] | None:
        if self.weights is None:
            return None
        org = self.family(D.ORGANISATION)
        usable = ~np.isnan(self.weights)
        codes = org.cell_codes[org.cell_of]
        frame = pd.DataFrame({"year": self.year, "w": self.weights, **{c: codes[:, j] for j, c in enumerate(org.columns)}})[usable]
        for k in range(len(org.columns) + 1):
            for combo in itertools.combinations(org.columns, k):
                if (frame.groupby(["year", *combo], sort=False)["w"].nunique() <= 1).all():
                    return combo
        return None

    def design_weights(self) -> np.ndarray:
        """Per respondent: the one weight of their year and group of :meth:`weight_columns` (so
        someone with no usable weight takes their group's), NaN where there is none."""
        return self._cached(("design_weights",), self._design_weights)

    def _design_weights(self) -> np.ndarray:
        columns = self.weight_columns()
        if columns is None:
            return np.full(self.n, np.nan)
        org = self.family(D.ORGANISATION)
        codes = org.cell_codes[org.cell_of]
        frame = pd.DataFrame({"year": self.year, "w": self.weights,
                              **{c: codes[:, org.columns.index(c)] for c in columns}})
        return frame.groupby(["year", *columns], sort=False)["w"].transform("max").to_numpy(dtype=float)

    def block_weights(self, family: D.Family, part: D.MeasurePartition) -> np.ndarray:
        """Per block: the weight its figures use. Weights are read from block labels, never from the
        members: a block whose label names a value of every column the weights follow has that
        group's one weight; any other block (combined there, or an equality-column block) the
        average weight, over the year's respondents, of the blocks that have one. Weighted figures
        are then sums over whole blocks like all others — weights that differed inside a block
        would tell who is in it."""
        def make():
            columns = self.weight_columns() or ()
            leaf_w = self._cached(("leaf_weights", id(family)), lambda: self._leaf_weights(family))
            w = np.full(part.size, np.nan)
            np.fmax.at(w, part.block_of_leaf, leaf_w)
            known = ~np.isnan(w)
            for c in columns:
                known &= part.codes[:, family.columns.index(c)] != D.POOLED
            n = np.bincount(part.block_of_leaf, weights=np.bincount(family.leaf_of, minlength=len(family.leaf_year)),
                            minlength=part.size)
            out = np.where(known, w, np.nan)
            for year in np.unique(part.year):
                here = part.year == year
                mine = here & known & (n > 0)
                average = float((w[mine] * n[mine]).sum() / n[mine].sum()) if mine.any() and n[mine].sum() > 0 else 1.0
                out[here & ~known] = average
            return out
        return self._cached(("block_weights", id(family), id(part)), make)

    def _leaf_weights(self, family: D.Family) -> np.ndarray:
        out = np.full(len(family.leaf_year), np.nan)
        if self.weight_columns() and family.name == D.ORGANISATION:
            np.fmax.at(out, family.leaf_of, self.design_weights())
        return out

    def index(self, family: D.Family, part: D.MeasurePartition | None) -> BlockIndex:
        """The index of a question's blocks (or of the family's leaves when ``part`` is None)."""
        key = ("index", id(family), id(part))
        if part is None:
            return self._cached(key, lambda: family.index(family.leaf_codes, family.leaf_year))
        return self._cached(key, lambda: family.index(part.codes, part.year))
