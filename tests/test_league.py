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
