"""Degenerate views are ordinary: each returns Results with one sentence on why nothing is shown,
never an exception (issue 'safe and instant numbers', point 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explorer.cli import main
from explorer.core.engine import compute
from explorer.core.filters import And, Eq, parse_filter
from explorer.core.questionbank import load_bank
from explorer.core.session import Session
from explorer.core.surveydata import Provenance, SurveyData
from explorer.core.viewspec import SpecError, ViewSpec

BANK = load_bank()


def survey(n: int, years=(2025,), answered: float = 1.0, seed: int = 0, **columns) -> SurveyData:
    rng = np.random.default_rng(seed)
    year = np.resize(np.array(years, dtype=np.int16), n)
    codes = rng.integers(1, 6, size=n).astype(float)
    codes[rng.random(n) >= answered] = np.nan
    frame = pd.DataFrame({"year": year, "manager_encourages": pd.array(np.where(np.isnan(codes), None, codes), dtype="Int8"),
                          **{c: pd.Categorical(v) for c, v in columns.items()}})
    return SurveyData(kind="respondents", provenance=Provenance(path="test", kind="respondents"), respondents=frame,
                      breakdowns=tuple(columns))


@pytest.fixture(scope="module")
def demo():
    return Session.open_demo(bank=BANK)


def test_two_filters_that_together_hold_nobody_are_an_empty_view_not_a_crash(demo):
    spec = ViewSpec(measures=("harassment_colleagues",), years=(2021,),
                    filter=And((parse_filter("Directorate=Estates and Facilities"), parse_filter("Staff group=Medical and Dental"))))
    r = demo.compute(spec)
    assert r.table["suppressed"].all() and r.table["value"].isna().all()
    assert r.empty_reason.startswith("No figures can be shown where Directorate is Estates and Facilities")
    assert r.table["suppression_reason"].iloc[0] == r.empty_reason


def test_the_crash_command_from_the_issue_exits_0_with_the_reason(capsys):
    code = main(["summary", "--demo", "--measure", "harassment_colleagues", "--year", "2021", "--filter",
                 "Directorate=Estates and Facilities", "--filter", "Staff group=Medical and Dental"])
    assert code == 0 and "Nothing to show: No figures can be shown where" in capsys.readouterr().out


@pytest.mark.parametrize("flt", [Eq("Directorate", "Medicin"), parse_filter("Directorate!=Surgey"),
                                 parse_filter("Directorate=Surgery|Surgey")])
def test_a_misspelt_filter_value_is_refused_with_the_real_groups(demo, flt):
    with pytest.raises(SpecError, match="There is no Directorate '(Medicin|Surgey)' in this file .*Medicine"):
        demo.compute(ViewSpec(lens="trust", filter=flt))


def test_nobody_and_a_few_are_told_in_the_same_words(demo):
    """Whether a combination is empty or small is itself disclosive: the sentence is the same."""
    few = demo.compute(ViewSpec(measures=("harassment_colleagues",), years=(2025,),
                                filter=And((Eq("Directorate", "Research and Innovation"), Eq("Staff group", "Healthcare Scientists")))))
    none = demo.compute(ViewSpec(measures=("harassment_colleagues",), years=(2025,),
                                 filter=And((Eq("Directorate", "Research and Innovation"), Eq("Staff group", "Medical and Dental")))))
    assert few.empty_reason.split(" in 2025")[1] == none.empty_reason.split(" in 2025")[1]
    assert few.table["value"].isna().all() and none.table["value"].isna().all()
    assert few.notes[1:] == none.notes[1:]  # and no note gives it away either
    assert list(few.table["suppression_reason"].str.split(" in 2025").str[1]) == \
        list(none.table["suppression_reason"].str.split(" in 2025").str[1])


def test_every_group_withheld_when_the_year_is_too_small():
    data = survey(8, Directorate=["A", "A", "B", "B", "C", "C", "C", "C"])
    r = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate",)), BANK)
    assert r.table["suppressed"].all() and r.table["n"].isna().all()
    assert "Fewer than 11 people responded in 2025" in r.empty_reason


def test_a_question_nobody_answered():
    data = survey(60, answered=0.0, Directorate=["A", "B"] * 30)
    r = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate",)), BANK)
    assert r.table["suppressed"].all() and "No one in this selection answered" in r.empty_reason


def test_one_year_only_says_there_is_no_change_to_show():
    data = survey(60, Directorate=["A", "B"] * 30)
    r = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate",)), BANK)
    assert not r.table["suppressed"].all() and r.empty_reason == ""
    assert r.table["change"].isna().all()
    assert any("one survey year (2025)" in n for n in r.notes)


def test_a_file_without_any_grouping_column_shows_the_organisation():
    data = survey(40, years=(2024, 2025))
    r = compute(data, ViewSpec(measures=("manager_encourages",)), BANK)
    assert list(r.table["group"]) == ["All staff", "All staff"] and not r.table["suppressed"].any()


def test_published_data_without_the_measures_is_an_empty_view(tmp_path):
    from explorer.readers import open_survey

    path = tmp_path / "c.csv"
    path.write_text("Year,QuestionNumber,QuestionText,DimName,DimValue,BaseSize,Score\n"
                    "2024,Q9a,encourages,Overall,Overall,400,0.70\n", encoding="utf-8")
    r = compute(open_survey(path), ViewSpec(lens="morale"), BANK)
    assert r.table.empty and "None of the chosen measures" in r.empty_reason


def test_drivers_are_refused_where_they_are_not_offered(demo):
    with pytest.raises(SpecError, match="trust and morale lenses only"):
        demo.compute(ViewSpec(lens="bullying", statistics=("positive", "drivers")))
    r = demo.compute(ViewSpec(lens="trust", years=(2025,), statistics=("drivers",)))
    assert r.table["suppressed"].dtype == bool and (~r.table["suppressed"]).sum() >= 9


def test_a_view_of_a_combined_group_shows_no_change(demo):
    r = demo.compute(ViewSpec(measures=("harassment_colleagues",), filter=Eq("Directorate", "Other directorates (combined)")))
    assert not r.table["suppressed"].all() and r.table["change"].isna().all()


def test_a_filtered_selection_never_says_no_answers_when_its_answers_are_only_combined_away():
    """Review 8: under the local rule Corporate x Estates and Ancillary (17 people) is combined further
    for the harassment questions; its rows said 'no answers from this group', which was untrue."""
    from explorer.core import disclosure as D
    from explorer.core.filters import And, Eq
    from explorer.core.session import Session

    s = Session.open_demo()
    flt = And((Eq("Directorate", "Corporate"), Eq("Staff group", "Estates and Ancillary")))
    r = s.compute(s.spec.with_(lens="bullying", filter=flt, local_rule=True, years=(2025,)))
    harassment = r.rows(measure="harassment_colleagues", year=2025).iloc[0]
    assert harassment["suppressed"] and harassment["suppression_reason"] == D.reason_no_answers_shown()
    assert (r.table["suppression_reason"] != D.reason_no_answers()).all()
    assert "nobody answered" not in r.empty_reason or "or too few" in r.empty_reason
