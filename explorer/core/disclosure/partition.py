"""The protected partition: a hierarchical recoding in which every block holds enough units.

Input: cells (distinct combinations of a family's columns, in priority order) with a count each
(respondents, or answers to one question) and optionally a positive count (local rule). Output: for
every cell its recoded combination, where some trailing values are replaced by ``POOLED`` ("Other
... (combined)"). Cells with the same recoded combination form one *block*; every block with
anything in it satisfies the :class:`Rule` (at least ``threshold`` units, and under the local rule
more than ``local_max`` positive and negative answers).

How (a tree, top column first): at each node the children are the next column's values. A child
that is too small goes into the node's pool, with every deeper value pooled too. A pool that is
still too small either takes in the cheapest existing block below the node, or is passed up to the
parent (losing this node's value as well), whichever loses less detail; columns are weighted
2^(k-1-depth), so the first column (e.g. Directorate) is the last to lose detail. Values already
``POOLED`` in the input stay pooled, so re-running the recoding with other counts (one question's
answers) only ever coarsens a partition. A combined block is named by every value its members all
share, so the tuples keep the form (values..., POOLED...).

Deterministic: the result depends on the cells, their counts, the order of the columns and the rule,
never on anything shown before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POOLED = -1


@dataclass(frozen=True)
class Rule:
    """When a block may be shown: ``threshold`` units at least; with ``local_max`` set, also more
    than ``local_max`` positive and more than ``local_max`` negative answers."""

    threshold: int
    local_max: int | None = None

    def ok(self, n: float, pos: float | None = None) -> bool:
        if n < self.threshold:
            return False
        if self.local_max is not None and pos is not None and pos == pos:
            return pos > self.local_max and n - pos > self.local_max
        return True

    def fits(self, n: float, pos: float | None = None) -> bool:
        """Empty (nothing to show) or shown."""
        return n == 0 or self.ok(n, pos)


class _Block:
    __slots__ = ("cells", "prefix", "n", "pos")

    def __init__(self, cells: list[int], prefix: tuple, n: float, pos: float | None) -> None:
        self.cells, self.prefix, self.n, self.pos = cells, prefix, n, pos


class _Tree:
    def __init__(self, codes: list[tuple], n: list[float], pos: list[float] | None, rule: Rule, k: int) -> None:
        self.codes, self.n, self.pos, self.rule, self.k = codes, n, pos, rule, k
        self.weight = [2.0 ** (k - 1 - j) for j in range(k)]

    def sums(self, cells: list[int]) -> tuple[float, float | None]:
        n = sum(self.n[i] for i in cells)
        return n, (sum(self.pos[i] for i in cells) if self.pos is not None else None)

    def cost(self, block: _Block, depth: int) -> float:
        """Detail lost if this block is pooled at ``depth``: units x weight of the values it loses."""
        return block.n * sum(self.weight[j] for j in range(depth, self.k) if block.prefix[j] != POOLED)

    def node(self, cells: list[int], prefix: tuple, depth: int) -> tuple[list[_Block], list[int]]:
        """Blocks under this node, and cells passed up to the parent."""
        if depth == self.k:
            n, pos = self.sums(cells)
            return [_Block(cells, prefix, n, pos)], []
        children: dict[int, list[int]] = {}
        pool: list[int] = []
        for i in cells:
            v = self.codes[i][depth]
            if v == POOLED:
                pool.append(i)
            else:
                children.setdefault(v, []).append(i)
        blocks: list[_Block] = []
        for value in sorted(children):
            child = children[value]
            n, pos = self.sums(child)
            if n == 0 or not self.rule.ok(n, pos):
                pool += child
                continue
            below, up = self.node(child, prefix + (value,), depth + 1)
            blocks += below
            pool += up
        pn, ppos = self.sums(pool)
        while pool and not self.rule.fits(pn, ppos):
            up_cost = pn * self.weight[depth - 1] if depth > 0 else np.inf
            if blocks:
                best = min(range(len(blocks)), key=lambda j: (self.cost(blocks[j], depth), j))
                if self.cost(blocks[best], depth) <= up_cost:
                    taken = blocks.pop(best)
                    pool += taken.cells
                    pn += taken.n
                    if ppos is not None:
                        ppos += taken.pos
                    continue
            if depth > 0:
                return blocks, pool  # cheaper to lose this node's value too
            break  # the root cannot be fixed: the whole population is too small
        if pool:
            blocks.append(_Block(pool, prefix + (POOLED,) * (self.k - depth), pn, ppos))
        return blocks, []


def recode(codes: np.ndarray, n: np.ndarray, rule: Rule, pos: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Recoded codes for each cell (same shape as ``codes``) and, per cell, whether its block passes
    the rule (False only where the whole population fails it, e.g. a year with 8 respondents)."""
    codes = np.asarray(codes, dtype=np.int64)
    if codes.ndim != 2:
        raise ValueError("codes must be a (cells, columns) array")
    cells, k = codes.shape
    out = np.full_like(codes, POOLED)
    ok = np.ones(cells, dtype=bool)
    if cells == 0:
        return out, ok
    tree = _Tree([tuple(r) for r in codes.tolist()], [float(x) for x in np.asarray(n).tolist()],
                 None if pos is None else [float(x) for x in np.asarray(pos).tolist()], rule, k)
    blocks, up = tree.node(list(range(cells)), (), 0)
    assert not up
    for block in blocks:
        out[block.cells] = _name_what_is_shared(block, tree.codes)
        ok[block.cells] = rule.fits(block.n, block.pos)
    return out, ok


def _name_what_is_shared(block: _Block, codes: list[tuple]) -> tuple:
    """A combined block keeps a value all its members share (a pool of one directorate's small staff
    groups is still that directorate): the block is unchanged, only its name is truer."""
    prefix = list(block.prefix)
    for j in range(len(prefix)):
        if prefix[j] != POOLED:
            continue
        values = {codes[i][j] for i in block.cells}
        if len(values) != 1 or POOLED in values:
            break
        prefix[j] = values.pop()
    return tuple(prefix)


def blocks(recoded: np.ndarray, group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Block id per cell (cells with the same recoded row, and the same ``group`` e.g. year, share
    one), and for each block its first cell: ``(block_of_cell, first_cell_of_block)``."""
    key = recoded if group is None else np.column_stack([np.asarray(group).reshape(-1, 1), recoded])
    if key.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if key.shape[1] == 0:
        return np.zeros(key.shape[0], dtype=np.int64), np.zeros(1, dtype=np.int64)
    _, first, block_of = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return block_of.reshape(-1).astype(np.int64), first.astype(np.int64)
