"""The Excel board pack, re-read with openpyxl as a checker would: sheets, native charts and the
cells they point at, alt text in the drawing XML, number formats, print settings, every number
against the session's own Results, nothing for a group under the threshold, text that can never
run as a formula, and saving that never leaves a broken or half-written file."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart

from explorer import figures as F
from explorer.core.results import ORGANISATION_GROUP
from explorer.core.session import Session
from explorer.demo import demo_files
from explorer.export import ExportError, PackOptions, gather, write_csv, write_pack
from explorer.export import excel as X

SHEETS = ["Summary", "Trust", "Bullying", "Morale", "Breakdowns", "Notes"]


@pytest.fixture(scope="module")
def session():
    s = Session.open_demo()
    s.open_benchmark(demo_files()["benchmark_xlsx"])
    return s


@pytest.fixture(scope="module")
def spec(session):
    return session.spec.with_(breakdown=("Directorate",))


@pytest.fixture(scope="module")
def pack(session, spec):
    return gather(session, spec, PackOptions(marking="OFFICIAL-SENSITIVE", author="Board secretary"))


@pytest.fixture(scope="module")
def written(pack, tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "board pack.xlsx"
    write_pack(pack, path)
    return path


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written)


def _tables(ws) -> dict[str, list[list]]:
    """Each Excel table of a sheet as rows of values (header first)."""
    out = {}
    for table in ws.tables.values():
        out[table.name] = [[c.value for c in row] for row in ws[table.ref]]
    return out


def test_sheets_tables_and_document_properties(book, pack):
    assert book.sheetnames == SHEETS
    names = [n for ws in book.worksheets for n in ws.tables]
    assert len(names) == len(set(n.casefold() for n in names))  # Excel refuses duplicate table names
    assert "Trust_PP7_2_trend" in book["Trust"].tables and "Bullying_harassment_colleagues_by_Directorate" in \
        book["Bullying"].tables
    assert book.properties.title == pack.title and "Northshire" in pack.title
    assert book.properties.creator == "Board secretary"
    for ws in book.worksheets:  # no merged cell inside any data table
        for table in ws.tables.values():
            for merged in ws.merged_cells.ranges:
                assert not set(merged.cells) & set(_cells(table.ref)), (ws.title, table.name)


def _cells(ref: str) -> set[tuple[int, int]]:
    (c1, r1), (c2, r2) = [openpyxl.utils.cell.coordinate_from_string(x) for x in ref.split(":")]
    a, b = openpyxl.utils.column_index_from_string(c1), openpyxl.utils.column_index_from_string(c2)
    return {(r, c) for r in range(r1, r2 + 1) for c in range(a, b + 1)}


def test_every_trend_and_breakdown_number_equals_the_session_results(book, pack, session, spec):
    checked = 0
    for lens, part in pack.parts.items():
        results = session.compute(spec.with_(lens=lens, years=(), statistics=("positive", "score")))
        assert results is part.results  # the pack's Results are the session's, for the same view
        tables = _tables(book[lens.capitalize()])
        for m in part.charted:
            trend = F.trend(results, m)
            rows = tables[[n for n in tables if n.endswith(f"_{m}_trend")][0]][1:]
            assert [r[0] for r in rows] == trend["year"].astype(int).tolist()
            for row, rec in zip(rows, trend.to_dict("records")):
                if rec["suppressed"]:
                    assert row[1] is None and row[2] == "withheld" and row[-1] == rec["suppression_reason"]
                else:
                    assert row[1] == pytest.approx(rec["value"], abs=1e-4) and row[2] == int(rec["n"])
                    checked += 1
            groups = F.breakdown(results, m, pack.year)
            rows = tables[[n for n in tables if f"_{m}_by_" in n][0]][2:]  # after the whole selection
            for row, rec in zip(rows, groups.to_dict("records"), strict=True):
                assert row[0].startswith(str(rec["group"]))
                if rec["suppressed"]:
                    assert row[1] is None and row[2] == "withheld" and "(withheld)" in row[0]
                else:
                    assert row[1] == pytest.approx(rec["value"], abs=1e-4) and row[2] == int(rec["n"])
                    checked += 1
    assert checked > 100


def test_no_figure_rests_on_fewer_people_than_the_threshold(book, pack):
    """Read as an attacker would: every n in every table is at least the threshold, and a withheld
    group's row holds no number at all."""
    threshold = pack.spec.threshold
    seen = 0
    for ws in book.worksheets:
        for rows in _tables(ws).values():
            header = rows[0]
            if "n" not in header and "n (or why withheld)" not in header:
                continue
            at = header.index("n") if "n" in header else header.index("n (or why withheld)")
            for row in rows[1:]:
                if isinstance(row[at], (int, float)):
                    assert row[at] >= threshold
                    seen += 1
                else:
                    assert row[at] is None or str(row[at]).startswith("withheld")
                    numbers = [v for h, v in zip(header, row) if isinstance(v, (int, float)) and h != "Year"]
                    assert not numbers, (ws.title, row)
    assert seen > 200
    research = [row for ws in book.worksheets for rows in _tables(ws).values() for row in rows
                if row and isinstance(row[0], str) and row[0].startswith("Research and Innovation")]
    assert research and all(not any(isinstance(v, (int, float)) for v in r[1:]) for r in research)


