"""Column families: the organisation's own columns and the people (equality) columns, each with one
protected partition per survey year.

* **organisation** — the file's breakdown columns (directorate, division, staff group, site, ...),
  ordered so the management structure loses detail last: structure words first, then staff group or
  occupation, then site or location, then the rest; coarser columns first within each class; fine
  columns (teams, wards) after all others.
* **people** — the equality columns, tried in the order equality reporting needs them (WRES
  ethnicity summary, long-term condition, gender, age, sexual orientation, religion). They share one
  partition (three partitions could not be proven safe together), so each added column splits the
  others: a column joins — at the end, or as early as it must — only if afterwards every chosen
  column still gives faithful one-way views (:func:`fidelity`) and the family stays *separable* from
  the organisation family (see :mod:`.crosscheck`); otherwise it is left out of views, with the
  reason kept for the catalog. Other demographic columns are not offered for views.

Columns of the two families are never combined in one view: each view's figures are then unions of
one family's blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer.core.disclosure import crosscheck
from explorer.core.disclosure.partition import POOLED, Rule, blocks, recode

NOT_STATED = "Not stated"
FINE = 30  # a breakdown column with more values than this (teams, wards) goes last
MAX_POOLED_SHARE = 0.15  # at most this share of respondents combined, per column and year
MIN_KEPT = 0.75  # every category of at least twice the threshold keeps this share of its respondents
MAX_EXTRA_LOSS = 0.03  # a column may not cost one chosen before it more than this share of respondents
ORGANISATION, PEOPLE = "organisation", "people"

_STRUCTURE = ("organisation", "trust", "division", "directorate", "care group", "business unit", "department",
              "service", "specialty", "speciality", "locality", "team", "ward", "unit", "bd1", "bd2", "bd3", "bd4",
              "national breakdown", "breakdown")
_STAFF = ("staff group", "staff_group", "occupation", "profession", "band", "job", "role")
_SITE = ("site", "location", "hospital", "building", "base")
PEOPLE_ORDER = ("Ethnicity (WRES summary)", "long_term_condition", "gender", "age", "sexual_orientation", "religion")
NOT_OFFERED = "not offered for comparisons (only the equality columns are: ethnicity summary, long-term condition, " \
              "gender, age, sexual orientation, religion)"


def _column_class(name: str) -> int:
    folded = name.casefold()
    for rank, words in enumerate((_STRUCTURE, _STAFF, _SITE)):
        if any(w in folded for w in words):
            return rank
    return 3


def pooled_label(family: str, column: str) -> str:
    """The name a pooled value goes by ("Other directorates (combined)")."""
    if family == PEOPLE:
        return "Other answers (combined)"
    base = column.split("(")[0].strip().casefold() or "group"
    if base.endswith("y") and not base.endswith(("ay", "ey", "oy", "uy")):
        plural = base[:-1] + "ies"
    elif base.endswith("s"):
        plural = base
    else:
        plural = base + "s"
    return f"Other {plural} (combined)"


def column_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Category codes per respondent and their labels; blanks join a "Not stated" category."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("string").astype("category")
    cats = [str(c) for c in values.cat.categories]
    codes = values.cat.codes.to_numpy().astype(np.int64)
    used = np.unique(codes[codes >= 0])
    labels = [cats[c] for c in used]
    remap = np.full(len(cats) + 1, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    if (codes < 0).any():
        if NOT_STATED not in labels:
            labels.append(NOT_STATED)
        remap[-1] = labels.index(NOT_STATED)
    elif NOT_STATED in labels:
        remap[-1] = labels.index(NOT_STATED)
    return remap[codes], labels


@dataclass
class BlockIndex:
    """Blocks (or leaves) of a family as arrays: per column the category index of each block (the
    pooled value is index ``len(categories)``), the names, and a label table filters can read."""

    year: np.ndarray
    codes: dict[str, np.ndarray]
    names: dict[str, list[str]]
    table: pd.DataFrame


@dataclass
class Family:
    """A family of columns with its respondent-level protected partition (all years)."""

    name: str
    columns: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    threshold: int
    cell_of: np.ndarray  # per respondent: raw cell id
    cell_codes: np.ndarray  # (cells, k) raw codes
    cell_year: np.ndarray  # (cells,)
    cell_count: np.ndarray  # (cells,) respondents
    leaf_of_cell: np.ndarray = field(default=None)  # (cells,) leaf id
    leaf_codes: np.ndarray = field(default=None)  # (leaves, k) recoded codes
    leaf_year: np.ndarray = field(default=None)
    leaf_ok: np.ndarray = field(default=None)
    left_out: dict = field(default_factory=dict)  # column -> why it is not offered
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def leaf_of(self) -> np.ndarray:
        """Leaf id per respondent."""
        return self.leaf_of_cell[self.cell_of]

    def pooled_name(self, column: str) -> str:
        """The combined group's name in ``column``, never equal to one of the file's own values."""
        name = pooled_label(self.name, column)
        own = self.categories[self.columns.index(column)]
        while name in own:
            name = name[:-1] + " by the program)" if name.endswith("(combined)") else name + "*"
        return name

    def label(self, j: int, code: int) -> str:
        return self.pooled_name(self.columns[j]) if code == POOLED else self.categories[j][code]

    def index(self, codes: np.ndarray, year: np.ndarray) -> BlockIndex:
        """The :class:`BlockIndex` of blocks with these recoded ``codes`` and years; its table has
        ``year`` and one column of labels per family column, so filters read it exactly as they
        would read respondents."""
        year = np.asarray(year, dtype=np.int64)
        table = {"year": year}
        by_code, by_name = {}, {}
        for j, column in enumerate(self.columns):
            names = list(self.categories[j]) + [self.pooled_name(column)]
            col = np.asarray(codes[:, j], dtype=np.int64) if len(codes) else np.zeros(0, dtype=np.int64)
            col = np.where(col == POOLED, len(names) - 1, col)
            table[column] = pd.Categorical.from_codes(col, categories=names)
            by_code[column], by_name[column] = col, names
        return BlockIndex(year, by_code, by_name, pd.DataFrame(table))

    def pooled(self, year: int, leaf_codes: np.ndarray | None = None) -> dict[str, list[str]]:
        """Per column that has a combined group in ``year``: the file's values (of any year) with no
        group of their own that year, read from the labels only (in the leaves, or in a partition
        given by its per-leaf combinations). Who else is in the combined group is not said: that it
        holds someone of a value would tell whether a small combination is empty."""
        key = ("pooled", int(year), id(leaf_codes) if leaf_codes is not None else None)
        if key not in self._memo:
            self._memo[key] = self._pooled(year, self.leaf_codes if leaf_codes is None else leaf_codes)
        return self._memo[key]

    def _pooled(self, year: int, leaf_codes: np.ndarray) -> dict[str, list[str]]:
        out = {}
        labels = leaf_codes[self.leaf_year == year]
        for j, column in enumerate(self.columns):
            if not (labels[:, j] == POOLED).any():
                continue  # every value present that year has its own groups; the rest have nobody
            own = set(labels[:, j][labels[:, j] != POOLED].tolist())
            out[column] = [name for c, name in enumerate(self.categories[j]) if c not in own]
        return out


def _raw_cells(codes: np.ndarray, year: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct (year, codes...) rows: per respondent its cell, and per cell codes, year, count.
    Mixed-radix integer keys and hashing: linear in respondents (a million in well under a second)."""
    radix = [int(codes[:, j].max()) + 1 if len(codes) else 1 for j in range(codes.shape[1])]
    key = year.astype(np.int64) - int(year.min() if len(year) else 0)
    for j, r in enumerate(radix):
        key = key * r + codes[:, j]
    cell_of, uniq = pd.factorize(key, sort=True)
    count = np.bincount(cell_of, minlength=len(uniq))
    decoded = np.zeros((len(uniq), codes.shape[1]), dtype=np.int64)
    rest = np.asarray(uniq, dtype=np.int64)
    for j in range(codes.shape[1] - 1, -1, -1):
        rest, decoded[:, j] = np.divmod(rest, radix[j])
    cell_year = rest + int(year.min() if len(year) else 0)
    return cell_of.astype(np.int64), decoded, cell_year, count


