"""Compare-by groups as numbers and back, and the sums over them: helpers of :mod:`explorer.core.engine.cells`."""

from __future__ import annotations

import numpy as np

from explorer.core.disclosure.families import BlockIndex


def _attach_audit(prep, family, part, chunks: list[dict], blocks: list[np.ndarray], statistic: str) -> None:
    """Audit mode: each row's respondents (all of them in the row's blocks), for tests that check
    every figure from outside the engine."""
    of = part.block_of_leaf[family.leaf_of]
    by_block = np.argsort(of, kind="stable")
    starts = np.searchsorted(of[by_block], np.arange(part.size + 1))
    members = [np.sort(np.concatenate([by_block[starts[x]: starts[x + 1]] for x in b])) if len(b) else b for b in blocks]
    at = 0
    for chunk in chunks:
        count = len(chunk["year"])
        if statistic == "options":  # one row per option: repeat each group's members
            per = count // max(1, len({*zip(chunk["year"].tolist(), chunk["group"].tolist())}))
            rows = [members[at + i // per] for i in range(count)]
            at += count // per
        else:
            rows = members[at: at + count]
            at += count
        chunk["audit"] = np.array(rows + [None], dtype=object)[:-1]


def _labels(codes: np.ndarray, breakdown: tuple[str, ...], index: BlockIndex) -> dict[str, np.ndarray]:
    names1 = np.array(index.names[breakdown[0]], dtype=object)
    g1 = names1[codes[:, 0]]
    pooled1 = codes[:, 0] == len(names1) - 1
    if len(breakdown) > 1:
        names2 = np.array(index.names[breakdown[1]], dtype=object)
        g2 = names2[codes[:, 1]]
        pooled2 = codes[:, 1] == len(names2) - 1
        joined = np.array([f"{a} / {b}" for a, b in zip(g1.tolist(), g2.tolist())], dtype=object)
        group = np.where(pooled1 & pooled2, g1, joined)
        second = codes[:, 1]
    else:
        g2 = np.full(len(codes), "", dtype=object)
        pooled2 = np.zeros(len(codes), dtype=bool)
        group, second = g1, np.full(len(codes), -1)
    return {"group": group, "group_1": g1, "group_2": g2, "_g1": codes[:, 0], "_g2": second,
            "_total": np.zeros(len(codes), dtype=bool), "_pooled": pooled1 | pooled2}


def _group_sums(values: np.ndarray, inverse: np.ndarray, size: int) -> np.ndarray:
    """Sums of ``values`` (rows) per group id in ``inverse``, for ``size`` groups."""
    if values.ndim == 1:
        return np.bincount(inverse, weights=values, minlength=size)
    out = np.zeros((size, values.shape[1]))
    np.add.at(out, inverse, values)
    return out


def _decode(keys: np.ndarray, breakdown: tuple[str, ...], index: BlockIndex) -> np.ndarray:
    """Group keys back to category codes, one column per compare-by column."""
    keys = np.asarray(keys, dtype=np.int64)
    out = np.zeros((len(keys), len(breakdown)), dtype=np.int64)
    for j in range(len(breakdown) - 1, -1, -1):
        keys, out[:, j] = np.divmod(keys, len(index.names[breakdown[j]]) + 1)
    return out


def _key_of(codes: tuple, breakdown: tuple[str, ...], index: BlockIndex) -> int:
    """The compare-by key (:meth:`Context.key`) of a group given by its category codes."""
    key = 0
    for code, column in zip(codes, breakdown):
        key = key * (len(index.names[column]) + 1) + int(code)
    return key
