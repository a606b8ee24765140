"""Small files written in each real layout (NHS-STAFF-SURVEY.md section 1), with their quirks.

Each writer returns the path and, where useful, the values it wrote, so tests can compare what the
reader gives back with what went in.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

# 2023 numbering: q9a-d line manager, q14c bullying from colleagues, q25c recommend, q26a leaving,
# q28 ethnicity, q31a long-term condition
RESPONDENT_COLUMNS = ["Respondent ID", "Directorate", "Staff group", "q9a", "Q9B", "9c", "Q9d.", "q14c", "q25c",
                      "q26a", "q28", "q31a", "Senior managers act on staff feedback", "Comments"]
DIRECTORATES = ["Medicine", "Surgery", "Corporate"]
GROUPS = ["Nursing and Midwifery Registered", "Medical and Dental", "Administrative and Clerical"]
N_RESPONDENTS = 30


def respondent_rows(n: int = N_RESPONDENTS) -> list[list]:
    """Deterministic respondent rows (codes) in RESPONDENT_COLUMNS order; None = no answer."""
    rows = []
    for i in range(n):
        rows.append([
            f"R{i:03d}", DIRECTORATES[i % 3], GROUPS[(i // 3) % 3],
            1 + i % 5, 1 + (i + 1) % 5, None if i % 7 == 0 else 1 + (i + 2) % 5, 1 + (i + 3) % 5,
            1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 2) % 5,
            [1, 9, 14, 4][i % 4], 1 + i % 2,
            1 + (i + 4) % 5,
            f"free text comment number {i}" if i % 4 == 0 else None,
        ])
    return rows


def write_respondent_xlsx(path: Path, *, year_sheet: str = "Staff Survey 2023", title_rows: bool = True,
                          extra_rows: list[list] | None = None, columns: list[str] | None = None,
                          rows: list[list] | None = None, hidden_sheet: bool = True, missing_as_99: bool = True,
                          about_sheet: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "About"
    ws["A1"] = "Northshire Hospitals NHS Foundation Trust (fictional) - staff survey results"
    if not about_sheet:
        wb.remove(ws)
    data = wb.create_sheet(year_sheet)
    header_row = 1
    if title_rows:
        data["A1"] = "Northshire Hospitals NHS Foundation Trust - NHS Staff Survey 2023 (FICTIONAL TEST DATA)"
        data["A1"].font = Font(bold=True, size=14)
        data.merge_cells("A1:F1")
        data["A2"] = "Respondent-level results; 99 = no answer"
        header_row = 4
    columns = columns or RESPONDENT_COLUMNS
    for j, name in enumerate(columns, start=1):
        data.cell(row=header_row, column=j, value=name).font = Font(bold=True)
    answer_cols = set(range(3, len(columns) - 1))
    for i, row in enumerate((rows if rows is not None else respondent_rows()) + (extra_rows or []),
                            start=header_row + 1):
        for j, value in enumerate(row, start=1):
            if value is None and missing_as_99 and (j - 1) in answer_cols:
                value = 99
            data.cell(row=i, column=j, value=value)
    if hidden_sheet:
        hidden = wb.create_sheet("Lookup")
        hidden["A1"], hidden["B1"] = "q9a", "My manager encourages me"
        hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def write_benchmark_xlsx(path: Path) -> Path:
    """Official benchmark layout: Notes, groups sheet, two group sheets, markers, _sig and WRES columns."""
    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["NHS Staff Survey Benchmark report Excel data 2022-2023 v2 (FICTIONAL TEST DATA)"])
    notes.append([])
    notes.append(["Variable", "Description"])
    notes.append(["q14c_2023", "% of staff experiencing at least one incident of bullying from colleagues for year 2023"])
    notes.append(["PP7_2_2023", "Score out of 10 for Line management for year 2023"])
    notes.append(["q27a_1_2023", "% of staff selecting Female for year 2023"])
    groups = wb.create_sheet("Organisation Benchmark groups")
    groups.append(["org_id", "org_name", "Benchmarking group"])
    header = ["org_id", "org_name", "org_type_reporting_name",
              "q14c_2022", "q14c_n_2022", "q14c_2023", "q14c_n_2023", "q14c_2023_sig",
              "PP7_2_2022", "PP7_2_n_2022", "PP7_2_2023", "PP7_2_n_2023",
              "q26a_2023", "q26a_n_2023", "q27a_1_2023", "q27a_1_n_2023",
              "har_from_staff_eth_summary_1_2023", "har_from_staff_eth_summary_n_1_2023",
              "har_from_staff_eth_summary_2_2023", "har_from_staff_eth_summary_n_2_2023", "response_rate_2023"]
    acute = wb.create_sheet("Acute & Acute Community Trusts")
    acute.append(header)
    acute.append(["XA1", "Aldermere Hospitals NHS Trust", "Acute and Acute & Community Trusts",
                  0.21, 3100, 0.195, 3200, "Significantly better", 6.61, 3150, 6.72, 3190,
                  0.31, 3180, 0.77, 3000, 0.17, 2400, 0.26, 700, 0.44])
    acute.append(["XA2", "Brackenford Hospitals NHS Trust", "Acute and Acute & Community Trusts",
                  "*", 9, "-", "", "", "NA", "", 7.01, 2100,
                  "<11", 5, 0.8, 2000, "", "", 0.3, 500, 0.5])
    icb = wb.create_sheet("ICBs")
    icb.append(header)
    icb.append(["XQ1", "Caldwick Integrated Care Board", "ICBs", 0.1, 300, 0.11, 320, "", 7.2, 300, 7.3, 310,
                0.2, 310, 0.7, 300, 0.1, 250, 0.15, 60, 0.6])
    for ws in (acute, icb):
        for org_id, org_name in [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=2)]:
            groups.append([org_id, org_name, ws.title])
    wb.save(path)
    return path


def write_detailed_xlsx(path: Path) -> Path:
    """Organisational results: row 1 merged 'Qxx - text' over option columns, row 5 header, % values."""
    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes["A1"] = "NHS Staff Survey 2024 detailed spreadsheets (FICTIONAL TEST DATA)"
    ws = wb.create_sheet("YOUR MANAGERS Q9")
    ws["G1"] = "Q9a - My immediate manager encourages me at work"
    ws.merge_cells("G1:L1")
    ws["M1"] = "Q9b - My immediate manager gives me clear feedback on my work"
    ws.merge_cells("M1:R1")
    ws["A2"] = "NHS Staff Survey 2024"
    ws["A3"] = "Organisational results"
    header = ["ODS code", "Organisation name", "Benchmarking group", "Region", "ICS", "Weighting"]
    options = ["% Strongly disagree", "% Disagree", "% Neither agree nor disagree", "% Agree", "% Strongly agree"]
    header += options + ["Base (number of responses)"] + options + ["Base (number of responses)"]
    for j, name in enumerate(header, start=1):
        ws.cell(row=5, column=j, value=name)
    ws.append(["XA1", "Aldermere Hospitals NHS Trust", "Acute and Acute & Community Trusts", "North", "Northshire ICS",
               "Occupation Group", 5.0, 8.0, 15.0, 42.0, 30.0, 3120, 6.0, 10.0, 18.0, 44.0, 22.0, 3115])
    ws.append(["XQ1", "Caldwick Integrated Care Board", "ICBs", "North", "Northshire ICS", "Unweighted",
               4.0, 7.0, 14.0, 45.0, 30.0, 300, "-", "-", "-", "-", "-", 8])
    pp = wb.create_sheet("PEOPLE PROMISE ELEMENTS")
    pp["A2"] = "NHS Staff Survey 2024"
    for j, name in enumerate(["ODS code", "Organisation name", "Benchmarking group", "Region", "ICS", "Weighting",
                              "PP1 - score", "Base (number of responses)", "PP7 - score", "Base (number of responses)"],
                             start=1):
        pp.cell(row=5, column=j, value=name)
    pp.append(["XA1", "Aldermere Hospitals NHS Trust", "Acute and Acute & Community Trusts", "North", "Northshire ICS",
               "Occupation Group", 7.21, 3150, 6.88, 3140])
    wb.save(path)
    return path


CONTRACTOR_CSV = """Year,QuestionNumber,QuestionText,DimName,DimValue,BaseSize,Score
2024,Q14c,Other colleagues,Overall,Overall,4000,0.18
2024,Q14c,Other colleagues,BD1,Surgery,850,0.29
2024,Q14c,Other colleagues,Ethnic Group,BME,1100,0.27
2024,PP7_2,Line management,Overall,Overall,3990,6.7
2024,RPGL04,I trust senior leaders in my directorate,Overall,Overall,3900,0.41
2023,Q26a,I often think about leaving this organisation,Overall,Overall,3700,0.33
2022,Q24a,I often think about leaving this organisation,Overall,Overall,3050,0.40
"""


def write_contractor_options_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Option level"
    ws.append(["Year", "QuestionNumber", "QuestionText", "OptionCode", "OptionText", "DimName", "DimValue", "%"])
    for code, text, pct in [(1, "Strongly disagree", 5.5), (2, "Disagree", 9.5), (3, "Neither agree nor disagree", 15.0),
                            (4, "Agree", 45.0), (5, "Strongly agree", 25.0)]:
        ws.append([2024, "Q9a", "...encourages me at work.", code, text, "Staff Group", "Medical and Dental", pct])
    wb.save(path)
    return path


ORG_TABLE_CSV = """ODS code,Trust,Year,Benchmarking group,bullying_colleagues_rate,bullying_colleagues_base,PP7_2,PP7_2_n,q14c,q14c_n
XA1,Aldermere Hospitals NHS Trust,2023,Acute,0.19,3200,6.7,3190,0.195,3200
XA1,Aldermere Hospitals NHS Trust,2024,Acute,0.17,3300,6.8,3290,0.175,3300
XA2,Brackenford Hospitals NHS Trust,2024,Acute,0.22,2100,6.5,2090,*,8
"""


def write_big_sheet(path: Path) -> Path:
    """A sheet that fills all 1,048,576 rows, written directly as sheet XML (fast and small)."""
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>q9a</t></is></c><c r="B1" t="inlineStr"><is><t>q9b</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>q9c</t></is></c></row>']
    rows += [f'<row r="{r}"><c r="A{r}"><v>{1 + r % 5}</v></c><c r="B{r}"><v>3</v></c></row>' for r in range(2, 1_048_577)]
    _write_minimal_xlsx(path, "".join(rows))
    return path


def write_uncalculated_formulas(path: Path) -> Path:
    """Question cells that are formulas with no cached result (as scripts write them)."""
    cells = ['<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{q}</t></is></c>'
                                     for c, q in zip("ABCD", ["Directorate", "q9a", "q9b", "q9c"])) + "</row>"]
    for r in range(2, 22):
        cells.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Surgery</t></is></c>'
                     f'<c r="B{r}"><f>1+3</f></c><c r="C{r}"><f>2+2</f></c><c r="D{r}"><f>5-1</f></c></row>')
    _write_minimal_xlsx(path, "".join(cells), name="Results 2024")
    return path


def _write_minimal_xlsx(path: Path, sheet_rows: str, name: str = "Sheet1") -> None:
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{sheet_rows}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name_, text in files.items():
            zf.writestr(name_, text)


def encrypt_xlsx(plain: Path, out: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as fh:
        office = OOXMLFile(fh)
        buffer = io.BytesIO()
        office.encrypt(password, buffer)
    out.write_bytes(buffer.getvalue())
    return out


def write_detailed_org_type_xlsx(path: Path) -> Path:
    """Organisation-type results: 'Base' (benchmarking group), 'Breakdown' and a category column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "YOUR MANAGERS Q9"
    ws["E1"] = "Q9a - My immediate manager encourages me at work"
    ws.merge_cells("E1:J1")
    ws["A2"] = "NHS Staff Survey 2024 - organisation type results (FICTIONAL TEST DATA)"
    header = ["Base", "Breakdown", "Category", "Weighting", "% Strongly disagree", "% Disagree",
              "% Neither agree nor disagree", "% Agree", "% Strongly agree", "Base (number of responses)"]
    for j, name in enumerate(header, start=1):
        ws.cell(row=5, column=j, value=name)
    ws.append(["Acute and Acute & Community Trusts", "Age", "16-20", "Occupation Group", 4, 6, 12, 48, 30, 5120])
    ws.append(["Acute and Acute & Community Trusts", "Age", "21-30", "Occupation Group", 5, 8, 15, 45, 27, 60210])
    wb.save(path)
    return path
