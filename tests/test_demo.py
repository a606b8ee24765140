"""The built-in demo: shape, realism and reproducibility of the generated files."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from explorer.core.questionbank import load_bank
from explorer.core.scoring import positive_flags, respondent_scores
from explorer.demo import BENCHMARK_XLSX, DEMO_YEARS, RESPONDENT_XLSX, demo_files, load_demo, read_demo_year
from explorer.demo import generate as gen
from explorer.paths import demo_dir

BANK = load_bank()
DIRECTORATES = {"Medicine", "Surgery", "Women and Children", "Clinical Support Services", "Corporate",
                "Estates and Facilities", "Research and Innovation"}
ESR_GROUPS = {"Add Prof Scientific and Technic", "Additional Clinical Services", "Administrative and Clerical",
              "Allied Health Professionals", "Estates and Ancillary", "Healthcare Scientists", "Medical and Dental",
              "Nursing and Midwifery Registered"}


@pytest.fixture(scope="module")
def raw() -> dict[int, pd.DataFrame]:
    return {y: read_demo_year(y) for y in DEMO_YEARS}


@pytest.fixture(scope="module")
def demo():
    return load_demo()


def pct(frame: pd.DataFrame, year: int, item_id: str, mask=None) -> float:
    item = BANK.item(item_id)
    flags = positive_flags(frame[item.code(year)], item.positive, item.scale(year).codes)
    if mask is not None:
        flags = np.where(pd.Series(mask).fillna(False).to_numpy(dtype=bool), flags, np.nan)
    return 100 * float(np.nanmean(flags))


# ----------------------------------------------------------------------------- files
def test_demo_files_exist_and_are_small():
    files = demo_files()
    assert all(p.is_file() for p in files.values()), files
    total = sum(p.stat().st_size for p in demo_dir().iterdir() if p.is_file())
    assert total <= 10 * 1024 * 1024


def test_every_demo_file_says_it_is_fictional():
    readme = (demo_dir() / "README.md").read_text(encoding="utf-8")
    assert "fictional" in readme.lower()
    for name in (RESPONDENT_XLSX, BENCHMARK_XLSX):
        wb = CalamineWorkbook.from_path(str(demo_dir() / name))
        first = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
        assert any("FICTIONAL" in str(cell) for row in first[:3] for cell in row), name


def test_csvs_regenerate_byte_for_byte(tmp_path):
    """The committed demo is exactly what the generator writes with its fixed seed."""
    gen.write_respondent_csvs({2021: gen.generate_year(2021), 2025: gen.generate_year(2025)}, tmp_path)
    for year in (2021, 2025):
        name = gen.RESPONDENT_CSV.format(year=year)
        assert gzip.decompress((tmp_path / name).read_bytes()) == gzip.decompress((demo_dir() / name).read_bytes())


# ------------------------------------------------------------------------- structure
def test_respondents_per_year(raw):
    for year, frame in raw.items():
        assert 3000 <= len(frame) <= 4500, year
        assert frame["respondent_id"].is_unique


def test_each_year_uses_its_own_numbering(raw):
    for year, frame in raw.items():
        expected = {i.code(year) for i in BANK.items.values() if i.asked_in(year) and i.id != "discrimination_grounds"}
        assert expected <= set(frame.columns), year
    # "often think about leaving" moved: q22a (2021) -> q24a (2022) -> q26a (2023+)
    assert "q26a" not in raw[2021] and "q22a" in raw[2021]
    assert "q24a" in raw[2022] and set(raw[2022]["q26a"].dropna()) <= {1, 2, 3, 4, 9}  # 2022's q26a is gender
    assert {"q17a", "q17b"} <= set(raw[2023]) and "q35" in raw[2023] and "q31" in raw[2021]
    # in 2022 q24a is leaving (agree scale), in 2023 it is development: same column name, other question
    assert pct(raw[2022], 2022, "leave_often_think") < 50 < pct(raw[2023], 2023, "development_challenging_work")
    assert {f"q16c_{k}" for k in range(1, 8)} <= set(raw[2024]) and "q16c_10" in raw[2025] and "q16c_8" not in raw[2024]


def test_answers_are_codes_on_each_items_scale(raw):
    for year, frame in raw.items():
        for item in BANK.items.values():
            if not item.asked_in(year) or item.id == "discrimination_grounds":
                continue
            values = set(frame[item.code(year)].dropna().astype(int))
            assert values <= set(item.scale(year).codes), (year, item.id, values - set(item.scale(year).codes))


def test_breakdowns(raw):
    for year, frame in raw.items():
        assert set(frame["Directorate"]) == DIRECTORATES
        assert set(frame["Staff group"]) == ESR_GROUPS
        assert frame["Site"].nunique() == 3
        assert frame["weight"].between(0.2, 5).all()


def test_at_least_one_directorate_by_staff_group_cell_is_below_eleven(raw):
    for year, frame in raw.items():
        cells = frame.groupby(["Directorate", "Staff group"], observed=True).size()
        small = cells[(cells > 0) & (cells < 11)]
        assert len(small) >= 1, year
        assert 0 < cells[("Corporate", "Medical and Dental")] < 11
        assert 0 < (frame["Directorate"] == "Research and Innovation").sum() < 11


def test_realistic_missingness(raw):
    frame = raw[2024]
    core = [BANK.item(i).code(2024) for i in ("manager_encourages", "org_recommend_work", "burnout_burnt_out")]
    for col in core:
        share = frame[col].isna().mean()
        assert 0.003 < share < 0.08, col
    # routed questions are blank when not routed
    assert frame.loc[frame["q11d"] == 2, "q11e"].isna().all()
    assert frame.loc[frame["q23a"] != 1, ["q23b", "q23c", "q23d"]].isna().all().all()
    assert frame.loc[frame["q31a"] == 2, "q31b"].isna().all()
    # the specials exist: N/A for q6a, Don't know for q19, N/A for reporting when nothing happened
    assert (frame["q6a"] == 9).sum() > 10 and (frame["q19a"] == 9).sum() > 100 and (frame["q14d"] == 9).sum() > 1000
    # demographics are sometimes skipped or "prefer not to say"
    assert 0.02 < frame["q28"].isna().mean() < 0.12 and (frame["q29"] == 5).sum() > 50


def test_local_senior_manager_questions(raw, demo):
    for year, frame in raw.items():
        assert "Senior managers act on staff feedback" in frame.columns
    labels = [q.label for q in demo.local_questions.values()]
    assert sum(BANK.lens("trust").matches_local(label) for label in labels) >= 2


# -------------------------------------------------------------------------- patterns
def test_bullying_from_colleagues_is_higher_in_surgery(raw):
    for year, frame in raw.items():
        by_dir = {d: pct(frame, year, "harassment_colleagues", frame["Directorate"] == d) for d in DIRECTORATES
                  if d != "Research and Innovation"}
        others = [v for d, v in by_dir.items() if d != "Surgery"]
        assert by_dir["Surgery"] > max(others) + 4, (year, by_dir)


def test_bullying_is_higher_for_ethnic_minority_and_disabled_staff(raw):
    for year, frame in raw.items():
        eth = frame[BANK.item("ethnicity").code(year)]
        ltc = frame[BANK.item("long_term_condition").code(year)]
        white, bme = eth.between(1, 4), eth > 4
        assert pct(frame, year, "harassment_colleagues", bme) > pct(frame, year, "harassment_colleagues", white) + 4
        assert pct(frame, year, "harassment_colleagues", ltc == 1) > pct(frame, year, "harassment_colleagues", ltc == 2) + 4
        assert pct(frame, year, "equal_career_progression", bme) < pct(frame, year, "equal_career_progression", white)


def _scores(frame, year, ids):
    answers = {i.id: frame[i.code(year)] for i in BANK.items.values() if i.asked_in(year) and i.code(year) in frame}
    return respondent_scores(answers, BANK, ids)


def test_morale_dips_in_2022_and_recovers(raw):
    morale = {y: float(_scores(f, y, ["theme_morale"])["theme_morale"].mean()) for y, f in raw.items()}
    assert morale[2022] < morale[2021] - 0.15
    assert morale[2023] > morale[2022] and morale[2025] > morale[2021]
    leaving = {y: pct(f, y, "leave_often_think") for y, f in raw.items()}
    assert leaving[2022] > leaving[2021] + 3 and leaving[2025] < leaving[2022] - 5


def test_line_management_moves_with_engagement_and_trust(raw):
    frame = raw[2025]
    s = _scores(frame, 2025, ["PP7_2", "theme_engagement", "PP3_2"])
    assert s["PP7_2"].corr(s["theme_engagement"]) > 0.35
    assert s["PP7_2"].corr(s["PP3_2"]) > 0.3
    senior = frame["Senior managers act on staff feedback"].astype(float)
    assert senior.corr(s["PP3_2"]) > 0.3


# ----------------------------------------------------------------- the loaded dataset
def test_load_demo_harmonises_years(demo):
    r = demo.respondents
    assert demo.respondents_by_year() == {y: len(read_demo_year(y)) for y in DEMO_YEARS}
    assert str(r["leave_often_think"].dtype) == "Int8"
    assert r.loc[r["year"] == 2021, "sexual_behaviour_public"].isna().all()
    assert r.loc[r["year"] == 2025, "sexual_behaviour_public"].notna().any()
    assert r["Directorate"].dtype == "category" and r["ethnicity"].dtype == "category"
    assert list(r["age"].cat.categories) == ["16-20", "21-30", "31-40", "41-50", "51-65", "66+"]
    assert "Filipino" in set(r.loc[r["year"] == 2025, "ethnicity"].dropna())
    assert "Filipino" not in set(r.loc[r["year"] == 2024, "ethnicity"].dropna())
    assert set(r["Ethnicity (WRES summary)"].dropna()) == {"White", "BME"}
    assert r.memory_usage(deep=True).sum() < 8_000_000
    # the same answer is read back: 2021's q22a is the stable item leave_often_think
    raw21 = read_demo_year(2021)
    assert r.loc[r["year"] == 2021, "leave_often_think"].reset_index(drop=True).equals(raw21["q22a"])


# ------------------------------------------------------------------ benchmark workbook
@pytest.fixture(scope="module")
def workbook():
    return CalamineWorkbook.from_path(str(demo_dir() / BENCHMARK_XLSX))


def test_benchmark_workbook_official_layout(workbook):
    names = workbook.sheet_names
    assert names[:2] == ["Notes", "Organisation Benchmark groups"]
    assert "Acute&Acute Community Trusts" in names and "Ambulance Trusts" in names and "ICBs" in names
    orgs = 0
    for sheet in names[2:]:
        rows = workbook.get_sheet_by_name(sheet).to_python()
        header = rows[0]
        assert header[:3] == ["org_id", "org_name", "org_type_reporting_name"]
        assert "PP7_2_2025" in header and "PP7_2_n_2025" in header and "theme_morale_2022" in header
        orgs += len(rows) - 1
    assert 110 <= orgs <= 130
    notes = workbook.get_sheet_by_name("Notes").to_python()
    described = {row[0] for row in notes}
    assert "q14c_2025" in described and "theme_morale_n_2021" in described


def test_benchmark_values_are_proportions_scores_and_counts(workbook):
    rows = workbook.get_sheet_by_name("Acute&Acute Community Trusts").to_python()
    header, data = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    northshire = [r for r in data if r[0] == "XNH"]
    assert len(northshire) == 1 and "Northshire" in northshire[0][1]
    for row in data:
        assert 0 <= row[col["q14c_2025"]] <= 1 and 0 <= row[col["PP7_2_2025"]] <= 10
        assert float(row[col["q14c_n_2025"]]).is_integer()
    # 2021 values are labelled with current codes (q26a = often think about leaving, q22a in 2021's questionnaire)
    assert "q26a_2021" in col and "q22a_2021" not in col and "q17a_2021" not in col


def test_northshire_row_matches_its_respondents(workbook, raw):
    """The benchmark row is Northshire's own respondents, weighted (so it differs from the unweighted figure)."""
    rows = workbook.get_sheet_by_name("Acute&Acute Community Trusts").to_python()
    header = rows[0]
    row = dict(zip(header, [r for r in rows if r[0] == "XNH"][0]))
    frame = raw[2024]
    item = BANK.item("harassment_colleagues")
    flags = positive_flags(frame["q14c"], item.positive, item.scale(2024).codes)
    ok = ~np.isnan(flags)
    w = frame["weight"].to_numpy()
    weighted = float(np.sum(flags[ok] * w[ok]) / np.sum(w[ok]))
    assert row["q14c_2024"] == pytest.approx(weighted, abs=1e-6)
    assert row["q14c_n_2024"] == ok.sum()
    assert abs(weighted - float(np.mean(flags[ok]))) > 1e-4  # weighting changes the number


def test_icbs_start_in_2022(workbook):
    rows = workbook.get_sheet_by_name("ICBs").to_python()
    assert "PP1_2021" not in rows[0] and "PP1_2022" in rows[0]