def test_charts_are_native_and_point_at_their_tables(book, pack):
    ws = book["Bullying"]
    part = pack.parts["bullying"]
    lines = [c for c in ws._charts if isinstance(c, LineChart)]
    bars = [c for c in ws._charts if isinstance(c, BarChart) and c.grouping != "percentStacked"]
    stacked = [c for c in ws._charts if isinstance(c, BarChart) and c.grouping == "percentStacked"]
    assert len(lines) == len(part.charted) == len(bars) and len(stacked) == 1
    assert sum(len(s._charts) for s in book.worksheets) >= 12
    tables = {t.name: t.ref for t in ws.tables.values()}
    for chart, m in zip(lines, part.charted):
        ref = tables[f"Bullying_{m}_trend"]
        first, last = ref.split(":")
        values = chart.series[0].val.numRef.f
        start_row = int(re.sub(r"\D", "", first)) + 1
        assert values == f"'Bullying'!$B${start_row}:$B${int(re.sub(r'[A-Z]', '', last))}"
        assert chart.series[0].cat.numRef.f.startswith(f"'Bullying'!$A${start_row}") or \
            chart.series[0].cat.strRef.f.startswith(f"'Bullying'!$A${start_row}")
        assert chart.series[0].smooth is not True  # a smoothed line invents values between years
    options = stacked[0]
    assert len(options.series) == 5 and options.overlap == 100


