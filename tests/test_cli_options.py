"""Every option of `summary` changes the output the way it should, or is refused with one sentence
naming what to do instead (issue 8, item 5); the text table is readable and says why a change is
blank. Core only (no Qt). The CLI runs in-process on one demo loaded once for the module."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from explorer import cli
from explorer.core.filters import parse_filter
from explorer.core.session import Session
from explorer.core.viewspec import ViewSpec
from explorer.demo import demo_files

BENCHMARK = str(demo_files()["benchmark_xlsx"])

# every option of the summary subparser -> the test that shows what it does (checked against the parser)
OPTION_TESTS = {
    "help": "test_help_lists_every_option",
    "file": "test_file_reads_that_file_and_refuses_it_with_demo",
    "demo": "test_demo_is_needed_without_file_or_view",
    "lens": "test_lens_chooses_the_measures",
    "measure": "test_measure_adds_a_measure_and_a_misspelt_one_is_suggested",
    "year": "test_year_keeps_those_years",
    "filter": "test_filter_is_named_in_the_group_and_a_misspelt_value_is_suggested",
    "by": "test_by_adds_the_groups_and_a_misspelt_column_is_suggested",
    "threshold": "test_threshold_withholds_more",
    "weighted": "test_weighted_changes_the_numbers_or_is_refused_without_weights",
    "local_rule": "test_local_rule_is_stated",
    "options": "test_options_adds_a_column_per_answer_option",
    "mean": "test_mean_adds_a_mean_column",
    "drivers": "test_drivers_adds_the_ranked_items_or_is_refused_on_bullying",
    "comparator": "test_comparator_chooses_the_comparison_columns",
    "benchmark": "test_benchmark_adds_the_benchmark_column",
    "organisation": "test_organisation_picks_the_benchmarking_group_or_is_refused",
    "mapping": "test_mapping_and_password_file_are_refused_where_they_cannot_apply",
    "password_file": "test_a_password_for_a_file_that_has_none_is_said_and_export_refuses_what_it_would_ignore",
    "view": "test_save_view_and_view_replay_the_same_table",
    "save_view": "test_save_view_and_view_replay_the_same_table",
    "json": "test_json_prints_the_results_rows",
}


@pytest.fixture(scope="module")
def loaded() -> Session:
    return Session.open_demo()


@pytest.fixture
def demo(loaded, monkeypatch) -> Session:
    """A fresh session (no benchmark, no history) on the module's loaded demo, for the CLI to open
    as its --demo: loading is the slow part, and the data and its protected groups never change."""

    def fresh(cls, **_) -> Session:
        session = Session(loaded.data, loaded.bank, loaded.source)
        session.prepared = loaded.prepared
        return session

    monkeypatch.setattr(Session, "open_demo", classmethod(fresh))
    return fresh(Session)


@pytest.fixture
def run(demo, capsys):
    def run(*args: str, data: tuple[str, ...] = ("--demo",)) -> tuple[int, str, str]:
        code = cli.main(["summary", *data, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def shown(*args: str, run) -> str:
    code, out, err = run(*args)
    assert code == 0, err
    return out


def refused(*args: str, run, data: tuple[str, ...] = ("--demo",)) -> str:
    code, out, err = run(*args, data=data)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.rstrip().endswith((".", "?")) and "Traceback" not in err
    return err


def spans(rule: str) -> list[tuple[int, int]]:
    """Where each column is, from the rule under a header ("----  ---------  ...")."""
    return [m.span() for m in re.finditer(r"-+", rule)]


def cells(line: str, at: list[tuple[int, int]]) -> list[str]:
    return [line[a:b].strip() for a, b in at]


def table(out: str) -> list[dict]:
    """The main table's rows as dicts (header -> cell), each with its section's "Measure"."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  ----"))
    at = spans(lines[start])
    header = cells(lines[start - 1], at)
    rows, measure = [], None
    for line in lines[start + 1:]:
        if not line:
            break
        if not line.startswith("  "):
            measure = line
            continue
        assert len(line) <= at[-1][1], line
        rows.append({"Measure": measure, **dict(zip(header, cells(line, at)))})
    return rows


