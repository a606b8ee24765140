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
from explorer.core.viewspec import ViewSpec

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
    assert r.empty_reason.startswith("No respondents match the filter")
    assert r.table["suppression_reason"].iloc[0] == r.empty_reason


def test_the_crash_command_from_the_issue_exits_0_with_the_reason(capsys):
    code = main(["summary", "--demo", "--measure", "harassment_colleagues", "--year", "2021", "--filter",
                 "Directorate=Estates and Facilities", "--filter", "Staff group=Medical and Dental"])
    assert code == 0 and "Nothing to show: No respondents match" in capsys.readouterr().out


def test_a_misspelt_filter_value_names_the_real_groups(demo):
    r = demo.compute(ViewSpec(lens="trust", filter=Eq("Directorate", "Medicin")))
    assert "There is no Directorate 'Medicin'" in r.empty_reason and "Medicine" in r.empty_reason
    assert r.table["suppressed"].all()


def test_a_filter_on_a_small_group_says_it_is_combined(demo):
    r = demo.compute(ViewSpec(lens="trust", filter=Eq("Directorate", "Research and Innovation")))
    assert "too few to show on their own" in r.empty_reason and r.table["value"].isna().all()


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
