"""Per-question protection: the family's partition coarsened until every block has enough answers.

A block of 15 respondents may hold 6 answers to "did you report it?"; shown on its own or by
subtraction that would be a figure on 6 answers. So for each question (and statistic base) the
respondent-level partition is re-run with the answer counts: blocks below the threshold are pooled
upwards as in :mod:`.partition`. The result only coarsens the respondent-level partition, so every
question's figures stay unions of respondent-level blocks.

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


@dataclass
class MeasurePartition:
    """Blocks of one question: ``block_of_leaf`` maps the family's leaves to blocks."""

    block_of_leaf: np.ndarray
    codes: np.ndarray  # (blocks, columns), POOLED where combined
    year: np.ndarray
    ok: np.ndarray  # False where even the whole year is too small to show
    kept_columns: dict[int, int] = field(default_factory=dict)  # year -> columns kept (people family)

    @property
    def size(self) -> int:
        return len(self.year)


def coarsen(family: Family, weight: np.ndarray, rule: Rule, pos: np.ndarray | None = None,
            kept_columns: dict[int, int] | None = None) -> MeasurePartition:
    """The partition of ``family``'s leaves for per-leaf counts ``weight`` (answers)."""
    codes = family.leaf_codes.copy()
    kept = dict(kept_columns or {})
    for year, keep in kept.items():
        codes[family.leaf_year == year, keep:] = POOLED
    fits = (weight >= rule.threshold) | (weight == 0)
    if rule.local_max is not None and pos is not None:
        fits &= (weight == 0) | ((pos > rule.local_max) & (weight - pos > rule.local_max))
    if fits.all() and not kept:  # every leaf already has enough answers: the leaves are the blocks
        if "identity" not in family._memo:
            size = len(codes)
            family._memo["identity"] = MeasurePartition(np.arange(size), codes, family.leaf_year.copy(),
                                                         family.leaf_ok.copy(), {})
        return family._memo["identity"]
    recoded, ok = codes, np.ones(len(codes), dtype=bool)
    if True:
        recoded = np.full_like(codes, POOLED)
        for year in np.unique(family.leaf_year):
            rows = np.flatnonzero(family.leaf_year == year)
            recoded[rows], ok[rows] = recode(codes[rows], weight[rows], rule, None if pos is None else pos[rows])
    block_of, first = blocks(recoded, family.leaf_year)
    return MeasurePartition(block_of, recoded[first], family.leaf_year[first], ok[first], kept)


def separated(people: Family, organisation_block: np.ndarray, units: list[np.ndarray], weight: np.ndarray,
              rule: Rule, pos: np.ndarray | None = None) -> MeasurePartition:
    """The people family's partition for one question, separable from the organisation's.

    ``organisation_block``: each respondent's block in the organisation partition of this question;
    ``units``: per statistic base, 0/1 per respondent (answered in that base)."""
    year_of = people.leaf_year[people.leaf_of]
    kept = {int(y): len(people.columns) for y in np.unique(people.leaf_year)}
    while True:
        part = coarsen(people, weight, rule, pos, kept)
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
            return part
        for year in failing:
            kept[year] -= 1