def row(rows: list[dict], measure: str, year: int, group: str = "All staff") -> dict:
    return next(r for r in rows if r["Measure"] == measure and r["Year"] == str(year) and r["Group"] == group)


def figure(results, measure: str, year: int, group: str = "All staff", statistic: str | None = None, **where):
    t = results.table
    t = t[(t["measure"] == measure) & (t["year"] == year) & (t["group"] == group)]
    t = t[t["statistic"] == statistic] if statistic else t[t["statistic"].isin(["positive", "score"])]
    for column, value in where.items():
        t = t[t[column] == value]
    assert len(t) == 1
    return t.iloc[0]


# ------------------------------------------------------------------------------ the parser
def test_every_summary_option_has_a_test():
    options = {a.dest for a in cli._command_parser("summary")._actions}
    assert options == set(OPTION_TESTS), options ^ set(OPTION_TESTS)
    missing = [name for name in OPTION_TESTS.values() if not callable(globals().get(name))]
    assert not missing, missing


def test_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["summary", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for action in cli._command_parser("summary")._actions:
        assert all(flag in out for flag in action.option_strings)


# ------------------------------------------------------------------------------ the table
def test_the_text_table_reads_well(run, demo):
    """Scores as 6.72/10, % as 71.2%, every line within 120 characters, and no blank change: the
    reason is said (first year, not asked, not comparable, no figure for a group last year, withheld)."""
    args = ("--lens", "bullying", "--by", "Directorate", "--filter", "Staff group=Nursing and Midwifery Registered")
    out = shown(*args, run=run)
    assert max(len(line) for line in out.splitlines()) <= 120
    rows = table(out)
    assert all(r["Change"] for r in rows)
    spec = ViewSpec(lens="bullying", breakdown=("Directorate",),
                    filter=parse_filter("Staff group=Nursing and Midwifery Registered"))
    r = demo.compute(spec)
    filtered = "Staff group is Nursing and Midwifery Registered"
    score = figure(r, "PP4_3", 2025)
    assert row(rows, "Negative experiences", 2025, filtered)["Value"] == f"{score['value']:.2f}/10"
    item = figure(r, "harassment_public", 2024, "Medicine")
    got = row(rows, "Harassment, bullying or abuse from patients / public", 2024, "Medicine")
    assert got["Value"] == f"{item['value']:.1f}%" and got["n"] == f"{int(item['n']):,}"
    assert got["Change"].startswith(f"{item['change']:+.1f} pts")
    changes = {r["Change"] for r in rows}
    assert {"first year", "not asked in 2022", "not comparable", "withheld"} <= changes
    assert any(re.fullmatch(r"no 20\d\d figure", c) for c in changes)
    # each short reason is explained below the table, and each withheld figure's reason is numbered
    assert "not comparable: the question changed" in out and "not asked in 2022: " in out
    assert "[1] Withheld: " in out and any(r["n"] == "[1]" and r["Value"] == "withheld" for r in rows)
    # the filtered total says its filter, never "All staff"
    assert not any(r["Group"] == "All staff" for r in rows)
    assert row(rows, "Negative experiences", 2025, filtered)["n"] == f"{int(score['n']):,}"


# ------------------------------------------------------------------------------ each option
def test_file_reads_that_file_and_refuses_it_with_demo(run, tmp_path, demo):
    path = tmp_path / "staff_2025.csv"
    pd.read_csv(demo_files()["respondents_2025"]).head(1500).to_csv(path, index=False)
    code, out, err = run("--lens", "trust", "--comparator", "none", data=(str(path),))
    assert code == 0, err
    assert out.startswith(f"{path} (respondents)")
    rows = table(out)
    assert {r["Year"] for r in rows} == {"2025"}
    mine = Session.open(path).compute(ViewSpec(lens="trust", comparator="none"))
    assert row(rows, "Line management", 2025)["n"] == f"{int(figure(mine, 'PP7_2', 2025)['n']):,}"
    assert "either FILE or --demo" in refused("--lens", "trust", run=run, data=(str(path), "--demo"))


def test_demo_is_needed_without_file_or_view(run):
    assert "Give FILE, --demo or --view" in refused("--lens", "trust", run=run, data=())
    assert table(shown("--lens", "trust", run=run))


def test_lens_chooses_the_measures(run, demo):
    trust = {r["Measure"] for r in table(shown("--lens", "trust", run=run))}
    morale = {r["Measure"] for r in table(shown("--lens", "morale", run=run))}
    assert trust != morale
    assert trust == set(demo.compute(ViewSpec(lens="trust")).table["label"])
    assert "Choose --lens" in refused(run=run)


def test_measure_adds_a_measure_and_a_misspelt_one_is_suggested(run):
    rows = table(shown("--measure", "harassment_colleagues", run=run))
    assert {r["Measure"] for r in rows} == {"Harassment, bullying or abuse from other colleagues"}
    err = refused("--measure", "harassment_coleagues", run=run)
    assert "There is no measure 'harassment_coleagues'" in err and "did you mean 'harassment_colleagues'?" in err


def test_year_keeps_those_years(run, demo):
    every = table(shown("--lens", "trust", run=run))
    rows = table(shown("--lens", "trust", "--year", "2023", run=run))
    assert {r["Year"] for r in every} == {"2021", "2022", "2023", "2024", "2025"}
    assert {r["Year"] for r in rows} == {"2023"}
    # 2023's change is still since 2022 (the year before it in the data), not "first year"
    r = figure(demo.compute(ViewSpec(lens="trust", years=(2023,))), "manager_encourages", 2023)
    assert row(rows, "Manager encourages me at work", 2023)["Change"].startswith(f"{r['change']:+.1f} pts")
    assert "no results for 2019" in refused("--lens", "trust", "--year", "2019", run=run)


def test_filter_is_named_in_the_group_and_a_misspelt_value_is_suggested(run, demo):
    rows = table(shown("--lens", "trust", "--filter", "Directorate=Medicine", run=run))
    got = row(rows, "Manager encourages me at work", 2025, "Directorate is Medicine")
    want = figure(demo.compute(ViewSpec(lens="trust", filter=parse_filter("Directorate=Medicine"))),
                  "manager_encourages", 2025)
    assert got["Value"] == f"{want['value']:.1f}%" and got["n"] == f"{int(want['n']):,}"
    everyone = row(table(shown("--lens", "trust", run=run)), "Manager encourages me at work", 2025)
    assert everyone["n"] != got["n"]
    err = refused("--lens", "trust", "--filter", "Directorate=Medicin", run=run)
    assert err.startswith("staff-survey-explorer: There is no Directorate 'Medicin' in this file; did you mean "
                          "'Medicine'?")


def test_by_adds_the_groups_and_a_misspelt_column_is_suggested(run, demo):
    rows = table(shown("--lens", "trust", "--by", "Site", "--year", "2025", run=run))
    r = demo.compute(ViewSpec(lens="trust", breakdown=("Site",), years=(2025,)))
    assert {x["Group"] for x in rows} == set(r.table["group"])
    want = figure(r, "manager_encourages", 2025, "Riverside Treatment Centre")
    assert row(rows, "Manager encourages me at work", 2025, "Riverside Treatment Centre")["Value"] == \
        f"{want['value']:.1f}%"
    assert "did you mean 'Directorate'?" in refused("--lens", "trust", "--by", "Directorat", run=run)
    # two compare-by columns: a column each, so a long group name cut short cannot hide which group a row is
    two = table(shown("--lens", "trust", "--by", "Site", "--by", "Staff group", "--year", "2025", run=run))
    r = demo.compute(ViewSpec(lens="trust", breakdown=("Site", "Staff group"), years=(2025,)))
    assert {"Site", "Staff group"} <= set(two[0]) and "Group" not in two[0]
    want = figure(r, "manager_encourages", 2025, "Northshire General Hospital / Medical and Dental")
    got = next(x for x in two if x["Measure"] == "Manager encourages me at work" and x["Site"] ==
               "Northshire General Hospital" and x["Staff group"] == "Medical and Dental")
    assert got["Value"] == f"{want['value']:.1f}%" and got["n"] == f"{int(want['n']):,}"


def test_threshold_withholds_more(run, demo):
    args = ("--lens", "bullying", "--by", "Directorate", "--year", "2025")
    at_11 = table(shown(*args, run=run))
    out = shown(*args, "--threshold", "40", run=run)
    at_40 = table(out)
    withheld = lambda rows: sum(r["Value"] == "withheld" for r in rows)  # noqa: E731
    r = demo.compute(ViewSpec(lens="bullying", breakdown=("Directorate",), years=(2025,), threshold=40))
    assert withheld(at_40) > withheld(at_11)
    assert withheld(at_40) == int(r.table[~r.table["statistic"].isin(["options", "mean"])]["suppressed"].sum())
    assert "fewer than 40 respondents" in out


def test_weighted_changes_the_numbers_or_is_refused_without_weights(run, demo, tmp_path):
    plain = table(shown("--lens", "trust", run=run))
    out = shown("--lens", "trust", "--weighted", run=run)
    weighted = table(out)
    assert [r["Value"] for r in weighted] != [r["Value"] for r in plain]
    want = figure(demo.compute(ViewSpec(lens="trust", weighted=True)), "manager_encourages", 2023)
    assert row(weighted, "Manager encourages me at work", 2023)["Value"] == f"{want['value']:.1f}%"
    assert "Weighted by the file's weight column." in out
    path = tmp_path / "staff_2025.csv"
    pd.read_csv(demo_files()["respondents_2025"]).drop(columns=["weight"]).head(800).to_csv(path, index=False)
    err = refused("--lens", "trust", "--weighted", run=run, data=(str(path),))
    assert "no weight column, so --weighted would change nothing; leave it out." in err
    err = refused("--lens", "trust", "--organisation", "X1Q", "--weighted", run=run, data=(BENCHMARK,))
    assert "Published figures are shown as the file gives them" in err and "leave out --weighted." in err


def test_local_rule_is_stated(run, demo):
    args = ("--lens", "bullying", "--by", "Directorate", "--year", "2025")
    without = shown(*args, run=run)
    out = shown(*args, "--local-rule", run=run)
    assert "Local rule on" in out and "Local rule on" not in without
    r = demo.compute(ViewSpec(lens="bullying", breakdown=("Directorate",), years=(2025,), local_rule=True))
    main = r.table[~r.table["statistic"].isin(["options", "mean"])]
    assert sum(x["Value"] == "withheld" for x in table(out)) == int(main["suppressed"].sum())


def test_options_adds_a_column_per_answer_option(run, demo):
    assert "Answers:" not in shown("--lens", "trust", "--year", "2025", run=run)
    out = shown("--lens", "trust", "--year", "2025", "--options", run=run)
    r = demo.compute(ViewSpec(lens="trust", years=(2025,), statistics=("positive", "score", "options")))
    lines = out.splitlines()
    at = lines.index("Answers: Manager encourages me at work (% of those answering)")
    columns = spans(lines[at + 2])
    header, values = cells(lines[at + 1], columns), cells(lines[at + 3], columns)
    options = r.table[(r.table["measure"] == "manager_encourages") & (r.table["statistic"] == "options")]
    assert header == ["Year", "Group", *options["option"], "n"]
    assert values[2:-1] == [f"{v:.1f}%" for v in options["value"]]
    assert "None of the chosen measures has answer options" in refused("--measure", "PP7_2", "--options", run=run)
    err = refused("--lens", "trust", "--organisation", "X1Q", "--options", run=run, data=(BENCHMARK,))
    assert "(published figures give no answer-level detail); leave out --options." in err


def test_mean_adds_a_mean_column(run, demo):
    assert "Mean" not in table(shown("--lens", "trust", run=run))[0]
    rows = table(shown("--lens", "trust", "--mean", run=run))
    want = figure(demo.compute(ViewSpec(lens="trust", statistics=("positive", "score", "mean"))),
                  "manager_encourages", 2024, statistic="mean")
    assert row(rows, "Manager encourages me at work", 2024)["Mean"] == f"{want['value']:.2f}"
    assert "has a mean answer code" in refused("--measure", "PP7_2", "--mean", run=run)


def test_drivers_adds_the_ranked_items_or_is_refused_on_bullying(run, demo):
    assert "What moves with" not in shown("--lens", "trust", "--year", "2025", run=run)
    out = shown("--lens", "trust", "--year", "2025", "--drivers", run=run)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("What moves with Staff engagement"))
    first = cells(lines[at + 3], spans(lines[at + 2]))
    r = demo.compute(ViewSpec(lens="trust", years=(2025,), statistics=("positive", "score", "drivers")))
    top = r.table[(r.table["statistic"] == "drivers") & (r.table["rank"] == 1)].iloc[0]
    assert first[:4] == ["2025", "1", top["label"], f"{top['value']:+.2f}"]
    err = refused("--lens", "bullying", "--drivers", run=run)
    assert "add --lens trust or --lens morale, or leave out --drivers." in err


