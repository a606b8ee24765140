"""The session the window, the board pack and the command line share: cache, undo, cancel,
catalog and saved views that replay (and say when their file is missing or has changed)."""

from __future__ import annotations

import gzip
import json
import shutil

import numpy as np
import pytest

from explorer.cli import main
from explorer.core import session as session_module
from explorer.core.filters import Eq
from explorer.core.progress import Cancelled, ProgressReporter
from explorer.core.session import Session, ViewFileError
from explorer.core.viewspec import SpecError, ViewSpec
from explorer.paths import demo_dir


@pytest.fixture(scope="module")
def demo():
    return Session.open_demo()


def test_compute_caches_by_view_and_recomputes_a_new_one(demo):
    spec = ViewSpec(lens="bullying", breakdown=("Directorate",))
    first = demo.compute(spec)
    assert demo.compute(spec) is first
    other = demo.compute(spec.with_(breakdown=("Site",)))
    assert other is not first and set(other.table["breakdown"]) == {"", "Site"}
    demo.clear_cache()
    again = demo.compute(spec)
    assert again is not first and again.table.equals(first.table)


def test_the_cache_is_bounded(demo, monkeypatch):
    monkeypatch.setattr(session_module, "CACHE_SIZE", 3)
    demo.clear_cache()
    specs = [ViewSpec(measures=("harassment_colleagues",), years=(y,)) for y in (2021, 2022, 2023, 2024)]
    results = [demo.compute(s) for s in specs]
    assert len(demo._cache) == 3
    assert demo.compute(specs[-1]) is results[-1] and demo.compute(specs[0]) is not results[0]


def test_undo_and_redo_walk_the_views(demo):
    s = Session(demo.data, demo.bank)
    start = s.spec
    s.update(breakdown=("Directorate",))
    s.update(lens="morale")
    s.update(lens="morale")  # the same view again is not a step
    assert s.spec.lens == "morale" and s.can_undo
    assert s.undo().breakdown == ("Directorate",) and s.spec.lens == "trust"
    assert s.undo() == start and not s.can_undo
    assert s.redo().breakdown == ("Directorate",) and s.redo().lens == "morale" and not s.can_redo
    s.undo()
    s.update(filter=Eq("Site", "Riverside Treatment Centre"))  # a new step forgets what could be redone
    assert not s.can_redo


def test_compute_can_be_cancelled_and_leaves_nothing_half_done(demo):
    reporter = ProgressReporter()
    seen = []

    def sink(fraction, message):
        seen.append(message)
        if len(seen) == 3:
            reporter.cancel()

    reporter._sink = sink
    spec = ViewSpec(lens="trust", breakdown=("Staff group",), filter=Eq("Site", "Eastbrook Community Hospital"))
    with pytest.raises(Cancelled):
        demo.compute(spec, progress=reporter)
    assert len(seen) == 3 and seen[0].startswith("Working out")
    done = demo.compute(spec)  # not cached half-done: a full result afterwards
    assert set(done.table["measure"]) >= {"PP7_2", "manager_encourages", "org_recommend_work"}


def test_catalog_lists_protected_groups_with_counts(demo):
    cat = demo.catalog()
    assert cat.years == [2021, 2022, 2023, 2024, 2025] and cat.threshold == 11
    assert [m.id for m in cat.lenses["bullying"]["measures"]][:2] == ["PP4_3", "harassment_public"]
    assert next(m for m in cat.lenses["bullying"]["measures"] if m.id == "sexual_behaviour_public").years == [2023, 2024, 2025]
    directorate = cat.column("Directorate")
    assert directorate.family == "organisation"
    names = [g.name for g in directorate.groups[2025]]
    assert "Research and Innovation" not in names and names[-1] == "Other directorates (combined)"
    assert directorate.combined[2025]["all"] == ["Research and Innovation"]
    for column in cat.columns:
        for year, groups in column.groups.items():
            assert all(g.respondents >= 11 for g in groups)
            assert sum(g.respondents for g in groups) == cat.respondents[year]
    assert cat.families["people"][:2] == ["Ethnicity (WRES summary)", "long_term_condition"]
    assert "religion" in cat.not_available and "16-20" in cat.not_available["age"]
    assert cat.comparators == ["none", "organisation", "last_year"]
    json.dumps(cat.to_dict())  # serialisable for the window and tests


def test_catalog_counts_match_the_figures(demo):
    cat = demo.catalog()
    r = demo.compute(ViewSpec(measures=("harassment_colleagues",), years=(2025,), breakdown=("Site",)))
    shown = r.table[~r.table["suppressed"] & (r.table["group"] != "All staff")].set_index("group")["n"]
    respondents = {g.name: g.respondents for g in cat.column("Site").groups[2025]}
    assert set(shown.index) == set(respondents)
    assert all(shown[g] <= respondents[g] for g in shown.index)  # answers never exceed respondents


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data" / "trust 2025.csv"
    path.parent.mkdir()
    with gzip.open(demo_dir() / "northshire_respondents_2025.csv.gz", "rb") as src:
        path.write_bytes(src.read())
    return path


