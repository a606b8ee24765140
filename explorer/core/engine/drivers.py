"""Drivers: line-manager, team and organisation items ranked by their association (Spearman's rho)
with an outcome, for the respondents of the view. Association is not causation; the note says so.

The respondents are the view's protected blocks of the *outcome* question, so the n shown (the
outcome's answers) is a sum over whole blocks like every other figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core import disclosure as D
from dataclasses import replace

from explorer.core.engine.cells import Context, View
from explorer.core.engine.measures import MeasureDef
from explorer.core.engine.prepared import Prepared
from explorer.core.results import ORGANISATION_GROUP
from explorer.core.stats import spearman
from explorer.core.viewspec import SpecError, ViewSpec

LENSES = ("trust", "morale")
ITEM_GROUPS = ("line_manager", "your_team", "people_in_org")
CAVEAT = ("Association is not causation: items that move with the outcome may share causes with it, "
          "and changing them will not necessarily change it.")


def drivers(prep: Prepared, spec: ViewSpec, view: View) -> pd.DataFrame:
    bank = prep.bank
    outcome = spec.driver_outcome
    if outcome in bank.scores:
        valid, values = prep.score_parts(outcome)
        y_all = np.where(valid, values, np.nan)
        label, kind = bank.score(outcome).name, "score"
    elif outcome in bank.items and outcome in prep.frame.columns and bank.item(outcome).recode is not None:
        item = bank.item(outcome)
        codes = prep.codes(outcome)
        y_all = np.full(prep.n, np.nan)
        for code, points in item.recode.points.items():
            y_all[codes == code] = points
        label, kind = item.short, "item"
    else:
        raise SpecError(f"There is no outcome '{outcome}' for the driver view.")
    m = MeasureDef(outcome, kind, label, spec.lens or "", False, "score")
    family = prep.family(view.family)
    part = prep.partition(view.family, m, view.threshold, view.local)
    selected = Context(prep, replace(view, years=tuple(prep.years))).select(part) & part.ok
    mask = selected[part.block_of_leaf[family.leaf_of]]
    candidates = [i for i in bank.items.values() if i.group in ITEM_GROUPS and i.id != outcome
                  and i.id in prep.frame.columns and i.recode is not None]
    rows = []
    for year in view.years:
        here = (prep.year == year) & mask
        y = y_all[here]
        n_outcome = float(np.sum(~np.isnan(y)))
        for item in candidates:
            if not item.asked_in(year):
                continue
            codes = prep.codes(item.id)[here]
            x = np.full(len(codes), np.nan)
            for code, points in item.recode.points.items():
                x[codes == code] = points
            rho, pairs = spearman(x, y)
            withheld = n_outcome < view.threshold or pairs < view.threshold
            rows.append({"measure": item.id, "code": item.code(year), "label": item.short, "kind": "item",
                         "lens": spec.lens, "statistic": "drivers", "option": f"association with {label}",
                         "year": year, "group_1": "", "group_2": "", "breakdown": "", "group": ORGANISATION_GROUP,
                         "value": np.nan if withheld else rho, "unit": "rho", "n": np.nan if withheld else n_outcome,
                         "weighted": False, "lower_is_better": False, "_n": n_outcome, "_total": True,
                         "suppressed": withheld,
                         "suppression_reason": D.reason_small(view.threshold) if withheld else ""})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["rank"] = frame.groupby("year")["value"].rank(ascending=False, method="min")
    return frame
