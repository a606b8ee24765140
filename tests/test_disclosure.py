"""Disclosure control tested as an attacker would: every figure of many views, exact linear algebra.

The promise (README, explorer/core/disclosure): no group of fewer than 11 respondents, or of fewer
than 11 answers to a question, can be worked out exactly from any combination of shown figures.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core import disclosure as D
from explorer.core.disclosure import crosscheck
from explorer.core.disclosure.partition import POOLED, Rule, recode
from explorer.core.engine import Prepared, compute
from explorer.core.filters import And, Eq, In, Not, parse_filter
from explorer.core.questionbank import load_bank
from explorer.core.surveydata import Provenance, SurveyData
from explorer.core.viewspec import SpecError, ViewSpec
from tests import attacker as A

BANK = load_bank()
ORG = ["Directorate", "Staff group", "Site"]
MEASURES = ("harassment_colleagues", "harassment_reported", "PP7_2")


@pytest.fixture(scope="module")
def demo():
    from explorer.demo import load_demo

    data = load_demo(bank=BANK)
    return data, Prepared(data, BANK)


def attack(data, prep, views, measures=MEASURES, columns=ORG, threshold=11, first=False) -> tuple[dict, int]:
    """Compute every view (audited), check each figure, and return the small groups found."""
    flags = {m: A.base_flags(data, BANK, m) for m in measures}
    ledger = A.Ledger(A.finest_cells(data, columns), threshold)
    for flt, by in views:
        r = compute(data, ViewSpec(measures=measures, filter=flt, breakdown=by, threshold=threshold), BANK,
                    prepared=prep, audit=True)
        A.record(ledger, data, BANK, r, flags)
    return A.leaks(ledger, first), ledger.checked


def sweep(data, columns: list[str], pairs_per_column: int = 99, every: int = 1) -> list:
    """Views of every filter family (none, =, !=, A|B, two filters) x compare-by none / one / two."""
    cats = {c: [str(x) for x in pd.Series(data.respondents[c]).dropna().unique()] for c in columns}
    filters = [None]
    for c in columns:
        filters += [Eq(c, v) for v in cats[c]] + [Not(Eq(c, v)) for v in cats[c]]
        filters += [In(c, (a, b)) for a, b in list(itertools.combinations(cats[c], 2))[:pairs_per_column]]
    bys = [()] + [(c,) for c in columns] + list(itertools.combinations(columns, 2))
    views = [(f, b) for f in filters for b in bys]
    for c1, c2 in itertools.combinations(columns, 2):  # two filters: compared by nothing or one column
        pairs = [And((Eq(c1, a), Eq(c2, b))) for a in cats[c1] for b in cats[c2]]
        views += [(f, b) for f in pairs[::every] for b in [()] + [(c,) for c in columns]]
    return views


# ------------------------------------------------------------------- the partition itself
def test_every_block_fits_the_rule_and_recoding_only_generalises():
    rng = np.random.default_rng(3)
    for _ in range(200):
        k = int(rng.integers(1, 4))
        cells = np.unique(rng.integers(0, 5, size=(int(rng.integers(1, 30)), k)), axis=0)
        n = rng.integers(1, 25, size=len(cells))
        pos = (n * rng.random(len(cells))).round()
        for rule, p in ((Rule(11), None), (Rule(11, 3), pos)):
            out, ok = recode(cells, n, rule, p)
            assert ((out == cells) | (out == POOLED)).all()  # values are kept or pooled, never changed
            again, _ = recode(out, n, rule, p)
            assert ((again == out) | (again == POOLED)).all()
            _, block = np.unique(out, axis=0, return_inverse=True)
            for b in np.unique(block):
                members = block.reshape(-1) == b
                fits = rule.ok(n[members].sum(), None if p is None else p[members].sum())
                assert fits or (not ok[members].any() and len(np.unique(block)) == 1), (cells, n, out)


def test_certificate_never_certifies_a_leaky_pair_of_partitions():
    """Against brute force on small overlap graphs: the smallest 0/1 combination of the two
    partitions' block indicators equals the smallest cut, and a certified pair has none under T."""
    rng = np.random.default_rng(1)
    checked = certified = 0
    while checked < 400:
        na, nb = rng.integers(1, 5, size=2)
        w = rng.integers(1, 6, size=(na, nb)) * (rng.random((na, nb)) < rng.uniform(0.3, 0.9))
        if w.sum() == 0 or (w > 0).sum() > 10:
            continue
        threshold = int(min(w.sum(1)[w.sum(1) > 0].min(), w.sum(0)[w.sum(0) > 0].min()))
        if threshold < 2:
            continue
        checked += 1
        ea, eb = np.nonzero(w)
        atoms = np.zeros((len(ea), na + nb))
        atoms[np.arange(len(ea)), ea] = 1
        atoms[np.arange(len(ea)), na + eb] = 1
        smallest = np.inf
        for mask in range(1, 2 ** len(ea)):
            x = np.array([(mask >> i) & 1 for i in range(len(ea))], dtype=float)
            coef = np.linalg.lstsq(atoms, x, rcond=None)[0]
            if np.allclose(atoms @ coef, x, atol=1e-8):
                smallest = min(smallest, (x * w[ea, eb]).sum())
        cut = w.sum(1)[w.sum(1) > 0].min()
        for r in range(1, nb + 1):
            for s in itertools.combinations(range(nb), r):
                inside = np.flatnonzero(w[:, list(s)].sum(1) > 0)
                surplus = w[inside].sum() - w[:, list(s)].sum()
                cut = min(cut, surplus) if surplus > 0 else cut
        assert smallest == cut
        if crosscheck.separable_edges(ea, eb, w[ea, eb], na, nb, threshold):
            certified += 1
            assert smallest >= threshold, w
    assert certified > 200


