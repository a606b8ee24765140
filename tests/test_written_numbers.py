"""Numbers as spreadsheets write them to text ("34.5%", "1,234") are read by every published reader, and
a column written with % signs is known as percentages (never proportions to multiply by 100). Core only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from explorer.core.questionbank import load_bank
from explorer.readers import open_survey
from explorer.readers.tables import percent_signed, to_numbers

BANK = load_bank()


def test_percent_signs_and_thousands_separators_are_numbers():
    cells = pd.Series(["34.5%", " 12 % ", "0.8%", "1,234", "12,345.5", "-3%", "7", 4.5, "", "*", "1,5", "abc%", "%"],
                      dtype=object)
    numbers, reasons = to_numbers(cells)
    assert numbers[:8].tolist() == [34.5, 12.0, 0.8, 1234.0, 12345.5, -3.0, 7.0, 4.5]
    assert all(r == "" for r in reasons[:8])
    assert np.isnan(numbers[8:]).all()
    assert reasons[8] == "blank in the source file"
    assert reasons[9].startswith("suppressed")
    # a decimal comma is not guessed at; text with a % sign is still not a number
    assert reasons[10:].tolist() == ["not a number in the source file ('1,5')",
                                     "not a number in the source file ('abc%')",
                                     "not a number in the source file ('%')"]


def test_percent_signed_tells_a_percentage_column_from_proportions():
    assert percent_signed(pd.Series(["0.8%", "0.6%", "*", ""], dtype=object))
    assert percent_signed(pd.Series(["34.5 %", "36"], dtype=object))
    assert not percent_signed(pd.Series([0.345, "0.36", "1,234", "*"], dtype=object))
    assert not percent_signed(pd.Series(["abc%", ""], dtype=object))  # not a number, so not a percentage


def test_an_organisation_table_written_by_excel_reads_its_percentages(tmp_path):
    path = tmp_path / "pct.csv"
    path.write_text("ODS code,Year,Organisation name,Burned_out_rate,Burned_out_base\n"
                    'RA1,2023,A,34.5%,"1,900"\nRA1,2024,A,36.0 %,950\nRA2,2024,B,30.0%,800\n', encoding="utf-8")
    data = open_survey(path, bank=BANK)
    rows = data.aggregates[data.aggregates["code"] == "Burned_out"].sort_values(["org_id", "year"])
    assert rows["value"].tolist() == [34.5, 36.0, 30.0]
    assert rows["n"].tolist() == [1900.0, 950.0, 800.0]
    assert (rows["missing_reason"].astype(str) == "").all()


def _benchmark(path, cells):
    wb = Workbook()
    ws = wb.active
    ws.title = "Acute Trusts"
    ws.append(["org_id", "org_name", "org_type_reporting_name", "q14c_2023", "q14c_n_2023", "PP7_2_2023",
               "PP7_2_n_2023", "q26a_2023", "q26a_n_2023"])
    for i, (harassed, n) in enumerate(cells):
        ws.append([f"XA{i}", f"Trust {i}", "Acute Trusts", harassed, n, 6.5, n, 0.3, n])
    wb.save(path)
    return path


def test_a_benchmark_workbook_with_percent_cells_is_not_multiplied_by_100(tmp_path):
    path = _benchmark(tmp_path / "benchmark 2022-2023.xlsx", [("0.8%", "1,200"), ("1.2%", "900")])
    data = open_survey(path, bank=BANK)
    harassed = data.aggregates[data.aggregates["code"] == "q14c"].sort_values("org_id")
    assert harassed["value"].tolist() == pytest.approx([0.8, 1.2])  # 0.8 %, not 80 %
    assert harassed["n"].tolist() == [1200.0, 900.0]
    plain = data.aggregates[data.aggregates["code"] == "q26a"]
    assert plain["value"].tolist() == pytest.approx([30.0, 30.0])  # proportions without % signs still scale
