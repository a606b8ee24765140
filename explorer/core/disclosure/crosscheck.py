"""Can figures made from two different partitions of the same people be combined to single out a
small group? A sufficient test that is exact in what it certifies.

Setting: partition A (say the organisation's blocks) and partition B (people's blocks), every block
with at least T units (respondents, or answers to one question). Figures are shown for unions of
A-blocks and for unions of B-blocks. A group can be worked out exactly when its indicator is a linear
combination of shown figures. For two partitions these combinations, restricted to 0/1 vectors, are
exactly ``1_U - 1_V`` where U is a union of A-blocks, V a union of B-blocks and V lies inside U (and
sums of such with disjoint supports). Its weight, ``|U| - |V|``, is the total of the edges between
U's A-blocks and the B-blocks outside V in the bipartite graph whose edge (a, b) weighs |a ∩ b| —
an edge cut of that graph. So: **if no cut of weight 1..T-1 exists, no group of fewer than T can
be isolated.**

Test: contract every pair of super-nodes joined by weight >= T (no cut under T can separate them);
then, in each connected component, try every split of the super-nodes left (up to
``MAX_ENUMERATED``): when none weighs 1..T-1, every cut is 0 or >= T: certified. If not, the caller
coarsens partition B and tries again (a single-block B always passes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_ENUMERATED = 14


def _roots(parent: np.ndarray) -> np.ndarray:
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up


def separable_edges(ea: np.ndarray, eb: np.ndarray, ew: np.ndarray, na: int, nb: int, threshold: float) -> bool:
    """Edges (A-block, B-block, weight > 0) of the overlap graph; True when certified separable."""
    u = np.asarray(ea, dtype=np.int64)
    v = np.asarray(eb, dtype=np.int64) + na
    w = np.asarray(ew, dtype=float)
    parent = np.arange(na + nb, dtype=np.int64)
    while True:
        parent = _roots(parent)
        ru, rv = parent[u], parent[v]
        between = ru != rv
        if not between.any():
            return True
        lo = np.minimum(ru[between], rv[between])
        hi = np.maximum(ru[between], rv[between])
        pairs, inverse = np.unique(lo * (na + nb) + hi, return_inverse=True)
        sums = np.bincount(inverse.reshape(-1), weights=w[between])
        heavy = pairs[sums >= threshold]
        if len(heavy) == 0:
            return _no_light_cut(pairs // (na + nb), pairs % (na + nb), sums, threshold)
        for key in heavy.tolist():  # union-find over the heavy pairs
            a, b = divmod(key, na + nb)
            ra, rb = a, b
            while parent[ra] != ra:
                ra = parent[ra]
            while parent[rb] != rb:
                rb = parent[rb]
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)


def separable_units(block_a: np.ndarray, block_b: np.ndarray, weight: np.ndarray, threshold: float) -> bool:
    """As :func:`separable_edges`, from each unit's block in A and in B and its weight (0 = absent)."""
    keep = np.asarray(weight) > 0
    a = np.asarray(block_a, dtype=np.int64)[keep]
    b = np.asarray(block_b, dtype=np.int64)[keep]
    if len(a) == 0:
        return True
    na, nb = int(a.max()) + 1, int(b.max()) + 1
    inverse, key = pd.factorize(a * nb + b)
    w = np.bincount(inverse, weights=np.asarray(weight, dtype=float)[keep])
    key = np.asarray(key, dtype=np.int64)
    return separable_edges(key // nb, key % nb, w, na, nb, threshold)


def _no_light_cut(lo: np.ndarray, hi: np.ndarray, w: np.ndarray, threshold: float) -> bool:
    """Exact check on the contracted graph (edges between super-nodes): no split of any connected
    component's super-nodes crosses weight 1..threshold-1."""
    nodes = np.unique(np.concatenate([lo, hi]))
    index = {int(n): i for i, n in enumerate(nodes)}
    k = len(nodes)
    adj = np.zeros((k, k))
    for a, b, x in zip(lo.tolist(), hi.tolist(), w.tolist()):
        adj[index[a], index[b]] += x
        adj[index[b], index[a]] += x
    seen = np.zeros(k, dtype=bool)
    for start in range(k):
        if seen[start]:
            continue
        component, stack = [], [start]
        seen[start] = True
        while stack:
            i = stack.pop()
            component.append(i)
            for j in np.flatnonzero(adj[i] > 0):
                if not seen[j]:
                    seen[j] = True
                    stack.append(int(j))
        if len(component) > MAX_ENUMERATED:
            return False
        sub = adj[np.ix_(component, component)]
        size = len(component)
        for mask in range(1, 2 ** (size - 1)):
            side = np.array([(mask >> i) & 1 for i in range(size)], dtype=bool)
            if sub[np.ix_(side, ~side)].sum() < threshold:
                return False
    return True
