"""What a board pack holds, gathered from the session: the Results of each lens for one view (and the
answer shares of its questions), the findings in words, and what the Notes must say. Qt-free.

Every number in the pack comes from :meth:`Session.compute`, so disclosure control is the engine's:
each figure covers whole protected groups, which is what makes the pack safe taken as a whole (no
figure can be subtracted from another to reveal a group under the threshold).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from explorer import __version__
from explorer import figures as F
from explorer.core.findings import Finding, findings, summary_line
from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank
from explorer.core.results import ORGANISATION_GROUP, Results
from explorer.core.session import Session
from explorer.core.viewspec import LENSES, SpecError, ViewSpec

LENS_TITLES = {"trust": "Trust", "bullying": "Bullying", "morale": "Morale"}
MAX_CHARTED = 6  # measures charted per lens (every measure is in the lens's table)


@dataclass(frozen=True)
class PackOptions:
    lenses: tuple[str, ...] = LENSES
    breakdowns: bool = True  # the view's compare-by groups (charts and the Breakdowns sheet)
    marking: str = "OFFICIAL"  # protective marking in every page's header and footer
    title: str = ""  # default: "NHS Staff Survey <year>: <organisation>"
    author: str = ""

    def __post_init__(self) -> None:
        bad = [lens for lens in self.lenses if lens not in LENSES]
        if bad or not self.lenses:
            raise SpecError(f"Choose the lenses of the pack from {', '.join(LENSES)}.")
        if len(self.marking) > 60:
            raise SpecError("The protective marking is at most 60 characters.")


@dataclass
class LensPart:
    lens: str
    results: Results  # every measure of the lens, every year, by the view's compare-by columns
    answers: Results | None  # answer shares of the lens's questions on one scale, in the pack's year
    charted: list[str]  # the measures drawn as charts (the rest are in the table)
    findings: list[Finding]


@dataclass
class Pack:
    spec: ViewSpec
    options: PackOptions
    year: int
    parts: dict[str, LensPart]
    dataset: dict
    source: str
    selection: str  # the view in words, with n and weighting
    title: str
    bank: QuestionBank  # the session's: the definitions on Notes are those the figures were made with
    created: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().replace(microsecond=0))
    version: str = __version__
    notes: list[str] = field(default_factory=list)  # the engine's notes, once each
    template: list[str] = field(default_factory=list)  # made from a template: what could not be matched
    published: bool = False  # the file's own published figures (not respondents' answers): weighting and n as given
    columns: list[str] = field(default_factory=list)  # the data's compare-by columns (to suggest one it has)

    @property
    def context(self) -> dict:
        """Published data: the file's own numbers about the organisation (workforce composition ...), which
        are context, never survey results; empty when there are none."""
        return dict(self.dataset.get("organisation_context") or {})

    @property
    def reference(self) -> str:
        """The row the groups are set beside: respondent data's whole selection; on published data the
        organisation's own figure (the groups are other organisations' medians or the file's breakdowns)."""
        if not self.published:
            return "the whole selection"
        org = self.dataset.get("organisation")
        return f"{org}'s own figure" if org else "the median organisation's figure"

    @property
    def reference_name(self) -> str:
        """The reference row's name in tables: 'All staff', or on published data 'Trust A (own figure)'."""
        if not self.published:
            return ORGANISATION_GROUP
        org = self.dataset.get("organisation")
        return f"{org} (own figure)" if org else "Median organisation"

    @property
    def findings(self) -> list[Finding]:
        """The pack's findings across its lenses, most important first."""
        every = [f for part in self.parts.values() for f in part.findings]
        return sorted(every, key=lambda f: -f.importance)


def charted_measures(results: Results, spec: ViewSpec) -> list[str]:
    """Which of a lens's measures get charts: the ones the view names, else the lens's summary
    scores and the questions people ask first (the Overview's), up to :data:`MAX_CHARTED`."""
    present = [m for m, _ in F.measures_in(results)]
    if spec.measures:
        return [m for m in spec.measures if m in present][:MAX_CHARTED]
    seeds = [m for lens, m, _ in F.SEED_QUESTIONS if lens == spec.lens and m in present]
    unit = dict(zip(results.table["measure"].tolist(), results.table["unit"].tolist()))
    scores = [m for m in present if unit.get(m) == "score" and m not in seeds]
    chosen = set(seeds + scores[:max(0, MAX_CHARTED - len(seeds))])
    return [m for m in present if m in chosen][:MAX_CHARTED] or present[:MAX_CHARTED]


