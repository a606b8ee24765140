"""Recognise the columns of a respondent-level table: questions (by code or by wording), breakdowns,
year, weight, id and local questions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from explorer.core.questionbank import QuestionBank, _fold, normalise_code

ID_NAMES = re.compile(r"^(respondent|resp|case|record|unique|survey|response)?[ _]?(id|no|number|ref|key)$", re.IGNORECASE)
WEIGHT_NAMES = re.compile(r"^(weight|wt|weighting|design[ _]?weight|survey[ _]?weight)$", re.IGNORECASE)
YEAR_NAMES = re.compile(r"^(survey[ _]?)?(year|wave)$", re.IGNORECASE)
# column names that are breakdowns whatever their values look like
BREAKDOWN_NAMES = {
    "directorate", "division", "care group", "caregroup", "business unit", "clinical business unit", "site",
    "location", "team", "department", "dept", "service", "service line", "locality", "ward", "staff group",
    "esr staff group", "national breakdown 2", "bd1", "bd2", "bd3", "bd4", "organisation", "organization",
    "trust", "band", "pay band", "agenda for change band", "cost centre", "speciality", "specialty",
    "professional group", "job role", "region", "sector",
}
_LEADING_CODE = re.compile(r"^\s*q?\s*(\d{1,2})\s*([a-z]?)(?:_(\d{1,2}))?(?=$|[\s.:)\-–_])\s*[.:)\-–_]?\s*(.*)$", re.IGNORECASE)


@dataclass
class ColumnPlan:
    """What each column of one year's table holds."""

    questions: dict[str, str] = field(default_factory=dict)  # column -> item id (or grounds id_option)
    options: dict[str, dict[str, int]] = field(default_factory=dict)  # item id -> {column: answer code}, one per option
    how: dict[str, str] = field(default_factory=dict)  # column -> "code" | "wording" | "name" | "mapping"
    breakdowns: list[str] = field(default_factory=list)
    local: dict[str, str] = field(default_factory=dict)  # column -> local:<n>
    weight: str | None = None
    year: str | None = None
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the user must know about how it was read


@dataclass(frozen=True)
class Match:
    item: str | None
    how: str = ""
    ambiguous: tuple[str, ...] = ()


@cache
def _wording_index(bank: QuestionBank, year: int) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str], dict[str, set[str]]]:
    """(exact folded wording -> item, [(folded text, item)] for partial matches, alias -> item,
    texts several items share -> those items)."""
    exact: dict[str, str] = {}
    partial: list[tuple[str, str]] = []
    aliases: dict[str, str] = {}
    shared: set[str] = set()
    owners: dict[str, set[str]] = {}
    for item in bank.items.values():
        if not item.asked_in(year):
            continue
        v = item.version(year)
        texts = {_fold(v.wording)}
        if v.text:
            texts.add(_fold(v.text))
        for t in texts:
            if t in exact and exact[t] != item.id:
                shared.add(t)
            exact[t] = item.id
            owners.setdefault(t, set()).add(item.id)
        for alias in item.aliases:
            aliases[_fold(alias)] = item.id
    for t in shared:  # "Managers", "Other colleagues": only with their stem
        exact.pop(t, None)
    for t, iid in exact.items():
        if len(t) >= 15:
            partial.append((t, iid))
    partial.sort(key=lambda p: -len(p[0]))
    return exact, partial, aliases, {t: owners[t] for t in shared}


def match_column(name: str, year: int, bank: QuestionBank) -> Match:
    """The bank item a column holds in ``year``, by code (``q9a``, ``Q9A``, ``9a``, ``Q9a.`` and
    ``Q9a - text``) or by wording (tolerant of case, punctuation and truncation)."""
    m = _LEADING_CODE.match(name)
    if m:
        number, letter, option, rest = m.groups()
        code = f"q{int(number)}{letter.lower()}"
        grounds = bank.item("discrimination_grounds")
        if option and grounds.asked_in(year) and code == grounds.code(year):
            if grounds.scale(year).option(int(option)):
                return Match(f"{grounds.id}_{int(option)}", "code")
        item = bank.by_code(year, code) if not option else None
        if item is not None and item.id != grounds.id:
            # a code plus text: trust the code unless the text is clearly another question
            if rest and len(rest) >= 15:
                by_text = _match_wording(rest, year, bank)
                if by_text.item and by_text.item != item.id:
                    return Match(by_text.item, "wording", (item.id,))
            return Match(item.id, "code")
    return _match_wording(name, year, bank)


_MATCHED: dict[tuple, Match] = {}  # a file's columns are matched several times (sniffing, planning, inspect)


def _match_wording(name: str, year: int, bank: QuestionBank) -> Match:
    key = (bank, year, name)
    if key not in _MATCHED:
        if len(_MATCHED) > 100_000:
            _MATCHED.clear()
        _MATCHED[key] = _match_wording_uncached(name, year, bank)
    return _MATCHED[key]


