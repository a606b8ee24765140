"""What views a dataset supports, so no widget ever reads respondents to build a list.

For respondent data: years; per lens its measures with labels, units and the years each was asked;
the columns to filter and compare by, each with its groups per year in order and their respondent
counts (after protection: combined groups appear under their combined name); which columns can be
combined (one family at a time) and which are not offered, with why; the comparators that make
sense. For published data: years, measures, organisations and benchmarking groups.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from explorer.core import disclosure as D
from explorer.core.disclosure.families import PEOPLE_ORDER
from explorer.core.engine import orgscope
from explorer.core.engine.measures import available_measures
from explorer.core.engine.prepared import Prepared
from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import SurveyData


@dataclass
class Group:
    name: str
    respondents: int  # for a column of organisation attributes (published data): the organisations
    combined: bool = False  # an "Other ... (combined)" group


@dataclass
class Column:
    name: str
    label: str
    family: str  # organisation | people
    groups: dict[int, list[Group]] = field(default_factory=dict)  # per year, in order
    combined: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # year -> {"all": values with no group of their own}


@dataclass
class Measure:
    id: str
    label: str
    unit: str  # "%" | "score"
    kind: str  # item | score | local | own
    lower_is_better: bool
    years: list[int]


@dataclass
class Catalog:
    kind: str
    years: list[int]
    threshold: int
    lenses: dict[str, dict] = field(default_factory=dict)  # id -> {"name": ..., "measures": [Measure]}
    measures: list[Measure] = field(default_factory=list)  # everything the data has (local/own included)
    columns: list[Column] = field(default_factory=list)
    families: dict[str, list[str]] = field(default_factory=dict)
    not_available: dict[str, str] = field(default_factory=dict)
    comparators: list[str] = field(default_factory=list)
    statistics: list[str] = field(default_factory=list)
    weighted: bool = False
    respondents: dict[int, int] = field(default_factory=dict)
    organisations: list[dict] = field(default_factory=list)
    benchmark_groups: list[str] = field(default_factory=list)
    combine_rule: str = ("Filters and compare-by columns can be combined freely within one family: the organisation's "
                         "own columns, or the equality columns — not across them.")

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name or c.label == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict:
        out = asdict(self)
        for c in out["columns"]:
            c["groups"] = {str(y): g for y, g in c["groups"].items()}
            c["combined"] = {str(y): v for y, v in c["combined"].items()}
        out["respondents"] = {str(y): n for y, n in out["respondents"].items()}
        return out


def _measure(mid: str, bank: QuestionBank, years: list[int], label: str = "", kind: str = "", unit: str = "%") -> Measure:
    if mid in bank.items:
        item = bank.item(mid)
        return Measure(mid, item.short, "%", "item", item.lower_is_better, [y for y in years if item.asked_in(y)])
    if mid in bank.scores:
        asked = set(bank.score_years(mid))
        return Measure(mid, bank.score(mid).name, "score", "score", False, [y for y in years if y in asked])
    return Measure(mid, label or mid, unit, kind or "own", False, list(years))


def build(data: SurveyData, bank: QuestionBank, prepared: Prepared | None, threshold: int,
          benchmark: SurveyData | None = None) -> Catalog:
    years = list(data.years)
    cat = Catalog(kind=data.kind, years=years, threshold=threshold,
                  statistics=["positive", "score", "options", "mean"] + (["drivers"] if data.is_respondent_level else []))
    own = available_measures(data, bank)
    if data.is_respondent_level:
        present = set(data.respondents.columns)
        # a score whose file lacks some of its questions is still worked out (from those it has, with a
        # note saying it is then not the official score): offered when any of its questions is there
        has = {m for m in bank.items if m in present} | {s for s in bank.scores
                                                          if any(i in present for i in bank.score_items(s))}
    else:
        has = set(data.aggregates["measure"].astype(str).unique())
    for lens_id, lens in bank.lenses.items():
        measures = [_measure(m, bank, years) for m in lens.measures if m in has and m != "discrimination_grounds"]
        measures += [_measure(mid, bank, years, label, kind, unit) for mid, (label, kind, unit) in own.items()
                     if kind == "local" and lens.matches_local(label)]  # see measures_for
        cat.lenses[lens_id] = {"name": lens.name, "measures": [m for m in measures if m.years]}
    cat.measures = [_measure(m, bank, years) for m in bank.items if m in has and bank.items[m].positive is not None] \
        + [_measure(s, bank, years) for s in bank.scores if s in has] \
        + [_measure(mid, bank, years, label, kind, unit) for mid, (label, kind, unit) in own.items()]
    if data.is_respondent_level and prepared is not None:
        _respondent_columns(cat, prepared, threshold)
        cat.comparators = ["none", "organisation"] + (["last_year"] if len(years) > 1 else []) \
            + (["benchmark"] if benchmark is not None else [])
        # offered only where weights can be read from group labels (they follow the organisation's columns)
        cat.weighted = data.has_weights and prepared.weight_columns() is not None
        if benchmark is not None:  # the workbook's organisations and groups: which are "similar trusts"
            _organisations(cat, benchmark.aggregates)
    else:
        _organisations(cat, data.aggregates)
        cat.comparators = ["none"] + (["last_year"] if len(years) > 1 else []) \
            + (["benchmark"] if data.kind == "benchmark_workbook" or benchmark is not None else [])
        breakdowns = orgscope.breakdown_columns(data)
        if breakdowns or orgscope.attribute_columns(data):  # groups (of staff, or of organisations) to set beside it
            cat.comparators.insert(1, "organisation")
        cat.columns = [Column(b, b, "published") for b in breakdowns]
        # organisation attributes (Region, ICS, Benchmarking group ...): each group counts organisations
        attrs = orgscope.attributes(data)
        for name in orgscope.attribute_columns(data):
            col = Column(name, name, "organisations")
            for year in years:
                here = attrs[attrs["year"].astype(int) == year]
                counts = here.groupby(here[name].astype(str), sort=True)["org_id"].nunique()
                col.groups[year] = [Group(str(v), int(c)) for v, c in counts.items() if str(v).strip() and str(v) != "nan"]
            cat.columns.append(col)
    return cat


def _organisations(cat: Catalog, table) -> None:
    orgs = table[["org_id", "org_name", "benchmark_group"]].drop_duplicates("org_id")
    cat.organisations = [{"org_id": str(a), "name": str(b), "benchmark_group": str(c)}
                         for a, b, c in orgs.itertuples(index=False)]
    cat.benchmark_groups = sorted({str(g) for g in table["benchmark_group"].unique() if str(g)})


def _respondent_columns(cat: Catalog, prep: Prepared, threshold: int) -> None:
    org, people = prep.families()
    shown_order = [c for c in PEOPLE_ORDER if c in people.columns]  # reporting order, not the tree's
    cat.families = {D.ORGANISATION: list(org.columns), D.PEOPLE: shown_order}
    cat.not_available = dict(people.left_out)
    cat.respondents = prep.data.respondents_by_year()
    for family, columns in ((org, org.columns), (people, shown_order)):
        groups = prep.groups(family.name, threshold)
        leaves = prep.index(family, groups)
        counts = np.bincount(groups.block_of_leaf[family.leaf_of], minlength=groups.size)
        for column in columns:
            item = prep.bank.items.get(column)
            col = Column(column, item.short if item is not None else column, family.name)
            names = leaves.names[column]
            for year in cat.years:
                here = leaves.year == year
                sizes = np.bincount(leaves.codes[column][here], weights=counts[here], minlength=len(names))
                col.groups[year] = [Group(names[i], int(sizes[i]), i == len(names) - 1)
                                    for i in range(len(names)) if sizes[i] > 0]
                values = family.pooled(year, groups.leaf_codes()).get(column)
                if values is not None:  # from labels only (see Family.pooled)
                    col.combined[year] = {"all": list(values)}
            cat.columns.append(col)
