"""Official detailed spreadsheets: % positive worked out from the answer percentages, organisation
attributes, and the official ZIP (one per year, three workbooks) opened directly. Qt-free."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from explorer.core.engine import published
from explorer.core.questionbank import load_bank
from explorer.core.results import ORGANISATION_GROUP
from explorer.core.viewspec import ViewSpec
from explorer.readers import ReadError, open_survey
from explorer.readers import archive
from explorer.readers.detailed import DERIVED

BANK = load_bank()
ORG = ("RX1", "Northshire Hospitals NHS Foundation Trust", "Acute and Acute & Community Trusts", "North East and Yorkshire",
       "Northshire ICS", "Unweighted")
IDENTITY = ["ODS code", "Organisation name", "Benchmarking group", "Region", "ICS", "Weighting"]


# ------------------------------------------------------------------ writing files like the official ones
def _number(code: str) -> tuple[int, str]:
    m = re.match(r"q(\d+)([a-z]?)", code)
    return int(m.group(1)), m.group(2)


def _topic_sheets(items: list, year: int) -> dict[str, list]:
    """Items by questionnaire section, each sheet named like 'YOUR JOB Q1-3' (section and question range)."""
    sections: dict[str, list] = {}
    for item in sorted(items, key=lambda i: _number(i.code(year))):
        sections.setdefault(item.group or "other", []).append(item)
    named = {}
    for group, members in sections.items():
        lo, hi = _number(members[0].code(year))[0], _number(members[-1].code(year))[0]
        named[f"{group.replace('_', ' ').upper()} Q{lo}" + (f"-{hi}" if hi != lo else "")] = members
    return named


def write_detailed(path: Path, year: int, rows: list[tuple[tuple, dict]], sheets: dict[str, list],
                   identity: list[str] = IDENTITY) -> Path:
    """An organisational-results workbook: titles in rows 1-4 (row 1 merged 'Q<code> - <text>' over each
    question's option columns), the row-5 header, one row per organisation from row 6.

    ``rows`` holds (identity cells, {item id: ([option labels], [percentages], base)}) per organisation.
    """
    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes["A1"] = f"NHS Staff Survey {year} detailed spreadsheets (FICTIONAL TEST DATA)"
    for name, items in sheets.items():
        ws = wb.create_sheet(name)
        ws["A2"], ws["A3"] = f"NHS Staff Survey {year}", "Organisational results"
        header, col = list(identity), len(identity) + 1
        for item in items:
            labels = rows[0][1][item.id][0]
            ws.cell(row=1, column=col, value=f"Q{item.code(year)[1:]} - {item.wording(year)}")
            ws.merge_cells(f"{get_column_letter(col)}1:{get_column_letter(col + len(labels))}1")
            header += [f"% {label}" for label in labels] + ["Base (number of responses)"]
            col += len(labels) + 1
        for j, text in enumerate(header, start=1):
            ws.cell(row=5, column=j, value=text)
        for cells_before, answers in rows:
            cells = list(cells_before)
            for item in items:
                _labels, pct, base = answers[item.id]
                cells += list(pct) + [base]
            ws.append(cells)
    wb.save(path)
    return path


def demo_percentages(respondents: pd.DataFrame, item, year: int) -> tuple[list[str], list[float], int]:
    """Unweighted % of each answer on the year's scale (1 decimal, as the files print them) and the base."""
    codes = respondents.loc[respondents["year"] == year, item.id].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    scale = item.scale(year)
    valid = codes[np.isin(codes, scale.codes)]
    shown = [o for o in scale.options if not o.variant or (valid == o.code).any()]  # a contractor's extra code if used
    return ([o.label for o in shown], [round(100.0 * float((valid == o.code).sum()) / len(valid), 1) for o in shown],
            len(valid))


@pytest.fixture(scope="module")
def demo():
    from explorer.core.session import Session

    return Session.open_demo()


def demo_items(session, year: int) -> list:
    bank = session.bank
    return [bank.items[c] for c in session.data.item_columns(bank)
            if bank.items[c].positive is not None and bank.items[c].asked_in(year)]


def write_demo_year(session, year: int, path: Path) -> Path:
    items = demo_items(session, year)
    answers = {i.id: demo_percentages(session.data.respondents, i, year) for i in items}
    return write_detailed(path, year, [(ORG, answers)], _topic_sheets(items, year))


# --------------------------------------------------------------------------------- acceptance
def test_derived_positive_equals_the_engines_respondent_figure_for_every_item_and_year(demo, tmp_path):
    """The demo trust's detailed spreadsheets, written from its respondents, give back the engine's
    respondent-level % positive (whole organisation, unweighted) within the rounding of the file."""
    ids = tuple(dict.fromkeys(i.id for y in demo.data.years for i in demo_items(demo, y)))
    engine = demo.compute(ViewSpec(measures=ids, statistics=("positive",), comparator="none", weighted=False)).table
    engine = engine[(engine["group"] == ORGANISATION_GROUP) & (engine["statistic"] == "positive")]
    engine = engine.set_index(["measure", "year"])
    compared, within_tenth = 0, 0
    for year in demo.data.years:
        data = open_survey(write_demo_year(demo, year, tmp_path / f"NSS{year} detailed organisational results.xlsx"),
                           bank=demo.bank)
        assert data.years == (year,)
        got = data.aggregates[(data.aggregates["option"].astype(str) == "") & (data.aggregates["unit"] == "%")]
        got = got.set_index(["measure", "year"])
        items = demo_items(demo, year)
        assert set(data.details["derived"]) == {i.id for i in items}
        for item in items:
            labels, pct, base = demo_percentages(demo.data.respondents, item, year)
            row, want = got.loc[(item.id, year)], engine.loc[(item.id, year)]
            rule = item.positive
            codes = [item.scale(year).code_for_label(label) for label in labels]
            kept = [p for p, c in zip(pct, codes) if c not in rule.exclude]
            good = [p for p, c in zip(pct, codes) if c not in rule.exclude and c in rule.positive]
            # each printed % is off by at most 0.05: the most that can move P/B x 100, plus 2-decimal rounding
            bound = 100 * 0.05 * (len(good) / sum(kept) + sum(good) / sum(kept) * len(kept) / sum(kept)) + 0.005
            error = abs(row["value"] - want["value"])
            assert error <= bound, (item.id, year, row["value"], want["value"], bound)
            # n is the file's base scaled by the share left in the base: off by the same rounding
            assert abs(row["n"] - want["n"]) <= base * 0.0005 * len(codes) + 1, (item.id, year, row["n"], want["n"])
            compared += 1
            within_tenth += error <= 0.1
    assert compared == sum(len(demo_items(demo, y)) for y in demo.data.years) > 400
    # 0.1 holds where the base keeps most answers; re-basing on a small share (q13d: "Not applicable" is
    # 80 % of answers) multiplies the file's rounding, as the bound above says
    assert within_tenth >= 0.98 * compared


def test_the_lenses_show_the_derived_figures_and_say_they_were_worked_out(demo, tmp_path):
    data = open_survey(write_demo_year(demo, 2024, tmp_path / "NSS 2024 organisational results.xlsx"), bank=demo.bank)
    results = published.compute(data, ViewSpec(lens="bullying"), demo.bank)
    shown = results.table[results.table["statistic"] == "positive"]
    assert len(shown) > 5 and shown["value"].notna().all()
    note = next(n for n in results.notes if n.startswith(DERIVED))
    assert all(label in note for label in shown["label"])


# ---------------------------------------------------------------------------- the arithmetic
def _answers(year: int, item_id: str, pct: list, base) -> dict:
    scale = BANK.item(item_id).scale(year)
    return {item_id: ([o.label for o in scale.options if not o.variant], pct, base)}


def _open(tmp_path, year: int, rows: list[tuple[tuple, dict]], identity: list[str] = IDENTITY):
    items = [BANK.item(i) for i in rows[0][1]]
    path = write_detailed(tmp_path / f"detailed organisational results {year}.xlsx", year, rows,
                          _topic_sheets(items, year), identity)
    return open_survey(path, bank=BANK)


def _positive(data, org_id: str, item_id: str):
    table = data.aggregates
    return table[(table["org_id"].astype(str) == org_id) & (table["measure"].astype(str) == item_id)
                 & (table["option"].astype(str) == "")].iloc[0]


def test_options_left_out_of_the_base_rebase_the_percentage_and_its_n(tmp_path):
    # q15 2024: Yes 42.0, No 18.0, Don't know 40.0 of 1000 -> 70.0 % Yes of the 600 answering Yes or No
    # q13d 2024: reported it 6 + 4 (+ 'Yes, both' not printed), No 10, Don't know 5, N/A 75 -> 50 % of 400
    # q6a 2024: Agree + Strongly agree 60 + 20, N/A 10 (left out), the rest 10 -> 88.89 % of 900
    answers = {**_answers(2024, "equal_career_progression", [42.0, 18.0, 40.0], 1000),
               **_answers(2024, "violence_reported", [6.0, 4.0, 10.0, 5.0, 75.0], 2000),
               **_answers(2024, "role_makes_difference", [2.0, 3.0, 5.0, 60.0, 20.0, 10.0], 1000),
               **_answers(2024, "manager_encourages", [5.0, 8.0, 15.0, 42.0, 30.1], 3120)}
    data = _open(tmp_path, 2024, [(ORG, answers)])
    q15 = _positive(data, "RX1", "equal_career_progression")
    assert q15["value"] == pytest.approx(70.0) and q15["n"] == 600 and q15["unit"] == "%"
    q13d = _positive(data, "RX1", "violence_reported")
    assert q13d["value"] == pytest.approx(50.0) and q13d["n"] == 400
    q6a = _positive(data, "RX1", "role_makes_difference")
    assert q6a["value"] == pytest.approx(88.89) and q6a["n"] == 900
    # options adding to 100.1 (the file's rounding): re-based on their sum, the base n unchanged
    q9a = _positive(data, "RX1", "manager_encourages")
    assert q9a["value"] == pytest.approx(round(7210 / 100.1, 2)) and q9a["n"] == 3120


def test_a_suppressed_question_has_no_derived_figure_and_says_why(tmp_path):
    answers = _answers(2024, "manager_encourages", ["-"] * 5, 8)
    data = _open(tmp_path, 2024, [(ORG, answers)])
    row = _positive(data, "RX1", "manager_encourages")
    assert np.isnan(row["value"]) and row["missing_reason"] == "suppressed in the source file ('-')"


def test_answer_labels_that_are_not_the_years_scale_leave_the_item_underived_with_a_warning(tmp_path):
    answers = {**_answers(2024, "manager_encourages", [5.0, 8.0, 15.0, 42.0, 30.0], 3120),
               # q9b printed with a 3-point scale: which options are positive is not known
               "manager_clear_feedback": (["Disagree", "Neutral", "Agree"], [20.0, 30.0, 50.0], 3100),
               # q15 without its "Don't know" column: the base cannot be re-made
               "equal_career_progression": (["Yes", "No"], [70.0, 30.0], 1000)}
    data = _open(tmp_path, 2024, [(ORG, answers)])
    derived = data.aggregates[data.aggregates["option"].astype(str) == ""]
    assert set(derived["measure"].astype(str)) == {"manager_encourages"}
    assert set(data.details["derived"]) == {"manager_encourages"}
    warning = next(w for w in data.warnings if "No % positive" in w)
    assert "q9b" in warning and "q15" in warning and "q9a" not in warning


def test_organisation_attributes_and_weighting_come_from_the_row_5_header(tmp_path):
    answers = _answers(2024, "manager_encourages", [5.0, 8.0, 15.0, 42.0, 30.0], 3120)
    rows = [(("RX1", "Northshire Hospitals", "Acute Trusts", "North West", "Northshire ICS", "Occupation Group"), answers),
            (("QX1", "Caldwick ICB", "ICBs", "London", "Caldwick ICS", "Unweighted"), answers),
            (("RX9", "Blank Weighting Trust", "Acute Trusts", "London", "Caldwick ICS", ""), answers)]
    data = _open(tmp_path, 2024, rows, [*IDENTITY[:4], "ICS/STP", IDENTITY[5]])  # the older header's name
    attrs = data.org_attributes
    assert list(attrs.columns) == ["org_id", "year", "Region", "ICS", "Weighting", "Level"]
    assert attrs.set_index("org_id").loc["RX1"].tolist() == [2024, "North West", "Northshire ICS", "Occupation Group",
                                                             "Organisation"]
    assert len(attrs) == 3 and attrs["year"].tolist() == [2024] * 3
    weighted = data.aggregates.groupby(data.aggregates["org_id"].astype(str))["weighted"].agg(["all", "any"])
    assert weighted.loc["RX1", "all"] and not weighted.loc["QX1", "any"] and not weighted.loc["RX9", "any"]


# --------------------------------------------------------------------------------- the official ZIP
def _org_type_workbook(path: Path, base: str, breakdown: str, category: str) -> Path:
    """An organisation-type (or national) workbook: 'Base', 'Breakdown', a category column; no year in it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "YOUR MANAGERS Q9"
    ws["E1"] = "Q9a - My immediate manager encourages me at work"
    ws.merge_cells("E1:J1")
    ws["A2"] = "Organisation type results (FICTIONAL TEST DATA)"
    header = ["Base", "Breakdown", "Category", "Weighting", "% Strongly disagree", "% Disagree",
              "% Neither agree nor disagree", "% Agree", "% Strongly agree", "Base (number of responses)"]
    for j, name in enumerate(header, start=1):
        ws.cell(row=5, column=j, value=name)
    ws.append([base, breakdown, category, "Occupation Group", 4, 6, 12, 48, 30, 5120])
    wb.save(path)
    return path


def official_zip(tmp_path: Path, extra: dict[str, bytes] | None = None, name="NSS 2024 detailed spreadsheets.zip") -> Path:
    build = tmp_path / "build"
    build.mkdir(exist_ok=True)
    answers = _answers(2024, "manager_encourages", [5.0, 8.0, 15.0, 42.0, 30.0], 3120)
    files = {
        "Detailed spreadsheets/National results.xlsx": _org_type_workbook(build / "n.xlsx", "National", "Age", "21-30"),
        "Detailed spreadsheets/Organisation type results.xlsx":
            _org_type_workbook(build / "t.xlsx", "Acute and Acute & Community Trusts", "Gender", "Female"),
        "Detailed spreadsheets/Organisational results.xlsx":
            write_detailed(build / "o.xlsx", 2024, [(ORG, answers)], _topic_sheets([BANK.item("manager_encourages")], 2024)),
    }
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Detailed spreadsheets/", b"")
        for member, source in files.items():
            zf.write(source, member)
        zf.writestr("Detailed spreadsheets/Guidance.pdf", b"%PDF-1.4 guidance")
        for member, data in (extra or {}).items():
            zf.writestr(member, data)
    return path


def test_the_official_zip_opens_directly_with_every_workbook_and_extracts_nothing(tmp_path, monkeypatch):
    path = official_zip(tmp_path, extra={"Detailed spreadsheets/Notes.csv": b"These tables are\nfor information\n"})
    private = tmp_path / "private-temp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))  # where a temporary directory would be made
    before = sorted(p.name for p in tmp_path.iterdir())
    data = open_survey(path, bank=BANK)
    assert sorted(p.name for p in tmp_path.iterdir()) == before and not any(private.iterdir())
    assert data.kind == "detailed_spreadsheet" and data.years == (2024,)  # the org-type workbooks' year: the zip's
    rows = data.aggregates[(data.aggregates["measure"].astype(str) == "manager_encourages")
                           & (data.aggregates["option"].astype(str) == "")]
    by_org = {(str(o), str(b), str(g)): v for o, b, g, v in rows[["org_id", "breakdown", "group", "value"]].itertuples(index=False)}
    assert by_org == {("National", "Age", "21-30"): 78.0, ("Acute and Acute & Community Trusts", "Gender", "Female"): 78.0,
                      ("RX1", "", ""): 72.0}
    assert [m["file"] for m in data.details["members"]] == [
        "Detailed spreadsheets/National results.xlsx", "Detailed spreadsheets/Organisation type results.xlsx",
        "Detailed spreadsheets/Organisational results.xlsx"]
    assert data.details["derived"] == {"manager_encourages": DERIVED}
    assert any("Notes.csv" in w for w in data.warnings)
    assert data.org_attributes.set_index("org_id").loc["RX1", "ICS"] == "Northshire ICS"
    assert Path(data.provenance.path) == path


def _refusal(path: Path) -> str:
    with pytest.raises(ReadError) as caught:
        open_survey(path, bank=BANK)
    text = str(caught.value)
    assert text.startswith(f"Cannot read {path.name}: ") and text.count(". ") == 0 and "Traceback" not in text
    return text


def test_a_zip_without_a_survey_workbook_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "downloads.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("notes.csv", "These tables are\nfor information\n")
    assert "no staff survey workbook inside" in _refusal(path)


def test_a_damaged_zip_is_refused_in_one_sentence(tmp_path):
    good = official_zip(tmp_path).read_bytes()
    path = tmp_path / "NSS 2024 cut short.zip"
    path.write_bytes(good[: len(good) // 2])
    assert "damaged or incomplete" in _refusal(path)


def test_an_encrypted_member_is_refused_in_one_sentence(tmp_path):
    path = official_zip(tmp_path)
    raw = bytearray(path.read_bytes())
    entry = raw.rfind(b"PK\x01\x02")  # the central directory's record of the last member
    raw[entry + 8] |= 0x01  # its "encrypted" flag, as a password-protected zip sets it
    path.write_bytes(bytes(raw))
    assert "is encrypted" in _refusal(path)


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, monkeypatch):
    bomb = official_zip(tmp_path, extra={"Detailed spreadsheets/Huge.xlsx": bytes(30 << 20)}, name="bomb 2024.zip")
    unpacked = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, *a, **k: unpacked.append(a) or b"")
    assert "Huge.xlsx" in _refusal(bomb) and not unpacked
    monkeypatch.undo()
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10_000)  # the three small workbooks together
    assert "would unpack to more than" in _refusal(official_zip(tmp_path, name="big 2024.zip"))


def test_national_and_organisation_type_rows_are_not_counted_or_put_in_medians_of_organisations(tmp_path):
    """The ZIP's national and organisation-type workbooks hold results for the country and for each type of
    organisation (their own whole-file rows included): they are listed apart, never counted as
    organisations, and a median of organisations is over the organisational workbook's trusts only."""
    from explorer.readers.inspect import as_text, inspection

    build = tmp_path / "build"
    build.mkdir()
    trusts = [(("RX1", "Trust One", "Acute and Acute & Community Trusts", "North", "ICS A", "Occupation Group"), 40.0),
              (("RX2", "Trust Two", "Acute and Acute & Community Trusts", "North", "ICS A", "Occupation Group"), 50.0),
              (("RX3", "Trust Three", "Acute and Acute & Community Trusts", "South", "ICS B", "Occupation Group"), 60.0)]
    rows = [(ident, _answers(2024, "manager_encourages", [10.0, 10.0, 80.0 - agree, agree, 0.0], 500))
            for ident, agree in trusts]
    organisational = write_detailed(build / "o.xlsx", 2024, rows, _topic_sheets([BANK.item("manager_encourages")], 2024))
    path = tmp_path / "NSS 2024 detailed spreadsheets.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(_org_type_workbook(build / "n.xlsx", "National", "", ""), "National results.xlsx")  # whole-country
        zf.write(_org_type_workbook(build / "t.xlsx", "Acute and Acute & Community Trusts", "", ""),
                 "Organisation type results.xlsx")
        zf.write(organisational, "Organisational results.xlsx")
    data = open_survey(path, bank=BANK)
    levels = data.org_attributes.set_index("org_id")["Level"].to_dict()
    assert levels == {"National": "National", "Acute and Acute & Community Trusts": "Organisation type",
                      "RX1": "Organisation", "RX2": "Organisation", "RX3": "Organisation"}
    report = inspection(path, data, BANK)
    assert report["organisations"] == ["Trust One", "Trust Two", "Trust Three"]
    assert report["other_results"] == {"National": ["National"], "Organisation type": ["Acute and Acute & Community Trusts"]}
    assert "Organisations:   3 (" in as_text(report)
    results = published.compute(data, ViewSpec(lens=None, measures=("manager_encourages",), breakdown=("Region",)), BANK)
    assert results.dataset["organisation"] == "Median of 3 organisations"
    table = results.table[results.table["statistic"] == "positive"].set_index("group")
    assert table.loc["North", "value"] == pytest.approx(45.0) and table.loc["South", "value"] == pytest.approx(60.0)
    whole = table.loc[[g for g in table.index if g not in ("North", "South")], "value"]
    assert whole.tolist() == pytest.approx([50.0])  # the trusts' median, not pulled by the 78 % of the other rows
    assert table["n"].max() == 1500  # three trusts' 500 responses added up, never the 5,120 of the other rows
