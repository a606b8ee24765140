"""Neighbouring files: what the program shows may depend on the protected groups, never on what lies
inside them.

1. Words are figures too: every text the program shows (why a figure is withheld, the notes, the
catalog's names). The attacker in tests/attacker.py reads numbers; this test reads words, by
comparing the demo and the demo with one respondent taken out. Wherever the protected groups are the
same in both (per question, at that threshold, with or without the local rule), everything the
program says apart from the numbers must be the same too — a reason, a note or a name that changed
would tell an attacker something about a group smaller than the threshold (the review-3 leaks did:
a reason that said 'fewer than T' or 'combined' depending on a value's own size, a row that said
'no answers' or 'too few' depending on how many answered). The respondents taken out are chosen
where that matters: in values and combinations the demo combines away.

2. Nothing at all changes — numbers included — when one respondent moves to another value inside
their protected group (with the weight that value carries): the group's totals are the same, so
every figure must be. Review 4 found two breaches of this: weights that differed inside a combined
group (its make-up, and one person's answers, could be solved for), and a '!=' filter that dropped a
combined group only when someone with that value was in it (telling whether a combination is empty).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from explorer.core import disclosure as D
from explorer.core.disclosure.partition import POOLED
from explorer.core.engine import Prepared, compute
from explorer.core.engine.measures import measures_for
from explorer.core.filters import Eq, Not
from explorer.core.questionbank import load_bank
from explorer.core.viewspec import ViewSpec

BANK = load_bank()
MEASURES = ("harassment_colleagues", "harassment_reported", "PP7_2")
THRESHOLDS = (11, 12, 13, 14, 16, 19, 23, 30)
YEAR = 2025


@pytest.fixture(scope="module")
def demo():
    from explorer.demo import load_demo

    data = load_demo(bank=BANK)
    return data, Prepared(data, BANK)


def _without(data, row: int):
    frame = data.respondents.drop(index=data.respondents.index[row]).reset_index(drop=True)
    return replace(data, respondents=frame)


def _blocks(prep: Prepared, family: str, measure: str | None, threshold: int, local: bool) -> np.ndarray:
    fam = prep.family(family)
    if measure is None:
        part = prep.groups(family, threshold)
    else:
        m = measures_for(ViewSpec(measures=(measure,)), prep.data, BANK)[0]
        part = prep.partition(family, m, threshold, local)
    block = part.block_of_leaf[fam.leaf_of]
    return np.where(part.ok[block], block, -1)


def _same_groups(a: np.ndarray, b: np.ndarray) -> bool:
    """The same partition of the respondents both files hold (block ids differ between files)."""
    pairs = np.unique(np.c_[a, b], axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b)) and ((pairs[:, 0] == -1) == (pairs[:, 1] == -1)).all()


def _words(results) -> tuple:
    """Everything a view says apart from its numbers."""
    t = results.table
    rows = {(r.measure, int(r.year), r.group, r.statistic): (bool(r.suppressed), r.suppression_reason)
            for r in t.itertuples(index=False)}
    return rows, results.notes, results.empty_reason, results.filter_description


def _views(data, person: pd.Series, family_columns: dict[str, list[str]]) -> list[tuple[str, object, tuple]]:
    """Views around one respondent: compared by each column and pairs, filtered to (and away from)
    each of their values."""
    views = []
    for family, columns in family_columns.items():
        for c in columns:
            views.append((family, None, (c,)))
            value = person[c]
            if pd.notna(value):
                views.append((family, Eq(c, str(value)), ()))
                views.append((family, Not(Eq(c, str(value))), (columns[0] if columns[0] != c else columns[-1],)))
        views.append((family, None, tuple(columns[:2])))
    return views


def _chosen(data, prep: Prepared) -> list[tuple[int, int]]:
    """(respondent, threshold) pairs where a text could give a size away: a value of 2025 that is
    combined away although it has exactly ``threshold`` respondents (taking one out puts it under the
    threshold: a reason that changed would tell its size), and the one person in a value who answered a
    filtered question (taking them out leaves nobody: 'no answers' against 'too few' would tell)."""
    frame = prep.frame
    answered = frame["harassment_reported"].notna().to_numpy()
    out: dict[int, int] = {}
    cells: dict[int, int] = {}
    for year, family in itertools.product(prep.years, (D.ORGANISATION, D.PEOPLE)):
        here = (frame["year"] == year).to_numpy()
        fam = prep.family(family)
        for column in fam.columns:
            values = frame[column].astype("string")
            counts = values[here].value_counts()
            for value, count in counts.items():
                if 11 <= count <= 40 and value in fam.pooled(year, prep.groups(family, int(count)).leaf_codes()).get(column, []):
                    out.setdefault(int(np.flatnonzero(here & (values == value).fillna(False).to_numpy(dtype=bool))[0]), int(count))
            few = values[here & answered].value_counts()
            few = few[few <= 2]
            if len(few):
                out.setdefault(int(np.flatnonzero(here & answered & (values == few.index[-1]).fillna(False).to_numpy(dtype=bool))[0]), 11)
        # combinations of the organisation's columns (Directorate x Staff group x Site) combined away
        if family == D.ORGANISATION:
            for cell in np.flatnonzero((fam.cell_year == year) & (fam.cell_count >= 11) & (fam.cell_count <= 40)):
                count = int(fam.cell_count[cell])
                if (prep.groups(family, count).leaf_codes()[fam.leaf_of_cell[cell]] == POOLED).any():
                    cells.setdefault(int(np.flatnonzero(fam.cell_of == cell)[0]), count)
    return list(out.items()) + [c for c in cells.items() if c[0] not in out][::6]


def test_what_the_program_says_depends_only_on_the_protected_groups(demo):
    data, prep = demo
    org, people = prep.families()
    family_columns = {D.ORGANISATION: list(org.columns), D.PEOPLE: list(people.columns)[:3]}
    compared = differing_groups = 0
    chosen = _chosen(data, prep)
    assert len(chosen) >= 4, chosen
    for row, threshold in chosen:
        other = _without(data, row)
        prep2 = Prepared(other, BANK)
        keep = np.delete(np.arange(len(data.respondents)), row)
        person = prep.frame.iloc[row]
        views = _views(data, person, family_columns)
        if True:
            for local in (False, True):
                same = {}
                for family in family_columns:
                    same[family] = all(
                        _same_groups(_blocks(prep, family, m, threshold, local)[keep],
                                     _blocks(prep2, family, m, threshold, local))
                        for m in (None,) + MEASURES)
                    differing_groups += not same[family]
                for family, flt, by in views:
                    if not same[family]:
                        continue
                    spec = ViewSpec(measures=MEASURES, filter=flt, breakdown=by, threshold=threshold,
                                    local_rule=local)
                    a = _words(compute(data, spec, BANK, prepared=prep))
                    b = _words(compute(other, spec, BANK, prepared=prep2))
                    assert a[1:] == b[1:], (row, threshold, local, flt, by)
                    both = set(a[0]) & set(b[0])
                    assert set(a[0]) == set(b[0]), (row, threshold, local, flt, by, set(a[0]) ^ set(b[0]))
                    for key in both:
                        if a[0][key][0] and b[0][key][0]:  # withheld in both: the same reason
                            assert a[0][key][1] == b[0][key][1], (row, threshold, local, flt, by, key,
                                                                  a[0][key][1], b[0][key][1])
                    compared += 1
    print("compared", compared, "differing", differing_groups)
    assert compared > 300, compared  # most settings keep the same groups: the comparison happened


def _moved(data, prep: Prepared, row: int, column: str, value: str):
    """The demo with respondent ``row`` given ``value`` in ``column`` and that value's weight."""
    frame = data.respondents.copy()
    year = frame["year"].iloc[row]
    weight = frame.loc[(frame["year"] == year) & (frame[column] == value), "weight"]
    assert weight.nunique() == 1  # the demo's weights follow (year, staff group)
    frame.loc[frame.index[row], column] = value
    frame.loc[frame.index[row], "weight"] = weight.iloc[0]
    return replace(data, respondents=frame)