def test_comparator_chooses_the_comparison_columns(run, demo):
    default = table(shown("--lens", "trust", run=run))[0]
    assert {"Last year", "Change"} <= set(default)
    assert not {"Last year", "Change"} & set(table(shown("--lens", "trust", "--comparator", "none", run=run))[0])
    rows = table(shown("--lens", "trust", "--by", "Site", "--comparator", "organisation", run=run))
    r = demo.compute(ViewSpec(lens="trust", breakdown=("Site",), comparator="organisation"))
    want = figure(r, "manager_encourages", 2025, "Riverside Treatment Centre")
    got = row(rows, "Manager encourages me at work", 2025, "Riverside Treatment Centre")
    assert got["Organisation"] == f"{want['comparator_value']:.1f}%"
    assert got["Difference"].startswith(f"{want['comparator_difference']:+.1f} pts")
    assert "add --by COLUMN" in refused("--lens", "trust", "--comparator", "organisation", run=run)
    assert "add --benchmark WORKBOOK" in refused("--lens", "trust", "--comparator", "benchmark", run=run)


def test_benchmark_adds_the_benchmark_column(run, demo):
    rows = table(shown("--lens", "trust", "--benchmark", BENCHMARK, "--comparator", "benchmark", run=run))
    demo.open_benchmark(BENCHMARK)
    want = figure(demo.compute(ViewSpec(lens="trust", comparator="benchmark")), "manager_encourages", 2025)
    got = row(rows, "Manager encourages me at work", 2025)
    assert got["Benchmark median"] == f"{want['benchmark_median']:.1f}%"
    assert got["vs benchmark"] == f"{want['comparator_difference']:+.1f} pts"
    # open beside the default comparison (last year), the benchmark still shows
    beside = table(shown("--lens", "trust", "--benchmark", BENCHMARK, run=run))
    assert {"Last year", "Benchmark median"} <= set(beside[0])


