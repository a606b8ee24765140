"""The NHS Staff Survey question bank as typed, immutable objects.

The bank is data (``resources/bank/*.toml``); :mod:`explorer.core.bankfile` loads and checks it. An :class:`Item` is one
question followed across years by a stable id (e.g. ``leave_often_think`` is q22a in 2021, q24a in
2022 and q26a from 2023); a :class:`Score` is a People Promise element/sub-score or a theme built from
items; a :class:`Lens` is one of the product's three views (trust, bullying, morale).
Facts the domain reference marks [V] come from :mod:`explorer.core.unverified`, never from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from explorer.core.unverified import Recode, Unverified

SPECIALS = frozenset({"not_applicable", "dont_know", "prefer_not_to_say", "cant_remember"})
ITEM_KINDS = frozenset({"core", "covid", "demographic"})
SCORE_KINDS = frozenset({"element", "subscore", "theme", "theme_subscore"})
LENS_IDS = ("trust", "bullying", "morale")


class BankError(ValueError):
    """The question bank data is inconsistent (a developer error caught at load time)."""


# --------------------------------------------------------------------------------- scales
def _fold(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form used to match labels and wording."""
    text = text.replace("’", "'").replace("‘", "'").replace("…", "...").replace("–", "-")
    text = re.sub(r"[^\w+<>'-]+", " ", text.lower())
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1-\2", text)  # "1 - 2" is the band "1-2"
    return " ".join(text.split())


@dataclass(frozen=True)
class AnswerOption:
    code: int
    label: str
    special: str | None = None  # not_applicable | dont_know | prefer_not_to_say | cant_remember
    variant: bool = False  # a contractor's extra code the questionnaire does not print
    key: str | None = None  # stable key where codes are renumbered between years
    group: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Scale:
    id: str
    options: tuple[AnswerOption, ...]
    multi: bool = False

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    @property
    def substantive_codes(self) -> tuple[int, ...]:
        """Codes that are real answers on the scale (not Don't know / N/A / Prefer not to say)."""
        return tuple(o.code for o in self.options if o.special is None)

    def option(self, code: int) -> AnswerOption | None:
        for o in self.options:
            if o.code == code:
                return o
        return None

    def label(self, code: int) -> str | None:
        o = self.option(code)
        return o.label if o else None

    def code_for_label(self, label: str) -> int | None:
        """Map an answer label ("strongly  agree", "Don’t know") to its code, or None."""
        wanted = _fold(label)
        for o in self.options:
            if _fold(o.label) == wanted:
                return o.code
        return None


# ------------------------------------------------------------------------------- measures
@dataclass(frozen=True)
class PositiveRule:
    """How an item's official "% positive" is made: numerator codes over a base of valid answers."""

    id: str
    positive: frozenset[int]
    exclude: frozenset[int]
    label: str
    verified: bool


@dataclass(frozen=True)
class ItemVersion:
    """An item as printed in one year's questionnaire."""

    year: int
    code: str
    text: str
    stem: str
    scale: Scale
    benchmark_code: str  # its variable name in that year's official benchmark workbook

    @property
    def wording(self) -> str:
        if self.text and self.stem and self.text != self.stem:
            return f"{self.stem} {self.text}"
        return self.text or self.stem


@dataclass(frozen=True)
class Item:
    id: str
    short: str
    kind: str
    group: str | None
    versions: Mapping[int, ItemVersion]
    positive: PositiveRule | None
    lower_is_better: bool
    recode: Recode | None
    trend_break_years: frozenset[int] = frozenset()
    lenses: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self.versions))

    def asked_in(self, year: int) -> bool:
        return year in self.versions

    def version(self, year: int) -> ItemVersion:
        try:
            return self.versions[year]
        except KeyError:
            raise KeyError(f"{self.id} was not asked in {year}") from None

    def code(self, year: int) -> str:
        return self.version(year).code

    def wording(self, year: int) -> str:
        return self.version(year).wording

    def scale(self, year: int) -> Scale:
        return self.version(year).scale

    def comparable(self, year: int, earlier: int) -> bool:
        """Whether a change from ``earlier`` to ``year`` may be shown for this item."""
        if not (self.asked_in(year) and self.asked_in(earlier)) or earlier >= year:
            return False
        return not any(earlier < b <= year for b in self.trend_break_years)


