"""Issue 8, item 6: figures and reasons that must be true to the file.

(a) A score whose questions are not all in the file is made from those that are (as a blank column
    would be), not withheld for the whole organisation.
(b) A group where nobody answered a question says "no answers", in no other words, and a group
    withheld for another reason is not told it has no answers.
(c) A group with no answers inside a question's % base but a few outside it (Don't know, Not
    applicable) is protected like any small group: its answer distribution was shown on those few.
Each with an attacker's check that no group of 1-10 can be worked out from what is shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explorer.core import disclosure as D
from explorer.core.disclosure import families as F
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


# ------------------------------------------------------------- (c) answers outside the % base
REPORTED = "harassment_reported"  # q14d: Don't know (4) and Not applicable (9) leave the % base
VIEWS = [(), ("Directorate",), ("Staff group",), BY]


def _few_answers_outside_the_base(where: str, seed: int = 11) -> pd.DataFrame:
    """Research and Innovation: ``"directorate"`` — 30 people, five answered q14d, each Don't know or
    Not applicable, the rest left it blank; ``"cell"`` — its 25 nurses answered on the scale, its 15
    doctors four times, all Don't know. Those few answers were shown as an answer distribution."""
    frame = _survey({"Medicine": 150, "Surgery": 120, "Corporate": 60, "Research and Innovation": 40 if where == "cell" else 30},
                    seed=seed)
    rng = np.random.default_rng(seed + 1)  # not _survey's draws again (they chose the staff groups)
    codes = np.where(rng.random(len(frame)) < 0.7, rng.choice([1, 2, 3, 4, 9], size=len(frame)), np.nan)
    for _, rows in frame.groupby("Directorate").groups.items():  # no directorate lent to protect another
        frame.loc[rows, "Staff group"] = np.resize(["Nursing", "Nursing", "Admin", "Medical"], len(rows))
    research = np.flatnonzero((frame["Directorate"] == "Research and Innovation").to_numpy())
    codes[research] = np.nan
    if where == "directorate":
        codes[research[:5]] = [4, 9, 4, 4, 9]
    else:
        frame.loc[research, "Staff group"] = ["Nursing"] * 25 + ["Medical"] * 15
        codes[research[:25]] = rng.choice([1, 2, 3], size=25)
        codes[research[25:29]] = 4
    frame[REPORTED] = pd.array(pd.Series(codes).astype("Int8"))
    return frame


def _answered(data: SurveyData, measure: str) -> np.ndarray:
    """The attacker's recount of who gave any answer on the question's scale (its distribution's base)."""
    frame = data.respondents
    year = frame["year"].to_numpy()
    codes = frame[measure].to_numpy(dtype=float, na_value=np.nan)
    out = np.zeros(len(frame), dtype=bool)
    for y in np.unique(year):
        rows = year == y
        out[rows] = np.isin(codes[rows], BANK.item(measure).scale(int(y)).codes)
    return out


def _record_options(ledger: A.Ledger, data: SurveyData, results, answered: dict[str, np.ndarray]) -> None:
    """Add a Results' shown answer distributions to the ledger: each row's n and share are checked
    against a recount of its members' answers (Don't know and Not applicable counted), and its figure
    is the set of finest cells those answers come from, kept apart from the % base's (other answers)."""
    frame, table, members = data.respondents, results.table, results.extra["members"]
    year = frame["year"].to_numpy()
    for i, row in enumerate(table.itertuples(index=False)):
        if row.suppressed or row.statistic != "options" or members[i] is None:
            continue
        who = members[i][answered[row.measure][members[i]]]
        assert len(who) == row.n, (row.year, row.group, len(who), row.n)
        code = next(o.code for o in BANK.item(row.measure).scale(int(row.year)).options if o.label == row.option)
        chose = (frame[row.measure].to_numpy(dtype=float, na_value=np.nan)[who] == code).sum()
        assert abs(100.0 * chose / len(who) - row.value) < 1e-6, (row.group, row.option)
        key = (int(row.year), f"{row.measure} options")
        if key not in ledger.weights:
            ledger.weights[key] = np.bincount(ledger.cells[(year == row.year) & answered[row.measure]],
                                              minlength=ledger.size)
        mine = np.bincount(ledger.cells[who], minlength=ledger.size)
        assert not ((mine > 0) & (mine != ledger.weights[key])).any(), f"a distribution splits a cell: {row.group}"
        ledger.figures.setdefault(key, set()).add(np.packbits(mine > 0).tobytes())
        ledger.checked += 1


