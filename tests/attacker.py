"""An attacker with every figure the program shows, exact linear algebra, and the raw data to check.

For each survey year and question it builds each shown figure's base (the respondents who answered,
as the row's audit lists them) as a vector over the *finest cells* (every combination of the
columns the attack uses), checks the figure's n and % positive against an independent recount,
then finds every 0/1 vector in the span of the shown figures whose weight is 1..threshold-1: each
one is a group whose size (and figures) could be worked out exactly. Complete for groups that are
unions of finest cells (no shown figure splits a cell, which is also checked).

Arithmetic is over GF(p) for a large prime p: a group in the span over the rationals is in it mod p
(a miss would need p to divide a determinant of a 0/1 matrix of this size); every group found is
then confirmed over the reals, so a reported leak is never a modular artefact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer.core.questionbank import QuestionBank
from explorer.core.scoring import positive_flags, respondent_scores

PRIME = 2_147_483_647
MAX_COMPONENT = 22


def _rref(matrix: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form mod PRIME and its pivot columns."""
    m = matrix.astype(np.int64) % PRIME
    rows, cols = m.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        nz = np.flatnonzero(m[r:, c])
        if not len(nz):
            continue
        p = r + nz[0]
        if p != r:
            m[[r, p]] = m[[p, r]]
        m[r] = (m[r] * pow(int(m[r, c]), PRIME - 2, PRIME)) % PRIME
        others = np.flatnonzero(m[:, c])
        others = others[others != r]
        if len(others):
            m[others] = (m[others] - np.outer(m[others, c], m[r]) % PRIME) % PRIME
        pivots.append(c)
        r += 1
    return m[:r], pivots


def small_groups(figures: np.ndarray, weight: np.ndarray, threshold: int, first: bool = False) -> list[np.ndarray]:
    """Every minimal 0/1 vector (over cells) in the row span of ``figures`` with weight in
    [1, threshold-1]; ``weight`` is each cell's count (cells with 0 are left out before)."""
    if figures.size == 0:
        return []
    big = weight >= threshold
    order = np.concatenate([np.flatnonzero(big), np.flatnonzero(~big)])
    reduced, pivots = _rref(np.unique(figures, axis=0)[:, order])
    n_big = int(big.sum())
    basis = reduced[[i for i, p in enumerate(pivots) if p >= n_big]][:, n_big:]  # span vectors zero on big cells
    small_weight = weight[order][n_big:]
    found = []
    if first:  # a quick look at each basis vector before the full search
        for x in basis:
            if np.isin(x, (0, 1)).all() and 0 < small_weight[x == 1].sum() < threshold:
                vector = np.zeros(len(weight), dtype=np.int64)
                vector[order[n_big:][x == 1]] = 1
                if _in_real_span(figures, vector):
                    return [vector]
    for component in _components(basis):
        rows = basis[component]
        if len(component) > MAX_COMPONENT:
            raise AssertionError(f"span too rich to enumerate ({len(component)} dimensions)")
        for mask in range(1, 2 ** len(component)):
            coef = np.array([(mask >> i) & 1 for i in range(len(component))], dtype=np.int64)
            x = (coef @ rows) % PRIME
            if not np.isin(x, (0, 1)).all():
                continue
            w = small_weight[x == 1].sum()
            if 0 < w < threshold:
                vector = np.zeros(len(weight), dtype=np.int64)
                vector[order[n_big:][x == 1]] = 1
                if _in_real_span(figures, vector):
                    found.append(vector)
                    if first:
                        return found
    return found


def _components(basis: np.ndarray) -> list[list[int]]:
    """Groups of basis rows that share cells (0/1 vectors split along them)."""
    n = len(basis)
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    support = basis != 0
    for a in range(n):
        for b in range(a + 1, n):
            if (support[a] & support[b]).any():
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _in_real_span(figures: np.ndarray, vector: np.ndarray) -> bool:
    coef, *_ = np.linalg.lstsq(figures.T.astype(float), vector.astype(float), rcond=None)
    return bool(np.allclose(figures.T @ coef, vector, atol=1e-6))


@dataclass
class Ledger:
    """Every shown figure, per (year, measure): the row's answer base per finest cell."""

    cells: np.ndarray  # per respondent: finest cell id
    threshold: int
    figures: dict[tuple, set[bytes]] = field(default_factory=dict)
    weights: dict[tuple, np.ndarray] = field(default_factory=dict)
    checked: int = 0

    def __post_init__(self) -> None:
        self.cells = np.asarray(self.cells)
        self.size = int(self.cells.max()) + 1 if len(self.cells) else 0