@dataclass(frozen=True)
class Score:
    """A 0-10 score: People Promise element or sub-score, or a theme or theme sub-score."""

    id: str
    name: str
    kind: str
    items: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    parent: str | None = None
    lenses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Split:
    id: str
    name: str
    items: tuple[str, ...]
    by: str
    by_summary: bool = False
    combine: str | None = None


@dataclass(frozen=True)
class Lens:
    id: str
    name: str
    measures: tuple[str, ...]
    splits: tuple[Split, ...] = ()
    local_patterns: tuple[str, ...] = ()

    def matches_local(self, wording: str) -> bool:
        folded = _fold(wording)
        return any(p in folded for p in self.local_patterns)


# ----------------------------------------------------------------------------------- bank
_CODE_RE = re.compile(r"^\s*q?\s*(\d{1,2})\s*([a-z]?)(?:_(\d{1,2}))?\s*[.):]?\s*$", re.IGNORECASE)


def normalise_code(text: object) -> str | None:
    """``"Q9A"``, ``"9a"``, ``"Q9a."``, ``"q16c_3"`` -> ``"q9a"`` / ``"q16c_3"``; anything else -> None."""
    if not isinstance(text, str):
        return None
    m = _CODE_RE.match(text)
    if not m:
        return None
    number, letter, option = m.groups()
    code = f"q{int(number)}{letter.lower()}"
    return f"{code}_{int(option)}" if option else code


@dataclass(frozen=True, eq=False)  # identity hash: the bank is a loaded singleton, usable as a cache key
class QuestionBank:
    years: tuple[int, ...]
    missing_codes: frozenset[int]
    scales: Mapping[str, Scale]
    items: Mapping[str, Item]
    scores: Mapping[str, Score]
    lenses: Mapping[str, Lens]
    unverified: Unverified
    _by_code: Mapping[int, Mapping[str, str]] = field(repr=False, default_factory=dict)

    # lookups ------------------------------------------------------------------------
    def item(self, item_id: str) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            raise KeyError(f"No question with id {item_id!r} in the question bank") from None

    def score(self, score_id: str) -> Score:
        try:
            return self.scores[score_id]
        except KeyError:
            raise KeyError(f"No score with id {score_id!r} in the question bank") from None

    def lens(self, lens_id: str) -> Lens:
        try:
            return self.lenses[lens_id]
        except KeyError:
            raise KeyError(f"No lens {lens_id!r}; choose one of {', '.join(self.lenses)}") from None

    def measure(self, measure_id: str) -> Item | Score:
        if measure_id in self.items:
            return self.items[measure_id]
        if measure_id in self.scores:
            return self.scores[measure_id]
        raise KeyError(f"No question or score with id {measure_id!r} in the question bank")

    def by_code(self, year: int, code: str) -> Item | None:
        """The item asked under ``code`` (any spelling: ``Q9A``, ``9a``) in ``year``, or None."""
        norm = normalise_code(code)
        item_id = self._by_code.get(year, {}).get(norm) if norm else None
        return self.items[item_id] if item_id else None

    def items_in_year(self, year: int, kinds: Iterable[str] = ("core",)) -> list[Item]:
        kinds = set(kinds)
        return [i for i in self.items.values() if i.asked_in(year) and i.kind in kinds]

    def score_items(self, score_id: str) -> tuple[str, ...]:
        """All item ids a score is built from (through its sub-scores), in order, without repeats."""
        score = self.score(score_id)
        out: list[str] = list(score.items)
        for part in score.parts:
            out.extend(self.score_items(part))
        return tuple(dict.fromkeys(out))

    def score_years(self, score_id: str) -> tuple[int, ...]:
        """Years in which every item of the score was asked."""
        items = [self.items[i] for i in self.score_items(score_id)]
        return tuple(y for y in self.years if all(i.asked_in(y) for i in items))

    def lens_items(self, lens_id: str) -> tuple[str, ...]:
        """The lens's items: those listed directly and those inside its scores."""
        out: list[str] = []
        for mid in self.lens(lens_id).measures:
            out.extend(self.score_items(mid) if mid in self.scores else (mid,))
        return tuple(dict.fromkeys(out))

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())


# Loading and checking the TOML files lives in bankfile.py (imported last: it builds these classes).
from explorer.core.bankfile import load_bank  # noqa: E402,F401
