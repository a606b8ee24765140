"""Which bank measure a published table's column is, from its name (``resources/bank/vocabulary.toml``).

    vocabulary().classify("Emotional_colleagues", bank, year=2024, unit="%")
    -> Match(kind="measure", measure="harassment_colleagues", how="words 'emotional' + 'colleague'")

Published organisation tables name their columns freely; this ties them to the question bank so
their figures join the lenses with the bank's wording, polarity and unit, and recognises columns that
describe the workforce (composition) or count respondents — context, never survey results. Matching
rules are documented in the TOML file; nothing here is specific to one file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from explorer.core.questionbank import QuestionBank, normalise_code
from explorer.paths import bank_dir

VOCABULARY_FILE = "vocabulary.toml"


def words_of(name: str) -> tuple[str, ...]:
    """``"Emotional_colleagues"`` / ``"HBAFromManagers (%)"`` -> ("emotional", "colleague") / ("hba", "from",
    "manager"): lower case, split at punctuation and camelCase, simple plurals trimmed."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))
    out = []
    for word in re.split(r"[^a-z0-9]+", text.lower()):
        if not word:
            continue
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out.append(word)
    return tuple(out)


def folded(name: str) -> str:
    return " ".join(words_of(name))


@dataclass(frozen=True)
class Match:
    kind: str  # "measure" (a bank item or score) | "other" (e.g. response rate) | "composition" | "count" | "own"
    measure: str | None = None
    how: str = ""
    unit: str = "%"
    label: str = ""


@dataclass(frozen=True)
class _Entry:
    measure: str
    names: frozenset[str]
    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...]


def _has(words: tuple[str, ...], stem: str) -> bool:
    return any(w.startswith(stem) for w in words)


def _any(words: tuple[str, ...], listed: tuple[str, ...]) -> bool:
    """Any of ``words`` is one of ``listed`` (whole words; an entry ending in * is a stem)."""
    for entry in listed:
        if entry.endswith("*"):
            if any(w.startswith(entry[:-1]) for w in words):
                return True
        elif entry in words:
            return True
    return False


