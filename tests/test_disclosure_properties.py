"""Property-based tests of disclosure control over random respondent sets, filters and breakdowns.

For every Results table the engine makes:
* no row that is shown has a base below the threshold, and its n is the true count;
* within a table (a total and its groups), withheld groups are never exactly one, and together
  they hold at least threshold respondents — so no withheld value can be had by subtraction;
* between a filtered table and the unfiltered one, a shown group never differs by 1 to
  threshold-1 respondents (all staff minus "all but X" would reveal X).
True counts are recomputed here independently of the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core.engine import compute
from explorer.core.filters import Eq, Not
from explorer.core.questionbank import load_bank
from explorer.core.results import ORGANISATION_GROUP
from explorer.core.surveydata import Provenance, SurveyData
from explorer.core.viewspec import ViewSpec

BANK = load_bank()
ITEM = "manager_encourages"
SCORE = "PP7_2"
SCORE_ITEMS = ("manager_encourages", "manager_clear_feedback", "manager_asks_opinion", "manager_interest_wellbeing")


@st.composite
def surveys(draw):
    n_groups = draw(st.integers(1, 5))
    # small groups (1-10) are what disclosure control is about: draw them often
    size = st.one_of(st.integers(1, 10), st.integers(11, 40), st.just(0))
    sizes = draw(st.lists(size, min_size=n_groups, max_size=n_groups))
    directorate = np.repeat([f"D{i}" for i in range(n_groups)], sizes)
    n = len(directorate)
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    site = rng.choice(["North", "South", "East"], size=n, p=draw(st.sampled_from([(0.8, 0.15, 0.05), (0.34, 0.33, 0.33)])))
    answers = {}
    for item in SCORE_ITEMS:
        codes = rng.integers(1, 6, size=n).astype(float)
        codes[rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.4]))] = np.nan
        answers[item] = pd.array(np.where(np.isnan(codes), None, codes), dtype="Int8")
    years = rng.choice([2024, 2025], size=n, p=[0.5, 0.5]) if draw(st.booleans()) else np.full(n, 2025)
    blank_dir = rng.random(n) < draw(st.sampled_from([0.0, 0.05]))
    frame = pd.DataFrame({"year": years.astype(np.int16),
                          "Directorate": pd.Categorical(np.where(blank_dir, None, directorate)),
                          "Site": pd.Categorical(site), **answers})
    return SurveyData(kind="respondents", provenance=Provenance(path="random", kind="respondents"),
                      respondents=frame, breakdowns=("Directorate", "Site"))


@st.composite
def views(draw):
    breakdown = draw(st.sampled_from([(), ("Directorate",), ("Site",), ("Directorate", "Site")]))
    flt = draw(st.sampled_from([None, Eq("Site", "North"), Not(Eq("Site", "South")), Eq("Directorate", "D0")]))
    threshold = draw(st.sampled_from([11, 15]))
    return breakdown, flt, threshold


def true_counts(frame: pd.DataFrame, mask: np.ndarray, breakdown, statistic: str) -> pd.DataFrame:
    """Respondents with a valid answer (item) or a score, by year and group, counted directly."""
    if statistic == "score":
        valid = frame[list(SCORE_ITEMS)].notna().any(axis=1).to_numpy()
    else:
        valid = frame[ITEM].notna().to_numpy()
    sub = frame[mask & valid].copy()
    cols = ["year"]
    for i, b in enumerate(breakdown, start=1):
        sub[f"g{i}"] = sub[b].astype(object).where(sub[b].notna(), "Not stated").astype(str)
        cols.append(f"g{i}")
    return sub.groupby(cols).size()


def lookup(counts: pd.Series, year: int, row) -> int:
    key = (year,) + tuple(x for x in (row["group_1"], row["group_2"]) if x)
    if len(key) == 1:
        return int(counts.loc[year].sum()) if year in counts.index.get_level_values(0) else 0
    try:
        return int(counts.loc[key])
    except KeyError:
        return 0


def check_table(results, data, mask, breakdown, threshold):
    t = results.table
    frame = data.respondents
    for statistic in ("positive", "score"):
        rows = t[t["statistic"] == statistic]
        if rows.empty:
            continue
        counts = true_counts(frame, mask, breakdown, statistic)
        all_counts = true_counts(frame, np.ones(len(frame), dtype=bool), breakdown, statistic)
        rows = rows.assign(true_n=[lookup(counts, int(r["year"]), r) for _, r in rows.iterrows()],
                           all_n=[lookup(all_counts, int(r["year"]), r) for _, r in rows.iterrows()])
        shown = rows[~rows["suppressed"]]
        # 1. nothing shown below the threshold, and n is the true count
        assert (shown["true_n"] >= threshold).all(), shown
        assert (shown["n"] == shown["true_n"]).all()
        assert shown["value"].notna().all()
        withheld = rows[rows["suppressed"]]
        assert withheld["value"].isna().all() and withheld["n"].isna().all()
        # 3. filtered vs unfiltered: the respondents left out of a shown group are 0 or >= threshold
        complement = shown["all_n"] - shown["true_n"]
        assert ((complement == 0) | (complement >= threshold)).all(), shown
        # 2. within each table, a withheld group cannot be recovered by subtraction
        # where a table's own total is withheld, nothing in it can be had by subtraction from it
        totals_shown = set(rows.loc[(rows["group"] == ORGANISATION_GROUP) & ~rows["suppressed"], "year"])
        groups = rows[(rows["group"] != ORGANISATION_GROUP) & rows["year"].isin(totals_shown)]
        if groups.empty:
            continue
        two_way = (groups["group_2"] != "").any()
        partitions = [["year", "group_1"], ["year", "group_2"]] if two_way else [["year"]]
        # a two-way cell that is the only one with respondents in its row (column) equals that
        # margin, which the one-way view shows: in the other direction it counts as known
        known = [set(), set()]
        if two_way:
            real = groups[groups["true_n"] > 0]
            for direction, keys in enumerate(partitions):
                sizes = real.groupby(keys)["true_n"].transform("size")
                known[1 - direction] = set(real.index[sizes.to_numpy() == 1])
        for direction, keys in enumerate(partitions):
            for _, members in groups[~groups.index.isin(known[direction])].groupby(keys):
                # groups the filter empties carry nothing, whether withheld or not
                gone = members[members["suppressed"] & (members["true_n"] > 0)]
                if gone.empty or len(members) < 2:
                    continue
                if len(gone) == (members["true_n"] > 0).sum():
                    continue  # everything is withheld: only the margin itself could be worked out
                # the withheld remainder (total minus shown groups) is itself a safe group
                assert len(gone) >= 2, members
                assert gone["true_n"].sum() >= threshold, members
                left_out = (gone["all_n"] - gone["true_n"]).sum()
                assert left_out == 0 or left_out >= threshold, members


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(), views())
def test_no_shown_value_is_small_or_derivable(data, view):
    breakdown, flt, threshold = view
    spec = ViewSpec(measures=(ITEM, SCORE), breakdown=breakdown, filter=flt, threshold=threshold)
    if len(data.respondents) == 0:
        return
    results = compute(data, spec, BANK)
    mask = flt.to_mask(data.respondents) if flt is not None else np.ones(len(data.respondents), dtype=bool)
    check_table(results, data, mask, breakdown, threshold)
    # the filtered table and its complement (the same question asked of everyone else)
    if flt is not None:
        other = compute(data, spec.with_(filter=Not(flt)), BANK)
        check_table(other, data, ~mask, breakdown, threshold)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=2, max_size=6), st.integers(0, 2**31 - 1))
def test_answer_distributions_are_withheld_with_their_question(sizes, seed):
    rng = np.random.default_rng(seed)
    directorate = np.repeat([f"D{i}" for i in range(len(sizes))], sizes)
    n = len(directorate)
    if n == 0:
        return
    frame = pd.DataFrame({"year": np.full(n, 2025, dtype=np.int16), "Directorate": pd.Categorical(directorate),
                          ITEM: pd.array(rng.integers(1, 6, size=n), dtype="Int8")})
    data = SurveyData(kind="respondents", provenance=Provenance(path="r", kind="respondents"), respondents=frame)
    t = compute(data, ViewSpec(measures=(ITEM,), breakdown=("Directorate",), statistics=("positive", "options")), BANK).table
    for group, rows in t.groupby("group"):
        # a group's % positive and its answer distribution are shown or withheld together
        assert rows["suppressed"].nunique() == 1, rows
        if not rows["suppressed"].iloc[0]:
            assert (rows["n"] >= 11).all()
