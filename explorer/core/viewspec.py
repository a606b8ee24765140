"""ViewSpec: what to show, as plain immutable data (saved views, board-pack pages, undo history).

Versioned JSON: ``ViewSpec.from_json(spec.to_json()) == spec``; older versions load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.core.filters import Filter
from explorer.core.unverified import load_unverified

SPEC_VERSION = 1
COMPARATORS = ("none", "organisation", "last_year", "benchmark")
STATISTICS = ("positive", "score", "options", "mean", "drivers")
LENSES = ("trust", "bullying", "morale")


class SpecError(ValueError):
    """A view that cannot be made (one sentence for the user)."""


def minimum_threshold() -> int:
    return load_unverified().minimum_base


@dataclass(frozen=True)
class ViewSpec:
    lens: str | None = None
    measures: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # empty = every year in the data
    filter: Filter | None = None
    breakdown: tuple[str, ...] = ()  # "compare by": up to two columns
    comparator: str = "last_year"
    weighted: bool = False
    threshold: int = 11
    local_rule: bool = False  # also hide a % when the positive or negative count is 3 or fewer
    statistics: tuple[str, ...] = ("positive", "score")
    organisation: str | None = None  # published data: which organisation is "us" (org_id or name)
    benchmark_group: str | None = None
    driver_outcome: str = "theme_engagement"
    version: int = field(default=SPEC_VERSION, compare=False)

    def __post_init__(self) -> None:
        for name in ("measures", "years", "breakdown", "statistics"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.lens is not None and self.lens not in LENSES:
            raise SpecError(f"There is no lens '{self.lens}'; choose trust, bullying or morale.")
        if len(self.breakdown) > 2:
            raise SpecError("Compare by at most two columns at once.")
        if len(set(self.breakdown)) != len(self.breakdown):
            raise SpecError("Compare by two different columns.")
        if self.comparator not in COMPARATORS:
            raise SpecError(f"Unknown comparator '{self.comparator}'; use one of {', '.join(COMPARATORS)}.")
        bad = [s for s in self.statistics if s not in STATISTICS]
        if bad:
            raise SpecError(f"Unknown statistic '{bad[0]}'; use any of {', '.join(STATISTICS)}.")
        minimum = minimum_threshold()
        if not isinstance(self.threshold, int) or self.threshold < minimum:
            raise SpecError(f"The suppression threshold cannot be below {minimum} respondents.")

    def with_(self, **changes: Any) -> "ViewSpec":
        return replace(self, **changes)

    # ------------------------------------------------------------------------- JSON
    def to_dict(self) -> dict:
        return {
            "version": SPEC_VERSION,
            "lens": self.lens,
            "measures": list(self.measures),
            "years": list(self.years),
            "filter": self.filter.to_dict() if self.filter else None,
            "breakdown": list(self.breakdown),
            "comparator": self.comparator,
            "weighted": self.weighted,
            "threshold": self.threshold,
            "local_rule": self.local_rule,
            "statistics": list(self.statistics),
            "organisation": self.organisation,
            "benchmark_group": self.benchmark_group,
            "driver_outcome": self.driver_outcome,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> "ViewSpec":
        version = int(data.get("version", 1))
        if version > SPEC_VERSION:
            raise SpecError(f"This view was saved by a newer version of the program (view version {version}).")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "version"}
        if known.get("filter") is not None:
            known["filter"] = Filter.from_dict(known["filter"])
        return cls(**known)

    @classmethod
    def from_json(cls, text: str) -> "ViewSpec":
        try:
            return cls.from_dict(json.loads(text))
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise SpecError(f"The saved view could not be read ({exc}).") from None
