"""Per-question protection: the family's partition coarsened until every block has enough answers.

A block of 15 respondents may hold 6 answers to "did you report it?"; shown on its own or by
subtraction that would be a figure on 6 answers. So for each question (and statistic base) the
respondent-level partition is re-run with the answer counts: blocks below the threshold are pooled
upwards as in :mod:`.partition`. The result only coarsens the respondent-level partition, so every
question's figures stay unions of respondent-level blocks. Each count a figure uses (the % base,
the answers on the scale, everyone who answered at all) is met on its own: five "Don't know"s in a
group with no answer in the % base are five answers of its answer distribution.

For the people family the result must also be *separable* from the organisation family's partition
for the same question (:mod:`.crosscheck`); where a year fails, its least important people column
is dropped for that question and year, and tried again (no column left always passes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from explorer.core.disclosure.crosscheck import separable_units
from explorer.core.disclosure.families import Family
from explorer.core.disclosure.partition import POOLED, Rule, blocks, recode

__all__ = ["MeasurePartition", "coarsen", "join", "leaves", "separated"]


@dataclass
class MeasurePartition:
    """Blocks of one question (or of respondents): ``block_of_leaf`` maps the family's leaves to blocks."""

    block_of_leaf: np.ndarray
    codes: np.ndarray  # (blocks, columns), POOLED where combined
    year: np.ndarray
    ok: np.ndarray  # False where even the whole year is too small to show
    kept_columns: dict[int, int] = field(default_factory=dict)  # year -> columns kept (people family)
    coarsened: bool = False  # combines more than the base it was made from
    _leaf_codes: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.year)

    def leaf_codes(self) -> np.ndarray:
        """Each leaf's recoded combination (to build partitions on top of this one); made once."""
        if self._leaf_codes is None:
            self._leaf_codes = self.codes[self.block_of_leaf]
            self._leaf_codes.flags.writeable = False
        return self._leaf_codes


def join(family: Family, *parts: "MeasurePartition") -> np.ndarray:
    """Per leaf, the combination of the finest partition that coarsens every one of ``parts``:
    leaves in one block of any part are joined (transitively), and each joined group gets the values
    all its members keep in all parts (a prefix, as the tree needs). Recoding from it can only
    combine further, so the result nests inside each part — figures made from any of them can be
    set side by side."""
    if len(parts) == 1:
        return parts[0].leaf_codes()
    size = len(family.leaf_year)
    label = np.arange(size)
    changed = True
    while changed:  # connected components of "shares a block in some part"
        changed = False
        for part in parts:
            lowest = np.full(part.size, size)
            np.minimum.at(lowest, part.block_of_leaf, label)
            new = np.minimum(label, lowest[part.block_of_leaf])
            if (new < label).any():
                label, changed = new, True
    _, component = np.unique(label, return_inverse=True)
    component = component.reshape(-1)
    groups = int(component.max()) + 1 if size else 0
    out = np.full_like(parts[0].leaf_codes(), POOLED)
    keep = np.ones(groups, dtype=bool)
    for j in range(out.shape[1]):
        values = np.stack([p.leaf_codes()[:, j] for p in parts], axis=1)
        lo, hi = np.full(groups, np.iinfo(np.int64).max), np.full(groups, np.iinfo(np.int64).min)
        np.minimum.at(lo, component, values.min(axis=1))
        np.maximum.at(hi, component, values.max(axis=1))
        keep &= (lo == hi) & (lo != POOLED)
        out[:, j] = np.where(keep[component], lo[component], POOLED)
    return out


def leaves(family: Family) -> MeasurePartition:
    """The family's own leaves as a partition (the finest protected groups)."""
    if "leaves" not in family._memo:
        size = len(family.leaf_year)
        family._memo["leaves"] = MeasurePartition(np.arange(size), family.leaf_codes, family.leaf_year,
                                                  family.leaf_ok, {})
    return family._memo["leaves"]


