"""Readers against files shaped like the real ones (NHS-STAFF-SURVEY.md section 1) and bad input."""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from explorer.cli import main
from explorer.core.progress import Cancelled, ProgressReporter
from explorer.core.questionbank import load_bank
from explorer.readers import ColumnMapping, MappingError, PasswordRequired, ReadError, WrongPassword, open_survey
from explorer.readers.mapping import mapping_from_data
from tests import readers_fixtures as fx

BANK = load_bank()
LO = Path(__file__).parent / "data" / "lo"


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def row_values(data, column: str) -> list:
    return [None if pd.isna(v) else int(v) for v in data.respondents[column]]


# ------------------------------------------------------------------------ respondent files
@pytest.fixture
def respondent_xlsx(tmp_path) -> Path:
    return fx.write_respondent_xlsx(tmp_path / "northshire results.xlsx")


def test_respondent_workbook_with_title_rows_hidden_sheet_and_code_variants(respondent_xlsx):
    before = fingerprint(respondent_xlsx)
    data = open_survey(respondent_xlsx)
    assert fingerprint(respondent_xlsx) == before  # never modified
    assert data.kind == "respondents"
    assert data.provenance.sheets == ("Staff Survey 2023",)
    assert data.details["sheets"][0]["header_row"] == 4
    assert data.details["sheets"][0]["year_from"] == "sheet name 'Staff Survey 2023'"
    assert set(data.details["skipped_sheets"]) == {"About", "Lookup (hidden)"}
    assert data.respondents_by_year() == {2023: fx.N_RESPONDENTS}
    found = data.details["questions_by_year"][2023]
    assert {c: v["item"] for c, v in found.items()} == {
        "q9a": "manager_encourages", "Q9B": "manager_clear_feedback", "9c": "manager_asks_opinion",
        "Q9d.": "manager_interest_wellbeing", "q14c": "harassment_colleagues", "q25c": "org_recommend_work",
        "q26a": "leave_often_think", "q28": "ethnicity", "q31a": "long_term_condition",
    }
    rows = fx.respondent_rows()
    assert row_values(data, "manager_encourages") == [r[3] for r in rows]
    assert row_values(data, "manager_asks_opinion") == [r[5] for r in rows]  # 99 -> missing
    assert row_values(data, "leave_often_think") == [r[9] for r in rows]
    eth = data.respondents["ethnicity"].astype(str).tolist()
    assert eth[:4] == ["English / Welsh / Scottish / Northern Irish / British", "Indian", "African", "Any other White background"]
    assert data.respondents["Ethnicity (WRES summary)"].astype(str).tolist()[:4] == ["White", "BME", "BME", "White"]
    assert data.breakdowns == ("Directorate", "Staff group")
    assert data.respondents["Directorate"].dtype == "category"
    assert str(data.respondents["manager_encourages"].dtype) == "Int8"
    [local] = data.local_questions.values()
    assert local.label == "Senior managers act on staff feedback"
    assert row_values(data, local.id) == [r[12] for r in rows]
    assert set(data.details["unrecognised"]) == {"Respondent ID", "Comments"}
    assert data.warnings == ()


def test_answer_labels_are_mapped_to_codes(tmp_path):
    labels = {1: "Strongly disagree", 2: "disagree", 3: "Neither agree nor disagree", 4: " AGREE ", 5: "Strongly  agree"}
    rows = fx.respondent_rows()
    for row in rows:
        row[3] = labels[row[3]]
        row[8] = f"{row[8]} - {['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'][row[8] - 1]}"
    path = fx.write_respondent_xlsx(tmp_path / "labels 2023.xlsx", rows=rows)
    data = open_survey(path)
    original = fx.respondent_rows()
    assert row_values(data, "manager_encourages") == [r[3] for r in original]
    assert row_values(data, "org_recommend_work") == [r[8] for r in original]


