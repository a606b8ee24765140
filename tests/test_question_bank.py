"""The question bank against the official questionnaires and the domain reference."""

from __future__ import annotations

import csv
import re

import pytest

from explorer.core.questionbank import LENS_IDS, load_bank, normalise_code
from tests.questionnaires import fold, require_shared, sections

BANK = load_bank()
YEARS = (2021, 2022, 2023, 2024, 2025)


def test_survey_years():
    assert BANK.years == YEARS


# --------------------------------------------------------------- against the questionnaires
def _code_parts(code: str) -> tuple[int, str]:
    m = re.fullmatch(r"q(\d+)([a-z]?)", code)
    assert m, code
    return int(m.group(1)), m.group(2)


@pytest.mark.parametrize("year", YEARS)
def test_every_code_and_wording_is_printed_in_that_years_questionnaire(year):
    """Each item's code points at the printed question whose text is the bank's wording."""
    require_shared()
    printed = sections(year)
    problems = []
    for item in BANK.items.values():
        if not item.asked_in(year):
            continue
        v = item.version(year)
        number, letter = _code_parts(v.code)
        section = printed.get(number)
        if section is None:
            problems.append(f"{item.id}: {v.code} has no question {number} in {year}")
            continue
        body = fold(section)
        if v.text:
            text = fold(v.text)
            if letter:
                ok = f"{letter}. {text}" in body or f"{number}{letter}. {text}" in body
                # a lettered part printed as the question's own first line ("10. How many hours...")
                ok = ok or (letter == "a" and body.startswith(f"{number}. {text}"))
            else:
                ok = text in body
            if not ok:
                problems.append(f"{item.id}: {year} {v.code} wording not found: {v.text!r}")
        if v.stem:
            # a stem may be printed in pieces around the answer-grid headings ("...manager? [grid] My...")
            upto = fold(" ".join(printed[n] for n in printed if n <= number))
            for piece in re.split(r"(?<=\?) ", v.stem):
                if fold(piece) not in upto:
                    problems.append(f"{item.id}: {year} stem not printed: {piece!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("year", YEARS)
def test_questionnaire_questions_are_all_in_the_bank(year):
    """No printed question number is missing from the bank (catches a skipped block)."""
    require_shared()
    codes = {_code_parts(v.code)[0] for i in BANK.items.values() if i.asked_in(year) for v in [i.version(year)]}
    assert set(sections(year)) == codes


def _printed_options(section: str) -> str:
    return fold(section)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    "item_id",
    ["violence_reported", "harassment_colleagues", "equal_career_progression", "appraisal_improve_job",
     "appraisal_had", "gender", "age", "religion", "tenure", "reasonable_adjustments", "sexual_orientation",
     "patient_contact", "hours_additional_paid"],
)
def test_answer_labels_of_non_grid_questions_are_printed(year, item_id):
    """Options printed one per line: every label in the bank appears in that question's text."""
    require_shared()
    item = BANK.item(item_id)
    v = item.version(year)
    body = fold(sections(year)[_code_parts(v.code)[0]])
    missing = [o.label for o in v.scale.options if not o.variant and fold(o.label) not in body]
    assert not missing, f"{item_id} {year}: {missing}"


@pytest.mark.parametrize("year", YEARS)
def test_ethnicity_and_occupation_codes_match_the_printed_numbers(year):
    require_shared()
    for item_id in ("ethnicity", "occupation_group"):
        v = BANK.item(item_id).version(year)
        body = sections(year)[_code_parts(v.code)[0]]
        for o in v.scale.options:
            first_word = fold(o.label).split(" / ")[0].split(" (")[0]
            # the two-digit code is printed right before the label (possibly on the line above)
            pattern = rf"{o.code:02d}\s+{re.escape(first_word[:12])}"
            assert re.search(pattern, fold(body)), f"{item_id} {year}: {o.code:02d} {o.label}"


def test_discrimination_grounds_2025_has_ten_grounds():
    assert len(BANK.item("discrimination_grounds").scale(2025).options) == 10
    assert len(BANK.item("discrimination_grounds").scale(2024).options) == 7


# -------------------------------------------------------------------- against the crosswalk
def _crosswalk_codes(cell: str) -> list[str]:
    """Expand the crosswalk's shorthand ("q22a-d", "q10 b c", "q19a-d") into codes."""
    cell = cell.split("(")[0].strip()
    if not cell or cell.startswith("—"):
        return []
    m = re.fullmatch(r"q(\d+)([a-z])-([a-z])", cell)
    if m:
        n, a, b = m.groups()
        return [f"q{n}{chr(c)}" for c in range(ord(a), ord(b) + 1)]
    m = re.fullmatch(r"q(\d+)", cell)
    if m:
        return [cell]
    return []


