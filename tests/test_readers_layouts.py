"""Respondent files in layouts providers deliver besides the ordinary one (issue 8, item 4): Excel binary
workbooks, two header rows, and one column per answer option. Each reads to the same numbers as the
ordinary layout, or is refused in one sentence."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pytest

from explorer.core.questionbank import load_bank
from explorer.readers import ReadError, open_survey
from tests import readers_fixtures as fx
from tests.xlsb_writer import write_xlsb

BANK = load_bank()
TITLE = ["Northshire Hospitals NHS Foundation Trust - NHS Staff Survey 2023 (FICTIONAL TEST DATA)"]


def respondent_table(missing_as_99: bool = True) -> list[list]:
    """The fixture's header and rows as the ordinary xlsx holds them (no answer = 99 in answer columns)."""
    answer_cols = set(range(3, len(fx.RESPONDENT_COLUMNS) - 1))
    rows = [[99 if v is None and missing_as_99 and j in answer_cols else v for j, v in enumerate(r)]
            for r in fx.respondent_rows()]
    return [list(fx.RESPONDENT_COLUMNS)] + rows


def comparable(data) -> pd.DataFrame:
    frame = data.respondents.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(str)
    return frame


def write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in r] for r in rows])
    return path


# ------------------------------------------------------------------------------- .xlsb
@pytest.mark.parametrize("inline_text", [False, True])
def test_xlsb_reads_to_the_same_survey_data_as_xlsx_and_csv(tmp_path, inline_text):
    table = respondent_table()
    xlsx = fx.write_respondent_xlsx(tmp_path / "northshire.xlsx")
    xlsb = write_xlsb(tmp_path / "northshire.xlsb", {
        "About": [["Northshire Hospitals NHS Foundation Trust (fictional) - staff survey results"]],
        "Staff Survey 2023": [TITLE, ["Respondent-level results; 99 = no answer"], []] + table,
        "Lookup": [["q9a", "My manager encourages me"]],
    }, hidden=("Lookup",), inline_text=inline_text)
    text = write_csv(tmp_path / "northshire 2023.csv", table)
    expected = open_survey(xlsx)
    data = open_survey(xlsb)
    assert data.details["format"] == "xlsb"
    assert data.provenance.sheets == ("Staff Survey 2023",)
    assert data.details["sheets"][0]["header_row"] == 4
    assert set(data.details["skipped_sheets"]) == {"About", "Lookup (hidden)"}
    assert data.respondents_by_year() == {2023: fx.N_RESPONDENTS}
    assert data.breakdowns == expected.breakdowns and data.warnings == expected.warnings
    assert data.details["questions_by_year"] == expected.details["questions_by_year"]
    pd.testing.assert_frame_equal(comparable(data), comparable(expected))
    pd.testing.assert_frame_equal(comparable(open_survey(text)), comparable(expected))


def test_xlsb_with_a_stray_far_value_is_refused_before_calamine_builds_the_range(tmp_path):
    """A value at XFD1048576 would make calamine ask for 512 GB and abort the process."""
    path = write_xlsb(tmp_path / "stray 2023.xlsb", {"Results": respondent_table()}, far_cell=(1_048_575, 16_383))
    started = time.perf_counter()
    with pytest.raises(ReadError, match="spans 1,048,576 rows and 16,384 columns") as info:
        open_survey(path)
    assert time.perf_counter() - started < 10
    assert "\n" not in str(info.value) and str(info.value).startswith(f"Cannot read {path.name}: ")


def test_xlsb_extent_counts_value_cells_only_and_is_exact_for_tall_sheets():
    from explorer.readers.source import _xlsb_extent
    from tests.xlsb_writer import _sheet

    table = [["a", "b", "c"]] + [[1, 2, 3]] * 5
    assert _xlsb_extent(_sheet(table, {}, False, None), skip_near=False) == (6, 3)
    assert _xlsb_extent(_sheet(table, {}, True, (9, 700)), skip_near=False) == (10, 701)
    # the quick pass may overstate the columns (runs of near cells count as reaching column 512), never the rows
    assert _xlsb_extent(_sheet(table, {}, False, (40, 2)), skip_near=True) == (41, 512)