class Vocabulary:
    def __init__(self, raw: dict) -> None:
        self.entries = [_Entry(mid, frozenset(folded(n) for n in spec.get("names", [])),
                               tuple(tuple(g) for g in spec.get("words", [])), tuple(spec.get("not", [])))
                        for mid, spec in raw.get("measure", {}).items()]
        self.others = {oid: (frozenset(folded(n) for n in spec.get("names", [])), spec.get("unit", "%"),
                             spec.get("label", oid)) for oid, spec in raw.get("other", {}).items()}
        composition = raw.get("composition", {})
        self.composition = tuple(composition.get("words", []))
        self.fillers = frozenset(composition.get("fillers", []))
        count = raw.get("count", {})
        self.respondent_names = frozenset(folded(n) for n in count.get("respondents", []))
        self.context_words = tuple(raw.get("context", {}).get("words", []))
        guards = raw.get("guards", {})
        self.derived = tuple(guards.get("derived", []))
        self.subgroups = tuple(guards.get("subgroups", []))
        self.answers = tuple(guards.get("answers", []))
        # the words that name a survey topic (the first group of each entry): harassment, violence ...
        self.topics = tuple(dict.fromkeys(w for e in self.entries if e.groups for w in e.groups[0]))

    # ------------------------------------------------------------------ measures
    def measure(self, name: str, bank: QuestionBank, year: int | None = None, unit: str | None = None) -> Match | None:
        """The bank measure ``name`` stands for, or None. ``unit`` ("%" or "score", when the name or the
        values say) keeps a percentage from matching a score of the same name and the reverse."""
        key = folded(name)
        if not key:
            return None
        parts = re.split(r"\s+[-–:]\s+", str(name).strip())
        if len(parts) > 1:  # "We are safe and healthy - Burnout", "Q14a - Harassment from patients": the last part
            last = self.measure(parts[-1], bank, year, unit)
            if last is not None or self.guarded(parts[-1]):
                return last
            first = self.measure(parts[0], bank, year, unit) if len(parts) == 2 else None
            if first is not None and first.how.startswith(("bank id", "question code")):
                return first  # "q14a - whatever the file calls it"
        want_item, want_score = unit != "score", unit != "%"
        raw = str(name).strip()
        if want_item and raw in bank.items:
            return Match("measure", raw, "bank id")
        if want_score and raw in bank.scores:
            return Match("measure", raw, "bank id", "score")
        code = normalise_code(raw)
        if want_item and code and year is not None and year in bank.years:
            item = bank.by_code(year, code)
            if item is not None:
                return Match("measure", item.id, f"question code {code} ({year})")
        if want_score:
            for sid, score in bank.scores.items():
                if key in (folded(sid), folded(score.name)):
                    return Match("measure", sid, f"score name '{score.name}'", "score")
        if want_item:
            for iid, item in bank.items.items():
                if item.kind != "demographic" and item.positive is not None and key in (folded(iid), folded(item.short)):
                    return Match("measure", iid, f"question '{item.short}'")
        if self.guarded(name):
            return None  # a change, a confidence limit, a rank, another year, a subgroup: never the measure itself
        for entry in self.entries:
            if key in entry.names and self._unit_fits(entry.measure, bank, want_item, want_score):
                return Match("measure", entry.measure, f"name '{name}'", self._unit(entry.measure, bank))
        for oid, (names, other_unit, label) in self.others.items():
            if key in names:
                return Match("other", oid, f"name '{name}'", other_unit, label)
        words = words_of(name)
        best: list[tuple[int, _Entry]] = []
        for entry in self.entries:
            if not entry.groups or not self._unit_fits(entry.measure, bank, want_item, want_score):
                continue
            if any(_has(words, x) for x in entry.excluded):
                continue
            if all(any(_has(words, w) for w in group) for group in entry.groups):
                best.append((len(entry.groups), entry))
        if not best:
            return None
        top = max(size for size, _ in best)
        winners = [e for size, e in best if size == top]
        if len(winners) > 1:
            return None  # two measures fit equally well: guessing would mislabel a figure
        entry = winners[0]
        hits = [next(w for w in group if _has(words, w)) for group in entry.groups]
        return Match("measure", entry.measure, "words " + " + ".join(f"'{h}'" for h in hits), self._unit(entry.measure, bank))

    @staticmethod
    def _unit(measure: str, bank: QuestionBank) -> str:
        return "score" if measure in bank.scores else "%"

    @staticmethod
    def _unit_fits(measure: str, bank: QuestionBank, want_item: bool, want_score: bool) -> bool:
        if measure in bank.scores:
            return want_score
        if measure in bank.items:
            return want_item
        return False  # a vocabulary entry for a measure the bank no longer has

    def guarded(self, name: str) -> str:
        """Why ``name`` is never tied to a measure ("" if it may be): a derived figure or a subgroup's."""
        words = words_of(name)
        if _any(words, self.derived):
            return "a derived figure (a change, a limit, a rank or another year), not the measure itself"
        if _any(words, self.subgroups):
            return "a figure for one group of staff, not the whole organisation's"
        if _any(words, self.answers):
            return "one answer or the negation of a question, not the % the question bank defines"
        return ""

    # ------------------------------------------------------------------ context
    def is_composition(self, name: str) -> bool:
        """Every word of the name describes the workforce (or is a filler such as "share", "of")."""
        words = words_of(name)
        content = [w for w in words if w not in self.fillers and not w.isdigit()]  # ages: "aged 51 and over"
        return bool(content) and all(_any((w,), self.composition) for w in content)

    def is_respondents(self, name: str) -> bool:
        """The column counts the organisation's respondents (a base for measures given without one)."""
        return folded(name) in self.respondent_names

    def is_context(self, name: str) -> bool:
        """A number about the organisation that is not a survey result (turnover, sickness absence ...)."""
        return _any(words_of(name), self.context_words)

    def names_a_topic(self, name: str) -> bool:
        """The name speaks of a survey topic (harassment, violence, discrimination, recommending ...)."""
        words = words_of(name)
        return any(_has(words, t) for t in self.topics)


@cache
def vocabulary() -> Vocabulary:
    with open(bank_dir() / VOCABULARY_FILE, "rb") as fh:
        return Vocabulary(tomllib.load(fh))


def _check_names_are_unique(v: Vocabulary, bank: QuestionBank) -> list[str]:
    """Names listed under two measures of the same unit (a data mistake; a % item and a 0-10 score may
    share one, the unit tells them apart): used by the tests."""
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for entry in v.entries:
        unit = v._unit(entry.measure, bank)
        for name in entry.names:
            if (name, unit) in seen and seen[(name, unit)] != entry.measure:
                clashes.append(f"{name}: {seen[(name, unit)]} and {entry.measure}")
            seen[(name, unit)] = entry.measure
    return clashes