# ---------------------------------------------------------------------- the attacker
def test_attacker_sweep_over_the_demo_finds_nothing(demo):
    data, prep = demo
    views = sweep(data, ORG, pairs_per_column=3, every=2)
    found, checked = attack(data, prep, views)
    assert len(views) > 400 and checked > 20000
    assert not found, {k: [int(v.sum()) for v in vs] for k, vs in found.items()}


def test_settings_that_do_not_nest_are_caught(demo, monkeypatch):
    """The control for the test above: partitions made without nesting (as before the review)."""
    import explorer.core.disclosure as disclosure
    from explorer.core.disclosure import measures

    original = measures.coarsen
    monkeypatch.setattr(disclosure, "coarsen", lambda family, weight, rule, pos=None, kept_columns=None, base=None:
                        original(family, weight, rule, pos, kept_columns, None))
    data, _ = demo
    prep = Prepared(data, BANK)
    flags = {m: A.base_flags(data, BANK, m) for m in ("manager_clear_feedback",)}
    ledger = A.Ledger(A.finest_cells(data, ORG), 11)
    for local in (False, True):
        for by in [(c,) for c in ORG] + list(itertools.combinations(ORG, 2)):
            r = compute(data, ViewSpec(measures=("manager_clear_feedback",), breakdown=by, local_rule=local), BANK,
                        prepared=prep, audit=True)
            A.record(ledger, data, BANK, r, flags)
    assert A.leaks(ledger, first=True)


@pytest.mark.parametrize("broken", ["no pooling", "no per-question pooling"])
def test_a_broken_rule_is_caught(demo, monkeypatch, broken):
    import explorer.core.disclosure.families as families
    import explorer.core.disclosure.measures as measures

    def identity(codes, n, rule, pos=None):
        return np.asarray(codes), np.ones(len(codes), dtype=bool)

    if broken == "no pooling":
        monkeypatch.setattr(families, "recode", identity)
    monkeypatch.setattr(measures, "recode", identity)
    data, _ = demo
    frame = data.respondents[["year", *ORG, "harassment_colleagues", "harassment_reported"]]
    data = SurveyData(kind="respondents", provenance=data.provenance, respondents=frame, breakdowns=tuple(ORG))
    views = [(None, (c,)) for c in ORG] + [(None, b) for b in itertools.combinations(ORG, 2)]
    found, _ = attack(data, Prepared(data, BANK), views, measures=("harassment_colleagues", "harassment_reported"),
                      first=True)
    assert found


RECIPES = {
    "one command": [(None, ("Directorate", "Site"))],
    "plain filters": [(None, ("Staff group",)),
                      (parse_filter("Staff group=Additional Clinical Services"), ("Directorate",)),
                      (parse_filter("Directorate=Clinical Support Services"), ("Staff group",))],
    "a chain": [(parse_filter("Directorate=Surgery"), ("Staff group",)),
                (And((parse_filter("Directorate=Surgery"), parse_filter("Staff group=Allied Health Professionals"))),
                 ("Site",)),
                (And((parse_filter("Staff group=Allied Health Professionals"),
                      parse_filter("Site=Riverside Treatment Centre"))), ("Directorate",))],
    "or filters": [(parse_filter("Directorate=Clinical Support Services|Surgery"), ("Staff group",)),
                   (parse_filter("Directorate=Clinical Support Services"), ("Staff group",))],
}


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_the_issue_recipes_are_closed(demo, recipe):
    """The four attacks that worked before (issue 'safe and instant numbers'), every year."""
    data, prep = demo
    found, checked = attack(data, prep, [(None, ()), *RECIPES[recipe]],
                            measures=("harassment_colleagues", "theme_morale"))
    assert checked > 0 and not found


