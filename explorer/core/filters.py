"""Filters as data, with algebra (in the manner of glue's SubsetState): equality, is-in, not, and, or.

    f = Eq("Directorate", "Surgery") & In("Staff group", ["Medical and Dental", "Nursing and Midwifery Registered"])
    mask = f.to_mask(respondents)            # numpy bool array
    f.describe()                             # "Directorate is Surgery and Staff group is Medical and ..."
    Filter.from_dict(f.to_dict()) == f       # serialisable inside a ViewSpec

Columns are breakdown columns (Directorate, Site, Staff group ...) or background questions by their
item id (``ethnicity``, ``age``) holding labels. A filter on a column the data lacks is an error
(:class:`FilterError`), not an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import numpy as np
import pandas as pd


class FilterError(ValueError):
    """A filter that cannot be applied to this dataset (one sentence for the user)."""


class Filter:
    def to_mask(self, frame: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict:
        raise NotImplementedError

    def columns(self) -> set[str]:
        raise NotImplementedError

    def leaves(self) -> Iterator[tuple[str, tuple[str, ...], bool]]:
        """Every condition as (column, values, negated), in order."""
        raise NotImplementedError

    def truth(self, frame: pd.DataFrame, unknown: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Three-valued: per row, (surely true, surely false). ``unknown[column]`` marks rows whose
        value in that column is not known (a combined group's label: its members differ), where a
        condition is neither — unless it names that label itself."""
        raise NotImplementedError

    def map_columns(self, fn: Callable[[str], str]) -> "Filter":
        """The same filter with every column name passed through ``fn`` (e.g. to resolve "Ethnic
        background" to the data's column)."""
        return self.map_leaves(lambda leaf: (Eq(fn(leaf.column), leaf.value) if isinstance(leaf, Eq)
                                             else In(fn(leaf.column), leaf.values)))

    def map_leaves(self, fn: Callable[["Filter"], "Filter"]) -> "Filter":
        """The same filter with every condition (:class:`Eq` / :class:`In`) replaced by ``fn(condition)``."""
        raise NotImplementedError

    def __and__(self, other: "Filter") -> "Filter":
        return And((self, other))

    def __or__(self, other: "Filter") -> "Filter":
        return Or((self, other))

    def __invert__(self) -> "Filter":
        return Not(self)

    @staticmethod
    def from_dict(data: Mapping) -> "Filter":
        if not isinstance(data, Mapping):
            raise FilterError("A filter must be an object with an 'op'.")
        op = data.get("op")
        try:
            if op == "eq":
                return Eq(str(data["column"]), str(data["value"]))
            if op == "in":
                if not isinstance(data["values"], list):
                    raise FilterError("A filter's 'values' must be a list.")
                return In(str(data["column"]), tuple(str(v) for v in data["values"]))
            if op == "not":
                return Not(Filter.from_dict(data["filter"]))
            if op in ("and", "or"):
                if not isinstance(data["filters"], list) or not data["filters"]:
                    raise FilterError(f"An '{op}' filter needs a list of filters.")
                parts = tuple(Filter.from_dict(p) for p in data["filters"])
                return And(parts) if op == "and" else Or(parts)
        except KeyError as exc:
            raise FilterError(f"A filter is missing its {exc.args[0]!r}.") from None
        raise FilterError(f"Unknown filter operation {op!r}.")


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise FilterError(f"There is no column '{column}' to filter on in this dataset.")
    return frame[column]