def test_year_column_with_each_years_own_numbering(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "All years"
    ws.append(["Survey year", "Directorate", "q9a", "q9b", "q9c", "q24a"])
    for i in range(12):
        ws.append([2022 if i < 6 else 2023, "Surgery", 4, 4, 3, 1 + i % 5])
    path = tmp_path / "combined.xlsx"
    wb.save(path)
    data = open_survey(path)
    assert data.respondents["year"].value_counts().to_dict() == {2022: 6, 2023: 6}
    assert data.respondents_by_year() == {2022: None, 2023: None}  # too few to show their size
    assert data.details["questions_by_year"][2022]["q24a"]["item"] == "leave_often_think"
    assert data.details["questions_by_year"][2023]["q24a"]["item"] == "development_challenging_work"
    r = data.respondents
    assert r.loc[r.year == 2022, "leave_often_think"].tolist() == [1, 2, 3, 4, 5, 1]
    assert r.loc[r.year == 2022, "development_challenging_work"].isna().all()
    assert r.loc[r.year == 2023, "development_challenging_work"].tolist() == [2, 3, 4, 5, 1, 2]


def test_year_from_file_name_or_asked(tmp_path):
    rows = fx.respondent_rows()
    path = fx.write_respondent_xlsx(tmp_path / "staff survey 2023 final.xlsx", year_sheet="Results", rows=rows)
    assert open_survey(path).years == (2023,)
    undated = fx.write_respondent_xlsx(tmp_path / "staff survey final.xlsx", year_sheet="Results", rows=rows)
    with pytest.raises(ReadError, match="does not say which survey year"):
        open_survey(undated)
    asked = []
    data = open_survey(undated, ask_year=lambda file, sheet: asked.append((file, sheet)) or 2023)
    assert asked == [("staff survey final.xlsx", "Results")] and data.years == (2023,)


def test_questions_recognised_by_wording_including_truncated(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "2024"
    ws.append(["Team", "My immediate manager encourages me at work",
               "Q9b. My immediate manager gives me clear feedback on my work",
               "I would recommend my organisation as a pla",  # cut by an export
               "Other colleagues",  # ambiguous: q13c violence or q14c bullying
               "In the last 12 months how many times have you personally experienced harassment, bullying or abuse at work from...? Other colleagues"])
    for i in range(15):
        ws.append([100 + i % 3, 1 + i % 5, 2, 4, 1, 1 + i % 2])
    path = tmp_path / "wording.xlsx"
    wb.save(path)
    data = open_survey(path)
    found = {c: (v["item"], v["how"]) for c, v in data.details["questions_by_year"][2024].items()}
    assert found["My immediate manager encourages me at work"] == ("manager_encourages", "wording")
    assert found["Q9b. My immediate manager gives me clear feedback on my work"] == ("manager_clear_feedback", "code")
    assert found["I would recommend my organisation as a pla"] == ("org_recommend_work", "wording")
    assert "Other colleagues" not in found
    assert any("Other colleagues" in note and "could be any of" in note for note in data.details["notes"])
    assert found[ws.cell(1, 6).value][0] == "harassment_colleagues"
    assert data.breakdowns == ("Team",)
    assert sorted(set(data.respondents["Team"].astype(str))) == ["100", "101", "102"]


def test_codes_outside_the_scale_are_a_warning_with_counts(tmp_path):
    rows = fx.respondent_rows()
    rows[0][3], rows[1][3], rows[2][3], rows[3][7] = 7, 7, 0, 12
    data = open_survey(fx.write_respondent_xlsx(tmp_path / "odd codes 2023.xlsx", rows=rows))
    assert data.respondents["manager_encourages"].isna().sum() == 3
    warning = next(w for w in data.warnings if "'q9a'" in w)
    assert "3 answer(s) were not codes on the question's scale (7 x2, 0 x1)" in warning
    assert "treated as missing" in warning
    assert any("'q14c'" in w and "12 x1" in w for w in data.warnings)


def test_blank_and_total_rows_are_not_respondents(tmp_path):
    extra = [[None] * len(fx.RESPONDENT_COLUMNS), ["Total"] + [None] * (len(fx.RESPONDENT_COLUMNS) - 1)]
    data = open_survey(fx.write_respondent_xlsx(tmp_path / "with totals 2023.xlsx", extra_rows=extra, missing_as_99=False))
    assert data.respondents_by_year() == {2023: fx.N_RESPONDENTS}


@pytest.mark.parametrize("encoding,delimiter,suffix", [("utf-8", ",", ".csv"), ("utf-8-sig", ",", ".csv"),
                                                      ("cp1252", ";", ".csv"), ("utf-16", "\t", ".txt")])
def test_text_files_in_each_encoding_and_delimiter(tmp_path, encoding, delimiter, suffix):
    rows = fx.respondent_rows()
    rows[0][1] = "Women’s & Children’s – Maternité"
    lines = ["Trust staff survey export 2023", delimiter.join(fx.RESPONDENT_COLUMNS)]
    for row in rows:
        lines.append(delimiter.join("" if v is None else str(v) for v in row))
    path = tmp_path / f"export 2023{suffix}"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    data = open_survey(path)
    assert data.details["encoding"] == encoding
    assert data.details["delimiter"] == delimiter
    assert data.respondents["Directorate"].astype(str).iloc[0] == "Women’s & Children’s – Maternité"
    assert row_values(data, "manager_encourages") == [r[3] for r in fx.respondent_rows()]


def test_libreoffice_xls_ods_and_cp1252_csv_read_identically_to_the_xlsx():
    """Fixtures written by LibreOffice (tests/data/lo/make_lo_fixtures.py)."""
    tables = {}
    for ext in ("xlsx", "xls", "ods", "csv"):
        data = open_survey(LO / f"lo-respondents-2023.{ext}")
        assert data.kind == "respondents" and data.years == (2023,), ext
        frame = data.respondents.copy()
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                frame[col] = frame[col].astype(str)
        tables[ext] = frame
    assert data.details["encoding"] == "cp1252"
    assert "Women’s & Children’s – Maternité" in set(tables["csv"]["Directorate"])
    for ext in ("xls", "ods", "csv"):
        pd.testing.assert_frame_equal(tables[ext], tables["xlsx"], check_dtype=False, obj=ext)


def test_mapping_names_columns_the_reader_cannot_guess_and_round_trips(tmp_path, respondent_xlsx):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Care Group", "LM1", "LM2", "LM3", "Bullied by colleagues", "SM trust", "Notes"])
    for i in range(12):
        ws.append(["Medicine", "Totally agree" if i % 2 else "Agree", 3, 4, 1 + i % 5, 1 + i % 5, "x"])
    path = tmp_path / "own headings.xlsx"
    wb.save(path)
    with pytest.raises(ReadError):
        open_survey(path)
    mapping = ColumnMapping.from_dict({
        "kind": "respondents", "year": 2024,
        "columns": {"LM1": {"role": "question", "item": "manager_encourages"},
                    "LM2": {"role": "question", "item": "manager_clear_feedback"},
                    "LM3": {"role": "question", "item": "manager_asks_opinion"},
                    "Bullied by colleagues": {"role": "question", "item": "harassment_colleagues"},
                    "Care Group": "breakdown", "SM trust": {"role": "local", "label": "I trust senior managers"},
                    "Notes": "ignore"},
        "labels": {"Totally agree": 5},
    })
    saved = tmp_path / "mapping.json"
    mapping.save(saved)
    data = open_survey(path, mapping=saved)
    assert data.years == (2024,)
    assert data.respondents["manager_encourages"].tolist() == [4, 5] * 6
    assert [q.label for q in data.local_questions.values()] == ["I trust senior managers"]
    assert data.breakdowns == ("Care Group",)
    # what the reader recognised can itself be saved and reused
    auto = open_survey(respondent_xlsx)
    again = open_survey(respondent_xlsx, mapping=mapping_from_data(auto))
    pd.testing.assert_frame_equal(again.respondents, auto.respondents)


@pytest.mark.parametrize("raw,message", [
    ("not json", "is not valid JSON"),
    ('{"columns": {"A": {"role": "wizard"}}}', "needs a role"),
    ('{"kind": "poll"}', "unknown kind"),
    ('{"year": 1850}', "must be a survey year"),
    ('{"version": 99}', "newer version"),
])
def test_bad_mappings_are_one_sentence(tmp_path, raw, message):
    path = tmp_path / "m.json"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        ColumnMapping.load(path)


# --------------------------------------------------------------------- published aggregates
def agg(data, **where):
    table = data.aggregates
    mask = np.ones(len(table), dtype=bool)
    for col, value in where.items():
        mask &= (table[col].astype(object) == value).to_numpy()
    return table[mask]


def test_benchmark_workbook(tmp_path):
    data = open_survey(fx.write_benchmark_xlsx(tmp_path / "benchmark data.xlsx"))
    assert data.kind == "benchmark_workbook"
    assert data.provenance.sheets == ("Acute & Acute Community Trusts", "ICBs")
    assert data.provenance.vintage == "2022-2023 v2"
    assert data.years == (2022, 2023)
    row = agg(data, org_id="XA1", measure="harassment_colleagues", year=2023).iloc[0]
    assert row["value"] == pytest.approx(19.5) and row["n"] == 3200 and row["unit"] == "%"
    assert row["sig"] == "Significantly better" and bool(row["weighted"]) is True
    assert "bullying from colleagues" in row["label"]
    assert bool(agg(data, org_id="XQ1", measure="harassment_colleagues", year=2023).iloc[0]["weighted"]) is False
    for measure, year, marker in (("harassment_colleagues", 2022, "*"), ("harassment_colleagues", 2023, "-"),
                                  ("PP7_2", 2022, "NA"), ("leave_often_think", 2023, "<11")):
        cell = agg(data, org_id="XA2", measure=measure, year=year).iloc[0]
        assert math.isnan(cell["value"]) and cell["missing_reason"] == f"suppressed in the source file ('{marker}')"
    assert agg(data, org_id="XA1", measure="PP7_2", year=2023).iloc[0]["value"] == pytest.approx(6.72)
    assert agg(data, org_id="XA1", measure="PP7_2", year=2023).iloc[0]["unit"] == "score"
    own = agg(data, org_id="XA1", measure="q27a_1").iloc[0]
    assert own["value"] == pytest.approx(77.0) and own["label"] == "% of staff selecting Female"
    wres = agg(data, org_id="XA1", measure="wres6", year=2023)
    assert dict(zip(wres["group"].astype(str), wres["value"])) == pytest.approx({"White": 17.0, "BME": 26.0})
    assert set(wres["breakdown"].astype(str)) == {"Ethnicity (WRES summary)"}
    assert agg(data, org_id="XA1", measure="response_rate").iloc[0]["value"] == pytest.approx(44.0)


def test_detailed_spreadsheet(tmp_path):
    data = open_survey(fx.write_detailed_xlsx(tmp_path / "detailed organisational results.xlsx"))
    assert data.kind == "detailed_spreadsheet"
    assert data.years == (2024,)
    q9a = agg(data, org_id="XA1", measure="manager_encourages")
    q9a = q9a[q9a["option"].astype(str) != ""]  # the answer rows (the worked-out % positive is tests/test_detailed.py's)
    assert q9a["option"].astype(str).tolist() == ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    assert q9a["value"].tolist() == [5.0, 8.0, 15.0, 42.0, 30.0] and set(q9a["n"]) == {3120}
    icb = agg(data, org_id="XQ1", measure="manager_clear_feedback")
    assert icb["value"].isna().all() and set(icb["missing_reason"].astype(str)) == {"suppressed in the source file ('-')"}
    assert not icb["weighted"].any() and q9a["weighted"].all()
    pp1 = agg(data, org_id="XA1", measure="PP1").iloc[0]
    assert pp1["value"] == pytest.approx(7.21) and pp1["n"] == 3150 and pp1["unit"] == "score"


def test_contractor_long_exports(tmp_path):
    path = tmp_path / "dashboard export.csv"
    path.write_text(fx.CONTRACTOR_CSV, encoding="utf-8")
    data = open_survey(path)
    assert data.kind == "contractor_long"
    overall = agg(data, measure="harassment_colleagues", breakdown="").iloc[0]
    assert overall["value"] == pytest.approx(18.0) and overall["n"] == 4000
    surgery = agg(data, measure="harassment_colleagues", breakdown="BD1").iloc[0]
    assert surgery["group"] == "Surgery" and surgery["value"] == pytest.approx(29.0)
    assert agg(data, measure="PP7_2").iloc[0]["value"] == pytest.approx(6.7)
    local = agg(data, measure="RPGL04").iloc[0]
    assert local["label"] == "I trust senior leaders in my directorate" and local["value"] == pytest.approx(41.0)
    leaving = agg(data, measure="leave_often_think")
    assert sorted(leaving["year"].tolist()) == [2022, 2023]  # Q24a in 2022, Q26a in 2023: the same question
    options = open_survey(fx.write_contractor_options_xlsx(tmp_path / "options.xlsx"))
    assert options.kind == "contractor_long"
    rows = agg(options, measure="manager_encourages")
    assert rows["value"].tolist() == [5.5, 9.5, 15.0, 45.0, 25.0] and set(rows["group"].astype(str)) == {"Medical and Dental"}


def test_organisation_table_opens_and_keeps_own_measures(tmp_path):
    path = tmp_path / "our benchmarking table.csv"
    path.write_text(fx.ORG_TABLE_CSV, encoding="utf-8")
    data = open_survey(path)
    assert data.kind == "organisation_table"
    own = agg(data, measure="bullying_colleagues", org_id="XA1", year=2024).iloc[0]
    assert own["value"] == pytest.approx(17.0) and own["n"] == 3300
    assert agg(data, measure="PP7_2", org_id="XA1", year=2023).iloc[0]["unit"] == "score"
    q14c = agg(data, measure="harassment_colleagues", org_id="XA2").iloc[0]
    assert math.isnan(q14c["value"]) and "suppressed" in q14c["missing_reason"]
    assert set(data.aggregates["org_name"].astype(str)) == {"Aldermere Hospitals NHS Trust", "Brackenford Hospitals NHS Trust"}


def test_organisation_table_through_a_mapping(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("Provider,Wave,Bully %,Bully N\nXA1,2024,21.5,300\nXA2,2024,19.0,280\n", encoding="utf-8")
    mapping = ColumnMapping.from_dict({"kind": "organisation_table", "columns": {
        "Provider": "org_id", "Wave": "year", "Bully %": {"role": "value", "measure": "harassment_colleagues"},
        "Bully N": {"role": "base", "measure": "harassment_colleagues"}}})
    data = open_survey(path, mapping=mapping)
    assert agg(data, org_id="XA1", measure="harassment_colleagues").iloc[0][["value", "n"]].tolist() == [21.5, 300]


# -------------------------------------------------------------------------------- demo files
def test_demo_files_round_trip_to_what_the_generator_wrote():
    from explorer.demo import RESPONDENT_CSV, read_demo_year
    from explorer.paths import demo_dir

    raw = {y: read_demo_year(y) for y in (2024, 2025)}
    from_xlsx = open_survey(demo_dir() / "Northshire-respondents-2024-2025.xlsx")
    for year in (2024, 2025):
        from_csv = open_survey(demo_dir() / RESPONDENT_CSV.format(year=year))
        r = from_xlsx.respondents[from_xlsx.respondents.year == year].reset_index(drop=True)
        for item in BANK.items.values():
            if item.asked_in(year) and item.kind == "core" and item.id != "discrimination_grounds":
                expected = raw[year][item.code(year)].astype("Int8").reset_index(drop=True)
                pd.testing.assert_series_equal(from_csv.respondents[item.id], expected, check_names=False)
                pd.testing.assert_series_equal(r[item.id], expected, check_names=False)
        assert r["Directorate"].astype(str).tolist() == raw[year]["Directorate"].astype(str).tolist()
        assert np.allclose(r["weight"], raw[year]["weight"])


def test_demo_benchmark_workbook_round_trips():
    from explorer.demo import generate
    from explorer.paths import demo_dir

    respondents = generate.generate_respondents()
    frames, _notes = generate.benchmark_frames(respondents)
    data = open_survey(demo_dir() / generate.BENCHMARK_XLSX)
    table = data.aggregates
    got = {(o, c, int(y)): (v, n) for o, c, y, v, n in zip(table["org_id"].astype(str), table["code"].astype(str),
                                                           table["year"], table["value"], table["n"])}
    checked = 0
    for sheet, frame in frames.items():
        for _, row in frame.iterrows():
            for col in frame.columns[3:]:
                m = __import__("re").match(r"^(.+?)_(n_)?(\d{4})$", col)
                if m is None or m.group(2) or pd.isna(row[col]):
                    continue
                var, year = m.group(1), int(m.group(3))
                value, n = got[(row["org_id"], var, year)]
                expected = row[col]
                if expected == "*":
                    assert math.isnan(value)
                else:
                    scale = 1.0 if var in BANK.scores else 100.0
                    assert value == pytest.approx(expected * scale, abs=1e-6)
                assert n == row[f"{var}_n_{year}"]
                checked += 1
    assert checked > 50_000


# ------------------------------------------------------------------------------- bad input
def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    pdf = tmp_path / "results.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    prose = tmp_path / "letter.xlsx"
    prose.write_text("Dear colleague,\nplease find attached the survey results.\nKind regards\n", encoding="utf-8")
    good = fx.write_respondent_xlsx(tmp_path / "good 2023.xlsx")
    truncated = tmp_path / "truncated 2023.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    numbers = tmp_path / "numbers.xlsx"
    wb = Workbook()
    for i in range(20):
        wb.active.append([i, i * 2, i * 3])
    wb.save(numbers)
    dupes = tmp_path / "dupes 2023.xlsx"
    wb = Workbook()
    wb.active.append(["Directorate", "q9a", "q9b", "q9c", "Q9A"])
    for i in range(12):
        wb.active.append(["Surgery", 1, 2, 3, 4])
    wb.save(dupes)
    free_text = tmp_path / "free text 2023.xlsx"
    wb = Workbook()
    wb.active.append(["Directorate", "q9a", "q9b", "q9c"])
    for i in range(12):
        wb.active.append(["Surgery", f"My manager is great, really {i}", 2, 3])
    wb.save(free_text)
    return {
        "empty": (empty, "the file is empty"),
        "pdf": (pdf, "it is a PDF document, not a spreadsheet"),
        "prose": (prose, "does not look like staff survey results"),
        "truncated": (truncated, "damaged or incomplete"),
        "no header": (numbers, "does not look like staff survey results"),
        "duplicate columns": (dupes, "the column name 'q9a' appears more than once (columns B, E)"),
        "free text": (free_text, "the column 'q9a' should hold answer codes or answer labels for q9a but holds free text"),
        "formulas": (fx.write_uncalculated_formulas(tmp_path / "formulas.xlsx"), "formulas whose results were never calculated"),
    }


@pytest.mark.parametrize("case", ["empty", "pdf", "prose", "truncated", "no header", "duplicate columns", "free text",
                                  "formulas"])
def test_bad_input_is_one_sentence_naming_the_file_and_leaves_it_untouched(tmp_path, case):
    path, fragment = _bad_inputs(tmp_path)[case]
    before = fingerprint(path)
    with pytest.raises(ReadError) as info:
        open_survey(path)
    message = str(info.value)
    assert message.startswith(f"Cannot read {path.name}: ") and message.endswith(".")
    assert fragment in message and "\n" not in message
    assert fingerprint(path) == before


def test_sheet_filling_every_excel_row_is_refused(tmp_path):
    path = fx.write_big_sheet(tmp_path / "huge 2024.xlsx")
    with pytest.raises(ReadError, match="fills all 1,048,576 rows Excel allows"):
        open_survey(path)


def test_locked_file(tmp_path, monkeypatch):
    path = fx.write_respondent_xlsx(tmp_path / "open in excel 2023.xlsx")
    import builtins

    real_open = builtins.open

    def locked(file, mode="r", *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked)
    with pytest.raises(ReadError, match="another program has locked the file"):
        open_survey(path)


def test_password_protected_workbook_is_decrypted_in_memory(tmp_path):
    plain = fx.write_respondent_xlsx(tmp_path / "plain 2023.xlsx")
    locked = fx.encrypt_xlsx(plain, tmp_path / "protected 2023.xlsx", "Northshire-2023!")
    before = fingerprint(locked)
    files_before = set(os.listdir(tmp_path))
    with pytest.raises(PasswordRequired, match="password-protected"):
        open_survey(locked)
    with pytest.raises(WrongPassword, match="the password is not correct"):
        open_survey(locked, password="guess")
    asked = []
    data = open_survey(locked, password=lambda name: asked.append(name) or "Northshire-2023!")
    assert asked == ["protected 2023.xlsx"]
    assert data.details["encrypted"] is True
    assert row_values(data, "manager_encourages") == row_values(open_survey(plain), "manager_encourages")
    assert fingerprint(locked) == before
    assert set(os.listdir(tmp_path)) == files_before  # no decrypted copy written anywhere here


# ------------------------------------------------------------------------ progress, cancel
def test_progress_is_reported_and_cancel_stops_reading(respondent_xlsx):
    seen = []
    open_survey(respondent_xlsx, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) >= 3
    assert all(b >= a - 1e-9 for a, b in zip(seen, seen[1:]))
    reporter = ProgressReporter()
    calls = []

    def sink(fraction, message):
        calls.append(fraction)
        reporter.cancel()

    reporter._sink = sink
    with pytest.raises(Cancelled):
        open_survey(respondent_xlsx, progress=reporter)
    assert len(calls) == 1


# ---------------------------------------------------------------------------- inspect command
INSPECT_KEYS = {"kind", "sheets", "years", "organisations", "rows", "respondents_by_year", "questions_by_year",
                "breakdowns", "unrecognised", "warnings"}


def test_inspect_json(respondent_xlsx, capsys):
    assert main(["inspect", str(respondent_xlsx), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert INSPECT_KEYS <= set(report)
    assert report["kind"] == "respondents" and report["sheets"] == ["Staff Survey 2023"]
    assert report["years"] == [2023] and report["respondents_by_year"] == {"2023": fx.N_RESPONDENTS}
    assert {q["item"] for q in report["questions_by_year"]["2023"]} >= {"manager_encourages", "harassment_colleagues"}
    assert report["breakdowns"] == ["Directorate", "Staff group"]
    assert set(report["unrecognised"]) == {"Respondent ID", "Comments"}


def test_inspect_text_benchmark_and_saved_mapping(tmp_path, capsys, respondent_xlsx):
    path = fx.write_benchmark_xlsx(tmp_path / "bench.xlsx")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "benchmark_workbook" in out and "Organisations:   3" in out and "Release:         2022-2023 v2" in out
    mapping_file = tmp_path / "mapping.json"
    assert main(["inspect", str(respondent_xlsx), "--save-mapping", str(mapping_file)]) == 0
    saved = json.loads(mapping_file.read_text(encoding="utf-8"))
    assert saved["columns"]["Q9B"] == {"role": "question", "item": "manager_clear_feedback"}
    assert saved["columns"]["Comments"] == {"role": "ignore"}


def test_inspect_bad_file_and_passwords(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["inspect", str(empty)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "staff-survey-explorer: Cannot read empty.csv: the file is empty."
    plain = fx.write_respondent_xlsx(tmp_path / "p 2023.xlsx")
    locked = fx.encrypt_xlsx(plain, tmp_path / "locked 2023.xlsx", "s3cret")
    assert main(["inspect", str(locked)]) == 2
    assert "--password-file" in capsys.readouterr().err
    secret = tmp_path / "pw.txt"
    secret.write_text("s3cret\n", encoding="utf-8")
    assert main(["inspect", str(locked), "--password-file", str(secret), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["respondents_by_year"] == {"2023": fx.N_RESPONDENTS}
    assert main(["inspect", str(plain), "--mapping", str(tmp_path / "missing.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_detailed_organisation_type_workbook(tmp_path):
    data = open_survey(fx.write_detailed_org_type_xlsx(tmp_path / "organisation type results.xlsx"))
    assert data.kind == "detailed_spreadsheet" and data.years == (2024,)
    rows = agg(data, measure="manager_encourages", group="21-30")
    rows = rows[rows["option"].astype(str) != ""]  # the answer rows, not the worked-out % positive
    assert set(rows["breakdown"].astype(str)) == {"Age"}
    assert set(rows["benchmark_group"].astype(str)) == {"Acute and Acute & Community Trusts"}
    assert rows["value"].tolist() == [5.0, 8.0, 15.0, 45.0, 27.0] and set(rows["n"]) == {60210}


# -------------------------------------------------------------- review findings, kept fixed
@pytest.mark.parametrize("text,code", [("1 - 2", 2), ("1-2 times", 2), ("3 - 5", 3), ("6-10 times", 4),
                                       ("More than 10 times", 5), ("Never", 1)])
def test_incident_bands_are_not_read_as_their_first_number(text, code):
    from explorer.readers.decode import decode_answers, label_lookup

    scale = BANK.item("harassment_colleagues").scale(2024)
    decoded = decode_answers(pd.Series([text], dtype=object), set(scale.codes), BANK.missing_codes, label_lookup(scale))
    assert decoded.codes.tolist() == [code] and not decoded.unmatched_text


def test_a_code_with_an_unknown_label_is_not_guessed():
    from explorer.readers.decode import decode_answers, label_lookup

    scale = BANK.item("manager_encourages").scale(2024)
    decoded = decode_answers(pd.Series(["5 - Totally agree"], dtype=object), set(scale.codes), BANK.missing_codes,
                             label_lookup(scale))
    assert decoded.codes.isna().all() and decoded.n_unmatched_text == 1


def test_csv_with_a_trailing_delimiter_keeps_its_columns(tmp_path):
    path = tmp_path / "trailing 2023.csv"
    path.write_text("Directorate,q9a,q9b,q9c\n" + "".join(f"Surgery,{1 + i % 5},{1 + (i + 1) % 5},{1 + (i + 2) % 5},\n"
                                                            for i in range(12)), encoding="utf-8")
    data = open_survey(path)
    assert set(data.respondents["Directorate"].astype(str)) == {"Surgery"}
    assert data.respondents["manager_encourages"].tolist() == [1 + i % 5 for i in range(12)]
    assert data.respondents["manager_asks_opinion"].tolist() == [1 + (i + 2) % 5 for i in range(12)]


def test_two_sheets_of_one_year_with_different_columns(tmp_path):
    wb = Workbook()
    first = wb.active
    first.title = "Surgery 2023"
    first.append(["q9a", "q9b", "q9c", "q9d"])
    for i in range(15):
        first.append([4, 4, 4, 4])
    second = wb.create_sheet("Medicine 2023")
    second.append(["Q9A", "q9b", "q9c"])
    for i in range(15):
        second.append([2, 2, 2])
    wb.save(tmp_path / "by directorate.xlsx")
    data = open_survey(tmp_path / "by directorate.xlsx")
    assert data.respondents_by_year() == {2023: 30}
    assert data.respondents["manager_encourages"].tolist() == [4] * 15 + [2] * 15
    assert data.respondents["manager_interest_wellbeing"].isna().sum() == 15


def test_big_csv_with_breakdown_types_changing_between_chunks(tmp_path, monkeypatch):
    import explorer.readers.respondents as respondents

    monkeypatch.setattr(respondents, "CSV_CHUNK_ROWS", 20)
    lines = ["Team,Site,q9a,q9b,q9c"]
    lines += [f"{100 + i % 3},,{1 + i % 5},2,3" for i in range(30)]  # numeric teams, no site yet
    lines += [f"Team {i % 2},North,{1 + i % 5},2,3" for i in range(30)]
    path = tmp_path / "chunks 2024.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = open_survey(path)
    teams = data.respondents["Team"].astype(str).tolist()
    assert teams[:3] == ["100", "101", "102"] and teams[-1] == "Team 1"
    assert data.respondents["Site"].isna().sum() == 30


def test_rows_without_a_year_are_reported(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text("Year,q9a,q9b,q9c\n" + "2024,4,4,4\n" * 12 + ",4,4,4\n" * 3, encoding="utf-8")
    data = open_survey(path)
    assert data.respondents_by_year() == {2024: 12}
    assert any("3 row(s) with no survey year" in w for w in data.warnings)


def test_wres_bases_pair_with_their_values(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Acute Trusts"
    ws.append(["org_id", "org_name", "org_type_reporting_name", "q14c_2024", "q14c_n_2024", "PP1_2024", "PP1_n_2024",
               "har_from_staff_eth_summary_1_2024", "har_from_staff_eth_summary_n_1_2024",
               "har_from_staff_eth_summary_2_2024", "har_from_staff_eth_summary_n_2_2024"])
    ws.append(["XA1", "Aldermere", "Acute", 0.2, 3000, 7.0, 3000, 0.17, 2400, 0.26, 600])
    wb.save(tmp_path / "bench.xlsx")
    data = open_survey(tmp_path / "bench.xlsx")
    wres = agg(data, measure="wres6")
    assert dict(zip(wres["group"].astype(str), wres["n"])) == {"White": 2400, "BME": 600}
    assert not data.aggregates["measure"].astype(str).str.contains("_n_").any()


def test_organisation_type_rows_keep_their_benchmarking_groups_apart(tmp_path):
    path = fx.write_detailed_org_type_xlsx(tmp_path / "org type 2024.xlsx")
    data = open_survey(path)
    assert set(data.aggregates["org_id"].astype(str)) == {"Acute and Acute & Community Trusts"}


def test_a_mapping_can_name_a_header_far_below_the_top(tmp_path):
    """Notes above the header: a mapping names header row 70, beyond what the sniffer looks through."""
    import numpy as np
    import pandas as pd

    from explorer.core.session import Session
    from explorer.readers.mapping import ColumnMapping

    rng = np.random.default_rng(3)
    body = pd.DataFrame({"Dept": rng.choice(["Wards", "Admin"], 40), "A1": rng.integers(1, 6, 40)})
    path = tmp_path / "notes-above.csv"
    notes = "".join(f"note line {i}\n" for i in range(1, 70))
    path.write_text(notes + body.to_csv(index=False), encoding="utf-8")
    mapping = ColumnMapping(kind="respondents", sheets=["notes-above"], header_row=70, year=2025,
                            columns={"Dept": {"role": "breakdown"}, "A1": {"role": "question", "item": "manager_encourages"}})
    session = Session.open(path, mapping=mapping)
    t = session.compute(session.spec.with_(lens=None, measures=("manager_encourages",), comparator="none")).table
    row = t[(t["group"] == "All staff") & (t["statistic"] == "positive")].iloc[0]
    assert row["n"] == 40 and row["value"] == pytest.approx(100 * (body["A1"] >= 4).mean())


# ------------------------------------------------------------------------------ hostile files (issue 8, item 7)
def _demo_lines(rows: int) -> list[str]:
    import gzip

    from explorer.demo import demo_files

    with gzip.open(demo_files()["respondents_2025"], "rt", encoding="utf-8") as fh:
        return [next(fh).rstrip("\n") for _ in range(rows + 1)]


@pytest.mark.parametrize("at", [40, 3000])
def test_an_unbalanced_quote_is_one_sentence_not_a_traceback(tmp_path, at):
    """A quote opened and never closed: in the rows read to find the header (the csv module's field
    limit) or further down (pandas' tokenizer)."""
    lines = _demo_lines(3500)
    cells = lines[at].split(",")
    cells[3] = '"' + cells[3]
    lines[at] = ",".join(cells)
    path = tmp_path / "quote_2025.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match="quotation mark .*never closed") as caught:
        open_survey(path)
    if at > 60:
        assert f"line {at + 1:,}" in str(caught.value)  # the line it opens on, counted as an editor does


def test_a_stray_cell_at_the_sheets_last_corner_is_refused_before_any_memory_is_asked_for(tmp_path):
    """One value at XFD1048576 made calamine ask for 512 GB and abort the whole process."""
    wb = Workbook()
    ws = wb.active
    for line in _demo_lines(60):
        ws.append([int(x) if x.isdigit() else x for x in line.split(",")])
    ws["XFD1048576"] = "x"
    path = tmp_path / "stray_2025.xlsx"
    wb.save(path)
    with pytest.raises(ReadError, match="spans 1,048,576 rows and 16,384 columns"):
        open_survey(path)


def test_very_wide_sheets_load_or_are_refused_within_seconds(tmp_path):
    import time

    lines = _demo_lines(200)
    dense = tmp_path / "dense_2025.csv"  # 3,000 local questions with answers: quadratic planning took minutes
    extra = 3000
    rng = np.random.default_rng(1)
    with open(dense, "w", encoding="utf-8") as fh:
        fh.write(lines[0] + "," + ",".join(f"How satisfied are you with local item {i}?" for i in range(extra)) + "\n")
        for line in lines[1:]:
            fh.write(line + "," + ",".join(map(str, rng.integers(1, 6, extra))) + "\n")
    t = time.perf_counter()
    with pytest.raises(ReadError, match="3,1\\d\\d columns .* a few hundred"):
        open_survey(dense)
    assert time.perf_counter() - t < 10
    wb = Workbook()  # formatted out to the last column: 16,384 columns, nearly all without name or value
    ws = wb.active
    for line in lines:
        ws.append([int(x) if x.isdigit() else x for x in line.split(",")])
    ws["XFD1"] = "stray"
    sparse = tmp_path / "sparse_2025.xlsx"
    wb.save(sparse)
    t = time.perf_counter()
    data = open_survey(sparse)
    assert time.perf_counter() - t < 10 and len(data.respondents) == 200
    assert data.details["unrecognised"] == ["respondent_id", "stray"]  # no "Column AAA"... for empty columns


def test_review_far_cells_that_hold_nothing_and_other_sheets_do_not_stop_a_good_file(tmp_path):
    """Review: a styled empty cell at XFD1048576 (what Excel leaves when contents are cleared) must not
    refuse the file; a notes sheet with a stray far value is skipped, not fatal; a dimension tag that
    understates the sheet, or a cell whose reference is not its first attribute, is still caught; a long
    comment with no quotation mark is no error."""
    import re
    import zipfile

    lines = _demo_lines(40)

    def book(path, extra_sheet=False):
        wb = Workbook()
        ws = wb.active
        ws.title = "Survey 2025"
        for line in lines:
            ws.append([int(x) if x.isdigit() else x for x in line.split(",")])
        if extra_sheet:
            notes = wb.create_sheet("Notes")
            notes["A1"] = "About"
            notes["XFD1048576"] = "stray"
        wb.save(path)

    def edit(path, out, fn):
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                zout.writestr(info, fn(data) if info.filename == "xl/worksheets/sheet1.xml" else data)

    plain = tmp_path / "plain.xlsx"
    book(plain)
    styled = tmp_path / "styled_2025.xlsx"
    edit(plain, styled, lambda d: d.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'))
    assert len(open_survey(styled).respondents) == 40
    far = b'<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row></sheetData>'
    lying = tmp_path / "lying_2025.xlsx"
    edit(plain, lying, lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C3"', d.replace(b"</sheetData>", far)))
    with pytest.raises(ReadError, match="spans 1,048,576 rows"):
        open_survey(lying)
    two = tmp_path / "two_2025.xlsx"
    book(two, extra_sheet=True)
    data = open_survey(two)
    assert len(data.respondents) == 40 and "Notes (too large to read)" in data.details["skipped_sheets"]
    long = tmp_path / "long_2025.csv"
    header, *rows = lines
    long.write_text("\n".join([header + ",Comments"] + [r + "," + "x" * 200_000 for r in rows[:1]]
                              + [r + ",fine" for r in rows[1:]]) + "\n", encoding="utf-8")
    assert len(open_survey(long).respondents) == 40
