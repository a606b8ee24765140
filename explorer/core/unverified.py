"""The facts the domain reference marks [V] (believed, not verified), read from one file.

``resources/bank/unverified.toml`` is the single place where these facts are written down; this
module is the single place code reads them from. Nothing else in the program hard-codes a recode,
the suppression minimum, the benchmark average or the significance level.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Mapping

from explorer.paths import bank_dir

UNVERIFIED_FILE = "unverified.toml"


@dataclass(frozen=True)
class Recode:
    """A 0-10 recode of an item's answer codes; codes not in ``points`` are left out of scores."""

    id: str
    points: Mapping[int, float]
    description: str
    verified: bool = False


@dataclass(frozen=True)
class Unverified:
    recodes: Mapping[str, Recode]
    positive_rules: Mapping[str, Mapping]
    scoring: Mapping[str, object]
    benchmark_average: str
    alpha: float
    two_sided: bool
    minimum_base: int
    local_rule_max_count: int
    wres_suffix: Mapping[str, str]
    sig_coding_known: bool
    benchmark_code_overrides: Mapping[int, Mapping[str, str]]


@cache
def load_unverified() -> Unverified:
    with open(bank_dir() / UNVERIFIED_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    recodes = {
        rid: Recode(
            id=rid,
            points=MappingProxyType({int(code): float(points) for code, points in spec["points"].items()}),
            description=spec.get("description", ""),
        )
        for rid, spec in raw["recode"].items()
    }
    minimum_base = int(raw["disclosure"]["minimum_base"])
    if minimum_base < 11:
        # The product rule is "never below 11"; a typo here must not silently weaken disclosure control.
        raise ValueError(f"{UNVERIFIED_FILE}: disclosure.minimum_base must be at least 11, not {minimum_base}.")
    return Unverified(
        recodes=MappingProxyType(recodes),
        positive_rules=MappingProxyType(dict(raw.get("positive", {}))),
        scoring=MappingProxyType(dict(raw["scoring"])),
        benchmark_average=str(raw["benchmark"]["average"]),
        alpha=float(raw["significance"]["alpha"]),
        two_sided=bool(raw["significance"]["two_sided"]),
        minimum_base=minimum_base,
        local_rule_max_count=int(raw["disclosure"]["local_rule_max_count"]),
        wres_suffix=MappingProxyType(dict(raw["benchmark_workbook"]["wres_suffix"])),
        sig_coding_known=bool(raw["benchmark_workbook"]["sig_coding_known"]),
        benchmark_code_overrides=MappingProxyType(
            {int(year): MappingProxyType(dict(codes)) for year, codes in raw.get("benchmark_code_overrides", {}).items()}
        ),
    )