def gather(session: Session, spec: ViewSpec | None = None, options: PackOptions | None = None,
           progress: Progress | None = None) -> Pack:
    """Work out everything a pack shows for ``spec`` (default: the session's view)."""
    options = options or PackOptions()
    spec = spec or session.spec
    year = max(spec.years) if spec.years else max(session.data.years)
    # the trends run up to the pack's year (a 2024 pack says nothing of 2025)
    shown = tuple(y for y in session.data.years if y <= year) if spec.years else ()
    base = spec.with_(years=shown, statistics=("positive", "score"), lens=None, measures=())
    if not options.breakdowns:
        base = base.with_(breakdown=())
    catalog = session.catalog()
    in_lens = {lens: [m.id for m in catalog.lenses.get(lens, {}).get("measures", [])] for lens in options.lenses}
    lost = [m for m in spec.measures if not any(m in ids for ids in in_lens.values())]
    unknown = [m for m in lost if m not in {x.id for x in catalog.measures}]
    if unknown:
        raise SpecError(f"There is no measure '{unknown[0]}' in this file (see the summary command's --help for ids).")
    if lost:
        raise SpecError(f"A board pack is organised by lens, and {lost[0]} is in none of "
                        f"{', '.join(options.lenses)}: leave it out, or see it with the summary command.")
    lenses = [lens for lens in options.lenses if not spec.measures or any(m in in_lens[lens] for m in spec.measures)]
    parts: dict[str, LensPart] = {}
    notes: list[str] = []
    for i, lens in enumerate(lenses):
        if progress is not None:
            progress(i / (len(lenses) + 1), f"Working out {session.bank.lenses[lens].name.lower()}")
        chosen = tuple(m for m in spec.measures if m in in_lens[lens])
        view = base.with_(lens=None, measures=chosen) if chosen else base.with_(lens=lens)
        results = session.compute(view)
        answers = None
        if session.data.is_respondent_level:
            same = F.answer_measures(catalog, session.bank, lens, chosen[0] if chosen else None, year)
            shares = base.with_(lens=lens if not same else None, measures=same, breakdown=(), comparator="none",
                                statistics=("options",), years=(year,))
            answers = session.compute(shares)
        charted = charted_measures(results, view.with_(lens=lens))
        parts[lens] = LensPart(lens, results, answers, charted, findings(results, year))
        notes += list(results.notes)
    if base.breakdown and not any((part.results.table["breakdown"].astype(str) != "").any() for part in parts.values()):
        raise SpecError(f"The figures of this file cannot be compared by {' and '.join(base.breakdown)} (published "
                        "figures have no such groups); choose no 'compare by' column for the pack.")
    if all(not (~part.results.table["suppressed"].astype(bool)).any() for part in parts.values()):
        reason = next((p.results.empty_reason for p in parts.values() if p.results.empty_reason), "")
        raise SpecError(reason or "Every figure of this selection is withheld, so there is no pack to write; "
                                  "choose a wider selection.")
    first = next(iter(parts.values())).results
    # the selection is said from a lens with figures (a lens with none says nothing of the weighting)
    shown = next((p.results for p in parts.values() if not p.results.table.empty), first)
    org = first.dataset.get("organisation") or ""
    title = options.title or f"NHS Staff Survey {year}" + (f": {org}" if org else "")
    published = not session.data.is_respondent_level
    selection = published_selection(parts, year) if published else summary_line(shown, year)
    return Pack(spec=spec, options=options, year=year, parts=parts, dataset=first.dataset,
                source=session.source.name if session.source is not None else "", selection=selection,
                title=title, bank=session.bank, notes=list(dict.fromkeys(notes)), published=published,
                columns=[c.label for c in catalog.columns])


def published_weighting(parts: dict[str, LensPart], year: int | None = None) -> str:
    """How the file weights the pack's published figures (of ``year``, else all): each Results row says
    what the file says of its figure, so "weighted", "unweighted" or "some weighted, some unweighted";
    "not stated" where the file says nothing of weighting (its rows' False then means unknown, not unweighted)."""
    if not all(p.results.dataset.get("weighting_stated", True) for p in parts.values()):
        return "not stated"
    flags = set()
    for part in parts.values():
        t = part.results.table
        rows = t if year is None else t[t["year"] == year]
        flags |= {bool(w) for w in rows["weighted"].tolist()}
    if not flags and year is not None:
        return published_weighting(parts)
    return "weighted" if flags == {True} else "some weighted, some unweighted" if flags == {True, False} else "unweighted"


def published_selection(parts: dict[str, LensPart], year: int) -> str:
    """One sentence on a published pack's selection: 'Trust A, 2024: published figures, weighted as the file
    says.' (there are no respondents to count: the file gives each figure's n)."""
    first = next(iter(parts.values())).results
    who = first.filter_description or first.dataset.get("organisation") or "All organisations"
    weighting = published_weighting(parts, year)
    if weighting == "not stated":
        return f"{who}, {year}: the file's published figures; the file does not say whether its figures are weighted."
    return f"{who}, {year}: the file's published figures, {weighting}, as the file says."