def test_every_chart_has_alt_text_in_the_drawing_xml(written, book):
    with zipfile.ZipFile(written) as z:
        drawings = [n for n in z.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        frames = [m for n in drawings for m in re.findall(rb"<xdr:cNvPr [^>]*>", z.read(n))]
    assert len(frames) == sum(len(ws._charts) for ws in book.worksheets) > 0
    for frame in frames:
        descr = re.search(rb'descr="([^"]*)"', frame)
        assert descr and len(descr.group(1)) > 40, frame  # a title and a sentence on what it shows
        assert re.search(rb'title="[^"]+"', frame)


def test_number_formats_print_setup_and_headers(book, pack):
    ws = book["Trust"]
    table = ws.tables["Trust_PP7_2_trend"]
    first = ws[table.ref][1]
    assert first[1].number_format == "0.00" and first[2].number_format == "#,##0"  # a score, then n
    harassment = book["Bullying"].tables["Bullying_harassment_colleagues_trend"]
    assert book["Bullying"][harassment.ref][1][1].number_format == '0.0"%"'
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$1:$2"
        assert "OFFICIAL-SENSITIVE" in ws.oddFooter.center.text and "Page &P of &N" in ws.oddFooter.right.text
        assert ws.freeze_panes is not None
    widths = {k: v.width for k, v in book["Trust"].column_dimensions.items()}
    assert widths["A"] >= 30 and widths["C"] < widths["A"] and widths["H"] <= 2  # names wide, n narrow, a gutter
    groups = {k: v.width for k, v in book["Breakdowns"].column_dimensions.items() if k >= "D"}
    assert groups and all(6 <= w <= 11 for w in groups.values())  # from content, within the layout's cap
    notes = [r[1] for r in _tables(book["Notes"])["Notes"]]
    assert any(f"fewer than {pack.spec.threshold}" in str(n) for n in notes)
    assert any("lower is better" in str(n) for n in notes)


def test_summary_states_findings_and_headline_figures(book, pack):
    ws = book["Summary"]
    text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    found = [t for t in text if t.startswith("• ")]
    assert 3 <= len(found) <= 12
    assert all("n = " in t for t in found)
    headline = _tables(ws)["Headline_figures"]
    assert headline[0][:3] == ["Lens", "Measure", f"Value {pack.year}"]
    lenses = {row[0] for row in headline[1:]}
    assert lenses == {"Trust", "Bullying", "Morale"}


def test_a_formula_looking_group_name_is_stored_as_text(session, tmp_path):
    data = session.data
    frame = data.respondents.copy()
    evil = "=HYPERLINK(\"http://x\",\"y\")"
    frame["Directorate"] = frame["Directorate"].cat.rename_categories({"Surgery": evil})
    s = Session(dataclasses.replace(data, respondents=frame), session.bank)
    path = tmp_path / "pack.xlsx"
    write_pack(gather(s, s.spec.with_(breakdown=("Directorate",)), PackOptions(lenses=("bullying",))), path)
    with zipfile.ZipFile(path) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in sheets  # no formula cell anywhere: the name is stored as a string
    # ... and every occurrence is inside a text element (<t>), never a formula (<f>)
    assert len(re.findall(rb"HYPERLINK", sheets)) == len(re.findall(rb"<t>[^<]*HYPERLINK", sheets)) > 0
    ws = openpyxl.load_workbook(path)["Bullying"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)
    csv_path = tmp_path / "figures.csv"
    write_csv(s.compute(s.spec.with_(lens="bullying", breakdown=("Directorate",))), csv_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text


def test_a_failure_while_saving_leaves_the_old_file_byte_identical(pack, tmp_path, monkeypatch):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"last year's pack")

    def boom(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(X, "add_alt_text", boom)
    with pytest.raises(RuntimeError):
        write_pack(pack, target)
    assert target.read_bytes() == b"last year's pack"
    monkeypatch.undo()
    original_fsync = X.os.fsync

    def fail_after_writing(fd):
        original_fsync(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(X.os, "fsync", fail_after_writing)
    with pytest.raises(ExportError, match="nothing there was changed"):
        write_pack(pack, target)
    assert target.read_bytes() == b"last year's pack"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.xlsx"]  # no temporary file left behind


def test_a_target_open_in_excel_is_one_clear_sentence(pack, tmp_path, monkeypatch):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"open in Excel")

    def locked(*_args):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(X.os, "replace", locked)
    with pytest.raises(ExportError) as caught:
        write_pack(pack, target)
    message = str(caught.value)
    assert "open in Excel" in message and message.count(".") <= 3 and "\n" not in message
    assert target.read_bytes() == b"open in Excel"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.xlsx"]


def test_csv_holds_every_figure_of_the_pack(pack, tmp_path):
    import csv

    from explorer.export.csvfile import pack_results

    path = write_csv(pack_results(pack), tmp_path / "pack.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(p.results.table) + len(p.answers.table) for p in pack.parts.values())
    assert any(r["statistic"] == "options" for r in rows)  # the answer shares drawn in the pack too
    org = [r for r in rows if r["measure"] == "harassment_colleagues" and r["group"] == ORGANISATION_GROUP
           and r["year"] == str(pack.year)]
    expected = pack.parts["bullying"].results.rows(measure="harassment_colleagues", group=ORGANISATION_GROUP,
                                                   year=pack.year).iloc[0]
    assert float(org[0]["value"]) == pytest.approx(expected["value"]) and org[0]["n"] == str(int(expected["n"]))
    assert all(r["value"] == "" for r in rows if r["suppressed"] == "True")


def test_options_and_measures_are_honoured_or_refused(session, spec):
    with pytest.raises(ValueError, match="lenses"):
        PackOptions(lenses=("happiness",))
    one = gather(session, spec.with_(measures=("harassment_colleagues",)), PackOptions())
    assert list(one.parts) == ["bullying"] and one.parts["bullying"].charted == ["harassment_colleagues"]
    with pytest.raises(ValueError, match="in none of"):
        gather(session, spec.with_(measures=("work_initiative",)), PackOptions())
    with pytest.raises(ValueError, match="no measure 'q1'"):
        gather(session, spec.with_(measures=("q1",)), PackOptions())
    flat = gather(session, spec, PackOptions(breakdowns=False, lenses=("trust",)))
    assert (flat.parts["trust"].results.table["group"] == ORGANISATION_GROUP).all()


def test_the_pack_converts_to_pdf_with_libreoffice(written, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed here (.ci/run installs it): the PDF rendering is not checked")
    out = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to", "pdf",
                    "--outdir", str(out), str(written)], check=True, capture_output=True, timeout=240)
    pdf = (out / (written.stem + ".pdf")).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    # a title page and page of findings, one page per charted measure, the tables and the notes
    assert 15 <= pages <= 45, pages


def test_the_export_command_writes_the_pack_and_refuses_in_one_sentence(tmp_path, capsys):
    from explorer.cli import main

    out = tmp_path / "pack.xlsx"
    assert main(["export", "--demo", "--lens", "bullying", "--by", "Directorate", "-o", str(out),
                 "--csv", str(tmp_path / "figures.csv"), "--marking", "OFFICIAL & CONFIDENTIAL"]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Bullying", "Breakdowns", "Notes"]
    assert "OFFICIAL && CONFIDENTIAL" in book["Bullying"].oddFooter.center.text  # & doubled: literal in a footer
    assert (tmp_path / "figures.csv").stat().st_size > 1000
    capsys.readouterr()
    for bad, words in ((["-o", str(tmp_path / "pack.txt")], "ending in .xlsx"),
                       (["--filter", "Directorate=Medicin", "-o", str(out)], "no Directorate 'Medicin'"),
                       (["--measure", "work_initiative", "-o", str(out)], "in none of"),
                       (["--measure", "q1", "-o", str(out)], "no measure 'q1'"),
                       (["-o", str(tmp_path / "missing" / "pack.xlsx")], "does not exist")):
        assert main(["export", "--demo"] + bad) == 2
        err = capsys.readouterr().err.strip()
        assert words in err and "\n" not in err and "Traceback" not in err


# ------------------------------------------------------------------------------ templates
def test_a_template_saved_on_2024_re_runs_on_the_2025_file_with_the_same_selections(tmp_path):
    from explorer.cli import main

    files = demo_files()
    template = tmp_path / "board.json"
    assert main(["export", str(files["respondents_2024"]), "--by", "Directorate", "--filter",
                 "Staff group=Nursing and Midwifery Registered", "--lens", "bullying", "--marking", "OFFICIAL-SENSITIVE",
                 "-o", str(tmp_path / "2024.xlsx"), "--save-template", str(template)]) == 0
    assert main(["export", str(files["respondents_2025"]), "--template", str(template),
                 "-o", str(tmp_path / "2025.xlsx")]) == 0
    old, new = openpyxl.load_workbook(tmp_path / "2024.xlsx"), openpyxl.load_workbook(tmp_path / "2025.xlsx")
    assert old.sheetnames == new.sheetnames == ["Summary", "Bullying", "Breakdowns", "Notes"]
    assert sorted(t.name for t in old["Bullying"].tables.values()) == sorted(t.name for t in new["Bullying"].tables.values())
    for book, year in ((old, 2024), (new, 2025)):
        assert book["Summary"]["A1"].value.startswith(f"NHS Staff Survey {year}")
        assert book["Summary"]["A2"].value.startswith("Staff group is Nursing and Midwifery Registered")
        assert "OFFICIAL-SENSITIVE" in book["Bullying"].oddFooter.center.text
    notes = dict((r[0], r[1]) for r in _tables(new["Notes"])["Notes"][1:] if r[0] == "Template")
    assert "2024" in notes["Template"] and "same selections" in notes["Template"]
    # the numbers are 2025's, from the 2025 file, for the same selection
    session = Session.open(files["respondents_2025"])
    spec = session.spec.with_(lens="bullying", breakdown=("Directorate",), years=(),
                              filter=__import__("explorer.core.filters", fromlist=["Eq"]).Eq(
                                  "Staff group", "Nursing and Midwifery Registered"))
    head = F.headline(session.compute(spec), 2025)
    row = head[head["measure"] == "harassment_colleagues"].iloc[0]
    table = _tables(new["Bullying"])["Bullying_measures"]
    mine = [r for r in table if r[0] and str(r[0]).startswith(str(row["label"]))][0]
    assert mine[1] == pytest.approx(row["value"], abs=1e-4) and mine[2] == int(row["n"])


def test_what_a_template_cannot_match_is_listed_never_dropped(session, tmp_path):
    from explorer.core.filters import And, Eq, In
    from explorer.export.template import Template, apply, of_pack

    spec = session.spec.with_(measures=("harassment_colleagues", "harassment_public"), breakdown=("Directorate",),
                              filter=And((In("Directorate", ("Medicine", "Cardiology")), Eq("Band", "Band 5"))))
    path = tmp_path / "t.json"
    of_pack(spec, PackOptions(marking="OFFICIAL"), "last year.csv", 2024).save(path)
    data = session.data
    frame = data.respondents.copy()
    frame = frame.drop(columns=["harassment_public"]) if "harassment_public" in frame else frame
    other = Session(dataclasses.replace(data, respondents=frame), session.bank)
    new_spec, options, lost = apply(Template.load(path), other)
    said = " ".join(lost)
    assert "last year.csv (2024)" in lost[0]
    assert "'Cardiology'" in said and "Band" in said  # a renamed group and a column the file lacks
    assert new_spec.filter == In("Directorate", ("Medicine",)) and new_spec.breakdown == ("Directorate",)
    assert new_spec.measures == ("harassment_colleagues",) and "not in this file" in said
    pack = gather(other, new_spec, options)
    pack.template = lost
    write_pack(pack, tmp_path / "p.xlsx")
    rows = _tables(openpyxl.load_workbook(tmp_path / "p.xlsx")["Notes"])["Notes"]
    assert [r[1] for r in rows if r[0] == "Template"] == lost
    for bad, words in (('{"kind": "something else"}', "not a board-pack template"), ("not json", "not readable JSON")):
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(ValueError, match=words):
            Template.load(tmp_path / "bad.json")


# ------------------------------------------------------------------------------ review 8 (hostile review of the pack)
def test_review_polarity_axes_and_years(book, session, tmp_path):
    headline = _tables(book["Summary"])["Headline_figures"]
    harms = [r[1] for r in headline if r[1] and "abuse from" in str(r[1])]
    assert harms and all(h.endswith("(lower is better)") for h in harms)
    assert not any("Burnout" in str(r[1]) and "lower" in str(r[1]) for r in headline)  # a score: higher is better
    for ws in (book["Trust"], book["Bullying"]):
        for chart in (c for c in ws._charts if isinstance(c, LineChart)):
            assert chart.y_axis.scaling.min == 0  # a small change must look small
            top = chart.y_axis.scaling.max
            assert top in (10,) or top % 5 == 0
    early = gather(session, session.spec.with_(years=(2024,), breakdown=("Directorate",)), PackOptions(lenses=("trust",)))
    path = tmp_path / "2024.xlsx"
    write_pack(early, path)
    years = {r[0] for name, rows in _tables(openpyxl.load_workbook(path)["Trust"]).items() if name.endswith("_trend")
             for r in rows[1:]}
    assert max(years) == 2024 and 2025 not in years  # a 2024 pack says nothing of 2025


def test_review_refusals_leave_nothing_behind(tmp_path, capsys):
    import os
    import stat

    from explorer.cli import main

    keep = tmp_path / "keep.xlsx"
    keep.write_bytes(b"old pack")
    cases = ((["--filter", "Directorate=Research and Innovation"], "Research and Innovation"),
             (["--csv", str(tmp_path / "nope" / "x.csv")], "does not exist"),
             (["--comparator", "none"], "summary command"))
    for extra, words in cases:
        assert main(["export", "--demo", "--lens", "trust", "-o", str(keep)] + extra) == 2
        err = capsys.readouterr().err
        assert words in err and "0 respondents" not in err
        assert keep.read_bytes() == b"old pack"
    workbook = str(demo_files()["benchmark_xlsx"])  # published figures: no groups to compare by
    assert main(["export", workbook, "--organisation", "Aldermarsh Hospitals NHS Trust", "--by", "Directorate",
                 "-o", str(keep)]) == 2
    assert "no column 'Directorate' to compare by" in capsys.readouterr().err and keep.read_bytes() == b"old pack"
    fresh = tmp_path / "fresh.xlsx"
    assert main(["export", "--demo", "--lens", "trust", "-o", str(fresh)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~mask  # not a private 0600 file on a shared drive


def test_review_one_year_file_and_many_groups(session, tmp_path):
    one = Session.open(demo_files()["respondents_2025"])
    path = tmp_path / "one.xlsx"
    write_pack(gather(one, one.spec.with_(breakdown=("Directorate",)), PackOptions(lenses=("bullying",))), path)
    ws = openpyxl.load_workbook(path)["Bullying"]
    assert not [c for c in ws._charts if isinstance(c, LineChart)]  # no "trend" of one point
    assert any(c.value == "One survey year only: there is no trend to draw." for row in ws.iter_rows() for c in row)
    two = gather(session, session.spec.with_(breakdown=("Directorate", "Staff group")), PackOptions(lenses=("morale",)))
    path = tmp_path / "two.xlsx"
    write_pack(two, path)
    with zipfile.ZipFile(path) as z:
        heights = [int(cy) / 360000 for n in z.namelist() if n.startswith("xl/drawings/drawing")
                   for cy in re.findall(rb'<xdr:ext cx="\d+" cy="(\d+)"', z.read(n))]
    assert heights and max(heights) <= 17.01 and max(heights) > 14  # tall for ~40 groups, yet within an A4 page


# ------------------------------------------------------------------------------ review 9 (second hostile review)
def test_review2_a_template_never_loses_its_protection_and_bad_ones_are_one_sentence(tmp_path, capsys):
    import json

    from explorer.cli import main

    template = tmp_path / "t.json"
    assert main(["export", "--demo", "--lens", "trust", "--threshold", "20", "--local-rule", "-o",
                 str(tmp_path / "a.xlsx"), "--save-template", str(template)]) == 0
    capsys.readouterr()
    for extra, words in ((["--weighted"], "--weighted"), (["--local-rule"], "--local-rule"),
                         (["--comparator", "last_year"], "--comparator"), (["--threshold", "11"], "cannot lower"),
                         (["--save-template", str(tmp_path / "t.txt")], "ending in .json")):
        out = tmp_path / "b.xlsx"
        assert main(["export", "--demo", "--template", str(template), "-o", str(out)] + extra) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and not out.exists()
    assert main(["export", "--demo", "--template", str(template), "-o", str(tmp_path / "c.xlsx")]) == 0
    notes = [str(r[1]) for r in _tables(openpyxl.load_workbook(tmp_path / "c.xlsx")["Notes"])["Notes"]]
    assert any("fewer than 20" in n for n in notes) and any("Local rule on" in n for n in notes)
    good = json.loads(template.read_text())
    for change in ({"pack": [1, 2]}, {"version": "2"}, {"pack": {**good["pack"], "lenses": None}},
                   {"pack": {**good["pack"], "breakdowns": "false"}}, {"view": [1]}):
        (tmp_path / "bad.json").write_text(json.dumps({**good, **change}))
        assert main(["export", "--demo", "--template", str(tmp_path / "bad.json"), "-o", str(tmp_path / "d.xlsx")]) == 2
        err = capsys.readouterr().err.strip()
        assert "cannot be used" in err and "\n" not in err and "object" not in err, err
