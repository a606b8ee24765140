"""Loading and checking the question bank files (``resources/bank/*.toml``) into the objects of
:mod:`explorer.core.questionbank`. A mistake in the data is a :class:`BankError` at load time."""

from __future__ import annotations

import tomllib
from functools import cache
from types import MappingProxyType
from typing import Iterable, Mapping

from explorer.core.questionbank import (
    ITEM_KINDS, LENS_IDS, SCORE_KINDS, SPECIALS, AnswerOption, BankError, Item, ItemVersion, Lens, PositiveRule,
    QuestionBank, Scale, Score, Split, _fold, normalise_code,
)
from explorer.core.unverified import Unverified, load_unverified
from explorer.paths import bank_dir


def _read(name: str) -> dict:
    with open(bank_dir() / name, "rb") as fh:
        return tomllib.load(fh)


def _build_scales(raw: dict) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}

    def build(sid: str) -> Scale:
        if sid in scales:
            return scales[sid]
        spec = raw[sid]
        options: list[AnswerOption] = list(build(spec["extends"]).options) if "extends" in spec else []
        for o in spec.get("options", []):
            if o.get("special") not in (None, *SPECIALS):
                raise BankError(f"scale {sid}: unknown special {o['special']!r}")
            options.append(AnswerOption(**o))
        for r in spec.get("relabel", []):
            options = [AnswerOption(**{**o.__dict__, "label": r["label"]}) if o.code == r["code"] else o for o in options]
        codes = [o.code for o in options]
        if len(set(codes)) != len(codes):
            raise BankError(f"scale {sid}: duplicate answer codes {codes}")
        scales[sid] = Scale(id=sid, options=tuple(options), multi=bool(spec.get("multi", False)))
        return scales[sid]

    for sid in raw:
        build(sid)
    return scales


def _positive_rules(measures: dict, unverified: Unverified) -> dict[str, PositiveRule]:
    rules: dict[str, PositiveRule] = {}
    for verified, source in ((True, measures["positive"]), (False, unverified.positive_rules)):
        for rid, spec in source.items():
            if rid in rules:
                raise BankError(f"% positive rule {rid!r} is defined twice")
            rules[rid] = PositiveRule(
                id=rid,
                positive=frozenset(spec["positive"]),
                exclude=frozenset(spec.get("exclude", [])),
                label=spec["label"],
                verified=verified,
            )
    return rules


def _versions(spec: dict, years: tuple[int, ...], groups: dict, scales: dict, overrides: Mapping) -> dict[int, ItemVersion]:
    iid = spec["id"]
    if "codes" in spec:
        codes = {int(y): c for y, c in spec["codes"].items()}
    else:
        codes = {y: spec["code"] for y in spec.get("years", years)}
    group = groups.get(spec.get("group")) if spec.get("group") else None
    if spec.get("group") and group is None:
        raise BankError(f"item {iid}: unknown group {spec['group']!r}")
    versions = {}
    for year, code in sorted(codes.items()):
        if year not in years:
            raise BankError(f"item {iid}: year {year} is not a survey year")
        if normalise_code(code) != code:
            raise BankError(f"item {iid}: code {code!r} is not in canonical form")
        scale_id = spec.get("scale_by_year", {}).get(str(year), spec["scale"])
        if scale_id not in scales:
            raise BankError(f"item {iid}: unknown scale {scale_id!r}")
        stem = ""
        if group is not None:
            stem = group.get("stem_by_year", {}).get(str(year), group["stem"])
        text = spec.get("text_by_year", {}).get(str(year), spec.get("text", ""))
        versions[year] = ItemVersion(
            year=year,
            code=code,
            text=text,
            stem=stem,
            scale=scales[scale_id],
            benchmark_code=overrides.get(year, {}).get(iid, code),
        )
    return versions