def test_organisation_picks_the_benchmarking_group_or_is_refused(run, demo):
    assert "add --benchmark WORKBOOK" in refused("--lens", "trust", "--organisation", "X1Q", run=run)
    demo.open_benchmark(BENCHMARK)
    other = next(o for o in demo.catalog().organisations if o["benchmark_group"] == "Ambulance Trusts")
    args = ("--lens", "trust", "--benchmark", BENCHMARK, "--comparator", "benchmark")
    ours = row(table(shown(*args, run=run)), "Manager encourages me at work", 2025)
    theirs = row(table(shown(*args, "--organisation", other["org_id"], run=run)), "Manager encourages me at work", 2025)
    want = figure(demo.compute(ViewSpec(lens="trust", comparator="benchmark", organisation=other["org_id"])),
                  "manager_encourages", 2025)
    assert theirs["Benchmark median"] == f"{want['benchmark_median']:.1f}%" != ours["Benchmark median"]
    misspelt = other["name"][:-2]
    err = refused(*args, "--organisation", misspelt, run=run)
    assert f"There is no organisation '{misspelt}' in the benchmark workbook; did you mean '{other['name']}'?" in err


def test_mapping_and_password_file_are_refused_where_they_cannot_apply(run, tmp_path):
    assert "apply to a FILE, not to the demo" in refused("--lens", "trust", "--mapping", "m.json", run=run)
    assert "apply to a FILE, not to the demo" in refused("--lens", "trust", "--password-file", "p.txt", run=run)
    view = tmp_path / "v.json"
    shown("--lens", "trust", "--save-view", str(view), run=run)
    err = refused("--view", str(view), "--mapping", "m.json", run=run, data=())
    assert "--mapping reads a FILE; give the view's data file too" in err