def test_codes_agree_with_the_domain_crosswalk():
    shared = require_shared()
    with open(shared / "domain" / "question-crosswalk-2021-2025.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for row in rows:
        for year in YEARS:
            column = f"code_{year}" if year < 2025 else "code_2025_pdf"
            for code in _crosswalk_codes(row[column]):
                item = BANK.by_code(year, code)
                assert item is not None, f"{row['topic']}: {year} {code} missing from the bank"
                checked += 1
    assert checked > 400


# ---------------------------------------------------------------------------- completeness
LENS_CORE = {
    "trust": ["manager_encourages", "manager_clear_feedback", "manager_asks_opinion", "manager_interest_wellbeing",
              "manager_values_work", "manager_works_together", "manager_listens", "manager_cares",
              "manager_takes_action", "work_trusted", "concerns_secure_raising", "concerns_confident_addressed",
              "org_safe_to_speak_up", "org_confident_address_concern", "org_recommend_work"],
    "bullying": ["harassment_public", "harassment_managers", "harassment_colleagues", "harassment_reported",
                 "violence_public", "violence_managers", "violence_colleagues", "violence_reported",
                 "discrimination_public", "discrimination_staff"],
    "morale": ["leave_often_think", "leave_look_for_job", "leave_as_soon_as_possible",
               "burnout_emotionally_exhausting", "burnout_burnt_out", "burnout_frustrated",
               "burnout_exhausted_thought", "burnout_worn_out", "burnout_every_hour_tiring",
               "burnout_no_energy_family", "motivation_look_forward"],
}
PEOPLE_PROMISE = ["PP1", "PP1_1", "PP1_2", "PP1_3", "PP1_4", "PP2", "PP3", "PP3_1", "PP3_2", "PP4", "PP4_1",
                  "PP4_2", "PP4_3", "PP5", "PP5_1", "PP5_2", "PP6", "PP6_1", "PP6_2", "PP7", "PP7_1", "PP7_2"]
THEMES = ["theme_engagement", "E_1", "E_2", "E_3", "theme_morale", "M_1", "M_2", "M_3"]


@pytest.mark.parametrize("year", YEARS)
def test_every_year_has_the_core_items_of_the_three_lenses(year):
    for lens, ids in LENS_CORE.items():
        assert set(ids) <= set(BANK.lens_items(lens)), lens
        for iid in ids:
            assert BANK.item(iid).asked_in(year), f"{iid} not asked in {year}"


@pytest.mark.parametrize("year", YEARS)
def test_people_promise_and_themes_are_computable_every_year(year):
    for sid in PEOPLE_PROMISE + THEMES:
        assert year in BANK.score_years(sid), f"{sid} {year}"


def test_people_promise_membership_in_2023_codes_matches_the_reference():
    """Table 4.2 of NHS-STAFF-SURVEY.md, written out in 2023 codes."""
    expected = {
        "PP1_1": "q6a q25a q25b q25c q25d", "PP1_2": "q9f q9g q9h q9i", "PP1_3": "q15 q16a q16b q21",
        "PP1_4": "q7h q7i q8b q8c", "PP2": "q4a q4b q4c q8d q9e", "PP3_1": "q3a q3b q3c q3d q3e q3f q5b",
        "PP3_2": "q20a q20b q25e q25f", "PP4_1": "q3g q3h q3i q5a q11a q13d q14d",
        "PP4_2": "q12a q12b q12c q12d q12e q12f q12g", "PP4_3": "q11b q11c q11d q13a q13b q13c q14a q14b q14c",
        "PP5_1": "q24a q24b q24c q24d q24e", "PP5_2": "q23b q23c q23d", "PP6_1": "q6b q6c q6d", "PP6_2": "q4d",
        "PP7_1": "q7a q7b q7c q7d q7e q7f q7g q8a", "PP7_2": "q9a q9b q9c q9d",
        "E_1": "q2a q2b q2c", "E_2": "q3c q3d q3f", "E_3": "q25a q25c q25d",
        "M_1": "q26a q26b q26c", "M_2": "q3g q3h q3i", "M_3": "q3a q3e q5a q5b q5c q7c q9a",
    }
    for sid, codes in expected.items():
        got = {BANK.item(i).code(2023) for i in BANK.score(sid).items}
        assert got == set(codes.split()), sid
    assert BANK.score("PP4").parts == ("PP4_1", "PP4_2", "PP4_3")
    assert BANK.score("theme_morale").parts == ("M_1", "M_2", "M_3")
    assert BANK.score("PP7_2").parent == "PP7"


def test_all_score_items_have_recodes_and_scores_are_higher_is_better():
    for sid in BANK.scores:
        for iid in BANK.score_items(sid):
            rec = BANK.item(iid).recode
            assert rec is not None
            assert set(rec.points.values()) <= {0.0, 2.5, 5.0, 7.5, 10.0}
            assert max(rec.points.values()) == 10.0 and min(rec.points.values()) == 0.0
    # reversed items: the favourable (lower-is-better) end scores 10
    for iid in ("burnout_burnt_out", "leave_often_think", "pressure_unrealistic_time"):
        assert BANK.item(iid).recode.points[1] == 10.0
    assert BANK.item("harassment_colleagues").recode.points == {1: 10.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0}


# ----------------------------------------------------------------------- % positive rules
@pytest.mark.parametrize(
    "item_id,positive,exclude,lower",
    [
        ("motivation_look_forward", {4, 5}, set(), False),
        ("pressure_unrealistic_time", {1, 2}, set(), False),
        ("role_makes_difference", {4, 5}, {9}, False),
        ("manager_encourages", {4, 5}, set(), False),
        ("leave_often_think", {4, 5}, set(), True),
        ("satisfaction_pay", {4, 5}, set(), False),
        ("health_work_stress", {1}, set(), True),
        ("discrimination_staff", {1}, set(), True),
        ("errors_seen", {1}, set(), True),
        ("appraisal_valued", {1}, set(), False),
        ("harassment_colleagues", {2, 3, 4, 5}, set(), True),
        ("sexual_behaviour_staff", {2, 3, 4, 5}, set(), True),
        ("harassment_reported", {1, 2, 6}, {4, 9}, False),
        ("burnout_worn_out", {4, 5}, set(), True),
    ],
)
def test_positive_rules_match_the_official_definitions(item_id, positive, exclude, lower):
    item = BANK.item(item_id)
    assert item.positive.positive == positive
    assert item.positive.exclude == exclude
    assert item.lower_is_better is lower


def test_unverified_rules_are_marked_unverified():
    # q15 is confirmed (issue 8: published WRES 7 figures of 70-87 % need Don't know out of the base)
    q15 = BANK.item("equal_career_progression").positive
    assert q15.verified is True and q15.exclude == frozenset({9}) and q15.positive == frozenset({1})
    assert BANK.item("incident_treated_fairly").positive.verified is False
    assert BANK.item("manager_encourages").positive.verified is True
    assert all(not r.verified for r in BANK.unverified.recodes.values())


def test_positive_codes_are_real_answers_on_the_items_scale():
    for item in BANK.items.values():
        if item.positive is None:
            continue
        for year in item.years:
            scale = item.scale(year)
            assert item.positive.positive <= set(scale.codes), (item.id, year)
            specials = {o.code for o in scale.options if o.special}
            assert not (item.positive.positive & specials), item.id


# ------------------------------------------------------------------------ cross-year ids
@pytest.mark.parametrize(
    "item_id,codes",
    [
        ("leave_often_think", {2021: "q22a", 2022: "q24a", 2023: "q26a", 2024: "q26a", 2025: "q26a"}),
        ("concerns_secure_raising", {2021: "q17a", 2022: "q19a", 2023: "q20a", 2024: "q20a", 2025: "q20a"}),
        ("org_recommend_work", {2021: "q21c", 2022: "q23c", 2023: "q25c", 2024: "q25c", 2025: "q25c"}),
        ("appraisal_valued", {2021: "q19d", 2022: "q21d", 2023: "q23d", 2024: "q23d", 2025: "q23d"}),
        ("development_career", {2021: "q20b", 2022: "q22b", 2023: "q24b", 2024: "q24b", 2025: "q24b"}),
        ("org_respects_differences", {2021: "q18", 2022: "q20", 2023: "q21", 2024: "q21", 2025: "q21"}),
        ("incident_feedback", {2022: "q18d", 2023: "q19d", 2024: "q19d", 2025: "q19d"}),
        ("errors_seen", {2022: "q17", 2023: "q18", 2024: "q18", 2025: "q18"}),
        ("ethnicity", {2021: "q25", 2022: "q27", 2023: "q28", 2024: "q28", 2025: "q28"}),
        ("occupation_group", {2021: "q31", 2022: "q33", 2023: "q35", 2024: "q35", 2025: "q35"}),
        ("manager_encourages", {y: "q9a" for y in YEARS}),
        ("sexual_behaviour_public", {2023: "q17a", 2024: "q17a", 2025: "q17a"}),
        ("development_clinical_supervision", {2024: "q24f", 2025: "q24f"}),
    ],
)
def test_cross_year_item_ids(item_id, codes):
    item = BANK.item(item_id)
    assert {y: item.code(y) for y in item.years} == codes
    for year, code in codes.items():
        assert BANK.by_code(year, code).id == item_id


def test_same_code_means_different_questions_in_different_years():
    assert BANK.by_code(2022, "q24a").id == "leave_often_think"
    assert BANK.by_code(2023, "q24a").id == "development_challenging_work"
    assert BANK.by_code(2021, "q17a").id == "concerns_secure_raising"
    assert BANK.by_code(2023, "q17a").id == "sexual_behaviour_public"
    assert BANK.by_code(2021, "q17b").id != BANK.by_code(2023, "q17b").id


@pytest.mark.parametrize("text,code", [("q9a", "q9a"), ("Q9A", "q9a"), ("9a", "q9a"), ("Q9a.", "q9a"),
                                        ("q16c_3", "q16c_3"), ("Q15", "q15"), (" q 26 a ", "q26a")])
def test_code_variants_normalise(text, code):
    assert normalise_code(text) == code


@pytest.mark.parametrize("text", ["Directorate", "q", "9999", "", None, 9, "question 9a about managers"])
def test_non_codes_do_not_normalise(text):
    assert normalise_code(text) is None


def test_trend_breaks():
    q15 = BANK.item("equal_career_progression")
    assert q15.comparable(2024, 2023)
    assert not q15.comparable(2025, 2024)
    assert not BANK.item("incident_feedback").comparable(2022, 2021)  # not asked in 2021
    assert BANK.item("leave_often_think").comparable(2022, 2021)  # renumbered but the same question


# ------------------------------------------------------------------------ demographics
def test_demographic_codes_2023_match_reference():
    assert {y: BANK.item("gender").code(y) for y in YEARS}[2023] == "q27a"
    assert BANK.item("age").scale(2023).label(6) == "66+"
    eth21, eth25 = BANK.item("ethnicity").scale(2024), BANK.item("ethnicity").scale(2025)
    assert eth25.label(13) == "Filipino" and eth21.label(13) == "Any other Asian background"
    assert eth25.option(14).key == eth21.option(13).key == "asian_other"
    assert {o.summary for o in eth21.options if o.code <= 4} == {"White"}
    assert {o.summary for o in eth21.options if o.code > 4} == {"BME"}
    occ21, occ23 = BANK.item("occupation_group").scale(2021), BANK.item("occupation_group").scale(2023)
    assert occ21.option(12).key == occ23.option(13).key == "medical_consultant"
    assert occ21.option(38).key == occ23.option(40).key == "maintenance_ancillary"
    assert len(occ21.options) == 40 and len(occ23.options) == 42
    assert BANK.item("occupation_group").scale(2024).label(35) == "Social workers"


def test_labels_map_to_codes_case_and_whitespace_insensitively():
    agree = BANK.item("manager_encourages").scale(2025)
    assert agree.code_for_label("  strongly   AGREE ") == 5
    assert agree.code_for_label("Neither agree nor disagree") == 3
    assert BANK.item("harassment_reported").scale(2025).code_for_label("Don’t know") == 4
    assert agree.code_for_label("Agreed") is None


def test_2025_benchmark_codes_are_the_unverified_overrides():
    assert BANK.item("work_from_home").version(2025).benchmark_code == "q38"
    assert BANK.item("tenure").version(2025).benchmark_code == "q39a"
    assert BANK.item("tenure").version(2024).benchmark_code == "q34a"
    assert BANK.item("manager_encourages").version(2025).benchmark_code == "q9a"


# ----------------------------------------------------------------------------------- lenses
def test_lenses():
    assert tuple(BANK.lenses) == LENS_IDS
    assert "PP7_2" in BANK.lens("trust").measures and "PP4_3" in BANK.lens("bullying").measures
    assert "theme_morale" in BANK.lens("morale").measures
    assert BANK.lens("trust").matches_local("Senior managers here try to involve staff in important decisions")
    assert not BANK.lens("trust").matches_local("I look forward to going to work")
    wres = {s.id: s for s in BANK.lens("bullying").splits}
    assert wres["wres6"].items == ("harassment_managers", "harassment_colleagues") and wres["wres6"].combine == "any"
    assert "trust" in BANK.item("manager_clear_feedback").lenses
    assert "bullying" in BANK.item("health_msk").lenses  # through PP4_3
    assert BANK.item("satisfaction_pay").lenses == ()


def test_minimum_suppression_threshold_is_eleven():
    assert BANK.unverified.minimum_base == 11


def test_no_percent_positive_keeps_dont_know_or_not_applicable_in_its_base():
    """Issue 8: q15 kept Don't know in its base (a third of answers) and gave 51 % where the published
    figures are 70-87 %. No item's % positive may count a special answer (Don't know, Not applicable,
    Can't remember...) in its base."""
    kept = [(iid, year, o.label) for iid, item in BANK.items.items() if item.positive is not None
            for year in item.years for o in item.scale(year).options
            if o.special and o.code not in item.positive.exclude]
    assert kept == []