@cache
def load_bank() -> QuestionBank:
    """Load and check the question bank shipped with the program (cached: it is immutable)."""
    questions, scales_raw, measures = _read("questions.toml"), _read("scales.toml"), _read("measures.toml")
    unverified = load_unverified()
    years = tuple(questions["survey_years"])
    scales = _build_scales(scales_raw["scale"])
    rules = _positive_rules(measures, unverified)

    # scores and lenses first, so items can carry their memberships
    scores_raw = measures["score"]
    parent_of = {part: sid for sid, s in scores_raw.items() for part in s.get("parts", [])}
    lenses: dict[str, Lens] = {}
    for lid, spec in measures["lens"].items():
        splits = tuple(
            Split(
                id=s["id"], name=s["name"], items=tuple(s["items"]), by=s["by"],
                by_summary=bool(s.get("by_summary", False)), combine=s.get("combine"),
            )
            for s in spec.get("splits", [])
        )
        lenses[lid] = Lens(
            id=lid, name=spec["name"], measures=tuple(spec["measures"]), splits=splits,
            local_patterns=tuple(_fold(p) for p in spec.get("local_patterns", [])),
        )
    if tuple(lenses) != LENS_IDS:
        raise BankError(f"measures.toml must define the lenses {LENS_IDS}, found {tuple(lenses)}")

    def lenses_of(measure_id: str, via_scores: Iterable[str] = ()) -> tuple[str, ...]:
        ids = {measure_id, *via_scores}
        return tuple(lid for lid, lens in lenses.items() if ids & set(lens.measures))

    def ancestors(score_id: str) -> list[str]:
        out = []
        while score_id in parent_of:
            score_id = parent_of[score_id]
            out.append(score_id)
        return out

    item_scores: dict[str, list[str]] = {}
    for sid, s in scores_raw.items():
        if s["kind"] not in SCORE_KINDS:
            raise BankError(f"score {sid}: unknown kind {s['kind']!r}")
        if bool(s.get("items")) == bool(s.get("parts")):
            raise BankError(f"score {sid}: needs either items or parts")
        for iid in s.get("items", []):
            item_scores.setdefault(iid, []).extend([sid, *ancestors(sid)])
    scores = {
        sid: Score(
            id=sid, name=s["name"], kind=s["kind"], items=tuple(s.get("items", [])),
            parts=tuple(s.get("parts", [])), parent=parent_of.get(sid),
            lenses=lenses_of(sid, ancestors(sid)),
        )
        for sid, s in scores_raw.items()
    }

    items: dict[str, Item] = {}
    by_code: dict[int, dict[str, str]] = {y: {} for y in years}
    for spec in questions["item"]:
        iid = spec["id"]
        if iid in items or iid in scores:
            raise BankError(f"item id {iid!r} is used twice")
        kind = spec.get("kind", "core")
        if kind not in ITEM_KINDS:
            raise BankError(f"item {iid}: unknown kind {kind!r}")
        versions = _versions(spec, years, questions.get("group", {}), scales, unverified.benchmark_code_overrides)
        for year, v in versions.items():
            if v.code in by_code[year]:
                raise BankError(f"{year} code {v.code} used by both {by_code[year][v.code]} and {iid}")
            by_code[year][v.code] = iid
        rule = spec.get("positive")
        if rule is not None and rule not in rules:
            raise BankError(f"item {iid}: unknown % positive rule {rule!r}")
        recode = spec.get("recode")
        if recode is not None and recode not in unverified.recodes:
            raise BankError(f"item {iid}: unknown recode {recode!r}")
        member_of = tuple(dict.fromkeys(item_scores.get(iid, [])))
        items[iid] = Item(
            id=iid,
            short=spec["short"],
            kind=kind,
            group=spec.get("group"),
            versions=MappingProxyType(versions),
            positive=rules[rule] if rule else None,
            lower_is_better=bool(spec.get("lower_is_better", False)),
            recode=unverified.recodes[recode] if recode else None,
            trend_break_years=frozenset(spec.get("trend_break_years", [])),
            lenses=lenses_of(iid, member_of),
            scores=member_of,
            aliases=tuple(spec.get("aliases", [])),
        )

    for sid, s in scores.items():
        for ref in (*s.items, *s.parts):
            if ref not in items and ref not in scores:
                raise BankError(f"score {sid} refers to unknown {ref!r}")
        for iid in s.items:
            if items[iid].recode is None:
                raise BankError(f"score {sid}: item {iid} has no 0-10 recode")
    for lens in lenses.values():
        for mid in lens.measures:
            if mid not in items and mid not in scores:
                raise BankError(f"lens {lens.id} refers to unknown measure {mid!r}")
        for split in lens.splits:
            for ref in (*split.items, split.by):
                if ref not in items:
                    raise BankError(f"lens {lens.id} split {split.id} refers to unknown item {ref!r}")

    return QuestionBank(
        years=years,
        missing_codes=frozenset(questions.get("missing_codes", [])),
        scales=MappingProxyType(scales),
        items=MappingProxyType(items),
        scores=MappingProxyType(scores),
        lenses=MappingProxyType(lenses),
        unverified=unverified,
        _by_code=MappingProxyType({y: MappingProxyType(m) for y, m in by_code.items()}),
    )
