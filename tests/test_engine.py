"""The engine on small hand-computed data: every % positive and 0-10 rule family, weighting,
comparability, the tests against textbook values, comparators and the command line."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from explorer.cli import main
from explorer.core.engine import compute
from explorer.core.filters import And, Eq, Filter, In, Not, Or, parse_filter
from explorer.core.questionbank import load_bank
from explorer.core.stats import spearman, t_two_sided, two_proportion_z, welch_t
from explorer.core.surveydata import Provenance, SurveyData
from explorer.core.viewspec import SpecError, ViewSpec

BANK = load_bank()


def dataset(columns: dict, year=2024, **extra) -> SurveyData:
    """Respondent data from plain lists: item ids -> codes (None = no answer)."""
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"year": np.full(n, year, dtype=np.int16)})
    for col, values in columns.items():
        if col in BANK.items or col.startswith("local:"):
            frame[col] = pd.array(values, dtype="Int8")
        elif col == "weight":
            frame[col] = np.asarray(values, dtype=float)
        else:
            frame[col] = pd.Categorical(values)
    for col, values in extra.items():
        frame[col] = values
    breakdowns = tuple(c for c in columns if c not in BANK.items and c != "weight" and not c.startswith("local:"))
    return SurveyData(kind="respondents", provenance=Provenance(path="test", kind="respondents"),
                      respondents=frame, breakdowns=breakdowns)


def value(results, measure, group="All staff", year=None, statistic=None, option=""):
    t = results.table
    t = t[(t["measure"] == measure) & (t["group"] == group) & (t["option"] == option)]
    if year is not None:
        t = t[t["year"] == year]
    if statistic is not None:
        t = t[t["statistic"] == statistic]
    assert len(t) == 1, t
    return t.iloc[0]


def pos(codes: list, measure: str, **spec) -> tuple[float, float]:
    """% positive and n for one item over ``codes`` (padded to 20 respondents with Nones)."""
    padded = codes + [None] * 0
    many = padded * 20  # 20 copies: well above the threshold, same proportions
    r = compute(dataset({measure: many}), ViewSpec(measures=(measure,), **spec), BANK)
    row = value(r, measure)
    return row["value"], row["n"] / 20


# ------------------------------------------------------------------ % positive rule families
@pytest.mark.parametrize("measure,codes,expected_pct,expected_n", [
    ("manager_encourages", [5, 4, 3, 2, 1, 99, None], 40.0, 5),             # agreement
    ("motivation_look_forward", [5, 4, 4, 3, 1], 60.0, 5),                  # frequency: often/always
    ("pressure_unrealistic_time", [1, 2, 3, 4, 5], 40.0, 5),               # reversed: never/rarely
    ("burnout_burnt_out", [5, 4, 3, 1], 50.0, 4),                           # frequency, lower is better
    ("harassment_colleagues", [1, 1, 2, 5, 3], 60.0, 5),                    # incidents: at least once
    ("violence_public", [1, 1, 1, 4], 25.0, 4),
    ("harassment_reported", [1, 2, 3, 4, 9, 6], 75.0, 4),                   # reported, excl. Don't know / N/A
    ("role_makes_difference", [9, 5, 4, 1], 200 / 3, 3),                    # q6a: excluding N/A
    ("equal_career_progression", [1, 2, 9, 1], 200 / 3, 3),                 # q15: % Yes of Yes or No (DK out)
    ("incident_treated_fairly", [9, 4, 2], 50.0, 2),                        # q19: Don't know excluded [V]
    ("appraisal_improve_job", [1, 2, 3, 1], 50.0, 4),                       # q23b: Yes, definitely
    ("health_work_stress", [1, 2, 2, 2], 25.0, 4),                          # yes/no: % Yes
    ("satisfaction_pay", [4, 5, 3, 2, 1], 40.0, 5),                         # satisfied
    ("leave_often_think", [5, 4, 1, 2], 50.0, 4),                           # agree, lower is better
])
def test_percent_positive_rule_families(measure, codes, expected_pct, expected_n):
    pct, n = pos(codes, measure)
    assert pct == pytest.approx(expected_pct)
    assert n == expected_n


def test_out_of_scale_codes_are_not_in_the_base():
    pct, n = pos([5, 7, 0, 1], "manager_encourages")
    assert (pct, n) == (50.0, 2)


def test_polarity_travels_with_the_row():
    r = compute(dataset({"harassment_colleagues": [1, 2] * 10, "manager_encourages": [5, 1] * 10}),
                ViewSpec(measures=("harassment_colleagues", "manager_encourages")), BANK)
    assert bool(value(r, "harassment_colleagues")["lower_is_better"]) is True
    assert bool(value(r, "manager_encourages")["lower_is_better"]) is False


def test_answer_distribution_includes_specials_and_sums_to_100():
    r = compute(dataset({"harassment_reported": [1, 2, 3, 4, 9, 9, 9, 9] * 5}),
                ViewSpec(measures=("harassment_reported",), statistics=("options",)), BANK)
    rows = r.table[r.table["statistic"] == "options"]
    shares = dict(zip(rows["option"], rows["value"]))
    assert shares["Not applicable"] == pytest.approx(50.0) and shares["Yes, I reported it"] == pytest.approx(12.5)
    assert rows["value"].sum() == pytest.approx(100.0) and set(rows["n"]) == {40}


# ------------------------------------------------------------------------- 0-10 scores
def score_of(columns: dict, score_id: str, copies: int = 12) -> float:
    data = dataset({k: v * copies for k, v in columns.items()})
    return value(compute(data, ViewSpec(measures=(score_id,)), BANK), score_id)["value"]


def test_line_management_score_is_the_mean_of_answered_items():
    # respondent 1: 10, 7.5, 5 (q9d unanswered) -> 7.5; respondent 2: all 1 -> 0
    s = score_of({"manager_encourages": [5, 1], "manager_clear_feedback": [4, 1], "manager_asks_opinion": [3, 1],
                  "manager_interest_wellbeing": [None, 1]}, "PP7_2")
    assert s == pytest.approx((7.5 + 0.0) / 2)


def test_burnout_is_reversed_so_higher_is_better():
    never = {f"burnout_{k}": [1] for k in ("emotionally_exhausting", "burnt_out", "frustrated", "exhausted_thought",
                                           "worn_out", "every_hour_tiring", "no_energy_family")}
    assert score_of(never, "PP4_2") == 10.0
    always = {k: [5] for k in never}
    assert score_of(always, "PP4_2") == 0.0
    sometimes = {k: [3] for k in never}
    assert score_of(sometimes, "PP4_2") == 5.0


def test_negative_experiences_incidents_and_yes_no():
    cols = {"health_msk": [2], "health_work_stress": [1], "health_presenteeism": [2], "violence_public": [1],
            "violence_managers": [1], "violence_colleagues": [1], "harassment_public": [3],
            "harassment_managers": [1], "harassment_colleagues": [1]}
    # 9 items: stress (Yes) = 0 and harassment from public (3-5 times) = 0; the other seven = 10
    assert score_of(cols, "PP4_3") == pytest.approx(70 / 9)


def test_appraisal_and_reporting_recodes():
    assert score_of({"appraisal_improve_job": [1], "appraisal_clear_objectives": [2],
                     "appraisal_valued": [3]}, "PP5_2") == pytest.approx(5.0)
    # PP4_1: q3g-i agree (7.5), q5a never (10), q11a SA (10), q13d Don't know (excluded), q14d No (0)
    s = score_of({"work_conflicting_demands": [4], "work_materials": [4], "work_enough_staff": [4],
                  "pressure_unrealistic_time": [1], "health_org_positive_action": [5], "violence_reported": [4],
                  "harassment_reported": [3]}, "PP4_1")
    assert s == pytest.approx((7.5 * 3 + 10 + 10 + 0) / 6)


def test_element_is_the_mean_of_the_respondents_sub_scores():
    cols = {"manager_encourages": [5], "manager_clear_feedback": [5], "manager_asks_opinion": [5],
            "manager_interest_wellbeing": [5]}  # PP7_2 = 10
    team = {k: [3] for k in ("team_shared_objectives", "team_meets_effectiveness", "team_respect_from_colleagues",
                             "team_understand_roles", "team_enjoy_colleagues", "team_freedom",
                             "team_disagreements_constructive", "org_teams_work_well")}  # PP7_1 = 5
    assert score_of({**cols, **team}, "PP7") == pytest.approx(7.5)


def test_theme_morale_from_its_sub_scores():
    leaving = {"leave_often_think": [1], "leave_look_for_job": [1], "leave_as_soon_as_possible": [1]}  # M_1 = 10
    pressure = {"work_conflicting_demands": [1], "work_materials": [1], "work_enough_staff": [1]}  # M_2 = 0
    stress = {"work_know_responsibilities": [3], "work_involved_changes": [3], "pressure_unrealistic_time": [3],
              "pressure_choice_how_to_work": [3], "pressure_relationships_strained": [3],
              "team_respect_from_colleagues": [3], "manager_encourages": [3]}  # M_3 = 5
    assert score_of({**leaving, **pressure, **stress}, "theme_morale") == pytest.approx(5.0)


# --------------------------------------------------------------------------- weighting
def test_weighting_changes_the_value_not_n():
    # the survey's weights follow the occupation group: each group counts with its own weight
    data = dataset({"manager_encourages": [5, 1] * 12, "Staff group": ["Nursing", "Medical"] * 12,
                    "weight": [3.0, 1.0] * 12})
    unweighted = value(compute(data, ViewSpec(measures=("manager_encourages",)), BANK), "manager_encourages")
    weighted = value(compute(data, ViewSpec(measures=("manager_encourages",), weighted=True), BANK), "manager_encourages")
    assert unweighted["value"] == pytest.approx(50.0) and bool(unweighted["weighted"]) is False
    assert weighted["value"] == pytest.approx(75.0) and bool(weighted["weighted"]) is True
    assert weighted["n"] == unweighted["n"] == 24


def test_weights_that_differ_inside_a_group_are_not_applied():
    """Review 4: weights differing inside a combined group let its make-up be solved for (down to one
    person's answers). Weights are read from group labels: here they follow no column, so a weighted
    view says it is unweighted; a group too small to stand alone is weighted as a whole."""
    data = dataset({"manager_encourages": [5, 1] * 12, "weight": [3.0, 1.0] * 12})
    r = compute(data, ViewSpec(measures=("manager_encourages",), weighted=True), BANK)
    assert value(r, "manager_encourages")["value"] == pytest.approx(50.0)
    assert bool(value(r, "manager_encourages")["weighted"]) is False
    assert any("weights differ within" in n for n in r.notes)
    # 12 nurses (weight 3, all positive), 12 doctors (weight 1, none), 3 therapists (weight 2, all positive)
    # combined with the doctors: that group counts with the year's average weight of the groups that
    # have one, (12*3 + ...) — never the therapists' own, which would tell how many of them there are
    data = dataset({"manager_encourages": [5] * 12 + [1] * 12 + [5] * 3,
                    "Staff group": ["Nursing"] * 12 + ["Medical"] * 12 + ["AHP"] * 3,
                    "weight": [3.0] * 12 + [1.0] * 12 + [2.0] * 3})
    r = compute(data, ViewSpec(measures=("manager_encourages",), weighted=True, breakdown=("Staff group",)), BANK)
    assert bool(value(r, "manager_encourages", "Nursing")["weighted"]) is True
    assert value(r, "manager_encourages", "Nursing")["value"] == pytest.approx(100.0)
    combined = value(r, "manager_encourages", "Other staff groups (combined)")
    assert combined["value"] == pytest.approx(100.0 * 3 / 15)  # one weight for the whole group: unweighted share
    assert combined["n"] == 15
    average = 3.0  # the only group with a weight of its own in its label is Nursing (12 at 3.0)
    total = value(r, "manager_encourages")["value"]
    assert total == pytest.approx(100.0 * (12 * 3.0 + 3 * average) / (12 * 3.0 + 15 * average))


def test_weighted_score():
    data = dataset({"manager_encourages": [5, 1] * 12, "manager_clear_feedback": [5, 1] * 12,
                    "manager_asks_opinion": [5, 1] * 12, "manager_interest_wellbeing": [5, 1] * 12,
                    "Staff group": ["Nursing", "Medical"] * 12, "weight": [3.0, 1.0] * 12})
    assert value(compute(data, ViewSpec(measures=("PP7_2",), weighted=True), BANK), "PP7_2")["value"] == pytest.approx(7.5)


def test_weighting_without_a_weight_column_says_so():
    r = compute(dataset({"manager_encourages": [5, 1] * 10}), ViewSpec(measures=("manager_encourages",), weighted=True), BANK)
    assert any("no weight column" in n for n in r.notes)
    assert bool(value(r, "manager_encourages")["weighted"]) is False


# ------------------------------------------------------------------ years and comparability
def two_years(measure: str, first: list, second: list, years=(2024, 2025)) -> SurveyData:
    frame = pd.concat([dataset({measure: first}, year=years[0]).respondents,
                       dataset({measure: second}, year=years[1]).respondents], ignore_index=True)
    return SurveyData(kind="respondents", provenance=Provenance(path="t", kind="respondents"), respondents=frame)


def test_change_since_last_year_and_significance():
    data = two_years("manager_encourages", [4] * 45 + [2] * 55, [4] * 55 + [2] * 45)  # 45% -> 55%, n=100 each
    row = value(compute(data, ViewSpec(measures=("manager_encourages",)), BANK), "manager_encourages", year=2025)
    assert row["change"] == pytest.approx(10.0) and row["previous_year"] == 2024
    z, p = two_proportion_z([0.55], [100], [0.45], [100])
    assert p[0] > 0.05 and row["significant"] is False  # 10 points on 100 each: p = 0.157
    data = two_years("manager_encourages", [4] * 450 + [2] * 550, [4] * 550 + [2] * 450)
    row = value(compute(data, ViewSpec(measures=("manager_encourages",)), BANK), "manager_encourages", year=2025)
    assert row["significant"] is True


def test_no_change_across_a_trend_break():
    data = two_years("equal_career_progression", [1] * 30, [2] * 30)
    row = value(compute(data, ViewSpec(measures=("equal_career_progression",)), BANK), "equal_career_progression", year=2025)
    assert math.isnan(row["change"]) and row["comparable"] is False and row["significant"] is None


def test_renumbered_items_are_compared_across_years():
    data = two_years("leave_often_think", [5] * 20, [1] * 20, years=(2021, 2022))
    row = value(compute(data, ViewSpec(measures=("leave_often_think",)), BANK), "leave_often_think", year=2022)
    assert row["code"] == "q24a" and row["change"] == pytest.approx(-100.0) and row["comparable"] is True


def test_no_test_below_the_threshold():
    data = two_years("manager_encourages", [4] * 30, [2] * 8)  # 2025 has 8 answers
    row = value(compute(data, ViewSpec(measures=("manager_encourages",)), BANK), "manager_encourages", year=2025)
    assert row["suppressed"] and math.isnan(row["change"]) and row["significant"] is None


# --------------------------------------------------------------- tests against textbook values
def test_two_proportion_z_textbook():
    z, p = two_proportion_z([0.45], [200], [0.55], [200])
    assert z[0] == pytest.approx(-2.0) and p[0] == pytest.approx(0.0455, abs=1e-4)


def test_welch_t_textbook():
    """Welch's t-test example 1 on Wikipedia: t = -2.46, df = 24.99, p = 0.021."""
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    t, df, p = welch_t(np.mean(a1), np.std(a1, ddof=1), len(a1), np.mean(a2), np.std(a2, ddof=1), len(a2))
    assert t[0] == pytest.approx(-2.46, abs=0.01) and df[0] == pytest.approx(24.99, abs=0.01)
    assert p[0] == pytest.approx(0.021, abs=0.001)


@pytest.mark.parametrize("t,df,p", [(2.0, 10, 0.07339), (2.228, 10, 0.05), (1.96, 1e6, 0.05), (0.0, 5, 1.0)])
def test_t_distribution_tail(t, df, p):
    assert t_two_sided(t, df) == pytest.approx(p, abs=2e-4)


def test_spearman():
    rho, n = spearman(np.array([1, 2, 3, 4, 5, np.nan]), np.array([2, 4, 6, 8, 10, 3]))
    assert rho == pytest.approx(1.0) and n == 5
    rho, _ = spearman(np.array([1.0, 2, 3, 4, 5]), np.array([5.0, 6, 7, 8, 7]))
    assert rho == pytest.approx(0.8207826816681233)


# --------------------------------------------------------------------- breakdowns and filters
def test_groups_against_the_rest_of_the_organisation():
    directorate = ["A"] * 50 + ["B"] * 50
    data = dataset({"Directorate": directorate, "manager_encourages": [5] * 40 + [1] * 10 + [5] * 10 + [1] * 40})
    r = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate",), comparator="organisation"), BANK)
    a = value(r, "manager_encourages", group="A")
    assert a["value"] == pytest.approx(80.0) and a["vs_rest"] == pytest.approx(60.0)
    assert a["significant_vs_rest"] is True and a["comparator_value"] == pytest.approx(50.0)
    assert a["breakdown"] == "Directorate"


def test_two_way_breakdown_and_not_stated_group():
    data = dataset({"Directorate": ["A", "B"] * 40, "Site": ["X"] * 50 + ["Y"] * 30,
                    "manager_encourages": [5] * 80})
    data.respondents.loc[0:12, "Directorate"] = np.nan
    r = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate", "Site")), BANK)
    t = r.table.set_index("group")
    assert {"A / X", "B / X", "A / Y", "B / Y", "Not stated / X"} <= set(t.index)
    assert not t.loc[["A / X", "B / X", "A / Y", "B / Y", "Not stated / X"], "suppressed"].any()
    assert t.loc["Not stated / X", "n"] == 13


def test_filters_describe_and_round_trip():
    f = Eq("Directorate", "Surgery") & In("Staff group", ("Medical and Dental", "Nursing and Midwifery Registered"))
    assert f.describe() == "Directorate is Surgery and Staff group is Medical and Dental or Nursing and Midwifery Registered"
    g = Or((f, Not(Eq("Site", "Riverside"))))
    assert Filter.from_dict(g.to_dict()) == g
    frame = pd.DataFrame({"Directorate": ["Surgery", "Surgery", "Medicine"], "Staff group": ["Medical and Dental", "Estates and Ancillary", "Medical and Dental"],
                          "Site": ["Riverside", "Main", "Riverside"]})
    assert f.to_mask(frame).tolist() == [True, False, False]
    assert g.to_mask(frame).tolist() == [True, True, False]
    assert parse_filter("Directorate!=Surgery") == Not(Eq("Directorate", "Surgery"))
    assert parse_filter("Site=A|B") == In("Site", ("A", "B"))


def test_viewspec_round_trips_and_refuses_a_threshold_below_eleven():
    spec = ViewSpec(lens="trust", years=(2024, 2025), filter=And((Eq("Directorate", "Surgery"),)), breakdown=("Site",),
                    comparator="organisation", weighted=True, threshold=15)
    assert ViewSpec.from_json(spec.to_json()) == spec
    with pytest.raises(SpecError, match="cannot be below 11"):
        ViewSpec(lens="trust", threshold=10)
    with pytest.raises(SpecError):
        ViewSpec(lens="happiness")
    with pytest.raises(SpecError, match="at most two"):
        ViewSpec(lens="trust", breakdown=("a", "b", "c"))


def test_local_questions_get_percent_agree():
    data = dataset({"local:1": [5, 4, 2, 1] * 5})
    data.local_questions = {"local:1": __import__("explorer.core.surveydata", fromlist=["LocalQuestion"]).LocalQuestion(
        "local:1", "Senior managers act on staff feedback", (2024,), (1, 2, 4, 5))}
    r = compute(data, ViewSpec(lens="trust"), BANK)
    row = value(r, "local:1")
    assert row["value"] == pytest.approx(50.0) and row["kind"] == "local" and row["lens"] == "trust"


# ------------------------------------------------------------------------------ the demo
@pytest.fixture(scope="module")
def demo():
    from explorer.demo import load_demo

    return load_demo()


def test_demo_bullying_by_directorate_shows_surgery_and_combines_the_small_directorate(demo):
    r = compute(demo, ViewSpec(lens="bullying", breakdown=("Directorate",)), BANK)
    t = r.table
    for year in demo.years:
        rows = t[(t["measure"] == "harassment_colleagues") & (t["year"] == year) & (t["group"] != "All staff")]
        shown = rows[~rows["suppressed"]]
        assert shown.loc[shown["value"].idxmax(), "group"] == "Surgery"
        small = rows[rows["group"] == "Research and Innovation"].iloc[0]
        assert small["suppressed"] and math.isnan(small["value"])
        assert small["suppression_reason"] == ("fewer than 11 respondents, or combined to protect smaller groups; "
                                               "counted in 'Other directorates (combined)'")
        other = rows[rows["group"] == "Other directorates (combined)"].iloc[0]
        assert not other["suppressed"] and other["n"] >= 11
        total = t[(t["measure"] == "harassment_colleagues") & (t["year"] == year) & (t["group"] == "All staff")]
        assert shown["n"].sum() == total["n"].iloc[0]  # the groups shown cover everyone: nothing to subtract
    assert (t.loc[~t["suppressed"], "n"] >= 11).all()


def test_drivers_rank_items_with_a_caveat(demo):
    r = compute(demo, ViewSpec(lens="trust", years=(2025,), statistics=("drivers",)), BANK)
    drivers = r.table[r.table["statistic"] == "drivers"]
    assert len(drivers) >= 9 and drivers["value"].between(-1, 1).all() and (drivers["n"] > 1000).all()
    assert drivers["rank"].min() == 1 and "not causation" in " ".join(r.notes)


def test_published_workbook_passes_values_through_with_benchmark_stats():
    from explorer.paths import demo_dir
    from explorer.readers import open_survey

    data = open_survey(demo_dir() / "NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx")
    with pytest.raises(SpecError, match="choose yours"):
        compute(data, ViewSpec(lens="bullying"), BANK)
    r = compute(data, ViewSpec(lens="bullying", organisation="XNH", comparator="benchmark"), BANK)
    row = value(r, "harassment_colleagues", year=2025)
    table = data.aggregates
    mine = table[(table["org_id"] == "XNH") & (table["measure"] == "harassment_colleagues") & (table["year"] == 2025)]
    assert row["value"] == pytest.approx(float(mine["value"].iloc[0]))
    assert bool(row["weighted"]) is True and row["vintage"] == "2021-2025"
    group = table[(table["benchmark_group"] == "Acute&Acute Community Trusts") & (table["measure"] == "harassment_colleagues")
                  & (table["year"] == 2025) & (table["breakdown"] == "")]
    assert row["benchmark_median"] == pytest.approx(group["value"].median())
    assert row["benchmark_best"] == pytest.approx(group["value"].min())  # lower is better
    assert 1 <= row["rank"] <= row["rank_of"] == len(group)
    assert row["comparator_value"] == pytest.approx(row["benchmark_median"])


def test_respondent_view_against_a_benchmark_workbook(demo):
    from explorer.paths import demo_dir
    from explorer.readers import open_survey

    bench = open_survey(demo_dir() / "NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx")
    r = compute(demo, ViewSpec(measures=("PP7_2",), years=(2025,), comparator="benchmark", organisation="XNH"), BANK,
                benchmark=bench)
    row = value(r, "PP7_2")
    assert row["benchmark_worst"] <= row["benchmark_median"] <= row["benchmark_best"]
    assert row["comparator_difference"] == pytest.approx(row["value"] - row["benchmark_median"])


# ------------------------------------------------------------------------- command line
def test_summary_json_acceptance(capsys):
    assert main(["summary", "--demo", "--lens", "bullying", "--by", "Directorate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["dataset"]) >= {"file", "kind", "years", "respondents"}
    assert out["dataset"]["kind"] == "respondents" and out["dataset"]["respondents"] > 15000
    keys = {"measure", "code", "label", "lens", "year", "breakdown", "group", "value", "unit", "n", "weighted",
            "suppressed", "suppression_reason", "lower_is_better", "change", "significant"}
    assert keys <= set(out["rows"][0])
    rows = [r for r in out["rows"] if r["measure"] == "harassment_colleagues" and r["year"] == 2025]
    shown = [r for r in rows if not r["suppressed"] and r["group"] != "All staff"]
    assert max(shown, key=lambda r: r["value"])["group"] == "Surgery"
    small = next(r for r in rows if r["group"] == "Research and Innovation")
    assert small["suppressed"] is True and small["value"] is None and small["n"] is None


def test_summary_text_filters_and_errors(capsys):
    assert main(["summary", "--demo", "--lens", "morale", "--year", "2025", "--filter", "Staff group=Medical and Dental"]) == 0
    out = capsys.readouterr().out
    assert "Filter: Staff group is Medical and Dental" in out and "Morale" in out
    assert main(["summary", "--demo", "--lens", "trust", "--threshold", "5"]) == 2
    assert "cannot be below 11" in capsys.readouterr().err
    assert main(["summary", "--demo", "--lens", "trust", "--by", "Shoe size"]) == 2
    assert "no column 'Shoe size'" in capsys.readouterr().err
    assert main(["summary", "--demo", "--lens", "trust", "--year", "2019"]) == 2
    assert "no results for 2019" in capsys.readouterr().err
    assert main(["summary", "--demo"]) == 2
    assert "Choose --lens" in capsys.readouterr().err


def test_mean_answer_code_leaves_specials_out():
    r = compute(dataset({"role_makes_difference": [9, 5, 4, 3] * 5}),
                ViewSpec(measures=("role_makes_difference",), statistics=("mean",)), BANK)
    row = value(r, "role_makes_difference", statistic="mean")
    assert row["value"] == pytest.approx(4.0) and row["n"] == 15 and row["unit"] == "mean code"


def test_a_files_own_not_stated_group_joins_the_blanks():
    data = dataset({"Directorate": ["Not stated"] * 20 + ["B"] * 30 + [None] * 20, "manager_encourages": [5] * 70})
    t = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate",)), BANK).table
    assert (t["group"] == "Not stated").sum() == 1
    assert t.loc[t["group"] == "Not stated", "n"].iloc[0] == 40


def test_unusable_weights_count_zero_and_are_noted():
    data = dataset({"manager_encourages": [5, 1] * 20, "weight": [1.0] * 39 + [float("nan")]})
    r = compute(data, ViewSpec(measures=("manager_encourages",), weighted=True), BANK)
    assert not math.isnan(value(r, "manager_encourages")["value"])
    assert any("no usable weight" in n for n in r.notes)


def test_benchmark_figures_are_blank_on_withheld_rows_and_need_a_group(tmp_path):
    from explorer.readers import open_survey
    from tests import readers_fixtures as fx

    bench = open_survey(fx.write_benchmark_xlsx(tmp_path / "bench.xlsx"))
    data = dataset({"harassment_colleagues": [1, 2] * 20}, year=2023)
    with pytest.raises(SpecError, match="several benchmarking groups"):
        compute(data, ViewSpec(measures=("harassment_colleagues",), comparator="benchmark"), BANK, benchmark=bench)
    spec = ViewSpec(measures=("harassment_colleagues",), comparator="benchmark", organisation="XA1", threshold=50)
    row = value(compute(data, spec, BANK, benchmark=bench), "harassment_colleagues")
    assert row["suppressed"] and math.isnan(row["benchmark_median"]) and math.isnan(row["benchmark_best"])


@pytest.mark.parametrize("flag,expected", [("Significantly better", True), ("Significantly worse", True),
                                           ("Not significant", False), ("No significant difference", False),
                                           ("Non-significant", False)])
def test_published_significance_flags(tmp_path, flag, expected):
    path = tmp_path / "c.csv"
    path.write_text("Year,QuestionNumber,QuestionText,DimName,DimValue,BaseSize,Score\n"
                    "2023,Q9a,encourages,Overall,Overall,400,0.60\n"
                    "2024,Q9a,encourages,Overall,Overall,400,0.70\n", encoding="utf-8")
    from explorer.readers import open_survey

    data = open_survey(path)
    data.aggregates["sig"] = pd.Categorical([flag, flag])
    row = value(compute(data, ViewSpec(measures=("manager_encourages",)), BANK), "manager_encourages", year=2024)
    assert row["significant"] is expected and row["change"] == pytest.approx(10.0)