def test_a_saved_view_replays_with_its_data_and_moves_with_it(tmp_path, data_file):
    s = Session.open(data_file)
    s.update(lens="bullying", breakdown=("Directorate",))
    view = tmp_path / "data" / "view.json"
    s.save_view(view)
    saved = json.loads(view.read_text(encoding="utf-8"))
    assert saved["dataset"]["path"] == "trust 2025.csv" and saved["dataset"]["name"] == "trust 2025.csv"
    assert len(saved["dataset"]["sha256"]) == 64 and saved["version"] == 2
    replayed, spec, warnings = Session.replay(view)
    assert spec == s.spec and not warnings
    assert replayed.compute().table.equals(s.compute().table)
    moved = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "data", moved)  # the folder moves: the view still finds its file
    _, spec, warnings = Session.replay(moved / "view.json")
    assert spec == s.spec and not warnings


def test_a_saved_view_says_when_its_file_is_missing_or_changed(tmp_path, data_file):
    s = Session.open(data_file)
    view = tmp_path / "v.json"
    s.save_view(view)
    data_file.write_bytes(data_file.read_bytes().replace(b"\n", b"\r\n", 5))
    _, _, warnings = Session.replay(view)
    assert warnings and "has changed since the view was saved" in warnings[0]
    data_file.unlink()
    with pytest.raises(ViewFileError, match="data file trust 2025.csv was not found"):
        Session.replay(view)
    view.write_text("{ not json", encoding="utf-8")
    with pytest.raises(SpecError, match="could not be read"):
        Session.replay(view)


def test_summary_replays_a_saved_view(tmp_path, capsys):
    view = tmp_path / "v.json"
    assert main(["summary", "--demo", "--lens", "bullying", "--by", "Directorate", "--year", "2025",
                 "--save-view", str(view), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert json.loads(view.read_text(encoding="utf-8"))["dataset"]["demo"] is True
    assert main(["summary", "--view", str(view), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["rows"] == first["rows"] and again["view"]["breakdown"] == ["Directorate"]
    assert main(["summary", "--view", str(tmp_path / "missing.json")]) == 2
    assert "could not be read" in capsys.readouterr().err


def test_views_are_equal_whatever_data_they_were_stamped_with(demo):
    a = demo.set_spec(ViewSpec(lens="trust"))
    b = ViewSpec(lens="trust")
    assert a == b and hash(a) == hash(b) and a.dataset is not None and b.dataset is None
    assert ViewSpec.from_json(a.to_json()) == a and ViewSpec.from_json(a.to_json()).dataset == a.dataset


def test_a_benchmark_workbook_is_checked_when_it_is_opened(demo, data_file):
    with pytest.raises(SpecError, match="not an official benchmark workbook"):
        demo.open_benchmark(data_file)
    s = Session(demo.data, demo.bank)
    s.open_benchmark(demo_dir() / "NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx")
    assert "benchmark" in s.catalog().comparators and s.spec.benchmark.kind == "benchmark_workbook"
    r = s.compute(ViewSpec(measures=("PP7_2",), years=(2025,), comparator="benchmark", organisation="XNH"))
    row = r.table.iloc[0]
    assert np.isfinite(row["benchmark_median"]) and row["comparator_value"] == row["benchmark_median"]


@pytest.mark.parametrize("field,value,words", [
    ("years", "2025", "'years' should be a list of years"), ("threshold", "11", "'threshold' should be a whole number"),
    ("threshold", 11.0, "'threshold' should be a whole number"), ("breakdown", "Directorate", "'breakdown' should be a list"),
    ("version", "x", "'version' should be a whole number"), ("dataset", "demo", "'dataset' should be a data file reference"),
    ("filter", {"op": "in", "column": "Site", "values": []}, "names no value"),
])
def test_a_saved_view_with_wrong_values_is_one_sentence(tmp_path, capsys, field, value, words):
    view = tmp_path / "v.json"
    data = json.loads(ViewSpec(lens="trust").to_json())
    data[field] = value
    view.write_text(json.dumps(data), encoding="utf-8")
    assert main(["summary", "--demo", "--view", str(view)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_a_view_file_that_is_not_text_is_one_sentence(tmp_path, capsys):
    view = tmp_path / "v.json"
    view.write_bytes(b"\xff\xfe\x00\x81 not a view")
    assert main(["summary", "--view", str(view)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_options_given_with_a_view_change_it_and_other_data_is_named(tmp_path, capsys, data_file):
    view = tmp_path / "v.json"
    s = Session.open(data_file)
    s.update(lens="bullying", breakdown=("Directorate",))
    s.save_view(view)
    assert main(["summary", "--view", str(view), "--local-rule", "--comparator", "organisation", "--options",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["view"]["local_rule"] is True and out["view"]["comparator"] == "organisation"
    assert "options" in out["view"]["statistics"] and out["view"]["breakdown"] == ["Directorate"]
    assert main(["summary", "--demo", "--view", str(view)]) == 0
    assert "saved from trust 2025.csv; it is shown on the demo instead" in capsys.readouterr().err


def test_the_view_says_how_many_respondents_it_holds_as_the_catalog_counts_them():
    from explorer.core.filters import Eq, In

    s = Session.open_demo()
    cat = s.catalog()
    everyone = s.compute(ViewSpec(lens="bullying")).extra["respondents"]
    assert everyone == {y: n for y, n in cat.respondents.items()}
    groups = {g.name: g.respondents for g in cat.column("Directorate").groups[2025]}
    one = s.compute(ViewSpec(lens="trust", years=(2025,), filter=Eq("Directorate", "Surgery"))).extra["respondents"]
    assert one == {2025: groups["Surgery"]}
    two = s.compute(ViewSpec(lens="trust", years=(2025,), filter=In("Directorate", ("Surgery", "Medicine"))))
    assert two.extra["respondents"] == {2025: groups["Surgery"] + groups["Medicine"]}
