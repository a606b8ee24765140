"""Recognise the columns of a respondent-level table: questions, breakdowns, weight, local questions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from explorer.core.questionbank import QuestionBank, normalise_code
from explorer.core.surveydata import LOCAL_PREFIX

ID_NAMES = re.compile(r"^(respondent|resp|case|record|unique)?[ _]?(id|no|number|ref)$", re.IGNORECASE)
WEIGHT_NAMES = re.compile(r"^(weight|wt|weighting|design[ _]?weight)$", re.IGNORECASE)


@dataclass
class ColumnPlan:
    """What each column of one year's table holds."""

    questions: dict[str, str] = field(default_factory=dict)  # column -> item id (or item id_option)
    how: dict[str, str] = field(default_factory=dict)  # column -> "code" | "wording" | "mapping"
    breakdowns: list[str] = field(default_factory=list)
    local: dict[str, str] = field(default_factory=dict)  # column -> local:<n>
    weight: str | None = None
    ignored: list[str] = field(default_factory=list)


def classify_by_code(columns: list[str], year: int, bank: QuestionBank) -> ColumnPlan:
    """Questions named by their code in ``year`` (``q9a``, ``Q9A``, ``9a``, ``q16c_3``), weight and id columns.

    Everything else is left for the caller (breakdowns, local questions, wording matches).
    """
    plan = ColumnPlan()
    grounds = bank.item("discrimination_grounds")
    for col in columns:
        name = str(col).strip()
        code = normalise_code(name)
        if code and "_" in code:
            base, option = code.split("_", 1)
            if grounds.asked_in(year) and base == grounds.code(year) and grounds.scale(year).option(int(option)):
                plan.questions[col] = f"{grounds.id}_{int(option)}"
                plan.how[col] = "code"
                continue
        item = bank.by_code(year, code) if code else None
        if item is not None and item.id != grounds.id:
            plan.questions[col] = item.id
            plan.how[col] = "code"
        elif WEIGHT_NAMES.match(name) and plan.weight is None:
            plan.weight = col
        elif ID_NAMES.match(name):
            plan.ignored.append(col)
    return plan


def next_local_id(existing: set[str]) -> str:
    n = 1
    while f"{LOCAL_PREFIX}{n}" in existing:
        n += 1
    return f"{LOCAL_PREFIX}{n}"