def test_a_damaged_xlsb_is_one_sentence(tmp_path):
    good = write_xlsb(tmp_path / "good.xlsb", {"Results 2023": respondent_table()})
    import zipfile

    bad = tmp_path / "bad 2023.xlsb"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.bin":
                data = data[: len(data) // 2]  # cut mid-record
            zout.writestr(info, data)
    with pytest.raises(ReadError) as info:
        open_survey(bad)
    assert "\n" not in str(info.value) and str(info.value).endswith(".")


# --------------------------------------------------------------------- two header rows
QUESTION_COLUMNS = ["q9a", "Q9B", "9c", "Q9d.", "q14c", "q25c", "q26a"]


def wording_of(column: str, year: int = 2023) -> str:
    return BANK.by_code(year, column).wording(year)


def two_row_table(wording_first: bool = False) -> tuple[list[list], list[list]]:
    """(header rows, data rows): the code row with a wording row under it (or over it)."""
    table = respondent_table()
    codes = table[0]
    wording = [("Which directorate do you work in?" if c == "Directorate" else
                wording_of(c) if c in QUESTION_COLUMNS else "") for c in codes]
    return ([wording, codes] if wording_first else [codes, wording]), table[1:]


def write_rows_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = (), sheet: str = "Results 2023") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def ordinary(tmp_path) -> pd.DataFrame:
    table = respondent_table()
    return comparable(open_survey(write_rows_xlsx(tmp_path / "ordinary.xlsx", table)))


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_wording_row_under_the_codes_is_skipped_and_said(tmp_path, suffix):
    header, data = two_row_table()
    header[1][4] = "My immediate manager\nencourages me at work"  # a line break inside a quoted CSV cell
    rows = header + data
    path = (write_rows_xlsx(tmp_path / "two rows.xlsx", rows) if suffix == "xlsx"
            else write_csv(tmp_path / "two rows 2023.csv", rows))
    got = open_survey(path)
    assert got.details["sheets"][0]["header_row"] == 1
    assert got.details["sheets"][0]["wording_rows"] == [2]
    assert any("row 2 under the header holds question wording" in w for w in got.warnings)
    assert not any("not answer labels" in w or "not an answer label" in w for w in got.warnings)
    assert got.respondents_by_year() == {2023: fx.N_RESPONDENTS}
    pd.testing.assert_frame_equal(comparable(got), ordinary(tmp_path))


def test_a_wording_row_over_the_codes_leaves_the_codes_row_as_header(tmp_path):
    header, data = two_row_table(wording_first=True)
    got = open_survey(write_rows_xlsx(tmp_path / "wording first.xlsx", header + data))
    assert got.details["sheets"][0]["header_row"] == 2
    assert got.details["sheets"][0]["wording_rows"] == []
    pd.testing.assert_frame_equal(comparable(got), ordinary(tmp_path))


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_merged_group_row_over_the_codes(tmp_path, suffix):
    table = respondent_table()
    groups = [""] * len(table[0])
    groups[0], groups[3], groups[7], groups[10] = "About you", "Your managers", "Your organisation", "Background"
    rows = [groups] + table
    path = (write_rows_xlsx(tmp_path / "groups.xlsx", rows, merges=("A1:C1", "D1:G1", "H1:J1", "K1:L1"))
            if suffix == "xlsx" else write_csv(tmp_path / "groups 2023.csv", rows))
    got = open_survey(path)
    assert got.details["sheets"][0]["header_row"] == 2 and got.details["sheets"][0]["wording_rows"] == []
    pd.testing.assert_frame_equal(comparable(got), ordinary(tmp_path))


def test_a_first_respondent_who_answers_in_words_is_never_dropped(tmp_path):
    table = respondent_table()
    first = list(table[1])
    labels = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
    for j in (3, 4, 5, 6):  # q9a-d in words
        first[j] = labels[first[j]] if first[j] in labels else first[j]
    got = open_survey(write_rows_xlsx(tmp_path / "labels.xlsx", [table[0], first] + table[2:]))
    assert got.details["sheets"][0]["wording_rows"] == []
    pd.testing.assert_frame_equal(comparable(got), ordinary(tmp_path))
    # text that is no answer label, with answers under it, in only two question columns: still a respondent
    odd = list(table[1])
    odd[3], odd[4] = "see comments", "refused"
    got = open_survey(write_rows_xlsx(tmp_path / "odd.xlsx", [table[0], odd] + table[2:]))
    assert got.details["sheets"][0]["wording_rows"] == [] and len(got.respondents) == fx.N_RESPONDENTS