def coarsen(family: Family, weight: np.ndarray, rule: Rule, pos: np.ndarray | None = None,
            kept_columns: dict[int, int] | None = None, base: np.ndarray | None = None) -> MeasurePartition:
    """The partition of ``family``'s leaves for per-leaf counts ``weight`` (answers, or respondents),
    made from ``base`` (per-leaf combinations it must coarsen; default the leaves themselves).

    ``weight`` may hold several counts (leaves x counts: one per base a figure of the question
    counts — in the % positive base, on the scale, answered at all): every block then holds none or
    at least the threshold of *each*. One count standing for all (their smallest, say) would let a
    block with no answers in one base pass as empty while a figure counts its few answers in another
    (five "Don't know"s shown as an answer distribution on n=5). The local rule (``pos``) goes with
    the first count."""
    weight = np.asarray(weight, dtype=float)
    if weight.ndim == 1:
        return _coarsen(family, weight, rule, pos, kept_columns, base)
    part, ok, coarsened = None, np.ones(len(family.leaf_year), dtype=bool), False
    for j in range(weight.shape[1]):
        # each count coarsens the last: a union of blocks that each hold none or enough of a count
        # (and under the local rule enough positive and negative answers) still does, so every
        # earlier count stays met
        step = _coarsen(family, weight[:, j], rule, pos if j == 0 else None, kept_columns,
                        base if part is None else part.leaf_codes())
        ok &= step.ok[step.block_of_leaf]
        coarsened |= step.coarsened
        part = step
    if part is None:  # nothing counted: the base's groups as they are
        return _coarsen(family, np.zeros(len(family.leaf_year)), rule, None, kept_columns, base)
    block_ok = np.ones(part.size, dtype=bool)
    np.logical_and.at(block_ok, part.block_of_leaf, ok)  # a year too small for one count shows none
    if coarsened == part.coarsened and np.array_equal(block_ok, part.ok):
        return part
    return MeasurePartition(part.block_of_leaf, part.codes, part.year, block_ok, part.kept_columns, coarsened)


def _coarsen(family: Family, weight: np.ndarray, rule: Rule, pos: np.ndarray | None,
             kept_columns: dict[int, int] | None, base: np.ndarray | None) -> MeasurePartition:
    codes = (family.leaf_codes if base is None else base).copy()
    kept = dict(kept_columns or {})
    for year, keep in kept.items():
        codes[family.leaf_year == year, keep:] = POOLED
    start, first = blocks(codes, family.leaf_year)
    size = len(first)
    n = np.bincount(start, weights=weight, minlength=size)
    fits = (n >= rule.threshold) | (n == 0)
    if rule.local_max is not None and pos is not None:
        p = np.bincount(start, weights=pos, minlength=size)
        fits &= (n == 0) | ((p > rule.local_max) & (n - p > rule.local_max))
    if fits.all():  # the base's groups already have enough: they are the blocks
        if base is None and not kept:
            return leaves(family)
        return MeasurePartition(start, codes[first], family.leaf_year[first], family.leaf_ok[first], kept)
    recoded, ok = np.full_like(codes, POOLED), np.ones(len(codes), dtype=bool)
    for year in np.unique(family.leaf_year):
        rows = np.flatnonzero(family.leaf_year == year)
        recoded[rows], ok[rows] = recode(codes[rows], weight[rows], rule, None if pos is None else pos[rows])
    block_of, first = blocks(recoded, family.leaf_year)
    return MeasurePartition(block_of, recoded[first], family.leaf_year[first], ok[first], kept, coarsened=True)


def separated(people: Family, organisation_block: np.ndarray, units: list[np.ndarray], weight: np.ndarray,
              rule: Rule, pos: np.ndarray | None = None, base: np.ndarray | None = None) -> MeasurePartition:
    """The people family's partition for one question (or for respondents), separable from the
    organisation's.

    ``organisation_block``: each respondent's block in the organisation partition of the same
    question and settings; ``units``: per statistic base, 0/1 per respondent (in that base)."""
    year_of = people.leaf_year[people.leaf_of]
    kept = {int(y): len(people.columns) for y in np.unique(people.leaf_year)}
    while True:
        part = coarsen(people, weight, rule, pos, kept, base)
        people_block = part.block_of_leaf[people.leaf_of]
        failing = []
        for year, keep in kept.items():
            if keep == 0:
                continue
            rows = year_of == year
            if not all(separable_units(organisation_block[rows], people_block[rows], u[rows], rule.threshold)
                       for u in units):
                failing.append(year)
        if not failing:
            if any(k < len(people.columns) for k in kept.values()):
                part.coarsened = True
            else:
                part.kept_columns = {}
            return part
        for year in failing:
            kept[year] -= 1
