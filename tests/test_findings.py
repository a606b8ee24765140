"""Findings: board-paper sentences from a Results table — every number from its row, nothing about a
withheld figure, lower-is-better respected, significant changes first."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from explorer.core.findings import BENCHMARK_MIN_GAP, Finding, findings, summary_line
from explorer.core.results import COLUMNS, ORGANISATION_GROUP, Results
from explorer.core.viewspec import ViewSpec

REPO = Path(__file__).resolve().parents[1]
NAN = float("nan")
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


# ------------------------------------------------------------------------------ hand-made tables
def row(**changes) -> dict:
    """One Results row: an organisation figure for a harm (lower is better) unless told otherwise."""
    base = {c: NAN for c in COLUMNS}
    base.update(measure="harm", code="q1", label="Harassment from colleagues", kind="item", lens="bullying",
                statistic="positive", option="", year=2025, breakdown="", group=ORGANISATION_GROUP, group_1="",
                group_2="", value=20.0, unit="%", n=1000.0, weighted=False, suppressed=False,
                suppression_reason="", lower_is_better=True, previous_year=2024.0, significant=None,
                comparable=True, comparator="last_year", comparator_significant=None, significant_vs_rest=None,
                vintage="")
    base.update(changes)
    return base


def group(name: str, **changes) -> dict:
    return row(breakdown="Directorate", group=name, group_1=name, **changes)


def withheld(name: str, **changes) -> dict:
    """A withheld group whose numbers were (wrongly) left in: findings must still say nothing of it."""
    return group(name, suppressed=True, suppression_reason="fewer than 11 respondents", **changes)


def results(*rows: dict, **extra) -> Results:
    return Results(table=pd.DataFrame(list(rows), columns=list(COLUMNS)), spec=ViewSpec(), dataset={}, **extra)


def texts(found: list[Finding]) -> str:
    return "\n".join(f.text for f in found)


# ------------------------------------------------------------------------------ the demo
@pytest.fixture(scope="module")
def demo():
    from explorer.core.session import Session
    from explorer.demo import demo_files

    session = Session.open_demo()
    session.open_benchmark(demo_files()["benchmark_xlsx"])
    return {lens: session.compute(session.spec.with_(lens=lens, breakdown=("Directorate",), years=()))
            for lens in ("trust", "bullying", "morale")}


def _fmt(value: float, unit: str) -> str:
    return f"{abs(value):.1f}" if unit == "%" else f"{abs(value):.2f}"


def _source(r: Results, f: Finding) -> pd.Series:
    t = r.table
    rows = t[(t["measure"] == f.measure) & (t["year"] == f.year) & t["statistic"].isin(["positive", "score"])]
    return rows[rows["group"] == (ORGANISATION_GROUP if f.kind in ("benchmark", "spread") else f.group)].iloc[0]


def test_demo_every_number_in_every_sentence_is_its_rows(demo):
    for lens, r in demo.items():
        found = findings(r, 2025)
        assert {f.kind for f in found} >= {"benchmark", "group", "spread", "level"}, lens
        for f in found:
            src = _source(r, f)
            unit = src["unit"]
            assert not src["suppressed"]
            if f.kind != "spread":
                assert f.value == src["value"] and f.n == int(src["n"]) and f.weighted == bool(src["weighted"])
                assert f"{_fmt(src['value'], unit)}{'%' if unit == '%' else ' out of 10'}" in f.text
                assert f"(n = {int(src['n']):,}, unweighted)" in f.text
            if f.kind in ("change", "level") and (m := re.search(r"(up|down) ([\d.]+) points on (\d{4})", f.text)):
                assert m[1] == ("up" if src["change"] > 0 else "down") and m[2] == _fmt(src["change"], unit)
                assert int(m[3]) == src["previous_year"] == 2024
                assert ("significantly" in f.text) == (src["significant"] is True)
            if f.kind == "benchmark":
                m = re.search(r"is ([\d.]+) points (above|below) the median of similar trusts \(([\d.]+)", f.text)
                gap = src["value"] - src["benchmark_median"]
                assert m[1] == _fmt(gap, unit) and m[2] == ("above" if gap > 0 else "below")
                assert m[3] == _fmt(src["benchmark_median"], unit)
            if f.kind == "group":
                m = re.search(r"([\d.]+) points (above|below) the rest", f.text)
                assert src["significant_vs_rest"] is True and f.group in f.text
                assert m[1] == _fmt(src["vs_rest"], unit) and m[2] == ("above" if src["vs_rest"] > 0 else "below")
            # Nothing else: every number left (once names are taken out) is one of the measure's shown figures.
            rows = r.table[(r.table["measure"] == f.measure) & (r.table["year"] == 2025) & ~r.table["suppressed"]]
            allowed = {"2024", "2025", "10"} | {str(k) for k in range(len(rows) + 1)}
            for _, x in rows.iterrows():
                allowed |= {_fmt(v, unit) for v in (x["value"], x["change"], x["vs_rest"], x["benchmark_median"],
                                                    x["value"] - x["benchmark_median"]) if not math.isnan(v)}
                allowed.add(f"{int(x['n']):,}")
            text = f.text.replace(f.label, "")
            for name in sorted(rows["group"].unique(), key=len, reverse=True):
                text = text.replace(name, "")
            assert set(NUMBER.findall(text)) <= allowed, (f.text, set(NUMBER.findall(text)) - allowed)


def test_demo_never_names_its_withheld_directorate(demo):
    for r in demo.values():
        hidden = set(r.table.loc[r.table["suppressed"] & (r.table["year"] == 2025), "group"])
        assert "Research and Innovation" in hidden  # the test means something only if the demo withholds it
        said = texts(findings(r, 2025))
        assert said and not any(name in said for name in hidden)


def test_demo_spread_counts_shown_groups_with_a_shown_change(demo):
    r = demo["bullying"]
    spreads = [f for f in findings(r, 2025) if f.kind == "spread"]
    assert spreads
    for f in spreads:
        t = r.table
        rows = t[(t["measure"] == f.measure) & (t["year"] == 2025) & (t["breakdown"] == "Directorate")]
        shown = rows[~rows["suppressed"] & rows["change"].notna()]
        assert len(shown) < len(rows)  # the withheld and the combined group are left out of the count
        assert f"of the {len(shown)} groups shown improved on 2024" in f.text


# ------------------------------------------------------------------------------ rules, on small tables
def test_a_withheld_group_is_never_named_nor_counted():
    table = results(
        row(change=-1.0, significant=False),
        group("Surgery", value=25.0, n=400.0, change=1.0, significant=False, vs_rest=6.0, significant_vs_rest=True),
        group("Medicine", value=15.0, n=500.0, change=-2.0, significant=False),
        withheld("Secret Unit", value=90.0, n=5.0, change=-30.0, significant=True, vs_rest=70.0,
                 significant_vs_rest=True),
        withheld("Hidden Ward", value=NAN, n=NAN))
    found = findings(table)
    said = texts(found)
    assert "Secret Unit" not in said and "Hidden Ward" not in said and "90.0" not in said
    assert "Surgery is highest at 25.0% (n = 400)" in said  # the highest shown group, not the withheld one
    assert "1 of the 2 groups shown improved on 2024 and 1 got worse" in said
    assert [f.group for f in found if f.kind == "group"] == ["Surgery"]


def test_a_combined_group_is_never_singled_out():
    """'Other directorates (combined)' is a mix of small groups made for protection: it is shown, but
    a finding never calls it highest or better than the rest."""
    pooled = "Other directorates (combined)"
    table = results(
        row(change=-1.0, significant=False),
        group("Surgery", value=25.0, n=400.0, change=1.0, significant=False),
        group(pooled, value=60.0, n=17.0, vs_rest=40.0, significant_vs_rest=True),
        extra={"combined_groups": (pooled,)})
    said = texts(findings(table))
    assert pooled not in said and "60.0" not in said
    # the tables beside show the combined group higher: the sentence must not contradict them
    assert "Surgery is the highest of the groups named on their own at 25.0% (n = 400)" in said
    assert pooled in texts(findings(results(*table.table.to_dict("records"))))  # only because it is marked


def test_a_measure_whose_organisation_figure_is_withheld_gets_no_sentence():
    table = results(
        row(suppressed=True, value=30.0, change=-5.0, significant=True, benchmark_median=40.0),
        group("Surgery", value=25.0, change=1.0, significant=True, vs_rest=6.0, significant_vs_rest=True),
        group("Medicine", value=15.0, change=-2.0, significant=False),
        row(measure="other", label="Other measure", value=50.0, lower_is_better=False, change=0.5, significant=False))
    found = findings(table)
    assert [f.measure for f in found] == ["other"]
    assert "Surgery" not in texts(found)


def test_lower_is_better_a_fall_in_a_harm_is_better_and_a_fall_in_a_positive_is_worse():
    table = results(
        row(change=-2.0, significant=True, benchmark_median=25.0),
        group("Surgery", value=30.0, vs_rest=12.0, significant_vs_rest=True),
        row(measure="good", label="Would recommend", value=60.0, lower_is_better=False, change=-2.0,
            significant=True, benchmark_median=55.0))
    found = {(f.measure, f.kind): f for f in findings(table)}
    harm, good = found[("harm", "change")], found[("good", "change")]
    assert harm.direction == "better" and "down 2.0 points on 2024, significantly better" in harm.text
    assert good.direction == "worse" and "down 2.0 points on 2024, significantly worse" in good.text
    assert found[("harm", "benchmark")].direction == "better" and "below the median" in found[("harm", "benchmark")].text
    assert found[("good", "benchmark")].direction == "better" and "above the median" in found[("good", "benchmark")].text
    assert found[("harm", "group")].direction == "worse" and "Surgery is significantly worse" in found[("harm", "group")].text


def test_significant_changes_rank_before_everything_else():
    table = results(
        row(measure="big", label="Big change", change=9.0, significant=False, benchmark_median=5.0),
        group("Surgery", measure="big", label="Big change", value=40.0, vs_rest=20.0, significant_vs_rest=True),
        row(measure="small", label="Small change", change=0.5, significant=True))
    found = findings(table)
    assert (found[0].measure, found[0].kind, found[0].significant) == ("small", "change", True)
    assert [f.kind for f in found] == ["change", "benchmark", "group", "level"]
    assert "(not a significant change)" in found[-1].text and found[-1].significant is False
    assert [f.importance for f in found] == sorted((f.importance for f in found), reverse=True)


def test_demo_significant_changes_come_first(demo):
    kinds = [f.kind for f in findings(demo["bullying"], 2025)]
    assert kinds.count("change") >= 1 and kinds[:kinds.count("change")] == ["change"] * kinds.count("change")
    assert kinds[-1] == "level"


def test_benchmark_gaps_rank_by_size_and_small_gaps_are_not_said():
    table = results(
        row(measure="a", label="A", benchmark_median=20.0 + BENCHMARK_MIN_GAP["%"] / 2),
        row(measure="b", label="B", benchmark_median=22.0),
        row(measure="c", label="C", benchmark_median=26.0))
    bench = [f for f in findings(table) if f.kind == "benchmark"]
    assert [f.measure for f in bench] == ["c", "b"]
    assert all("significan" in f.text and "not tested" in f.text for f in bench)


def test_ties_keep_the_lens_order_of_measures_and_the_result_is_stable():
    table = results(row(measure="z", label="Zed", change=1.0, significant=False),
                    row(measure="a", label="Ay", change=1.0, significant=False))
    first = findings(table)
    assert [f.measure for f in first] == ["z", "a"] and findings(table) == first


def test_n_has_thousands_separators():
    found = findings(results(row(n=12345.0, change=1.0, significant=False)))
    assert "(n = 12,345, unweighted)" in found[0].text and "12345" not in found[0].text
    weighted = findings(results(row(n=999.0, weighted=True)))
    assert "(n = 999, weighted)" in weighted[0].text and weighted[0].weighted


def test_scores_are_out_of_ten_with_two_decimals():
    found = findings(results(row(unit="score", statistic="score", lower_is_better=False, value=6.7234, n=4257.0,
                                 change=0.0712, significant=True)))
    assert found[0].text.startswith("Harassment from colleagues: 6.72 out of 10 (n = 4,257, unweighted), "
                                    "up 0.07 points on 2024, significantly better")


def test_year_defaults_to_the_latest_and_limit_cuts():
    table = results(row(year=2024, value=10.0, previous_year=2023.0), row(year=2025, value=20.0),
                    row(measure="b", label="B", year=2025, value=30.0))
    assert {f.year for f in findings(table)} == {2025}
    assert [f.value for f in findings(table, 2024)] == [10.0]
    assert len(findings(table, limit=1)) == 1


def test_empty_or_all_withheld_results_give_no_findings():
    empty = results()
    assert findings(empty) == [] and findings(empty, 2025) == []
    assert "no results" in summary_line(empty)
    everything_withheld = results(row(suppressed=True, value=NAN, n=NAN), withheld("Surgery"), withheld("Medicine"))
    assert findings(everything_withheld) == []
    options_only = results(row(statistic="options", option="Never"))
    assert findings(options_only) == []


def test_summary_line():
    r = results(row(), extra={"respondents": {2025: 4290, 2024: None}})
    assert summary_line(r) == "All staff, 2025: 4,290 respondents, unweighted."
    assert summary_line(r, 2024) == "All staff, 2024: too few respondents to show, unweighted."
    nursing = results(row(weighted=True), filter_description="Staff group is Nursing",
                      extra={"respondents": {2025: 1204}})
    assert summary_line(nursing) == "Staff group is Nursing, 2025: 1,204 respondents, weighted."


def test_findings_module_imports_no_qt_and_nothing_from_the_window():
    code = ("import sys, explorer.core.findings; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph') "
            "or m.startswith('explorer.ui')]; assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------------------------ published figures
def test_untested_changes_of_groups_are_said_not_tested_never_not_significant():
    """Published changes are not tested (significant None): 'none of these changes is significant' would
    claim a test that was never run."""
    org = row(change=-2.0)
    groups = [group("London", value=18.0, change=-1.0), group("Midlands", value=22.0, change=1.0)]
    spread = [f for f in findings(results(org, *groups)) if f.kind == "spread"][0].text
    assert spread.endswith("1 of the 2 groups shown improved on 2024 and 1 got worse (significance not tested).")
    assert "is significant" not in spread
    tested = [group("London", value=18.0, change=-1.0, significant=False),
              group("Midlands", value=22.0, change=1.0, significant=None)]
    said = [f for f in findings(results(org, *tested)) if f.kind == "spread"][0].text
    assert "none of the tested changes is significant (the others' significance not tested)" in said
    both = [group("London", value=18.0, change=-1.0, significant=False),
            group("Midlands", value=22.0, change=1.0, significant=False)]
    assert "none of these changes is significant" in texts(findings(results(org, *both)))


def test_figures_of_a_file_that_does_not_say_its_weighting_are_never_called_unweighted():
    table = results(row(change=-2.0), row(measure="other", label="Other", value=30.0))
    stated = texts(findings(table)) + summary_line(table)
    assert "(n = 1,000, unweighted)" in stated and summary_line(table).endswith(": unweighted.")
    unknown = Results(table=table.table, spec=ViewSpec(), dataset={"weighting_stated": False})
    said = texts(findings(unknown))
    assert "unweighted" not in said and "weighted" not in said and "20.0% (n = 1,000), down 2.0 points" in said
    assert summary_line(unknown) == "All staff, 2025: the file does not say whether its figures are weighted."
