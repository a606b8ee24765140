"""Drivers: line-manager, team and organisation items ranked by their association (Spearman's rho)
with an outcome, for the respondents of the view. Association is not causation; the note says so.

For each item, the respondents are the view's protected blocks of those who answered *both* the
item and the outcome (a partition of its own, at least T such people in every block), so the n
shown (the pairs) and whether a row is shown are sums over whole blocks like every other figure.
(Review 5: built on the outcome's blocks alone, the pairs count was no block sum, and trying
thresholds one after another gave it exactly.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core import disclosure as D
from dataclasses import replace

from explorer.core.engine.cells import Context, View
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
        label = bank.score(outcome).name
    elif outcome in bank.items and outcome in prep.frame.columns and bank.item(outcome).recode is not None:
        item = bank.item(outcome)
        codes = prep.codes(outcome)
        y_all = np.full(prep.n, np.nan)
        for code, points in item.recode.points.items():
            y_all[codes == code] = points
        label = item.short
    else:
        raise SpecError(f"There is no outcome '{outcome}' for the driver view.")
    family = prep.family(view.family)
    context = Context(prep, replace(view, years=tuple(prep.years)))
    candidates = [i for i in bank.items.values() if i.group in ITEM_GROUPS and i.id != outcome
                  and i.id in prep.frame.columns and i.recode is not None]
    rows = []
    for item in candidates:
        codes = prep.codes(item.id)
        x_all = np.full(prep.n, np.nan)
        for code, points in item.recode.points.items():
            x_all[codes == code] = points
        # the association is worked out over whole blocks of people who answered both, each block
        # holding at least T of them: whether a row is shown, and its n, are sums over blocks
        pair = prep.pair_measure(item.id, outcome, ~np.isnan(x_all) & ~np.isnan(y_all))
        part = prep.partition(view.family, pair, view.threshold, view.local)
        mask = (context.select(part) & part.ok)[part.block_of_leaf[family.leaf_of]]
        for year in view.years:
            if not item.asked_in(year):
                continue
            here = (prep.year == year) & mask
            rho, pairs = spearman(x_all[here], y_all[here])
            withheld = pairs < view.threshold or not np.isfinite(rho)
            reason = "" if not withheld else (D.reason_small(view.threshold) if pairs < view.threshold
                                              else "no variation in the answers to work out an association")
            rows.append({"measure": item.id, "code": item.code(year), "label": item.short, "kind": "item",
                         "lens": spec.lens, "statistic": "drivers", "option": f"association with {label}",
                         "year": year, "group_1": "", "group_2": "", "breakdown": "", "group": ORGANISATION_GROUP,
                         "value": np.nan if withheld else rho, "unit": "rho", "n": np.nan if withheld else float(pairs),
                         "weighted": False, "lower_is_better": False, "_n": float(pairs), "_total": True,
                         "suppressed": withheld, "suppression_reason": reason})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["rank"] = frame.groupby("year")["value"].rank(ascending=False, method="min")
    return frame