def _isin(values: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    """Vectorised membership; categorical columns compare integer codes (fast at a million rows)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in values.cat.categories]
        idx = [i for i, c in enumerate(cats) if c in wanted]
        codes = values.cat.codes.to_numpy()
        return np.isin(codes, idx) if len(idx) > 1 else (codes == (idx[0] if idx else -2))
    return values.astype("string").isin(wanted).fillna(False).to_numpy(dtype=bool)


def _name(column: str, names: Mapping[str, str] | None) -> str:
    return (names or {}).get(column, column)


@dataclass(frozen=True)
class Eq(Filter):
    column: str
    value: str

    def to_mask(self, frame: pd.DataFrame) -> np.ndarray:
        return _isin(_column(frame, self.column), (self.value,))

    def describe(self, names=None) -> str:
        return f"{_name(self.column, names)} is {self.value}"

    def to_dict(self) -> dict:
        return {"op": "eq", "column": self.column, "value": self.value}

    def columns(self) -> set[str]:
        return {self.column}

    def leaves(self):
        yield self.column, (self.value,), False

    def truth(self, frame, unknown):
        true = self.to_mask(frame)
        return true, ~true & ~unknown[self.column]

    def map_leaves(self, fn):
        return fn(self)


@dataclass(frozen=True)
class In(Filter):
    column: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise FilterError(f"The filter on '{self.column}' names no value.")

    def to_mask(self, frame: pd.DataFrame) -> np.ndarray:
        return _isin(_column(frame, self.column), self.values)

    def describe(self, names=None) -> str:
        if len(self.values) == 1:
            return f"{_name(self.column, names)} is {self.values[0]}"
        return f"{_name(self.column, names)} is {', '.join(self.values[:-1])} or {self.values[-1]}"

    def to_dict(self) -> dict:
        return {"op": "in", "column": self.column, "values": list(self.values)}

    def columns(self) -> set[str]:
        return {self.column}

    def leaves(self):
        yield self.column, self.values, False

    def truth(self, frame, unknown):
        true = self.to_mask(frame)
        return true, ~true & ~unknown[self.column]

    def map_leaves(self, fn):
        return fn(self)


@dataclass(frozen=True)
class Not(Filter):
    filter: Filter

    def to_mask(self, frame: pd.DataFrame) -> np.ndarray:
        return ~self.filter.to_mask(frame)

    def describe(self, names=None) -> str:
        inner = self.filter
        if isinstance(inner, Eq):
            return f"{_name(inner.column, names)} is not {inner.value}"
        if isinstance(inner, In):
            return f"{_name(inner.column, names)} is not {' or '.join(inner.values)}"
        return f"not ({inner.describe(names)})"

    def to_dict(self) -> dict:
        return {"op": "not", "filter": self.filter.to_dict()}

    def columns(self) -> set[str]:
        return self.filter.columns()

    def leaves(self):
        for column, values, negated in self.filter.leaves():
            yield column, values, not negated

    def truth(self, frame, unknown):
        true, false = self.filter.truth(frame, unknown)
        return false, true

    def map_leaves(self, fn):
        return Not(self.filter.map_leaves(fn))


@dataclass(frozen=True)
class And(Filter):
    filters: tuple[Filter, ...]

    def __post_init__(self) -> None:
        flat: list[Filter] = []
        for f in self.filters:
            flat.extend(f.filters if isinstance(f, And) else (f,))
        object.__setattr__(self, "filters", tuple(flat))

    def to_mask(self, frame: pd.DataFrame) -> np.ndarray:
        mask = np.ones(len(frame), dtype=bool)
        for f in self.filters:
            mask &= f.to_mask(frame)
        return mask

    def describe(self, names=None) -> str:
        return " and ".join(f"({f.describe(names)})" if isinstance(f, Or) else f.describe(names) for f in self.filters)

    def to_dict(self) -> dict:
        return {"op": "and", "filters": [f.to_dict() for f in self.filters]}

    def truth(self, frame, unknown):
        true, false = np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
        for f in self.filters:
            t, fa = f.truth(frame, unknown)
            true &= t
            false |= fa
        return true, false

    def columns(self) -> set[str]:
        return set().union(*(f.columns() for f in self.filters)) if self.filters else set()

    def leaves(self):
        for f in self.filters:
            yield from f.leaves()

    def map_leaves(self, fn):
        return And(tuple(f.map_leaves(fn) for f in self.filters))


@dataclass(frozen=True)
class Or(Filter):
    filters: tuple[Filter, ...]

    def __post_init__(self) -> None:
        flat: list[Filter] = []
        for f in self.filters:
            flat.extend(f.filters if isinstance(f, Or) else (f,))
        object.__setattr__(self, "filters", tuple(flat))

    def to_mask(self, frame: pd.DataFrame) -> np.ndarray:
        mask = np.zeros(len(frame), dtype=bool)
        for f in self.filters:
            mask |= f.to_mask(frame)
        return mask

    def describe(self, names=None) -> str:
        return " or ".join(f"({f.describe(names)})" if isinstance(f, And) else f.describe(names) for f in self.filters)

    def to_dict(self) -> dict:
        return {"op": "or", "filters": [f.to_dict() for f in self.filters]}

    def truth(self, frame, unknown):
        true, false = np.zeros(len(frame), dtype=bool), np.ones(len(frame), dtype=bool)
        for f in self.filters:
            t, fa = f.truth(frame, unknown)
            true |= t
            false &= fa
        return true, false

    def columns(self) -> set[str]:
        return set().union(*(f.columns() for f in self.filters)) if self.filters else set()

    def leaves(self):
        for f in self.filters:
            yield from f.leaves()

    def map_leaves(self, fn):
        return Or(tuple(f.map_leaves(fn) for f in self.filters))


def parse_filter(text: str) -> Filter:
    """Command-line form: ``COLUMN=VALUE``, ``COLUMN=V1|V2`` (any of), ``COLUMN!=VALUE`` (not)."""
    if "!=" in text:
        column, value = text.split("!=", 1)
        negate = True
    elif "=" in text:
        column, value = text.split("=", 1)
        negate = False
    else:
        raise FilterError(f"The filter '{text}' should look like COLUMN=VALUE.")
    column, value = column.strip(), value.strip()
    values = tuple(v.strip() for v in value.split("|") if v.strip())
    if not column or not values:
        raise FilterError(f"The filter '{text}' should look like COLUMN=VALUE.")
    f: Filter = Eq(column, values[0]) if len(values) == 1 else In(column, values)
    return Not(f) if negate else f