def test_text_in_every_row_is_not_taken_for_a_wording_row(tmp_path):
    """Rows of text with no answers under them are data: the free-text refusal still comes."""
    rows = [["Directorate", "q9a", "q9b", "q9c"]] + [["Surgery", f"great {i}", f"fine {i}", f"ok {i}"] for i in range(12)]
    with pytest.raises(ReadError, match="holds free text"):
        open_survey(write_rows_xlsx(tmp_path / "free.xlsx", rows))


# ---------------------------------------------------------------- one column per answer
AGREE = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}


def one_hot_table(style: dict[int, str], double_tick: bool = False) -> list[list]:
    """The respondent table with some question columns spread over one column per answer.
    ``style``: column index -> "01" (0 or 1), "blank1" (blank or 1), "label" (the option's label when
    ticked, header 'Q9c - Agree')."""
    header, *rows = respondent_table()
    out_header, out_rows = [], [[] for _ in rows]
    for j, name in enumerate(header):
        if j not in style:
            out_header.append(name)
            for out, row in zip(out_rows, rows):
                out.append(row[j])
            continue
        code = BANK.by_code(2023, name).code(2023)
        for answer, label in AGREE.items():
            out_header.append(f"{code.upper()} - {label}" if style[j] == "label" else f"{code}_{answer}")
            for i, (out, row) in enumerate(zip(out_rows, rows)):
                ticked = row[j] == answer or (double_tick and i == 3 and answer in (2, 4))
                if style[j] == "01":
                    out.append(1 if ticked else 0)
                elif style[j] == "blank1":
                    out.append(1 if ticked else None)
                else:
                    out.append(label if ticked else None)
    return [out_header] + out_rows


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_one_column_per_answer_folds_back_to_the_answer_codes(tmp_path, suffix):
    rows = one_hot_table({3: "01", 4: "blank1", 5: "label"})
    assert "q9a_1" in rows[0] and "q9b_5" in rows[0] and "Q9C - Neither agree nor disagree" in rows[0]
    path = write_rows_xlsx(tmp_path / "options.xlsx", rows) if suffix == "xlsx" else write_csv(tmp_path / "options 2023.csv", rows)
    got = open_survey(path)
    assert got.details["option_columns"]["manager_encourages"] == {f"q9a_{a}": a for a in AGREE}
    assert set(got.details["option_columns"]) == {"manager_encourages", "manager_clear_feedback", "manager_asks_opinion"}
    assert got.warnings == ()
    expected = ordinary(tmp_path)
    pd.testing.assert_frame_equal(comparable(got)[list(expected.columns)], expected)
    assert got.respondents["manager_asks_opinion"].isna().sum() == 5  # none ticked is no answer (NA)


def test_two_ticks_for_a_single_answer_question_is_one_sentence_naming_it(tmp_path):
    path = write_rows_xlsx(tmp_path / "double.xlsx", one_hot_table({3: "01", 4: "01", 5: "01"}, double_tick=True))
    with pytest.raises(ReadError) as info:
        open_survey(path)
    message = str(info.value)
    assert "tick more than one answer to q9a" in message and "'q9a_2' and 'q9a_4'" in message
    assert "\n" not in message and message.endswith(".")


def test_discrimination_grounds_stay_one_column_per_ground(tmp_path):
    header, *rows = respondent_table()
    header = header + [f"q16c_{g}" for g in range(1, 8)]
    rows = [r + [1 if g == 1 + i % 7 or g == 1 + (i + 3) % 7 else 0 for g in range(1, 8)] for i, r in enumerate(rows)]
    got = open_survey(write_rows_xlsx(tmp_path / "grounds.xlsx", [header] + rows))
    assert got.details["option_columns"] == {}
    assert [int(v) for v in got.respondents["discrimination_grounds_ethnic_background"]] == [1 if i % 7 in (0, 4) else 0 for i in range(30)]