def build(name: str, frame: pd.DataFrame, columns: list[str], threshold: int,
          coded: dict[str, tuple[np.ndarray, list[str]]] | None = None) -> Family:
    """The family over ``columns`` (in that order) with its partition for every year (``coded``:
    column codes already made, reused across trial families)."""
    coded = [coded[c] if coded and c in coded else column_codes(frame[c]) for c in columns]
    codes = np.column_stack([c for c, _ in coded]) if coded else np.zeros((len(frame), 0), dtype=np.int64)
    year = frame["year"].to_numpy(dtype=np.int64)
    cell_of, cell_codes, cell_year, cell_count = _raw_cells(codes, year)
    family = Family(name, tuple(columns), tuple(tuple(labels) for _, labels in coded), threshold,
                    cell_of, cell_codes, cell_year, cell_count)
    partition(family)
    return family


def partition(family: Family) -> None:
    """(Re)build the respondent-level partition of ``family``, year by year."""
    rule = Rule(family.threshold)
    codes = family.cell_codes
    recoded = np.full_like(family.cell_codes, POOLED)
    ok = np.ones(len(family.cell_codes), dtype=bool)
    for year in np.unique(family.cell_year):
        rows = np.flatnonzero(family.cell_year == year)
        recoded[rows], ok[rows] = recode(codes[rows], family.cell_count[rows], rule)
    leaf_of, first = blocks(recoded, family.cell_year)
    family.leaf_of_cell = leaf_of
    family.leaf_codes = recoded[first]
    family.leaf_year = family.cell_year[first]
    family.leaf_ok = ok[first]


