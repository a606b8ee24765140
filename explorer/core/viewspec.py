"""ViewSpec: what to show, as plain immutable data (saved views, board-pack pages, undo history).

Versioned JSON: ``ViewSpec.from_json(spec.to_json()) == spec``; older versions load. A saved view
also carries references to its data (and benchmark) file — name, path relative to the view file,
SHA-256 of the content — so replaying it can say when the file is missing or has changed. The
references are not part of a view's identity: two views that show the same thing are equal.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from explorer.core.disclosure import minimum_threshold
from explorer.core.filters import Filter, FilterError

SPEC_VERSION = 2
COMPARATORS = ("none", "organisation", "last_year", "benchmark")
STATISTICS = ("positive", "score", "options", "mean", "drivers")
LENSES = ("trust", "bullying", "morale")


class SpecError(ValueError):
    """A view that cannot be made (one sentence for the user)."""


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class DatasetRef:
    """Which file a view was made from: its name, where it was (absolute when known; relative to the
    view file once saved), what kind of file, and a fingerprint of its content."""

    name: str
    path: str | None = None
    sha256: str | None = None
    kind: str = ""
    demo: bool = False

    @classmethod
    def of_file(cls, path: str | os.PathLike, kind: str = "") -> "DatasetRef":
        p = Path(path).resolve()
        return cls(name=p.name, path=str(p), sha256=file_sha256(p), kind=kind)

    def to_dict(self, relative_to: str | os.PathLike | None = None) -> dict:
        path = self.path
        if path and relative_to is not None:
            try:
                path = os.path.relpath(path, Path(relative_to).resolve())
            except ValueError:  # another drive on Windows: keep it absolute
                pass
        return {"name": self.name, "path": path, "sha256": self.sha256, "kind": self.kind, "demo": self.demo}

    @classmethod
    def from_dict(cls, data: dict | None) -> "DatasetRef | None":
        if not data:
            return None
        for key in ("name", "path", "sha256", "kind"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise SpecError(f"The saved view's data reference has a '{key}' that is not text.")
        return cls(name=str(data.get("name", "")), path=data.get("path"), sha256=data.get("sha256"),
                   kind=str(data.get("kind", "")), demo=bool(data.get("demo", False)))


# Thresholds chain (each is built from the one below), so the highest sets the work a view can ask for.
MAX_THRESHOLD = 50


def _default_threshold() -> int:
    return minimum_threshold()


_TYPES = {"version": (int, "a whole number"), "lens": ((str, type(None)), "a lens name"),
          "measures": (list, "a list of measure ids"), "years": (list, "a list of years"),
          "filter": ((dict, type(None)), "a filter"), "breakdown": (list, "a list of column names"),
          "comparator": (str, "a comparator name"), "weighted": (bool, "true or false"),
          "threshold": (int, "a whole number"), "local_rule": (bool, "true or false"),
          "statistics": (list, "a list of statistics"), "organisation": ((str, type(None)), "an organisation"),
          "benchmark_group": ((str, type(None)), "a benchmarking group"), "driver_outcome": (str, "a measure id"),
          "dataset": ((dict, type(None)), "a data file reference"), "benchmark": ((dict, type(None)), "a file reference")}
_ITEMS = {"measures": str, "years": int, "breakdown": str, "statistics": str}


def _check_types(data: dict) -> None:
    """One sentence for a saved view whose fields have the wrong kind of value."""
    for key, (kind, what) in _TYPES.items():
        if key not in data:
            continue
        value = data[key]
        wrong = not isinstance(value, kind) or (isinstance(value, bool) and kind in (int,))
        if not wrong and key in _ITEMS:
            wrong = any(not isinstance(v, _ITEMS[key]) or isinstance(v, bool) for v in value)
        if wrong:
            raise SpecError(f"The saved view's '{key}' should be {what}, not {json.dumps(value)[:40]}.")


@dataclass(frozen=True)
class ViewSpec:
    lens: str | None = None
    measures: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # empty = every year in the data
    filter: Filter | None = None
    breakdown: tuple[str, ...] = ()  # "compare by": up to two columns
    comparator: str = "last_year"
    weighted: bool = False
    threshold: int = field(default_factory=_default_threshold)
    local_rule: bool = False  # also combine groups until each has more than 3 positive and negative answers
    statistics: tuple[str, ...] = ("positive", "score")
    organisation: str | None = None  # published data: which organisation is "us" (org_id or name)
    benchmark_group: str | None = None
    driver_outcome: str = "theme_engagement"
    dataset: DatasetRef | None = field(default=None, compare=False)
    benchmark: DatasetRef | None = field(default=None, compare=False)
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
        if not self.statistics:
            raise SpecError(f"Choose at least one statistic ({', '.join(STATISTICS)}).")
        if bad:
            raise SpecError(f"Unknown statistic '{bad[0]}'; use any of {', '.join(STATISTICS)}.")
        minimum = minimum_threshold()
        if not isinstance(self.threshold, int) or isinstance(self.threshold, bool) or self.threshold < minimum:
            raise SpecError(f"The suppression threshold cannot be below {minimum} respondents.")
        if self.threshold > MAX_THRESHOLD:
            raise SpecError(f"The suppression threshold can be at most {MAX_THRESHOLD} respondents.")

    def with_(self, **changes: Any) -> "ViewSpec":
        return replace(self, **changes)

    # ------------------------------------------------------------------------- JSON
    def to_dict(self, relative_to: str | os.PathLike | None = None) -> dict:
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
            "dataset": self.dataset.to_dict(relative_to) if self.dataset else None,
            "benchmark": self.benchmark.to_dict(relative_to) if self.benchmark else None,
        }

    def to_json(self, relative_to: str | os.PathLike | None = None) -> str:
        return json.dumps(self.to_dict(relative_to), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> "ViewSpec":
        if not isinstance(data, dict):
            raise SpecError("The saved view is not a view (a JSON object was expected).")
        _check_types(data)
        version = int(data.get("version", 1))
        if version > SPEC_VERSION:
            raise SpecError(f"This view was saved by a newer version of the program (view version {version}).")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "version"}
        if known.get("filter") is not None:
            try:
                known["filter"] = Filter.from_dict(known["filter"])
            except (FilterError, KeyError, TypeError) as exc:
                raise SpecError(f"The saved view's filter could not be read ({exc}).") from None
        for ref in ("dataset", "benchmark"):
            known[ref] = DatasetRef.from_dict(known.get(ref))
        return cls(**known)

    @classmethod
    def from_json(cls, text: str) -> "ViewSpec":
        try:
            return cls.from_dict(json.loads(text))
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise SpecError(f"The saved view could not be read ({exc}).") from None
        except RecursionError:
            raise SpecError("The saved view could not be read (it is nested too deeply to be a view).") from None

    # ------------------------------------------------------------------------- files
    def save(self, path: str | os.PathLike) -> None:
        """Write the view as JSON (data references relative to the view file's folder), atomically."""
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(self.to_json(relative_to=target.parent), encoding="utf-8")
        os.replace(tmp, target)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "ViewSpec":
        """Read a saved view; data paths come back absolute (resolved against the view's folder)."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise SpecError(f"The view file {p.name} could not be read ({exc.strerror or exc}).") from None
        except UnicodeDecodeError:
            raise SpecError(f"The view file {p.name} could not be read (it is not a saved view: not UTF-8 text).") from None
        spec = cls.from_json(text)
        refs = {}
        for name in ("dataset", "benchmark"):
            ref = getattr(spec, name)
            if ref is not None and ref.path and not Path(ref.path).is_absolute():
                refs[name] = replace(ref, path=str((p.resolve().parent / ref.path).resolve()))
        return spec.with_(**refs) if refs else spec