def _everything(results) -> tuple:
    t = results.table.drop(columns=[c for c in ("vintage",) if c in results.table.columns])
    t = t.sort_values(["measure", "statistic", "year", "group", "option"]).reset_index(drop=True)
    return (t.round(9).astype(str).to_numpy().tolist(), results.notes, results.empty_reason,
            {int(k): v for k, v in results.extra["respondents"].items()})


def test_moving_someone_inside_their_group_changes_nothing(demo):
    data, prep = demo
    org = prep.family(D.ORGANISATION)
    j = org.columns.index("Staff group")
    groups = prep.groups(D.ORGANISATION, 11)
    moves = []  # (row, new staff group): another staff group inside the same combined group
    for year in prep.years:
        leaves = np.flatnonzero((org.leaf_year == year) & (groups.codes[groups.block_of_leaf, j] == POOLED))
        for block in np.unique(groups.block_of_leaf[leaves]):
            cells = np.flatnonzero(groups.block_of_leaf[org.leaf_of_cell] == block)
            staff = np.unique(org.cell_codes[cells, j])
            if len(staff) < 2:
                continue
            cell = cells[np.argmin(org.cell_count[cells])]  # someone from the smallest part
            row = int(np.flatnonzero(org.cell_of == cell)[0])
            other = next(s for s in staff if s != org.cell_codes[cell, j])
            moves.append((row, org.categories[j][other]))
    assert len(moves) >= 3, moves
    compared = 0
    for row, value in moves[:: max(1, len(moves) // 6)]:
        old = str(prep.frame["Staff group"].iloc[row])
        other = _moved(data, prep, row, "Staff group", value)
        prep2 = Prepared(other, BANK)
        for local in (False, True):
            if not all(_same_groups(_blocks(prep, D.ORGANISATION, m, 11, local), _blocks(prep2, D.ORGANISATION, m, 11, local))
                       for m in (None,) + MEASURES):
                continue
            for flt in (None, Not(Eq("Staff group", old)), Not(Eq("Staff group", value)),
                        Eq("Staff group", org.pooled_name("Staff group"))):
                for by in ((), ("Staff group",), ("Directorate",), ("Directorate", "Staff group")):
                    for weighted in (False, True):
                        spec = ViewSpec(measures=MEASURES, filter=flt, breakdown=by, weighted=weighted,
                                        local_rule=local, statistics=("positive", "score", "options"))
                        a = _everything(compute(data, spec, BANK, prepared=prep))
                        b = _everything(compute(other, spec, BANK, prepared=prep2))
                        assert a == b, (row, old, value, local, flt, by, weighted)
                        compared += 1
    assert compared >= 100, compared


# ------------------------------------------------------------------------------ review 5
def _small_file(item_answers_b: int, years=(2024,), sizes=(20, 20)):
    rng = np.random.default_rng(1)
    frames = []
    for year in years:
        n_a, n_b = sizes
        outcome = rng.integers(1, 6, n_a + n_b)
        item = rng.integers(1, 6, n_a + n_b).astype(float)
        item[18:n_a] = np.nan  # 18 of A answer the item
        item[n_a + item_answers_b:] = np.nan
        frames.append(pd.DataFrame({"year": np.full(n_a + n_b, year, dtype=np.int16),
                                    "Directorate": ["A"] * n_a + ["B"] * n_b,
                                    "motivation_look_forward": pd.array(outcome.tolist(), dtype="Int8"),
                                    "team_shared_objectives": pd.array([None if np.isnan(v) else int(v) for v in item],
                                                                       dtype="Int8")}))
    frame = pd.concat(frames, ignore_index=True)
    frame["Directorate"] = pd.Categorical(frame["Directorate"])
    from explorer.core.surveydata import Provenance, SurveyData

    return SurveyData(kind="respondents", provenance=Provenance(path="test", kind="respondents"),
                      respondents=frame, breakdowns=("Directorate",))


def test_drivers_at_any_threshold_depend_on_whole_blocks_only():
    """Review 5: a driver row was withheld when its pairs (people answering both questions) fell
    under the threshold; the pairs were no block sum, so trying thresholds gave them exactly, and
    two selections gave a small group's (5 of Directorate B) by subtraction."""
    for b in (1, 5):
        data = _small_file(b)
        prep = Prepared(data, BANK)
        last_shown = {}
        for threshold in range(11, 51):
            n = {}
            for flt in (None, Eq("Directorate", "A")):
                spec = ViewSpec(lens="morale", measures=("team_shared_objectives",), statistics=("drivers",),
                                driver_outcome="motivation_look_forward", filter=flt, threshold=threshold)
                t = compute(data, spec, BANK, prepared=prep).table
                row = t[(t["statistic"] == "drivers") & (t["measure"] == "team_shared_objectives")]
                n[flt is None] = None if row.empty or row["suppressed"].iloc[0] else float(row["n"].iloc[0])
                if n[flt is None] is not None:
                    assert n[flt is None] >= threshold
                    last_shown[flt is None] = n[flt is None]
                else:
                    # withheld: only ever because the shown n (a sum of blocks) is under this threshold
                    assert last_shown.get(flt is None, 0) < threshold
            if n[True] is not None and n[False] is not None:
                assert n[True] - n[False] == 0 or n[True] - n[False] >= threshold
        # the sweep's answer for everyone minus A's is never B's own count
        assert last_shown.get(True, 0) - last_shown.get(False, 0) != b


def test_a_year_too_small_to_show_has_no_size_anywhere():
    """Review 5: a year of 8 respondents said 'fewer than 11' in its views but its size was in the
    dataset info, the catalog, inspect and the window's total."""
    from explorer.core.session import Session

    data = _small_file(5, years=(2023, 2024))
    frame = data.respondents
    frame = frame[(frame["year"] == 2023) | (frame.index % 5 == 0)].reset_index(drop=True)  # 2024: 8 people
    data = replace(data, respondents=frame)
    assert int((frame["year"] == 2024).sum()) == 8
    s = Session(data, BANK)
    r = s.compute(ViewSpec(measures=("team_shared_objectives",)))
    assert r.dataset["respondents_by_year"] == {"2023": 40, "2024": None} and r.dataset["respondents"] == 40
    assert s.catalog().respondents == {2023: 40, 2024: None}


def test_what_a_combined_group_holds_is_not_said():
    """Review 5: the note 'some of X' and the catalog's lists read who is inside a combined group
    (one Estates and Ancillary respondent of 2023 appeared there), and a withheld row for a value
    appeared only in years where someone had it."""
    from explorer.demo import load_demo
    from explorer.core.session import Session

    data = load_demo(bank=BANK)
    prep = Prepared(data, BANK)
    org = prep.family(D.ORGANISATION)
    j = org.columns.index("Staff group")
    groups = prep.groups(D.ORGANISATION, 11)
    # every value a note names is one with no group of its own that year: read from labels
    for year in prep.years:
        labels = groups.leaf_codes()[org.leaf_year == year][:, j]
        named = org.pooled(year, groups.leaf_codes()).get("Staff group", [])
        own = {org.categories[j][c] for c in set(labels.tolist()) if c != POOLED}
        assert not set(named) & own
    # a value with nobody in a year is withheld like one with a few, never missing
    s = Session(data, BANK)
    gender = s.prepared.frame["gender"].astype("string")
    for year in prep.years:
        r = s.compute(ViewSpec(measures=("harassment_colleagues",), breakdown=("gender",), years=(year,)))
        shown = set(r.table.loc[r.table["year"] == year, "group"])
        values = set(gender.dropna().unique())
        assert values <= shown | {"Other answers (combined)"}, (year, values - shown)