def test_save_view_and_view_replay_the_same_table(run, tmp_path):
    view = tmp_path / "v.json"
    args = ("--lens", "morale", "--by", "Site", "--year", "2025")
    code, out, err = run(*args, "--save-view", str(view))
    assert code == 0 and f"saved the view to {view}" in err
    assert json.loads(view.read_text())["breakdown"] == ["Site"]
    code, replayed, _ = run("--view", str(view), data=())
    assert code == 0 and replayed == out
    # options given with --view change the saved view
    assert {r["Year"] for r in table(shown("--view", str(view), "--year", "2024", run=run))} == {"2024"}


def test_json_prints_the_results_rows(run, demo):
    code, out, _ = run("--lens", "trust", "--json")
    rows = json.loads(out)["rows"]
    want = demo.compute(ViewSpec(lens="trust"))
    assert code == 0 and len(rows) == len(want.table)
    assert rows[0]["value"] == pytest.approx(want.table["value"].iloc[0])


def test_a_password_for_a_file_that_has_none_is_said_and_export_refuses_what_it_would_ignore(run, tmp_path, capsys):
    from tests.test_published_tables import org_table

    path = tmp_path / "orgs.csv"
    org_table(path, years=(2023, 2024), n_orgs=6)
    secret = tmp_path / "p.txt"
    secret.write_text("hunter2", encoding="utf-8")
    code, out, err = run("--lens", "bullying", "--organisation", "R01", "--password-file", str(secret), data=(str(path),))
    assert code == 0 and "orgs.csv is not password-protected: the password was not needed." in err
    code, _, err = run("--lens", "bullying", "--organisation", "R01", data=(str(path),))
    assert code == 0 and "password" not in err
    # export takes the same data options as summary, and refuses the same silent ones
    assert cli.main(["export", str(path), "--organisation", "R01", "--weighted", "-o", str(tmp_path / "p.xlsx")]) == 2
    assert "leave out --weighted" in capsys.readouterr().err and not (tmp_path / "p.xlsx").exists()
    assert cli.main(["export", "--demo", "--organisation", "XNH", "-o", str(tmp_path / "q.xlsx")]) == 2
    assert "add --benchmark WORKBOOK" in capsys.readouterr().err and not (tmp_path / "q.xlsx").exists()
