"""Organisations ranked in their benchmarking group (the Organisations page) and the similar-trusts
band on every view once a benchmark workbook is open: Qt-free, checked against the workbook itself."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.session import Session
from explorer.core.viewspec import SpecError
from explorer.demo import TRUST_NAME, demo_files
from tests import readers_fixtures as fx


@pytest.fixture(scope="module")
def workbook():
    return Session.open(demo_files()["benchmark_xlsx"])


def test_ranks_follow_polarity_and_count_only_usable_figures(workbook):
    spec = workbook.spec.with_(lens=None, organisation="XNH", measures=("harassment_colleagues", "PP7_2"), years=(2025,))
    league = workbook.league(spec)
    t = league.table
    assert league.dataset["benchmark_group"] == "Acute&Acute Community Trusts"
    raw = workbook.data.aggregates
    raw = raw[(raw["benchmark_group"] == "Acute&Acute Community Trusts") & (raw["breakdown"] == "")
              & (raw["option"] == "") & (raw["year"] == 2025)]
    for measure, lower in (("harassment_colleagues", True), ("PP7_2", False)):
        rows = t[t["measure"] == measure]
        source = raw[raw["measure"] == measure]
        assert len(rows) == source["org_id"].nunique()  # every organisation of the group, none other
        shown = rows[~rows["suppressed"]]
        best = shown.loc[shown["rank"] == 1, "value"].iloc[0]
        assert best == (shown["value"].min() if lower else shown["value"].max())
        assert sorted(shown["rank"].astype(int)) == sorted(shown["value"].rank(method="min", ascending=lower).astype(int))
        assert (shown["rank_of"] == len(shown)).all()
        ours = rows[rows["ours"]]
        assert len(ours) == 1 and ours["org_id"].iloc[0] == "XNH"
        truth = source.loc[source["org_id"] == "XNH", "value"].iloc[0]
        assert ours["value"].iloc[0] == pytest.approx(truth)


def test_small_figures_are_withheld_and_unranked(tmp_path):
    session = Session.open(fx.write_benchmark_xlsx(tmp_path / "bench.xlsx"))
    t = session.league(session.spec.with_(lens=None, organisation="XA1", measures=("harassment_colleagues",),
                                          years=(2023,))).table
    small = t[t["org_id"] == "XA2"].iloc[0]  # '-' with a blank base in the file
    assert small["suppressed"] and np.isnan(small["value"]) and np.isnan(small["rank"])
    ours = t[t["org_id"] == "XA1"].iloc[0]
    assert ours["rank"] == 1 and ours["rank_of"] == 1 and ours["ours"]
    with pytest.raises(SpecError, match="organisation or a benchmarking group"):
        session.league(session.spec.with_(lens=None, measures=("harassment_colleagues",)))


def test_respondent_views_carry_the_band_whatever_the_comparator():
    session = Session.open_demo()
    session.open_benchmark(demo_files()["benchmark_xlsx"])
    stats = session.league(session.spec.with_(lens=None, measures=("harassment_public",), years=(2025,))).table
    usable = stats.loc[~stats["suppressed"], "value"]
    for comparator in ("last_year", "organisation", "benchmark", "none"):
        t = session.compute(session.spec.with_(lens="bullying", comparator=comparator)).table
        row = t[(t["measure"] == "harassment_public") & (t["year"] == 2025) & (t["group"] == "All staff")
                & (t["statistic"] == "positive")].iloc[0]
        # lower is better: the best of similar trusts is the lowest published figure
        assert row["benchmark_best"] == pytest.approx(usable.min())
        assert row["benchmark_worst"] == pytest.approx(usable.max())
        assert row["benchmark_median"] == pytest.approx(usable.median())
        if comparator == "benchmark":
            assert row["comparator_value"] == pytest.approx(usable.median())
        elif comparator == "last_year":
            assert row["comparator_value"] == pytest.approx(row["value"] - row["change"])
    league = session.league(session.spec.with_(lens="bullying", years=(2025,)))
    assert league.dataset["organisation"] == TRUST_NAME


def test_a_workbook_without_our_organisation_gives_no_band_unless_asked(tmp_path):
    session = Session.open_demo()
    session.open_benchmark(fx.write_benchmark_xlsx(tmp_path / "bench.xlsx"))  # two groups, no Northshire
    t = session.compute(session.spec.with_(lens="bullying")).table
    assert t["benchmark_median"].isna().all()  # which group is "similar" is not known: no band, no error
    with pytest.raises(SpecError, match="several benchmarking groups"):
        session.compute(session.spec.with_(lens="bullying", comparator="benchmark"))
    chosen = session.compute(session.spec.with_(lens="bullying", benchmark_group="ICBs", years=(2023,))).table
    row = chosen[(chosen["measure"] == "harassment_colleagues") & (chosen["group"] == "All staff")
                 & (chosen["statistic"] == "positive")]
    assert row["benchmark_median"].iloc[0] == pytest.approx(11.0)  # the ICB's 0.11, as a percentage


def _local_rule_workbook(path):
    """Alpha's 2025 bullying figure is 2 % of 150: three people, which the local rule withholds."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Benchmark report 2024-2025 (FICTIONAL TEST DATA)"])
    groups = wb.create_sheet("Organisation Benchmark groups")
    groups.append(["org_id", "org_name", "Benchmarking group"])
    ws = wb.create_sheet("Acute")
    ws.append(["org_id", "org_name", "org_type_reporting_name", "q14c_2024", "q14c_n_2024", "q14c_2025", "q14c_n_2025"])
    for row in (["XA", "Alpha NHS Trust", "Acute", 0.20, 300, 0.02, 150], ["XB", "Beta NHS Trust", "Acute", 0.25, 400, 0.24, 400],
                ["XC", "Gamma NHS Trust", "Acute", 0.30, 500, 0.31, 500]):
        ws.append(row)
        groups.append([row[0], row[1], "Acute"])
    wb.save(path)
    return path


