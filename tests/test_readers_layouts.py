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