def _attack_every_statistic(data: SurveyData, prep: Prepared | None = None) -> tuple[dict, int]:
    """% positive, mean and answer distribution of q14d in every view: the attacker's small groups."""
    prep = prep or Prepared(data, BANK)
    ledger = A.Ledger(A.finest_cells(data, list(BY)), 11)
    flags = {REPORTED: A.base_flags(data, BANK, REPORTED)}
    answered = {REPORTED: _answered(data, REPORTED)}
    for by in VIEWS:
        r = compute(data, ViewSpec(measures=(REPORTED,), breakdown=by, statistics=("positive", "options", "mean")),
                    BANK, prepared=prep, audit=True)
        A.record(ledger, data, BANK, r, flags)
        _record_options(ledger, data, r, answered)
    return A.leaks(ledger), ledger.checked


@pytest.mark.parametrize("where", ["directorate", "cell"])
def test_a_few_answers_outside_the_base_are_not_shown_as_a_distribution(where):
    """Every figure shown rests on at least 11 answers counted in its own n (the distribution's n
    counts Don't know and Not applicable): Research and Innovation's five (or its doctors' four)
    answers were shown as 60% Don't know, 40% Not applicable on n=5. The group is now combined like
    any small one, and its rows say so, not that it gave no answers."""
    data = _data(_few_answers_outside_the_base(where))
    answered = _answered(data, REPORTED)
    group = "Research and Innovation" if where == "directorate" else "Research and Innovation / Medical"
    for by in VIEWS:
        r = compute(data, ViewSpec(measures=(REPORTED,), breakdown=by, statistics=("positive", "options", "mean")),
                    BANK, audit=True)
        t, members = r.table, r.extra["members"]
        shown = ~t["suppressed"].to_numpy()
        assert shown.sum() >= 8 and (t.loc[shown, "n"] >= 11).all(), t.loc[shown & (t["n"] < 11), ["group", "n"]]
        for i in np.flatnonzero(shown & (t["statistic"] == "options").to_numpy()):
            assert answered[members[i]].sum() == t.iloc[i]["n"]  # the n is every answer the shares count
        if by == (("Directorate",) if where == "directorate" else BY):
            mine = t[t["group"] == group]
            assert len(mine) and mine["suppressed"].all() and set(mine["statistic"]) == {"positive", "options", "mean"}
            assert not mine["suppression_reason"].str.startswith("no answers").any()
            assert (mine["suppression_reason"].str.contains("pooled with a smaller group to protect it")).all()


@pytest.mark.parametrize("where", ["directorate", "cell"])
def test_a_few_answers_outside_the_base_cannot_be_worked_out(where):
    found, checked = _attack_every_statistic(_data(_few_answers_outside_the_base(where, seed=12)))
    assert checked > 40 and not found, {k: [int(v.sum()) for v in vs] for k, vs in found.items()}


def test_the_attacker_catches_groups_pooled_on_the_percent_base_only(monkeypatch):
    """The control for the test above: partitions that count only the answers inside the % base (as
    before the fix) let the attacker work out the few Don't know / Not applicable answers."""
    monkeypatch.setattr(Prepared, "counted", lambda self, m: list(self.units(m).values()))
    found, _ = _attack_every_statistic(_data(_few_answers_outside_the_base("cell", seed=12)))
    assert any(key[1].endswith("options") for key in found)


def test_every_count_of_a_question_is_met_on_its_own():
    """D.coarsen with several per-leaf counts (in the % base, answered at all): every block holds
    none or at least the threshold of each, and a year too small in one of them shows nothing."""
    data = _data(_few_answers_outside_the_base("cell", seed=13))
    family = F.build(D.ORGANISATION, data.respondents, list(BY), 11)
    size = len(family.leaf_year)
    base = np.bincount(family.leaf_of, weights=A.base_flags(data, BANK, REPORTED)[0], minlength=size)
    anyone = np.bincount(family.leaf_of, weights=_answered(data, REPORTED), minlength=size)
    assert (((base == 0) & (anyone > 0)) | ((anyone > 0) & (anyone < 11))).any()  # a leaf to protect
    part = D.coarsen(family, np.column_stack([base, anyone]), D.rule(11))
    for count in (base, anyone):
        per_block = np.bincount(part.block_of_leaf, weights=count, minlength=part.size)
        assert ((per_block == 0) | (per_block >= 11)).all(), per_block
    assert part.ok.all() and part.coarsened
    tiny = np.where(np.arange(size) == int(np.argmax(base)), 5.0, 0.0)  # five answers in the whole year
    assert not D.coarsen(family, np.column_stack([tiny, anyone]), D.rule(11)).ok.any()
