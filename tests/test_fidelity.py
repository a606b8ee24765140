"""Issue 8, item 6: figures and reasons that must be true to the file.

(a) A score whose questions are not all in the file is made from those that are (as a blank column
    would be), not withheld for the whole organisation.
(b) A group where nobody answered a question says "no answers", in no other words, and a group
    withheld for another reason is not told it has no answers.
Each with an attacker's check that no group of 1-10 can be worked out from what is shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core import disclosure as D
from explorer.core.engine import Prepared, compute
from explorer.core.questionbank import load_bank
from explorer.core.scoring import respondent_scores
from explorer.core.surveydata import Provenance, SurveyData
from explorer.core.viewspec import ViewSpec
from tests import attacker as A

BANK = load_bank()
NEGATIVE = "PP4_3"  # 'Negative experiences'
BY = ("Directorate", "Staff group")


def _data(frame: pd.DataFrame) -> SurveyData:
    for c in BY:
        frame[c] = frame[c].astype("category")
    return SurveyData(kind="respondents", provenance=Provenance(path="synthetic", kind="respondents"),
                      respondents=frame.reset_index(drop=True), breakdowns=BY)


def _survey(sizes: dict[str, int], seed: int = 3, year: int = 2025) -> pd.DataFrame:
    """One year of respondents: the Negative experiences items (q11d left out by the caller where
    wanted), violence from the public and its reporting (q13a, q13d)."""
    rng = np.random.default_rng(seed)
    directorate = np.repeat(list(sizes), list(sizes.values()))
    n = len(directorate)
    frame = pd.DataFrame({"year": np.full(n, year, dtype=np.int16), "Directorate": directorate,
                          "Staff group": rng.choice(["Nursing", "Admin", "Medical"], size=n, p=[0.5, 0.3, 0.2])})
    for item in BANK.score_items(NEGATIVE):
        top = 2 if item.startswith("health_") else 5
        codes = rng.integers(1, top + 1, size=n).astype(float)
        codes[rng.random(n) < 0.05] = np.nan
        frame[item] = pd.array(pd.Series(codes).astype("Int8"))
    violence = frame["violence_public"].to_numpy(dtype=float, na_value=np.nan)
    reported = np.where(violence > 1, rng.choice([1, 2, 3, 4], size=n), np.nan)
    frame["violence_reported"] = pd.array(pd.Series(reported).astype("Int8"))
    return frame


def _score_flags(frame: pd.DataFrame, bank=BANK) -> tuple[np.ndarray, np.ndarray]:
    """The attacker's own recount of who has a Negative experiences score (an absent question is
    answered by nobody)."""
    items = bank.score_items(NEGATIVE)
    answers = {i: frame[i] if i in frame.columns else pd.Series(np.nan, index=frame.index) for i in items}
    v = respondent_scores(answers, bank, [NEGATIVE])[NEGATIVE].to_numpy(dtype=float)
    return ~np.isnan(v), np.zeros(len(frame), dtype=bool)


def _attack(data: SurveyData, measures: tuple[str, ...], flags: dict, views) -> tuple[dict, int]:
    prep = Prepared(data, BANK)
    ledger = A.Ledger(A.finest_cells(data, list(BY)), 11)
    for by in views:
        r = compute(data, ViewSpec(measures=measures, breakdown=by), BANK, prepared=prep, audit=True)
        A.record(ledger, data, BANK, r, flags)
    return A.leaks(ledger), ledger.checked


# ------------------------------------------------------------- (a) a question not in the file
def test_a_score_with_a_question_missing_from_the_file_is_shown_for_the_whole_organisation():
    """420 respondents, q11d ('came to work despite not feeling well') not in the file: the
    organisation's Negative experiences figure was withheld ('no answers from this group') with and
    without a compare-by; it is the mean of the questions each respondent answered, exactly as with
    q11d present but blank, and a note says it is not the official score."""
    frame = _survey({"Medicine": 150, "Surgery": 120, "Corporate": 90, "Estates": 55, "Research": 5})
    without = frame.drop(columns=["health_presenteeism"])
    blank = frame.assign(health_presenteeism=pd.array([pd.NA] * len(frame), dtype="Int8"))
    for by in ((), ("Directorate",)):
        r = compute(_data(without.copy()), ViewSpec(measures=(NEGATIVE,), breakdown=by), BANK)
        same = compute(_data(blank.copy()), ViewSpec(measures=(NEGATIVE,), breakdown=by), BANK)
        total = r.rows(measure=NEGATIVE, group="All staff").iloc[0]
        assert not total["suppressed"] and total["n"] >= 400 and 0 <= total["value"] <= 10
        assert total["value"] == same.rows(measure=NEGATIVE, group="All staff").iloc[0]["value"]
        pd.testing.assert_frame_equal(r.table, same.table)
        assert any("'Came to work despite not feeling well' is not in the file" in n for n in r.notes)
        assert not any("is not in the file" in n for n in same.notes)


def test_a_score_with_a_missing_question_opens_no_hole():
    frame = _survey({"Medicine": 150, "Surgery": 120, "Corporate": 90, "Estates": 55, "Research": 5}, seed=8)
    data = _data(frame.drop(columns=["health_presenteeism"]))
    flags = {NEGATIVE: _score_flags(data.respondents)}
    found, checked = _attack(data, (NEGATIVE,), flags, [(), ("Directorate",), ("Staff group",), BY])
    assert checked > 20 and not found


# ------------------------------------------------------------- (b) a group where nobody answered
def _nobody_in_research_answered(seed: int = 4) -> pd.DataFrame:
    frame = _survey({"Medicine": 150, "Surgery": 120, "Corporate": 60, "Research and Innovation": 30}, seed=seed)
    research = (frame["Directorate"] == "Research and Innovation").to_numpy()
    frame.loc[research, "violence_reported"] = pd.NA
    return frame


def test_a_group_where_nobody_answered_says_so_and_forces_nothing():
    """Research and Innovation (30 people) with no answer to q13d: its rows said 'no answers, or too
    few to show ...; any are counted in Other directorates (combined)' though there was no such group;
    they say 'no answers from this group', and every other directorate is shown."""
    data = _data(_nobody_in_research_answered())
    r = compute(data, ViewSpec(measures=("violence_reported",), breakdown=("Directorate",),
                               statistics=("positive", "options")), BANK)
    research = r.table[r.table["group"] == "Research and Innovation"]
    assert len(research) and research["suppressed"].all()
    assert (research["suppression_reason"] == D.reason_no_answers()).all()
    others = r.table[~r.table["group"].isin(["Research and Innovation"])]
    assert not others["suppressed"].any()
    assert "Other directorates (combined)" not in set(r.table["group"])


def test_a_group_combined_to_protect_another_is_not_told_it_has_no_answers():
    """Estates with 3 answers needs a partner: the directorate combined with it has plenty of
    answers, so 'no answers, or too few' was untrue of it; the words now fit both, and the group
    where nobody answered keeps its own words."""
    frame = _nobody_in_research_answered(seed=6)
    estates = _survey({"Estates": 25}, seed=7)
    answered = np.flatnonzero(estates["violence_reported"].notna().to_numpy())
    estates.loc[answered[3:], "violence_reported"] = pd.NA
    data = _data(pd.concat([frame, estates], ignore_index=True))
    r = compute(data, ViewSpec(measures=("violence_reported",), breakdown=("Directorate",)), BANK)
    rows = r.table.set_index("group")
    assert rows.loc["Research and Innovation", "suppression_reason"] == D.reason_no_answers()
    assert rows.loc["Estates", "suppressed"]
    combined = rows[rows["suppressed"] & (rows.index != "Research and Innovation")]
    assert len(combined) >= 1
    for reason in combined["suppression_reason"]:
        assert not reason.startswith("no answers") and "pooled with a smaller group to protect it" in reason


def test_saying_no_answers_opens_no_hole():
    frame = _nobody_in_research_answered(seed=9)
    estates = _survey({"Estates": 25}, seed=10)
    answered = np.flatnonzero(estates["violence_reported"].notna().to_numpy())
    estates.loc[answered[4:], "violence_reported"] = pd.NA
    data = _data(pd.concat([frame, estates], ignore_index=True))
    flags = {"violence_reported": A.base_flags(data, BANK, "violence_reported")}
    found, checked = _attack(data, ("violence_reported",), flags, [(), ("Directorate",), ("Staff group",), BY])
    assert checked > 20 and not found