def test_option_like_columns_that_are_not_an_answer_set_are_not_folded(tmp_path):
    table = respondent_table()
    header, *rows = table
    # 'Q25a - Agree' alone is not q25a itself (its 1s would read as "Strongly disagree")
    lone = [header + ["Q25a - Agree"]] + [r + [1] for r in rows]
    got = open_survey(write_rows_xlsx(tmp_path / "lone.xlsx", lone))
    assert "org_cares_wellbeing" not in got.respondents.columns
    assert any("'Q25a - Agree' looks like one answer option of q25a" in n for n in got.details["notes"])
    # a suffix that is no answer code of the item (q9a has codes 1-5): not an option set
    odd = [header[:3] + [f"q9a_{k}" for k in (1, 2, 3, 4, 7)] + header[4:]]
    assert all(BANK.by_code(2023, "q9a").scale(2023).option(k) for k in (1, 2, 3, 4))
    from explorer.readers.columns import option_groups

    assert option_groups(odd[0], 2023, BANK)[0] == {}
    assert option_groups([f"q9a_{k}" for k in range(1, 6)], 2023, BANK)[0] == {"manager_encourages": {f"q9a_{k}": k for k in range(1, 6)}}


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_an_answer_nobody_ticked_may_have_no_column_and_is_said(tmp_path, suffix):
    """An export that leaves out the column of an answer nobody chose (q9a_2) still folds q9a, with a warning
    naming the question and the answer; the other answers are read exactly as in the ordinary layout."""
    header, *rows = respondent_table()
    j = header.index("q9a")
    rows = [r[:j] + [4 if r[j] == 2 else r[j]] + r[j + 1:] for r in rows]  # nobody answers 2 (Disagree)
    spread = [header[:j] + [f"q9a_{a}" for a in AGREE if a != 2] + header[j + 1:]]
    spread += [r[:j] + [1 if r[j] == a else 0 for a in AGREE if a != 2] + r[j + 1:] for r in rows]
    path = write_rows_xlsx(tmp_path / "absent.xlsx", spread) if suffix == "xlsx" else write_csv(tmp_path / "absent 2023.csv", spread)
    got = open_survey(path)
    assert got.details["option_columns"]["manager_encourages"] == {f"q9a_{a}": a for a in AGREE if a != 2}
    assert not any("q9a" in q.label for q in got.local_questions.values())  # not four 0/1 "local questions"
    assert got.warnings == ("2023: q9a (Manager encourages me at work) is one column per answer with no column for "
                            "answer 2 'Disagree'; read as an answer nobody gave.",)
    expected = comparable(open_survey(write_rows_xlsx(tmp_path / "ordinary.xlsx", [header] + rows)))
    pd.testing.assert_frame_equal(comparable(got)[list(expected.columns)], expected)


def test_a_partial_answer_set_folds_but_two_ticks_and_stray_suffixes_do_not(tmp_path):
    from explorer.readers.columns import option_groups

    header, *rows = respondent_table()
    # q25a_1 and q25a_2 only (answers 3-5 never ticked): read as q25a, the absent answers named
    partial = [header + ["q25a_1", "q25a_2"]] + [r + [1 if i % 2 else 0, 0 if i % 2 else 1] for i, r in enumerate(rows)]
    got = open_survey(write_rows_xlsx(tmp_path / "partial.xlsx", partial))
    assert got.respondents["org_care_top_priority"].tolist() == [2 if i % 2 == 0 else 1 for i in range(len(rows))]
    assert any("q25a" in w and "3 'Neither agree nor disagree', 4 'Agree', 5 'Strongly agree'" in w for w in got.warnings)
    # two ticks of a single-answer item are still refused when an answer has no column
    double = [header + ["q25a_1", "q25a_2"]] + [r + [1, 1 if i == 3 else 0] for i, r in enumerate(rows)]
    with pytest.raises(ReadError, match="tick more than one answer to q25a"):
        open_survey(write_rows_xlsx(tmp_path / "double.xlsx", double))
    # a plain q9a beside its option columns, or a single option column: nothing to fold
    assert option_groups(["q9a", "q9a_1", "q9a_3"], 2023, BANK)[0] == {}
    assert option_groups(["q9a_1", "q9b"], 2023, BANK)[0] == {}
    assert option_groups(["q9a_1", "q9a_3", "q9a_4"], 2023, BANK)[0] == {"manager_encourages": {"q9a_1": 1, "q9a_3": 3,
                                                                                                "q9a_4": 4}}