def test_the_recipe_one_group_is_combined_not_subtractable(demo):
    data, prep = demo
    r = compute(data, ViewSpec(measures=("harassment_colleagues",), years=(2021,), breakdown=("Directorate", "Site")),
                BANK, prepared=prep)
    t = r.table
    shown = t[~t["suppressed"] & (t["group"] != "All staff")]
    # the groups shown add up to All staff exactly: nothing is left to subtract
    assert shown["n"].sum() == t.loc[t["group"] == "All staff", "n"].iloc[0]
    # the small directorate is counted in a combined group, named in the notes (a two-way view does
    # not list which of its combinations exist: that would reveal a small group's presence)
    assert "Other directorates (combined)" in set(shown["group"])
    assert not t["group"].str.startswith("Research and Innovation").any()
    assert any("everyone of Research and Innovation" in n for n in r.notes)
    assert (shown["n"] >= 11).all()


def synthetic(seed: int = 5) -> SurveyData:
    """A second file with other columns: divisions, directorates nested in them (some tiny), pay
    bands and sites, two years, small cells everywhere."""
    rng = np.random.default_rng(seed)
    frames = []
    for year, n in ((2024, 900), (2025, 1000)):
        division = rng.choice(["Acute", "Community", "Corporate"], size=n, p=[0.6, 0.3, 0.1])
        nested = {"Acute": ["Emergency", "Theatres", "Wards", "Tiny unit"], "Community": ["District", "Therapies"],
                  "Corporate": ["Finance", "HR", "IT"]}
        weights = {"Acute": [0.4, 0.3, 0.29, 0.01], "Community": [0.7, 0.3], "Corporate": [0.5, 0.4, 0.1]}
        directorate = np.array([rng.choice(nested[d], p=weights[d]) for d in division])
        band = rng.choice(["Band 2-4", "Band 5", "Band 6", "Band 7", "Band 8+"], size=n, p=[0.35, 0.3, 0.2, 0.1, 0.05])
        site = rng.choice(["Main", "North", "South"], size=n, p=[0.7, 0.2, 0.1])
        codes = {i: pd.array(np.where(rng.random(n) < 0.05, None, rng.integers(1, 6, size=n)), dtype="Int8")
                 for i in ("manager_encourages", "manager_clear_feedback", "manager_asks_opinion",
                           "manager_interest_wellbeing")}
        harassed = rng.integers(1, 6, size=n)
        codes["harassment_colleagues"] = pd.array(harassed, dtype="Int8")
        reported = np.where(harassed > 1, rng.choice([1, 2, 3, 4], size=n), 9)
        codes["harassment_reported"] = pd.array(reported, dtype="Int8")
        frames.append(pd.DataFrame({"year": np.full(n, year, dtype=np.int16), "Division": division,
                                    "Directorate": directorate, "Pay band": band, "Site": site, **codes}))
    frame = pd.concat(frames, ignore_index=True)
    for c in ("Division", "Directorate", "Pay band", "Site"):
        frame[c] = frame[c].astype("category")
    return SurveyData(kind="respondents", provenance=Provenance(path="synthetic", kind="respondents"),
                      respondents=frame, breakdowns=("Division", "Directorate", "Pay band", "Site"))


