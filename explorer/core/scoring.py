"""Respondent-level building blocks of the official measures (vectorised, Qt-free).

* :func:`positive_flags` — for one item, 1.0 where a respondent's answer counts as "positive" under the
  official rule, 0.0 where it counts in the base but is not positive, NaN where it is out of the base
  (missing, 99, or an excluded code such as Don't know / Not applicable).
* :func:`recode_points` — the item's 0-10 points per respondent (NaN where excluded).
* :func:`respondent_scores` — People Promise sub-scores, elements and themes per respondent, built as
  the domain reference describes (sub-score = mean of answered items; element/theme = mean of the
  respondent's sub-scores). Those rules are [V] and are read from :mod:`explorer.core.unverified`.

Group figures (means, shares, weighting, n) are made from these by the engine, in one place.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from explorer.core.questionbank import PositiveRule, QuestionBank
from explorer.core.unverified import Recode


def _as_float(codes: pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(codes, pd.Series):
        return codes.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(codes, dtype=float)


def positive_flags(codes: pd.Series | np.ndarray, rule: PositiveRule, valid_codes: Iterable[int]) -> np.ndarray:
    """1.0 positive / 0.0 in base, not positive / NaN out of base, for each respondent.

    ``valid_codes`` are the codes of the item's scale in that year: anything else (99, a stray 7) is
    out of the base, as is every code in ``rule.exclude``.
    """
    values = _as_float(codes)
    in_base = np.isin(values, [c for c in valid_codes if c not in rule.exclude])
    out = np.where(np.isin(values, list(rule.positive)), 1.0, 0.0)
    out[~in_base] = np.nan
    return out


def recode_points(codes: pd.Series | np.ndarray, recode: Recode) -> np.ndarray:
    """0-10 points per respondent; NaN where the code is not scored (Don't know, N/A, missing)."""
    values = _as_float(codes)
    out = np.full(values.shape, np.nan)
    for code, points in recode.points.items():
        out[values == code] = points
    return out


def _row_mean(columns: list[np.ndarray], min_count: int) -> np.ndarray:
    if not columns:
        raise ValueError("a score needs at least one item or part")
    stacked = np.column_stack(columns)
    counts = np.sum(~np.isnan(stacked), axis=1)
    sums = np.nansum(stacked, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    mean[counts < min_count] = np.nan
    return mean


def respondent_scores(
    answers: Mapping[str, pd.Series | np.ndarray],
    bank: QuestionBank,
    score_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each respondent's 0-10 score for every requested score (default: all the bank defines).

    ``answers`` maps item id -> that item's answer codes for the respondents (all the same length).
    A score whose items are not all present in ``answers`` is not computed (it is not in the output).
    """
    min_items = int(bank.unverified.scoring.get("min_items_answered", 1))
    wanted = list(score_ids) if score_ids is not None else list(bank.scores)
    points_cache: dict[str, np.ndarray] = {}
    result: dict[str, np.ndarray] = {}

    def item_points(item_id: str) -> np.ndarray:
        if item_id not in points_cache:
            item = bank.item(item_id)
            points_cache[item_id] = recode_points(answers[item_id], item.recode)
        return points_cache[item_id]

    def compute(score_id: str) -> np.ndarray | None:
        if score_id in result:
            return result[score_id]
        score = bank.score(score_id)
        if score.items:
            if not all(i in answers for i in score.items):
                return None
            values = _row_mean([item_points(i) for i in score.items], min_items)
        else:
            parts = [compute(p) for p in score.parts]
            if any(p is None for p in parts):
                return None
            values = _row_mean(parts, 1)
        result[score_id] = values
        return values

    for sid in wanted:
        compute(sid)
    index = next((a.index for a in answers.values() if isinstance(a, pd.Series)), None)
    return pd.DataFrame({sid: result[sid] for sid in wanted if sid in result}, index=index)