def base_flags(data, bank: QuestionBank, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """(in the % positive / score base, positive) per respondent, recomputed from the raw codes."""
    frame = data.respondents
    if measure in bank.scores:
        items = bank.score_items(measure)
        scores = respondent_scores({i: frame[i] for i in items if i in frame.columns}, bank, [measure])
        v = scores[measure].to_numpy(dtype=float, copy=True) if measure in scores else np.full(len(frame), np.nan)
        v[~frame["year"].isin(bank.score_years(measure)).to_numpy()] = np.nan
        return ~np.isnan(v), np.zeros(len(frame), dtype=bool)
    item = bank.item(measure)
    base = np.zeros(len(frame), dtype=bool)
    pos = np.zeros(len(frame), dtype=bool)
    year = frame["year"].to_numpy()
    for y in np.unique(year):
        if not item.asked_in(int(y)):
            continue
        rows = year == y
        flags = positive_flags(frame.loc[rows, measure], item.positive, item.scale(int(y)).codes)
        base[rows] = ~np.isnan(flags)
        pos[rows] = flags == 1
    return base, pos


def record(ledger: Ledger, data, bank: QuestionBank, results, flags: dict) -> None:
    """Add a Results' shown figures (positive and score rows) to the ledger, checking each."""
    table = results.table
    members = results.extra["members"]
    year = data.respondents["year"].to_numpy()
    cells = ledger.cells
    for i, row in enumerate(table.itertuples(index=False)):
        if row.suppressed or row.statistic not in ("positive", "score") or members[i] is None:
            continue
        base, pos = flags[row.measure]
        who = members[i]
        assert (year[who] == row.year).all(), "a figure mixes years"
        answered = who[base[who]]
        assert len(answered) == row.n, (row.measure, row.year, row.group, len(answered), row.n)
        if row.statistic == "positive":
            assert abs(100.0 * pos[answered].mean() - row.value) < 1e-6, (row.measure, row.group)
        key = (int(row.year), row.measure)
        if key not in ledger.weights:
            ledger.weights[key] = np.bincount(cells[(year == row.year) & base], minlength=ledger.size)
        everyone = ledger.weights[key]
        mine = np.bincount(cells[answered], minlength=ledger.size)
        part = (mine > 0) & (mine != everyone)
        assert not part.any(), f"a figure splits a finest cell: {row.measure} {row.year} {row.group}"
        ledger.figures.setdefault(key, set()).add(np.packbits(mine > 0).tobytes())
        ledger.checked += 1
    # the number of respondents in the view's selection, per year, is a figure too
    for y, n in results.extra.get("respondents", {}).items():
        if not n:
            continue
        who = results.extra["respondent_members"][y]
        assert len(who) == n and (year[who] == y).all(), ("respondents", y, len(who), n)
        key = (int(y), "_respondents")
        if key not in ledger.weights:
            ledger.weights[key] = np.bincount(cells[year == y], minlength=ledger.size)
        mine = np.bincount(cells[who], minlength=ledger.size)
        assert not ((mine > 0) & (mine != ledger.weights[key])).any(), "the respondent count splits a finest cell"
        ledger.figures.setdefault(key, set()).add(np.packbits(mine > 0).tobytes())
        ledger.checked += 1


def leaks(ledger: Ledger, first: bool = False) -> dict[tuple, list[np.ndarray]]:
    """Per (year, measure), the small groups an attacker can work out exactly (``first``: stop at
    the first one found, to show that a broken rule is caught)."""
    out = {}
    for key, rows in ledger.figures.items():
        weight = ledger.weights[key]
        used = weight > 0
        unpacked = [np.unpackbits(np.frombuffer(r, dtype=np.uint8))[: ledger.size] for r in rows]
        figures = np.array(unpacked, dtype=np.int64)[:, used]
        found = small_groups(figures, weight[used], ledger.threshold, first)
        if found:
            out[key] = found
            if first:
                return out
    return out


def finest_cells(data, columns: list[str]) -> pd.Series:
    frame = data.respondents
    key = frame["year"].astype(str)
    for c in columns:
        key = key + "|" + frame[c].astype("string").fillna("<blank>").astype(str)
    return pd.factorize(key)[0]