def test_attacker_sweep_over_a_second_file_with_nested_columns():
    data = synthetic()
    prep = Prepared(data, BANK)
    columns = ["Division", "Directorate", "Pay band", "Site"]
    views = sweep(data, columns, pairs_per_column=2, every=3)
    views = views[:: max(1, len(views) // 300)]
    found, checked = attack(data, prep, views, measures=("harassment_colleagues", "harassment_reported", "PP7_2"),
                            columns=columns)
    assert checked > 5000 and not found


def test_a_higher_threshold_protects_to_that_threshold():
    data = synthetic(9)
    views = [(None, ("Directorate",)), (None, ("Directorate", "Pay band")), (parse_filter("Site=North"), ("Pay band",))]
    found, checked = attack(data, Prepared(data, BANK), views, measures=("harassment_reported",),
                            columns=["Division", "Directorate", "Pay band", "Site"], threshold=25)
    assert checked and not found


# --------------------------------------------------------------- the people columns
def test_people_and_organisation_columns_are_never_combined_in_one_view(demo):
    data, prep = demo
    with pytest.raises(SpecError, match="cannot be used together in one view"):
        compute(data, ViewSpec(lens="bullying", breakdown=("Ethnicity (WRES summary)",),
                               filter=Eq("Directorate", "Surgery")), BANK, prepared=prep)
    with pytest.raises(SpecError, match="cannot be used together"):
        compute(data, ViewSpec(lens="bullying", breakdown=("Directorate", "long_term_condition")), BANK, prepared=prep)
    with pytest.raises(SpecError, match="cannot be used to filter or compare by"):
        compute(data, ViewSpec(lens="bullying", breakdown=("religion",)), BANK, prepared=prep)


def test_people_views_against_organisation_views_reveal_no_natural_small_group(demo):
    """Every figure by equality columns and by organisation columns together: no single category,
    and no combination of one organisation and one equality category, with 1-10 answers lies in
    their span."""
    data, prep = demo
    org, people = prep.families()
    views = [(None, (c,)) for c in org.columns + people.columns]
    views += [(None, b) for b in itertools.combinations(org.columns, 2)]
    views += [(None, b) for b in itertools.combinations(people.columns, 2)]
    columns = list(org.columns + people.columns)
    measure = "harassment_colleagues"
    flags = {measure: A.base_flags(data, BANK, measure)}
    ledger = A.Ledger(A.finest_cells(data, columns), 11)
    for flt, by in views:
        A.record(ledger, data, BANK, compute(data, ViewSpec(measures=(measure,), breakdown=by), BANK, prepared=prep,
                                             audit=True), flags)
    frame = data.respondents
    base = flags[measure][0]
    for year in (2021, 2025):
        key = (year, measure)
        weight = ledger.weights[key]
        figures = np.array([np.unpackbits(np.frombuffer(r, dtype=np.uint8))[: ledger.size] for r in ledger.figures[key]])
        basis = np.linalg.qr(figures.T.astype(float))[0]
        rows = (frame["year"] == year).to_numpy() & base
        for a in org.columns:
            for b in people.columns:
                for (_, _), members in frame[rows].groupby([a, b], observed=True):
                    if not 0 < len(members) < 11:
                        continue
                    cells = np.zeros(ledger.size)
                    cells[np.unique(ledger.cells[members.index.to_numpy()])] = 1
                    # a group in the span is its own projection (up to rounding)
                    assert np.linalg.norm(basis @ (basis.T @ cells) - cells) > 1e-6, (year, a, b)
    assert weight.sum() > 0


# ------------------------------------------------------------------- the detail kept
def test_demo_keeps_the_detail_users_need(demo):
    data, prep = demo
    org, _ = prep.families()
    frame = data.respondents
    for year in data.years:
        rows = frame["year"] == year
        r = compute(data, ViewSpec(measures=("harassment_colleagues",), years=(year,),
                                   breakdown=("Directorate", "Staff group")), BANK, prepared=prep)
        t = r.table
        named = t[~t["suppressed"] & (t["group"] != "All staff") & ~t["group_1"].str.endswith("(combined)")
                  & ~t["group_2"].str.endswith("(combined)")]
        total = t.loc[t["group"] == "All staff", "n"].iloc[0]
        assert named["n"].sum() / total >= 0.95, (year, named["n"].sum() / total)
        _, people = prep.families()
        for column in ORG + list(people.columns):
            one_way = compute(data, ViewSpec(measures=("harassment_colleagues",), years=(year,), breakdown=(column,)),
                              BANK, prepared=prep).table
            lost = set(one_way.loc[one_way["suppressed"], "group"])
            sizes = frame.loc[rows, column].value_counts()
            small = {str(g) for g, n in sizes.items() if 0 < n < 11}
            assert len(lost - small) <= 1, (year, column, lost, small)
            shown = one_way[~one_way["suppressed"]].set_index("group")["n"]
            answered = frame.loc[rows & frame["harassment_colleagues"].notna(), column].value_counts()
            for group, n in answered.items():  # sizeable groups are shown near their true size
                if n >= 22 and str(group) in shown.index:
                    assert shown[str(group)] >= 0.7 * n, (year, column, group, shown[str(group)], n)


# ------------------------------------------------------------ random surveys, random views
@st.composite
def surveys(draw):
    """Two or three columns with small groups (1-10 drawn often), blanks, one or two years."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    sizes = draw(st.lists(st.one_of(st.integers(1, 10), st.integers(11, 60)), min_size=1, max_size=5))
    directorate = np.repeat([f"D{i}" for i in range(len(sizes))], sizes)
    n = len(directorate)
    site = rng.choice(["North", "South", "East"], size=n, p=draw(st.sampled_from([(0.8, 0.15, 0.05), (0.4, 0.3, 0.3)])))
    band = rng.choice(["B1", "B2"], size=n)
    blank = rng.random(n) < draw(st.sampled_from([0.0, 0.05]))
    codes = rng.integers(1, 6, size=n).astype(float)
    codes[rng.random(n) < draw(st.sampled_from([0.0, 0.2, 0.5]))] = np.nan
    years = rng.choice([2024, 2025], size=n) if draw(st.booleans()) else np.full(n, 2025)
    frame = pd.DataFrame({"year": years.astype(np.int16), "Directorate": pd.Categorical(np.where(blank, None, directorate)),
                          "Site": pd.Categorical(site), "Band": pd.Categorical(band),
                          "harassment_colleagues": pd.array(np.where(np.isnan(codes), None, codes), dtype="Int8")})
    return SurveyData(kind="respondents", provenance=Provenance(path="random", kind="respondents"), respondents=frame,
                      breakdowns=("Directorate", "Site", "Band"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(), st.sampled_from([11, 15]), st.booleans())
def test_random_surveys_leak_nothing_to_the_attacker(data, threshold, local):
    columns = ["Directorate", "Site", "Band"]
    views = [(f, b) for f in [None, Eq("Site", "North"), Not(Eq("Site", "South")), In("Directorate", ("D0", "D1")),
                              And((Eq("Site", "North"), Eq("Band", "B1")))]
             for b in [(), ("Directorate",), ("Site",), ("Directorate", "Site"), ("Band", "Directorate")]]
    flags = {"harassment_colleagues": A.base_flags(data, BANK, "harassment_colleagues")}
    ledger = A.Ledger(A.finest_cells(data, columns), threshold)
    prep = Prepared(data, BANK)
    for flt, by in views:
        try:
            r = compute(data, ViewSpec(measures=("harassment_colleagues",), filter=flt, breakdown=by, threshold=threshold,
                                       local_rule=local, statistics=("positive", "options")), BANK, prepared=prep,
                        audit=True)
        except SpecError as exc:  # a value this random file does not have is refused, not shown as empty
            assert "There is no" in str(exc)
            continue
        t = r.table
        assert (t.loc[~t["suppressed"], "n"] >= threshold).all()
        assert t.loc[t["suppressed"], "value"].isna().all() and t.loc[t["suppressed"], "n"].isna().all()
        A.record(ledger, data, BANK, r, flags)
    assert not A.leaks(ledger)


# ------------------------------------------------------------- review findings (regressions)
SETTINGS = [(11, False), (11, True), (12, False), (12, True), (20, False)]
BULLYING = ("harassment_public", "harassment_managers", "harassment_colleagues", "harassment_reported", "violence_public",
            "violence_reported", "discrimination_staff", "sexual_behaviour_staff", "equal_career_progression", "PP4_3")


@pytest.mark.parametrize("measures", [BULLYING, ("manager_clear_feedback", "leave_as_soon_as_possible",
                                                 "incident_treated_fairly", "violence_reported")])
def test_views_under_different_settings_cannot_be_subtracted(demo, measures):
    """The local rule on for one view and off for another, or thresholds 11, 12 and 20, once let
    groups of 1-10 answers be worked out: the settings now form nested chains."""
    data, prep = demo
    flags = {m: A.base_flags(data, BANK, m) for m in measures}
    ledger = A.Ledger(A.finest_cells(data, ORG), 11)
    views = [(None, (c,)) for c in ORG] + [(None, b) for b in itertools.combinations(ORG, 2)]
    views += [(Eq("Directorate", "Clinical Support Services"), ("Staff group", "Site")),
              (Eq("Directorate", "Corporate"), ("Staff group",)), (Eq("Directorate", "Medicine"), ("Staff group", "Site")),
              (Eq("Staff group", "Nursing and Midwifery Registered"), ("Directorate", "Site"))]
    for threshold, local in SETTINGS:
        for flt, by in views:
            r = compute(data, ViewSpec(measures=measures, filter=flt, breakdown=by, threshold=threshold, local_rule=local),
                        BANK, prepared=prep, audit=True)
            A.record(ledger, data, BANK, r, flags)
    assert not A.leaks(ledger)


def test_respondent_groups_at_higher_thresholds_nest(demo):
    """Catalog counts at 12 and at 20 differ only by whole groups of at least 12."""
    data, prep = demo
    from explorer.core.catalog import build

    low, high = build(data, BANK, prep, 12), build(data, BANK, prep, 20)
    for column in low.columns:
        for year in low.years:
            a = {g.name: g.respondents for g in low.column(column.name).groups[year]}
            b = {g.name: g.respondents for g in high.column(column.name).groups[year]}
            for name in set(a) | set(b):
                gap = abs(a.get(name, 0) - b.get(name, 0))
                assert gap == 0 or gap >= 12, (column.name, year, name, gap)


def test_a_filter_never_holds_people_it_excludes(demo):
    data, prep = demo
    frame = data.respondents
    for flt, column, value in ((Not(Eq("Directorate", "Research and Innovation")), "Directorate", "Research and Innovation"),
                               (Not(Eq("Staff group", "Medical and Dental")), "Staff group", "Medical and Dental")):
        r = compute(data, ViewSpec(measures=("harassment_reported",), years=(2025,), filter=flt), BANK, prepared=prep,
                    audit=True)
        members = r.extra["members"][0]
        assert len(members) and not (frame.loc[members, column] == value).any()
        assert any("never holds anyone its filter excludes" in n for n in r.notes)


def test_a_value_named_like_a_combined_group_does_not_break_anything():
    data = synthetic(2)
    frame = data.respondents
    frame["Directorate"] = frame["Directorate"].cat.rename_categories({"Tiny unit": "Other directorates (combined)"})
    r = compute(data, ViewSpec(measures=("harassment_colleagues",), breakdown=("Directorate",)), BANK)
    names = set(r.table["group"])
    assert "Other directorates (combined by the program)" in names or "Other directorates (combined)" in names
    assert r.table.loc[~r.table["suppressed"], "n"].min() >= 11


def test_a_fine_column_does_not_empty_the_main_views():
    """A team column with hundreds of values goes last, so directorates and staff groups keep their detail."""
    rng = np.random.default_rng(4)
    data = synthetic(4)
    frame = data.respondents
    frame["Team"] = pd.Categorical([f"Team {i}" for i in rng.integers(0, 300, size=len(frame))])
    data = SurveyData(kind="respondents", provenance=data.provenance, respondents=frame,
                      breakdowns=("Division", "Directorate", "Team", "Pay band", "Site"))
    prep = Prepared(data, BANK)
    org, _ = prep.families()
    assert org.columns[-1] == "Team"
    t = compute(data, ViewSpec(measures=("harassment_colleagues",), years=(2025,), breakdown=("Pay band",)), BANK,
                prepared=prep).table
    shown = t[~t["suppressed"] & (t["group"] != "All staff")]
    assert shown["n"].sum() >= 0.9 * t.loc[t["group"] == "All staff", "n"].iloc[0]


def test_the_reason_for_a_combined_value_does_not_tell_its_size(demo):
    """Review 3: the reason flipped from 'combined' to 'fewer than T' at T = size + 1, so trying
    thresholds one after another gave a value's raw size (and, by subtraction, a small group's)."""
    from explorer.core.session import Session

    s = Session(demo[0], BANK)
    for column in ("Directorate", "Staff group", "gender"):
        texts: dict[str, set[str]] = {}
        for threshold in range(11, 21):
            r = s.compute(ViewSpec(lens="bullying", measures=("harassment_colleagues",), years=(2025,),
                                   breakdown=(column,), threshold=threshold))
            t = r.table[r.table["suppressed"] & (r.table["group"] != "All staff")]
            for group, reason in zip(t["group"], t["suppression_reason"]):
                texts.setdefault(group, set()).add(reason.replace(f"fewer than {threshold} ", "fewer than T "))
        assert texts, column  # every column of the demo has a value combined away
        for group, seen in texts.items():
            # one wording per kind at every threshold: combined away in the groups (public: the catalog
            # lists the groups at each threshold), or withheld for this question — never a wording that
            # changes with the group's own size
            kinds = {"combined" if "or combined to protect" in x else "question" for x in seen}
            assert len(seen) == len(kinds), (column, group, seen)
            assert not any(x.startswith("combined with smaller groups") or "respondents; counted in" in x
                           for x in seen), seen
    with pytest.raises(SpecError):
        ViewSpec(threshold=51)