def organisation_columns(frame: pd.DataFrame, breakdowns: tuple[str, ...]) -> list[str]:
    """Breakdown columns in the order they keep detail: fine columns (teams, wards: more than
    ``FINE`` values) last, so they cannot break up directorates and staff groups; then by class."""
    present = [c for c in breakdowns if c in frame.columns]
    sizes = {c: frame[c].nunique(dropna=False) for c in present}
    return sorted(present, key=lambda c: (sizes[c] > FINE, _column_class(c), sizes[c], c))


def people_candidates(frame: pd.DataFrame, demographic: list[str]) -> list[str]:
    present = {c for c in demographic if c in frame.columns and frame[c].notna().any()}
    return [c for c in PEOPLE_ORDER if c in present]


def fidelity(family: Family, j: int) -> str:
    """Why a one-way view by column ``j`` would mislead, or "" when it would not: every category of
    at least twice the threshold keeps ``MIN_KEPT`` of its respondents, at most one category of at
    least the threshold disappears into a combined group (the partner of the small ones), and at
    most ``MAX_POOLED_SHARE`` of respondents are combined — in every year."""
    kept = family.leaf_codes[family.leaf_of_cell, j] == family.cell_codes[:, j]
    for year in np.unique(family.cell_year):
        in_year = family.cell_year == year
        total = family.cell_count[in_year].sum()
        combined = family.cell_count[in_year & ~kept].sum()
        if total and combined / total > MAX_POOLED_SHARE:
            return f"{combined / total:.0%} of respondents would have their answer combined with others in {year}"
        lost = []
        for code in np.unique(family.cell_codes[in_year, j]):
            rows = in_year & (family.cell_codes[:, j] == code)
            size, keep = family.cell_count[rows].sum(), family.cell_count[rows & kept].sum()
            name = family.categories[j][code]
            if size >= 2 * family.threshold and keep < MIN_KEPT * size:
                return f"'{name}' would keep only {keep / size:.0%} of its respondents in {year}"
            if size >= family.threshold and keep == 0:
                lost.append(name)
        if len(lost) > 1:
            return f"{' and '.join(repr(x) for x in lost)} could not be shown in {year}"
    return ""


def kept_share(family: Family, column: str) -> np.ndarray:
    """Per year, the share of respondents whose value in ``column`` is shown under its own name."""
    j = family.columns.index(column)
    kept = family.leaf_codes[family.leaf_of_cell, j] == family.cell_codes[:, j]
    years = np.unique(family.cell_year)
    return np.array([family.cell_count[(family.cell_year == y) & kept].sum() / family.cell_count[family.cell_year == y].sum()
                     for y in years])


def build_people(frame: pd.DataFrame, candidates: list[str], organisation: Family, threshold: int,
                 others: list[str] = ()) -> Family:
    """The people family: each candidate joins at the end, or failing that as early as it must, if
    then every chosen column still shows faithful one-way views, none chosen before it loses more
    than ``MAX_EXTRA_LOSS`` of its respondents to combined groups, and the family stays separable."""
    chosen: list[str] = []
    left_out: dict[str, str] = {c: NOT_OFFERED for c in others if c not in candidates}
    coded = {c: column_codes(frame[c]) for c in candidates}
    family = build(PEOPLE, frame, [], threshold)
    for column in candidates:
        first_reason = ""
        for position in range(len(chosen), -1, -1):
            order = chosen[:position] + [column] + chosen[position:]
            trial = build(PEOPLE, frame, order, threshold, coded)
            reason = next((r for r in (fidelity(trial, k) for k in range(len(order))) if r), "")
            costly = [c for c in chosen if (kept_share(family, c) - kept_share(trial, c)).max() > MAX_EXTRA_LOSS]
            if not reason and costly:
                reason = f"it would combine too many answers of {costly[0]}"
            if not reason and not separable(organisation, trial):
                reason = "with the organisation's own breakdowns it could single out small groups"
            if not reason:
                chosen, family = order, trial
                break
            first_reason = first_reason or reason
        else:
            left_out[column] = f"too few respondents to show it faithfully alongside the other equality columns ({first_reason})"
    family.left_out = left_out
    return family


def separable(a: Family, b: Family) -> bool:
    """Whether respondent counts by ``a``'s blocks and by ``b``'s blocks cannot be combined to
    isolate a small group, checked year by year."""
    leaf_a = a.leaf_of_cell[a.cell_of]
    leaf_b = b.leaf_of_cell[b.cell_of]
    return crosscheck.separable_units(leaf_a, leaf_b, np.ones(len(leaf_a)), a.threshold)