def _match_wording_uncached(name: str, year: int, bank: QuestionBank) -> Match:
    exact, partial, aliases, shared = _wording_index(bank, year)
    folded = _fold(name)
    if not folded:
        return Match(None)
    if folded in aliases:
        return Match(aliases[folded], "name")
    if folded in exact:
        return Match(exact[folded], "wording")
    if folded in shared:
        return Match(None, ambiguous=tuple(sorted(shared[folded])))
    if len(folded) < 15:
        return Match(None)
    # the header contains a question's full wording (e.g. with its stem or a prefix)...
    contained = [(t, iid) for t, iid in partial if t in folded]
    # ...or is a truncated start of it (Excel exports cut long headers)
    truncated = [(t, iid) for t, iid in partial if len(folded) >= 20 and t.startswith(folded)]
    for found in (contained, truncated):
        if found:
            best_len = len(found[0][0]) if found is contained else None
            items = {iid for t, iid in found if best_len is None or len(t) == best_len}
            if len(items) == 1:
                return Match(items.pop(), "wording")
            return Match(None, ambiguous=tuple(sorted(items)))
    return Match(None)


def option_column(name: str, year: int, bank: QuestionBank) -> tuple[str, int] | None:
    """(item, answer code) when a column is one answer option of a single-answer question: ``q9a_4`` (the
    suffix an answer code, and ``q9a_4`` no question of its own) or ``Q9a - Agree`` (an answer label)."""
    m = _LEADING_CODE.match(name)
    if not m:
        return None
    number, letter, option, rest = m.groups()
    code = f"q{int(number)}{letter.lower()}"
    item = bank.by_code(year, code)
    if item is None or item.scale(year).multi:
        return None  # multi-select items (discrimination grounds) are one column per ground already
    scale = item.scale(year)
    if option and not rest:
        if bank.by_code(year, f"{code}_{int(option)}") is not None:
            return None  # a real item code in this year, not an option
        answer = int(option)
        return (item.id, answer) if scale.option(answer) else None
    if rest and not option:
        answer = scale.code_for_label(rest)
        return (item.id, answer) if answer is not None else None
    return None


def option_groups(names: list[str], year: int, bank: QuestionBank) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """Columns that are the options of one question, one column per answer, to fold back into one answer
    per item: item -> {column: answer code}. A set of at least two of the item's answers, each once, with
    no plain column for the item beside it and no column suffixed with a code the item does not have
    ('q9a_7': then the suffixes are not answers). An export may leave out an answer nobody ticked, so the
    set need not cover the scale: :func:`absent_options` says which answers have no column.
    Also column -> why it is not used, for columns named by an answer label ('Q9a - Agree') that do not
    make such a set."""
    found: dict[str, dict[str, int]] = {}
    strays: set[str] = set()
    for name in names:
        hit = option_column(name, year, bank)
        if hit:
            found.setdefault(hit[0], {})[name] = hit[1]
        else:
            strays.update(_stray_suffix(name, year, bank))
    groups, left_out = {}, {}
    plain = {match_column(n, year, bank).item for n in names if n not in {c for g in found.values() for c in g}}
    for item_id, columns in found.items():
        codes = list(columns.values())
        complete = (len(codes) >= 2 and len(set(codes)) == len(codes) and item_id not in plain
                    and item_id not in strays)
        if complete:
            groups[item_id] = columns
            continue
        code = bank.item(item_id).code(year)
        for name in columns:
            if _LEADING_CODE.match(name).group(3):
                continue  # 'q9a_4' alone is no question: read as before (a local question, or not used)
            # 'Q9a - Agree' alone would otherwise be read as q9a itself, its ticks as answer codes
            left_out[name] = (f"{year}: column '{name}' looks like one answer option of {code}, but the columns do not "
                              f"make one column per answer of {code}; not used (use a column mapping)")
    return groups, left_out


def _stray_suffix(name: str, year: int, bank: QuestionBank) -> set[str]:
    """The item of a column like 'q9a_7' whose suffix is none of the item's answer codes (nor an item)."""
    m = _LEADING_CODE.match(name)
    if not m or not m.group(3) or m.group(4):
        return set()
    code = f"q{int(m.group(1))}{m.group(2).lower()}"
    item = bank.by_code(year, code)
    if item is None or item.scale(year).multi or bank.by_code(year, f"{code}_{int(m.group(3))}") is not None:
        return set()
    return set() if item.scale(year).option(int(m.group(3))) else {item.id}


def absent_options(item_id: str, columns: dict[str, int], year: int, bank: QuestionBank) -> list[int]:
    """The item's real answers (not Don't know / N/A) that have no column in a set of option columns."""
    present = set(columns.values())
    return [c for c in bank.item(item_id).scale(year).substantive_codes if c not in present]


def looks_like_question_header(name: str, bank: QuestionBank) -> bool:
    """For finding the header row: is this cell a question code or a known column name?"""
    if normalise_code(name):
        return True
    folded = _fold(name)
    if folded in BREAKDOWN_NAMES or YEAR_NAMES.match(name.strip()) or WEIGHT_NAMES.match(name.strip()):
        return True
    return any(folded in _wording_index(bank, y)[0] for y in bank.years[-1:])


def is_breakdown_name(name: str) -> bool:
    return _fold(name) in BREAKDOWN_NAMES

