"""Published organisation tables (one row per trust and year, descriptive column names) tied to the
question bank by the vocabulary; organisation attributes filter and group organisations; what a file
cannot honour is refused in one sentence. Core only (no Qt)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explorer.core.filters import Eq, In
from explorer.core.questionbank import load_bank
from explorer.core.session import Session
from explorer.core.viewspec import SpecError
from explorer.core.vocabulary import _check_names_are_unique, vocabulary

BANK = load_bank()
REGIONS = ["London", "Midlands", "North West", "South East"]
GROUPS = ["Acute and acute & community trusts", "Mental health and learning disability trusts", "Community trusts"]


def org_table(path, years=(2021, 2022, 2023, 2024), n_orgs=24):
    """The third-party layout: ODS code, Year, Organisation name, Benchmarking group, Region, Weighting,
    <measure>_base / <measure>_rate pairs (and rates without a base), workforce composition, Respondents.
    Trust R05 was called "Old Trust Five" before 2023; R02 is unweighted."""
    rng = np.random.default_rng(7)
    rows = []
    for year in years:
        for c in range(n_orgs):
            code, name = f"R{c:02d}", f"Trust {c}"
            if code == "R05" and year < 2023:
                name = "Old Trust Five"
            respondents = int(rng.integers(300, 3000))
            rows.append({
                "ODS code": code, "Year": year, "Organisation name": name, "Benchmarking group": GROUPS[c % 3],
                "Region": REGIONS[c % 4], "Weighting": "Unweighted" if code == "R02" else "Occupation Group",
                "Emotional_colleagues_base": respondents - 20,
                "Emotional_colleagues_rate": round(rng.uniform(0.15, 0.25), 3),
                "Emotional_public_rate": round(rng.uniform(0.2, 0.3), 3),
                "Physical_public_rate": round(rng.uniform(0.1, 0.2), 3),
                "Burned_out_rate": round(rng.uniform(0.25, 0.4), 3),
                "Stress_rate": round(rng.uniform(0.35, 0.5), 3),
                "Discrimination_internal_rate": round(rng.uniform(0.05, 0.1), 3),
                "Recommend_work_rate": round(rng.uniform(0.5, 0.7), 3),
                "Speak_up_rate": round(rng.uniform(0.55, 0.75), 3),
                "Engagement": round(rng.uniform(6.5, 7.2), 2),
                "Sickness_absence_rate": round(rng.uniform(0.03, 0.06), 3),
                "Pledge_awareness_rate": round(rng.uniform(0.3, 0.6), 3),
                "Female_rate": round(rng.uniform(0.7, 0.85), 3), "Older_rate": round(rng.uniform(0.3, 0.4), 3),
                "Ethnic_minority_rate": round(rng.uniform(0.1, 0.4), 3), "Med_Dental_rate": round(rng.uniform(0.08, 0.15), 3),
                "Respondents": respondents,
            })
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("published") / "NSS organisation results 2021-2024.csv"
    frame = org_table(path)
    return Session.open(path), frame


def rows(results):
    return results.table


def test_each_lens_returns_its_measures_with_the_banks_polarity_and_units(table):
    session, _ = table
    expected = {"bullying": {"harassment_colleagues", "harassment_public", "violence_public", "discrimination_staff"},
                "morale": {"burnout_burnt_out", "theme_engagement"},
                "trust": {"org_recommend_work", "org_safe_to_speak_up"}}
    for lens, measures in expected.items():
        r = session.compute(session.spec.with_(lens=lens, organisation="R05"))
        assert set(r.table["measure"]) == measures, lens
        for m, part in r.table.groupby("measure"):
            item = BANK.items.get(m)
            assert bool(part["lower_is_better"].iloc[0]) == (item.lower_is_better if item else False), m
            assert set(part["unit"]) == ({"score"} if m in BANK.scores else {"%"}), m
    harms = session.compute(session.spec.with_(lens="bullying", organisation="R05")).table
    assert harms["lower_is_better"].all()  # harassment, violence and discrimination: lower is better


def test_values_come_back_exactly_as_percentages(table):
    session, frame = table
    r = session.compute(session.spec.with_(lens="bullying", organisation="R07")).table
    src = frame[frame["ODS code"] == "R07"].set_index("Year")
    for year in (2021, 2024):
        got = r[(r["measure"] == "violence_public") & (r["year"] == year) & (r["group"] == "All staff")].iloc[0]
        assert got["value"] == pytest.approx(100 * src.loc[year, "Physical_public_rate"])
        assert got["n"] == src.loc[year, "Respondents"]  # a rate without a base: the organisation's respondents
        col = r[(r["measure"] == "harassment_colleagues") & (r["year"] == year) & (r["group"] == "All staff")].iloc[0]
        assert col["n"] == src.loc[year, "Emotional_colleagues_base"]


def test_the_files_weighting_column_sets_weighted(table):
    session, _ = table
    weighted = session.compute(session.spec.with_(lens="morale", organisation="R05")).table
    unweighted = session.compute(session.spec.with_(lens="morale", organisation="R02")).table
    assert weighted["weighted"].all() and not unweighted["weighted"].any()


def test_composition_columns_are_context_not_results(table):
    session, frame = table
    every = session.compute(session.spec.with_(lens=None, organisation="R05",
                                               measures=tuple(m.id for m in session.catalog().measures)))
    names = set(every.table["measure"]) | set(every.table["label"])
    for col in ("Female", "Older", "Ethnic_minority", "Med_Dental", "Respondents"):
        assert not any(col.lower() in str(n).lower() for n in names), col
    assert not any("female" in m.label.lower() for m in session.catalog().measures)
    context = every.dataset["organisation_context"]
    latest = frame[(frame["ODS code"] == "R05") & (frame["Year"] == 2024)].iloc[0]
    assert context["year"] == 2024 and context["Female_rate"] == pytest.approx(100 * latest["Female_rate"])
    # a file's own measure (not in the vocabulary) stays under its own name and is listed; a workforce
    # statistic (sickness absence) is context, even written as a rate
    assert "Pledge_awareness" in {m.id for m in session.catalog().measures}
    assert "Sickness_absence" not in {m.id for m in session.catalog().measures}
    assert context["Sickness_absence_rate"] is not None
    from explorer.readers.inspect import as_text, inspection

    report = inspection("x.csv", session.data, BANK)
    assert report["measures"]["Emotional_colleagues"].startswith("harassment_colleagues")
    assert report["measures"]["Pledge_awareness"] == "Pledge_awareness"
    assert "composition" in report["organisation_attributes"]["Female_rate"]
    assert "Own measures:    Pledge_awareness" in as_text(report)


def test_organisations_are_counted_by_code_under_their_latest_name(table):
    session, _ = table
    from explorer.readers.inspect import inspection

    report = inspection("x.csv", session.data, BANK)
    assert len(report["organisations"]) == 24  # not 25: R05 changed its name in 2023
    assert set(session.data.aggregates.loc[session.data.aggregates["org_id"] == "R05", "org_name"].astype(str)) == {"Trust 5"}
    r = session.compute(session.spec.with_(lens="bullying", organisation="Trust 5")).table
    assert sorted(set(r["year"])) == [2021, 2022, 2023, 2024]  # the old name's years are the same trust


def _median(frame, column, keep, year=2024):
    part = frame[(frame["Year"] == year) & keep]
    return 100 * float(np.median(part[column])), len(part)


def test_filter_and_compare_by_region_and_benchmarking_group(table):
    session, frame = table
    london = session.compute(session.spec.with_(lens="bullying", filter=Eq("Region", "London"), years=(2024,)))
    assert london.dataset["organisation"] == "Median of 6 organisations where Region is London"
    got = london.table[london.table["measure"] == "violence_public"].iloc[0]
    value, count = _median(frame, "Physical_public_rate", frame["Region"] == "London")
    assert got["value"] == pytest.approx(value) and count == 6
    assert got["n"] == frame[(frame["Year"] == 2024) & (frame["Region"] == "London")]["Respondents"].sum()
    by = session.compute(session.spec.with_(lens="bullying", breakdown=("Benchmarking group",), years=(2024,),
                                            organisation="R05")).table
    violence = by[by["measure"] == "violence_public"].set_index("group")
    assert set(violence.index) == {"All staff", *GROUPS}
    for group in GROUPS:
        value, _ = _median(frame, "Physical_public_rate", frame["Benchmarking group"] == group)
        assert violence.loc[group, "value"] == pytest.approx(value)
    assert violence.loc["All staff", "value"] == pytest.approx(
        100 * frame[(frame["ODS code"] == "R05") & (frame["Year"] == 2024)]["Physical_public_rate"].iloc[0])
    # both at once: London's trusts by benchmarking group, and our trust beside its region's median
    both = session.compute(session.spec.with_(lens="bullying", filter=Eq("Region", "London"), years=(2024,),
                                              breakdown=("Benchmarking group",))).table
    part = both[(both["measure"] == "violence_public") & (both["group"] == GROUPS[0])].iloc[0]
    value, _ = _median(frame, "Physical_public_rate", (frame["Region"] == "London") & (frame["Benchmarking group"] == GROUPS[0]))
    assert part["value"] == pytest.approx(value)
    beside = session.compute(session.spec.with_(lens="bullying", filter=Eq("Region", "London"), organisation="R04",
                                                years=(2024,))).table
    assert set(beside["group"]) == {"All staff", "Median where Region is London"}
    # our trust beside another region's median: the filter chooses whom we are compared with
    elsewhere = session.compute(session.spec.with_(lens="bullying", filter=Eq("Region", "Midlands"), organisation="R04",
                                                   years=(2024,))).table
    ours = elsewhere[(elsewhere["group"] == "All staff") & (elsewhere["measure"] == "violence_public")].iloc[0]
    assert ours["value"] == pytest.approx(100 * frame[(frame["ODS code"] == "R04") & (frame["Year"] == 2024)]
                                          ["Physical_public_rate"].iloc[0])
    value, _ = _median(frame, "Physical_public_rate", frame["Region"] == "Midlands")
    assert elsewhere[elsewhere["group"] == "Median where Region is Midlands"].set_index("measure").loc[
        "violence_public", "value"] == pytest.approx(value)
    # and the Organisations page ranks only the organisations the filter keeps
    league = session.league(session.spec.with_(lens=None, measures=("violence_public",), organisation="R04",
                                               years=(2024,), filter=In("Region", ("London",))))
    assert set(league.table["org_id"]) == set(frame[(frame["Region"] == "London") & (frame["Benchmarking group"] == GROUPS[1])
                                                    & (frame["Year"] == 2024)]["ODS code"])


@pytest.mark.parametrize("change, words", [
    (dict(filter=Eq("Shoe size", "9")), "no column 'Shoe size' to filter by: it can be filtered and compared by"),
    (dict(breakdown=("Shoe size",)), "no column 'Shoe size' to compare by"),
    (dict(filter=Eq("Region", "Londn")), "did you mean 'London'?"),
    (dict(organisation=None), "choose yours"),
])
def test_what_cannot_be_honoured_is_refused_in_one_sentence(table, change, words):
    session, _ = table
    spec = session.spec.with_(lens="bullying", organisation="R05")
    with pytest.raises(SpecError) as err:
        session.compute(spec.with_(**change))
    text = str(err.value)
    assert words in text and text.count(". ") == 0 and "\n" not in text


def test_the_catalog_offers_the_attributes_and_the_cli_honours_them(table, capsys, tmp_path):
    session, frame = table
    columns = {c.name: c for c in session.catalog().columns}
    assert {"Region", "Benchmarking group"} <= set(columns) and "Female_rate" not in columns
    assert {g.name: g.respondents for g in columns["Region"].groups[2024]} == {r: 6 for r in REGIONS}
    from explorer.cli import main

    path = tmp_path / "orgs.csv"
    frame.to_csv(path, index=False)
    assert main(["summary", str(path), "--lens", "bullying", "--year", "2024", "--by", "Region", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["group"] for r in out["rows"]} == {"All staff", *REGIONS}
    assert main(["summary", str(path), "--lens", "bullying", "--filter", "Shoe size=9", "--organisation", "R01"]) != 0
    assert "no column 'Shoe size'" in capsys.readouterr().err


def test_a_benchmark_workbook_refuses_an_unknown_filter_and_groups_by_benchmarking_group():
    from explorer.demo import demo_files

    session = Session.open(demo_files()["benchmark_xlsx"])
    org = session.catalog().organisations[0]["org_id"]
    with pytest.raises(SpecError, match="no column 'Shoe size'"):
        session.compute(session.spec.with_(lens="trust", organisation=org, filter=Eq("Shoe size", "9")))
    r = session.compute(session.spec.with_(lens=None, measures=("PP7_2",), years=(2025,),
                                           breakdown=("Benchmarking group",)))
    groups = set(r.table["group"]) - {"All staff"}
    assert groups == set(session.catalog().benchmark_groups)


@pytest.mark.parametrize("name, unit, measure", [
    ("Emotional_colleagues", "%", "harassment_colleagues"), ("Emotional_public", "%", "harassment_public"),
    ("HBA from managers (%)", "%", "harassment_managers"), ("Physical_public", "%", "violence_public"),
    ("physical violence from colleagues", "%", "violence_colleagues"), ("Discrimination_internal", "%", "discrimination_staff"),
    ("Discrimination from patients", "%", "discrimination_public"), ("Burned_out", "%", "burnout_burnt_out"),
    ("Work-related stress", "%", "health_work_stress"), ("Intention to leave", "%", "leave_often_think"),
    ("Recommend as a place to work", "%", "org_recommend_work"), ("Speak_up", "%", "org_safe_to_speak_up"),
    ("Staff engagement", "score", "theme_engagement"), ("Morale", "score", "theme_morale"),
    ("Negative experiences", "score", "PP4_3"), ("Burnout", "score", "PP4_2"),
    ("We are compassionate and inclusive", "score", "PP1"), ("voice that counts", "score", "PP3"),
    ("q14a", "%", "harassment_public"), ("harassment_managers", "%", "harassment_managers"),
    ("Unwanted sexual behaviour from staff", "%", "sexual_behaviour_staff"),
    ("Appraisal", "score", "PP5_2"),
])
def test_the_vocabulary_ties_common_names_to_the_bank(name, unit, measure):
    match = vocabulary().measure(name, BANK, 2024, unit)
    assert match is not None and match.measure == measure, (name, match)


def test_the_vocabulary_leaves_the_unknown_and_the_ambiguous_alone():
    v = vocabulary()
    # which source? no guess; "Appraisal" as a %: the bank's appraisal item has no % positive to tie to
    for name in ("Sickness absence", "Shoe size", "Harassment", "Violence", "Appraisal"):
        assert v.measure(name, BANK, 2024, "%") is None, name
    for name in ("Female", "Ethnic_minority", "Med_Dental", "Older", "% aged over 50"):
        assert v.is_composition(name) and v.measure(name, BANK, 2024, "%") is None, name
    assert not v.is_composition("Discrimination_internal")
    assert _check_names_are_unique(v, BANK) == []
    for entry in v.entries:  # every entry names a measure the bank has
        assert entry.measure in BANK.items or entry.measure in BANK.scores, entry.measure


# ----------------------------------------------------------------- review findings (issue 8 review)
def _csv(path, header: str, *rows: str):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_rare_harm_under_one_percent_in_a_table_of_percentages_is_not_multiplied(tmp_path):
    path = _csv(tmp_path / "pct.csv", "ODS code,Year,Organisation name,Physical_managers_rate,Physical_managers_base,"
                "Burned_out_rate,Burned_out_base,Stress_rate,Stress_base",
                "RA1,2023,A,0.8,900,34.5,900,41.0,900", "RA1,2024,A,0.6,950,33.0,950,40.2,950")
    session = Session.open(path)
    r = session.compute(session.spec.with_(lens=None, measures=("violence_managers",), organisation="RA1")).table
    assert sorted(r["value"].round(3)) == [0.6, 0.8]
    assert any("read as percentages" in w for w in session.data.warnings)
    # a table written in proportions throughout is read as proportions
    path = _csv(tmp_path / "prop.csv", "ODS code,Year,Organisation name,Physical_managers_rate,Burned_out_rate,Stress_rate",
                "RA1,2024,A,0.008,0.345,0.41")
    session = Session.open(path)
    r = session.compute(session.spec.with_(lens=None, measures=("violence_managers", "burnout_burnt_out")))
    assert sorted(r.table["value"].round(3)) == [0.8, 34.5]


@pytest.mark.parametrize("name", [
    "Physical violence from patients - change on last year", "Bullying colleagues lower CI", "Emotional_public_rank",
    "Harassment from patients (2023)", "Emotional_public_BME", "Emotional_public_White",
    "% disabled staff experiencing bullying from managers", "Female staff experiencing harassment from patients",
    "% experiencing harassment, bullying or abuse from staff", "Harassment from managers or colleagues",
    "Physical violence from managers or colleagues",
])
def test_derived_subgroup_and_combined_source_figures_are_never_tied(name):
    assert vocabulary().measure(name, BANK, 2024, "%") is None, name


def test_composition_and_context_words_are_whole_words():
    v = vocabulary()
    for name in ("Overtime", "Mental health nursing pressure", "Participation in appraisal"):
        assert not v.is_composition(name), name
    for name in ("Aged 51 and over", "Healthcare assistants %", "Sexual orientation LGB %"):
        assert v.is_composition(name), name
    for name in ("Turnover rate", "Sickness absence rate", "Headcount", "Agency spend"):
        assert v.is_context(name) and not v.is_composition(name), name


def test_respondent_counts_give_n_and_small_organisations_are_withheld(tmp_path):
    path = _csv(tmp_path / "n.csv", "ODS code,Year,Organisation name,Physical_public_rate,Turnover rate,"
                "Discrimination on grounds of ethnicity,Number of respondents",
                "RA1,2024,Big,12.0,11.0,7.5,900", "RY0,2024,Tiny,30.0,9.0,10.0,8")
    session = Session.open(path)
    big = session.compute(session.spec.with_(lens=None, measures=("violence_public",), organisation="RA1")).table
    assert big["n"].tolist() == [900] and not big["suppressed"].any()
    tiny = session.compute(session.spec.with_(lens=None, measures=("violence_public",), organisation="RY0")).table
    assert tiny["suppressed"].all() and tiny["value"].isna().all()  # 8 respondents: never shown
    ids = {m.id for m in session.catalog().measures}
    assert "Discrimination on grounds of ethnicity" in ids  # a survey result the bank cannot tie: its own name
    assert not any("Turnover" in i for i in ids)  # a workforce statistic: context


def test_refusals_say_what_the_column_is_and_what_to_do(table):
    session, _ = table
    spec = session.spec.with_(lens="bullying", organisation="R05")
    with pytest.raises(SpecError, match="names the organisations: choose one with --organisation"):
        session.compute(spec.with_(filter=Eq("ODS code", "R05")))
    with pytest.raises(SpecError, match="is a number about each organisation"):
        session.compute(spec.with_(filter=Eq("Female_rate", "80")))
    with pytest.raises(SpecError, match="one of their columns at a time"):
        session.compute(spec.with_(breakdown=("Region", "Benchmarking group")))
    assert "organisation" in session.catalog().comparators  # groups of organisations to set beside ours
    r = session.compute(spec.with_(breakdown=("Region",), comparator="organisation", years=(2024,))).table
    groups = r[r["group"] != "All staff"]
    assert groups["comparator_value"].notna().all()


def test_an_organisation_is_found_by_a_former_name_and_a_part_of_its_name(table):
    session, _ = table
    old = session.compute(session.spec.with_(lens="bullying", organisation="Old Trust Five"))
    assert old.dataset["organisation"] == "Trust 5"
    with pytest.raises(SpecError, match=r"did you mean 'Trust 15'\?"):
        session.compute(session.spec.with_(lens="bullying", organisation="trust 15 nhs"))


def test_measures_can_be_named_by_the_files_own_name_or_a_question_code(table):
    session, _ = table
    r = session.compute(session.spec.with_(lens=None, measures=("Stress",), organisation="R05"))
    assert set(r.table["measure"]) == {"health_work_stress"}
    demo = Session.open_demo()
    r = demo.compute(demo.spec.with_(lens=None, measures=("q14a",), years=(2025,)))
    assert set(r.table["measure"]) == {"harassment_public"}


def test_our_own_figures_are_not_labelled_with_the_filter_that_chose_the_comparison(table):
    session, _ = table
    r = session.compute(session.spec.with_(lens="bullying", organisation="R04", filter=Eq("Region", "London")))
    assert r.filter_description == ""  # R04's figures are all of R04, not "Region is London"
    median = session.compute(session.spec.with_(lens="bullying", filter=Eq("Region", "London")))
    assert median.filter_description == "Region is London" and median.dataset["subject"] == "Median organisation"


def test_a_breakdown_the_chosen_organisation_lacks_is_refused():
    from explorer.core.surveydata import AGGREGATE_COLUMNS, Provenance, SurveyData

    rows = []
    for org, groups in (("A1", ("Female", "Male")), ("B2", ())):
        for group in ("", *groups):
            rows.append({"year": 2024, "org_id": org, "org_name": org, "benchmark_group": "Acute",
                         "breakdown": "Gender" if group else "", "group": group, "measure": "harassment_public",
                         "code": "q14a", "label": "", "option": "", "value": 25.0, "unit": "%", "n": 400.0,
                         "weighted": True, "vintage": "", "missing_reason": "", "sig": ""})
    data = SurveyData(kind="detailed_spreadsheet", provenance=Provenance(path="d.xlsx", kind="detailed_spreadsheet"),
                      aggregates=pd.DataFrame(rows)[list(AGGREGATE_COLUMNS)])
    session = Session(data)
    ok = session.compute(session.spec.with_(lens=None, measures=("harassment_public",), organisation="A1",
                                            breakdown=("Gender",)))
    assert {"Female", "Male"} <= set(ok.table["group"])
    with pytest.raises(SpecError, match="no figures by Gender for B2"):
        session.compute(session.spec.with_(lens=None, measures=("harassment_public",), organisation="B2",
                                           breakdown=("Gender",)))


def test_rates_written_with_percent_signs_are_never_taken_for_proportions(tmp_path):
    path = _csv(tmp_path / "signed.csv", "ODS code,Year,Organisation name,Burned_out_rate,Physical_managers_rate",
                "RA1,2023,A,34.5%,0.8%", "RA1,2024,A,36.0%,0.6%", "RA2,2024,B,31.0%,0.4%")
    session = Session.open(path)
    r = session.compute(session.spec.with_(lens=None, measures=("violence_managers",), organisation="RA1")).table
    assert sorted(r["value"].round(3)) == [0.6, 0.8]
    contractor = _csv(tmp_path / "dashboard.csv", "Year,QuestionNumber,QuestionText,DimName,DimValue,BaseSize,Score",
                      "2024,Q13b,Managers,Overall,Overall,4000,0.7%", "2024,Q14c,Other colleagues,Overall,Overall,4000,0.9%")
    session = Session.open(contractor)
    r = session.compute(session.spec.with_(lens=None, measures=("violence_managers", "harassment_colleagues"))).table
    assert sorted(r["value"].round(3)) == [0.7, 0.9]


def test_national_and_organisation_type_rows_are_not_organisations():
    from explorer.core.engine import orgscope
    from explorer.core.surveydata import AGGREGATE_COLUMNS, Provenance, SurveyData

    rows, attrs = [], []
    for org, level in (("A1", "Organisation"), ("National", "National"), ("Acute", "Organisation type")):
        rows.append({"year": 2024, "org_id": org, "org_name": org, "benchmark_group": "Acute", "breakdown": "",
                     "group": "", "measure": "harassment_public", "code": "q14a", "label": "", "option": "",
                     "value": 25.0, "unit": "%", "n": 400.0, "weighted": True, "vintage": "", "missing_reason": "",
                     "sig": ""})
        attrs.append({"org_id": org, "year": 2024, "Level": level, "Region": "London"})
    data = SurveyData(kind="detailed_spreadsheet", provenance=Provenance(path="d.zip", kind="detailed_spreadsheet"),
                      aggregates=pd.DataFrame(rows)[list(AGGREGATE_COLUMNS)], org_attributes=pd.DataFrame(attrs))
    assert orgscope.organisations(data) == ["A1"]
    session = Session(data)
    r = session.compute(session.spec.with_(lens=None, measures=("harassment_public",)))  # the one organisation
    assert r.dataset["organisation"] == "A1"


# ----------------------------------------------------------------- second review (issue 8)
def test_excel_percentage_cells_stored_as_fractions_are_percentages(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["ODS code", "Year", "Organisation name", "Harassment from patients %", "Physical violence from managers %",
               "Burned_out_rate"])
    ws.append(["RZ3", 2024, "Zed", 0.289, 0.006, 0.341])  # shown by Excel as 28.9%, 0.6%, 34.1%
    for row in ws.iter_rows(min_row=2, min_col=4):
        for cell in row:
            cell.number_format = "0.0%"
    path = tmp_path / "formatted.xlsx"
    wb.save(path)
    session = Session.open(path)
    r = session.compute(session.spec.with_(lens=None, measures=("harassment_public", "violence_managers",
                                                                "burnout_burnt_out"))).table
    assert dict(zip(r["measure"], r["value"].round(3))) == {"harassment_public": 28.9, "violence_managers": 0.6,
                                                            "burnout_burnt_out": 34.1}


def test_a_measures_own_n_in_x_n_or_x_paren_n_columns_is_used_and_small_bases_withheld(tmp_path):
    path = _csv(tmp_path / "pairs.csv", "ODS code,Trust,Year,Harassment from patients %,Harassment from patients n,"
                "Physical violence from managers (%),Physical violence from managers (n),Respondents",
                "RN0,N0,2024,33.1,7,0.6,900,1140", "RN1,N1,2024,28.0,800,0.9,850,900")
    session = Session.open(path)
    r = session.compute(session.spec.with_(lens=None, measures=("harassment_public", "violence_managers"),
                                           organisation="RN0")).table.set_index("measure")
    assert r.loc["harassment_public", "suppressed"] and np.isnan(r.loc["harassment_public", "value"])  # n = 7
    assert r.loc["violence_managers", "n"] == 900 and r.loc["violence_managers", "value"] == pytest.approx(0.6)
    assert not any(" n" in m.label for m in session.catalog().measures)  # the counts are not results


@pytest.mark.parametrize("name, unit, measure", [
    ("Harassment from patients - Never", "%", None), ("Would not recommend as a place to work", "%", None),
    ("Harassment not reported", "%", None), ("Gender pay gap", "%", None),
    ("Sickness absence due to stress %", "%", None), ("Physical violence from managers - England average", "%", None),
    ("Harassment from nurses by patients", "%", None),
    ("We are safe and healthy - Burnout", "score", "PP4_2"), ("We are always learning - Appraisals", "score", "PP5_2"),
    ("Morale - Thinking about leaving", "score", "M_1"), ("Thinking of leaving", "score", "M_1"),
    ("Thinking of leaving", "%", "leave_often_think"), ("Q14a - Harassment from patients", "%", "harassment_public"),
    ("Satisfied with pay", "%", "satisfaction_pay"),
])
def test_answers_negations_averages_and_sub_score_names_tie_only_where_true(name, unit, measure):
    match = vocabulary().measure(name, BANK, 2024, unit)
    assert (match.measure if match else None) == measure, (name, match)


def test_a_plain_column_of_values_up_to_ten_is_tried_as_a_score_first(tmp_path):
    path = _csv(tmp_path / "scores.csv", "ODS code,Year,Organisation name,Thinking of leaving,I often think about leaving",
                "RX1,2024,X,5.1,31.0", "RX2,2024,Y,6.2,28.0")
    session = Session.open(path)
    tied = session.data.details["measures"]
    assert tied["Thinking of leaving"].startswith("M_1") and tied["I often think about leaving"].startswith("leave_often_think")


def test_untied_measures_do_not_join_a_lens_and_named_absent_measures_are_said(tmp_path, table):
    path = _csv(tmp_path / "untied.csv", "ODS code,Year,Organisation name,Emotional_public_rate,"
                "% BME staff experiencing harassment from patients,Bullying colleagues change",
                "RA1,2024,A,25.0,31.0,2.0", "RA2,2024,B,22.0,29.0,-1.0")
    session = Session.open(path)
    lens = session.compute(session.spec.with_(lens="bullying", organisation="RA1"))
    assert set(lens.table["measure"]) == {"harassment_public"}  # the subgroup's and the change are not the lens
    named = session.compute(session.spec.with_(lens=None, organisation="RA1",
                                               measures=("harassment_public", "violence_managers")))
    assert any("Not in this file for this selection: Physical violence from managers" in n for n in named.notes)
    from dataclasses import replace

    demo = Session.open_demo()
    without = Session(replace(demo.data, respondents=demo.data.respondents.drop(columns=["violence_managers"])), demo.bank)
    r = without.compute(without.spec.with_(lens=None, measures=("harassment_public", "violence_managers"), years=(2025,)))
    assert "Not in this file: Physical violence from managers." in r.notes
    big, _ = table
    with pytest.raises(SpecError, match="Years are chosen with --year"):
        big.compute(big.spec.with_(lens="bullying", organisation="R01", filter=Eq("Year", "2024")))


def test_a_file_without_a_weighting_column_does_not_claim_to_be_unweighted(tmp_path, table):
    path = _csv(tmp_path / "nw.csv", "ODS code,Year,Organisation name,Emotional_public_rate", "RA1,2024,A,25.0")
    session = Session.open(path)
    assert session.compute(session.spec.with_(lens="bullying")).dataset["weighting_stated"] is False
    big, _ = table  # with a Weighting column
    assert "weighting_stated" not in big.compute(big.spec.with_(lens="bullying", organisation="R01")).dataset


def test_a_filter_and_compare_by_on_the_same_column_does_not_print_the_group_twice(table):
    session, _ = table
    r = session.compute(session.spec.with_(lens="bullying", filter=Eq("Region", "London"), breakdown=("Region",),
                                           years=(2024,)))
    assert set(r.table["group"]) == {"All staff"}
    assert any("Every organisation shown is in one Region group (London)" in n for n in r.notes)


def test_ranking_a_file_without_benchmarking_groups_says_all_organisations(tmp_path):
    path = _csv(tmp_path / "nogroup.csv", "ODS code,Year,Organisation name,Emotional_public_rate,Respondents",
                "RA1,2024,A,25.0,900", "RA2,2024,B,22.0,800", "RA3,2024,C,28.0,700")
    session = Session.open(path)
    league = session.league(session.spec.with_(lens=None, measures=("harassment_public",), organisation="RA1",
                                               years=(2024,)))
    assert league.notes[0].startswith("All organisations in the file, ranked 1 = best")
    assert league.dataset["weighting_stated"] is False
    assert dict(zip(league.table["org_id"], league.table["rank"])) == {"RA2": 1, "RA1": 2, "RA3": 3}