def test_the_local_rule_holds_in_the_league_and_the_band(tmp_path):
    session = Session.open(_local_rule_workbook(tmp_path / "bench.xlsx"))
    spec = session.spec.with_(lens=None, organisation="XB", measures=("harassment_colleagues",), comparator="none",
                              years=(2025,))
    for local_rule, alpha_shown in ((False, True), (True, False)):
        league = session.league(spec.with_(local_rule=local_rule)).table
        alpha = league[league["org_id"] == "XA"].iloc[0]
        assert (not alpha["suppressed"]) is alpha_shown
        if not alpha_shown:
            assert np.isnan(alpha["value"]) and np.isnan(alpha["rank"]) and "local rule" in alpha["suppression_reason"]
            assert league.loc[league["org_id"] == "XB", "rank_of"].iloc[0] == 2  # ranked among the two usable
        band = session.compute(spec.with_(local_rule=local_rule)).table
        best = band.loc[band["group"] == "All staff", "benchmark_best"].iloc[0]
        assert best == pytest.approx(2.0 if alpha_shown else 24.0)  # Alpha's 2 % never enters the band under the rule


def test_a_files_own_measures_are_ordered_not_ranked(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("ODS code,Trust,Year,Benchmarking group,local_initiative_uptake_rate,local_initiative_uptake_base\n"
                    "XA1,Aldermere Hospitals NHS Trust,2024,Acute,0.17,3300\n"
                    "XA2,Brackenford Hospitals NHS Trust,2024,Acute,0.22,2100\n", encoding="utf-8")
    session = Session.open(path)
    league = session.league(session.spec.with_(lens=None, organisation="XA1", years=(2024,),
                                               measures=tuple(m.id for m in session.catalog().measures)))
    own = league.table[league.table["kind"] == "own"]
    assert len(own) == 2  # a name the vocabulary does not know stays the file's own measure
    assert own["rank"].isna().all()  # which way is better is not known: no 'best'
    assert list(own["value"]) == sorted(own["value"], reverse=True)


def test_a_chosen_group_gives_the_band_and_the_rank_alike(workbook):
    spec = workbook.spec.with_(lens=None, organisation="XNH", measures=("PP7_2",), years=(2025,),
                               benchmark_group="Acute Specialist Trusts")
    row = workbook.compute(spec).table.iloc[0]
    league = workbook.league(spec).table
    shown = league[~league["suppressed"]]
    assert row["benchmark_median"] == pytest.approx(shown["value"].median())
    assert row["rank_of"] == len(shown)  # ranked among the same organisations the band is drawn from
    assert row["rank"] == 1 + (shown["value"] > row["value"]).sum()
