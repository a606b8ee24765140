"""Analysts' own organisation-level tables: one row per organisation and year.

Columns such as ``ODS code``, ``Year``, ``Benchmarking group`` and measure pairs
``<measure>_rate`` / ``<measure>_base`` or ``<measure>`` / ``<measure>_n`` (a rate may come without a
base: the organisation's ``Respondents`` column is then its n). The vocabulary
(:mod:`explorer.core.vocabulary`) ties measure names to the question bank — ids, codes, official and
descriptive names ("Emotional_colleagues" is harassment from colleagues) — so they join the lenses with
the bank's wording and polarity; anything else keeps the analyst's own name. Other columns are
organisation context, never results: text attributes (Region, ICS, organisation type) that filter and
group organisations, workforce composition (% female ...) and counts; a ``Weighting`` column sets
``weighted``. Organisations are identified by code across years, under their latest name. A column mapping (roles ``org_id``, ``org_name``, ``year``, ``benchmark_group``,
``value``/``base`` with ``measure``) says what auto-detection cannot guess.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import AGGREGATE_COLUMNS, Provenance, SurveyData
from explorer.core.vocabulary import Match, vocabulary
from explorer.readers.errors import ReadError, YearUnknown
from explorer.readers.grid import cell_text, find_header_row
from explorer.readers.mapping import ColumnMapping
from explorer.readers.source import Source
from explorer.readers.tables import concat_aggregates, first_sheets, percent_signed, read_table, to_numbers

ORG_ID = {"odscode", "orgid", "orgcode", "organisationcode", "organisationid", "trustcode", "ods", "providercode", "code"}
ORG_NAME = {"orgname", "organisationname", "organisation", "organization", "trust", "trustname", "name", "provider"}
YEARS = {"year", "surveyyear", "wave"}
GROUP = {"benchmarkinggroup", "benchmarkgroup", "group", "orgtype", "organisationtype", "orgtypereportingname"}
VALUE_SUFFIX = re.compile(r"^(?P<m>.+?)\s*(?:[ _\-]\(?(?:rate|pct|percent|percentage|%|score|value)\)?|\(%\)|%)$",
                          re.IGNORECASE)
BASE_SUFFIX = re.compile(r"^(?P<m>.+?)\s*[ _\-]\(?(?:base|base size|n|count|responses|number of responses)\)?$",
                         re.IGNORECASE)


def split_suffix(name: str) -> tuple[str, str | None]:
    """("Burned out", "value") for "Burned out %", "Burned_out_rate", "Burned out (%)"; ("Burned out",
    "base") for "Burned out n", "Burned_out_base", "Burned out (n)"; (name, None) otherwise."""
    for pattern, kind in ((BASE_SUFFIX, "base"), (VALUE_SUFFIX, "value")):
        m = pattern.match(name.strip())
        if m and m.group("m").strip():
            return m.group("m").strip(), kind
    return name, None
WEIGHTING = {"weighting", "weighted", "weight", "weightingmethod", "weightingapplied"}
UNWEIGHTED = {"unweighted", "no", "none", "n", "false", "0", "not weighted", "-"}
YEAR_IN_TEXT = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _roles(names: list[str], mapping: ColumnMapping | None) -> dict:
    """Which column is the org id / name / year / group, and which pairs hold values and bases."""
    roles = {"org_id": None, "org_name": None, "year": None, "benchmark_group": None, "values": {}, "bases": {}}
    for name in names:
        spec = mapping.role(name) if mapping else None
        if spec:
            role = spec["role"]
            if role in ("org_id", "org_name", "year", "benchmark_group"):
                roles[role] = name
            elif role == "value":
                roles["values"][spec.get("measure") or name] = name
            elif role == "base":
                roles["bases"][spec.get("measure") or name] = name
            continue
        n = _norm(name)
        if n in ORG_ID and roles["org_id"] is None:
            roles["org_id"] = name
        elif n in ORG_NAME and roles["org_name"] is None:
            roles["org_name"] = name
        elif n in YEARS and roles["year"] is None:
            roles["year"] = name
        elif n in GROUP and roles["benchmark_group"] is None:
            roles["benchmark_group"] = name
    if mapping and any(s["role"] in ("value", "base") for s in mapping.columns.values()):
        return roles
    taken = {v for k, v in roles.items() if isinstance(v, str)}
    plain = [n for n in names if n not in taken]
    stems: dict[str, dict[str, str]] = {}  # folded stem -> {"value": column, "base": column, "plain": column}
    for name in plain:
        stem, kind = split_suffix(name)
        stems.setdefault(_norm(stem), {}).setdefault(kind or "plain", name)
    for name in plain:  # "X_base" / "X n" / "X (n)" beside "X_rate", "X %", "X (%)" or "X"
        stem, kind = split_suffix(name)
        if kind != "base":
            continue
        found = stems[_norm(stem)]
        value_col = found.get("value") or found.get("plain")
        if value_col:
            measure = split_suffix(value_col)[0] if value_col != found.get("plain") else value_col
            roles["values"][measure] = value_col
            roles["bases"][measure] = name
    paired = set(roles["values"].values()) | set(roles["bases"].values())
    for name in plain:  # a rate without a base of its own ("Physical_public_rate", "Burned out %")
        stem, kind = split_suffix(name)
        if kind == "value" and name not in paired and stem not in roles["values"]:
            roles["values"][stem] = name
    return roles


def detect(source: Source, bank: QuestionBank, mapping: ColumnMapping | None = None) -> str | None:
    for sheet in first_sheets(source)[:5]:
        head = source.rows(sheet, limit=40)
        h = find_header_row(head)
        if h is None and not (mapping and mapping.header_row):
            continue
        if mapping and mapping.header_row:
            h = mapping.header_row - 1
        names = [cell_text(v) for v in head[h] if cell_text(v)]
        roles = _roles(names, mapping)
        if roles["org_id"] or roles["org_name"]:
            if roles["values"]:
                return f"organisation and rate columns ({len(roles['values'])} with a rate or base) on '{sheet}'"
            if _has_vocabulary_measure(names, roles, bank):
                return f"organisation columns and survey measures named in the vocabulary on '{sheet}'"
    return None


def read_organisation_table(source: Source, bank: QuestionBank, *, mapping: ColumnMapping | None = None,
                            ask_year=None, progress: Progress | None = None) -> SurveyData:
    frames, attributes, warnings, measures_found, sheets = [], [], [], {}, []
    context: dict[str, str] = {}
    weighting_stated = False
    for sheet in first_sheets(source):
        head = source.rows(sheet, limit=40)
        h = mapping.header_row - 1 if mapping and mapping.header_row else find_header_row(head)
        if h is None:
            continue
        names = [cell_text(v) for v in head[h]]
        roles = _roles([n for n in names if n], mapping)
        if not (roles["org_id"] or roles["org_name"]) or not (roles["values"] or _has_vocabulary_measure(names, roles, bank)):
            continue
        if progress:
            progress(0.2, f"Reading {sheet}")
        table = read_table(source, sheet, h)
        if roles["year"]:
            years = pd.to_numeric(table[roles["year"]], errors="coerce")
        else:
            year = (mapping.year if mapping else None) or _one_year(sheet) or _one_year(source.path.stem)
            if year is None and ask_year is not None:
                year = ask_year(source.name, sheet)
            if year is None:
                raise YearUnknown(source.path, sheet)
            years = pd.Series(float(year), index=table.index)
        keep = years.between(2000, 2100)
        if not keep.all():
            warnings.append(f"'{sheet}': {int((~keep).sum())} row(s) without a survey year were skipped.")
        table, years = table.loc[keep].reset_index(drop=True), years[keep].astype(int).reset_index(drop=True)
        text = lambda col: table[col].map(cell_text).to_numpy(dtype=object) if col else np.full(len(table), "", dtype=object)  # noqa: E731
        org_id, org_name, group = text(roles["org_id"]), text(roles["org_name"]), text(roles["benchmark_group"])
        if not roles["org_id"]:
            org_id = org_name
        if not roles["org_name"]:
            org_name = org_id
        latest = int(years.max()) if len(years) else bank.years[-1]
        plan = _plan(table, roles, bank, latest)
        warnings += [f"'{sheet}': {w}" for w in plan["warnings"]]
        weighted = np.zeros(len(table), dtype=bool)
        weighting_stated = weighting_stated or bool(plan["weighting"])
        if plan["weighting"]:
            weighted = np.array([_is_weighted(cell_text(v)) for v in table[plan["weighting"]]], dtype=bool)
        respondents = to_numbers(table[plan["respondents"]])[0] if plan["respondents"] else None
        parts = []
        rescale, unsure = _proportion_columns(table, plan)
        if rescale and unsure:
            warnings.append(f"'{sheet}': some rates look like proportions (0-1) and some like percentages; "
                            f"{_some(sorted(rescale))} were read as proportions, {_some(sorted(unsure))} as percentages.")
        elif unsure:
            warnings.append(f"'{sheet}': {_some(sorted(unsure))} hold values between 0 and 1 only; they were read as "
                            "percentages like the file's other rates (0.8 = 0.8 %), not as proportions.")
        for measure_name, (value_col, match) in plan["measures"].items():
            values, reasons = to_numbers(table[value_col])
            base_col = roles["bases"].get(measure_name)
            if base_col:
                n = to_numbers(table[base_col])[0]
            elif respondents is not None:  # no base of its own: the organisation's respondents (an upper bound)
                n = respondents
            else:
                n = np.full(len(table), np.nan)
            measure, unit, label = match.measure or measure_name, match.unit, match.label or measure_name
            if match.kind == "measure":
                label = bank.item(measure).short if measure in bank.items else bank.score(measure).name
            if unit == "%" and value_col in rescale:
                values = np.round(values * 100.0, 10)  # proportions as percentages, without float dust
            measures_found[measure_name] = f"{measure} ({match.how})" if match.kind != "own" else measure
            parts.append(pd.DataFrame({
                "year": years.to_numpy(), "org_id": org_id, "org_name": org_name, "benchmark_group": group,
                "breakdown": "", "group": "", "measure": measure, "code": measure_name, "label": label, "option": "",
                "value": values, "unit": unit, "n": n, "weighted": weighted, "vintage": "", "missing_reason": reasons,
                "sig": "",
            }))
        if not parts:
            continue
        frames.append(pd.concat(parts, ignore_index=True))
        attributes.append(_attributes(table, years, org_id, group, plan))
        context.update(plan["context"])
        sheets.append(sheet)
    if not frames:
        raise ReadError(source.path, "no sheet has an organisation column and measure columns with their bases")
    long = concat_aggregates(frames)
    former = _former_names(long)
    long = _latest_names(long)
    attrs = pd.concat(attributes, ignore_index=True).drop_duplicates(["org_id", "year"], keep="last")
    if progress:
        progress(1.0, "Done")
    return SurveyData(
        kind="organisation_table",
        provenance=Provenance(path=str(source.path), kind="organisation_table", sheets=tuple(sheets)),
        aggregates=long[list(AGGREGATE_COLUMNS)],
        warnings=tuple(dict.fromkeys(warnings)),
        details={"measures": measures_found, "organisation attributes": context, "former names": former,
                 "weighting stated": weighting_stated},
        org_attributes=attrs.reset_index(drop=True),
    )


PERCENT_NAME = re.compile(r"%|\bpct\b|\bper ?cent\b|percentage", re.IGNORECASE)


def _proportion_columns(table: pd.DataFrame, plan: dict) -> tuple[set[str], set[str]]:
    """The % columns written as proportions (0-1), decided for the file, not column by column: a rare
    harm of 0.8 % in a table of percentages must not become 80 %. A column is read as proportions
    when all its values are within 0-1, its name does not say per cent, and most of the file's rate
    columns are within 0-1 too (a table is written one way; a few columns over 1 are percentages,
    e.g. a response rate); when every rate is within 0-1, all are proportions (an Excel cell shown as
    "28.0%" holds 0.28), whatever their names say. Returns (columns read as proportions, columns within
    0-1 read as percentages)."""
    maxima = {}
    for _, (col, match) in plan["measures"].items():
        if match.unit != "%":
            continue
        values = to_numbers(table[col])[0]
        finite = values[np.isfinite(values)]
        if len(finite):
            maxima[col] = float(np.abs(finite).max())
    signed = {c for c in maxima if percent_signed(table[c])}  # "0.8%" written out: a percentage, whatever else
    if maxima and all(m <= 1.0 for c, m in maxima.items() if c not in signed) and len(signed) < len(maxima):
        # every rate within 0-1: a table of proportions (Excel's "0.0%" cells are stored so), names with "%" too
        return {c for c in maxima if c not in signed}, set()
    small = {c for c, m in maxima.items() if m <= 1.0 and not PERCENT_NAME.search(c) and c not in signed}
    if len(small) * 2 > len(maxima):
        return small, {c for c in maxima if c not in small and maxima[c] <= 1.0}
    return set(), small


def _some(names: list[str], shown: int = 4) -> str:
    return ", ".join(f"'{n}'" for n in names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _has_vocabulary_measure(names: list[str], roles: dict, bank: QuestionBank) -> bool:
    taken = {v for k, v in roles.items() if isinstance(v, str)}
    return any(vocabulary().measure(n, bank) is not None for n in names if n and n not in taken)


def _is_weighted(text: str) -> bool:
    """The file's Weighting column: "Occupation Group" (weighted) or "Unweighted" / blank / "No"."""
    t = text.strip().lower()
    return bool(t) and t not in UNWEIGHTED


def _plan(table: pd.DataFrame, roles: dict, bank: QuestionBank, year: int) -> dict:
    """What every column is: a measure (tied to the bank by the vocabulary, or the file's own), the
    weighting, the respondents, or organisation context (text attributes such as Region; numbers such
    as % female) — composition is context, never a result."""
    vocab = vocabulary()
    plan = {"measures": {}, "weighting": None, "respondents": None, "text": [], "numbers": [], "context": {},
            "warnings": []}
    taken = {v for k, v in roles.items() if isinstance(v, str)} | set(roles["bases"].values())
    for measure_name, col in roles["values"].items():
        suffix = VALUE_SUFFIX.match(col)
        unit = "score" if suffix and col.lower().endswith("score") else ("%" if suffix else None)
        match = _tie(vocab, (col, measure_name), bank, year, unit, to_numbers(table[col])[0])
        if match is None and (vocab.is_composition(measure_name) or vocab.is_context(measure_name)):
            plan["numbers"].append(col)
            plan["context"][col] = ("workforce composition (context, not a survey result)" if vocab.is_composition(measure_name)
                                    else "a number about the organisation (context, not a survey result)")
            taken.add(col)
            continue
        if match is None:
            match = _own(measure_name, unit)
        plan["measures"][measure_name] = (col, match)
        taken.add(col)
    for col in table.columns:
        if col in taken or not col:
            continue
        if _norm(col) in WEIGHTING and plan["weighting"] is None:
            plan["weighting"] = col
            plan["context"][col] = "the file's weighting (sets weighted on its figures)"
            continue
        numbers, _ = to_numbers(table[col])
        filled = table[col].map(lambda v: bool(cell_text(v))).to_numpy()
        numeric = filled.any() and np.isfinite(numbers[filled]).mean() >= 0.8
        if not numeric:
            plan["text"].append(col)
            plan["context"][col] = "organisation attribute (filters and compare-by)"
            continue
        if vocab.is_respondents(col) and plan["respondents"] is None:
            plan["respondents"] = col
            plan["numbers"].append(col)
            plan["context"][col] = "respondents (the base where a measure has none of its own)"
            continue
        match = _tie(vocab, (col,), bank, year, None, numbers)
        if match is not None and match.kind == "measure":
            plan["measures"][col] = (col, match)
            continue
        if vocab.names_a_topic(col) and not vocab.is_composition(col) and not vocab.is_context(col):
            # a survey result the vocabulary does not tie (or must not: a change, a subgroup's): its own name
            plan["measures"][col] = (col, _own(col, _unit_of(numbers)))
            continue
        plan["numbers"].append(col)
        plan["context"][col] = ("workforce composition (context, not a survey result)" if vocab.is_composition(col)
                                else "a number about the organisation (context, not a survey result)")
    _one_column_per_measure(plan)
    return plan


STRENGTH = ("bank id", "question code", "score name", "question '", "name '", "words")


def _one_column_per_measure(plan: dict) -> None:
    """Two columns tied to one bank measure (``q14c`` and ``bullying_colleagues_rate``): the surer match
    keeps it (an id or code before a name, a name before words); the other keeps its own name."""

    def strength(how: str) -> int:
        return next((i for i, s in enumerate(STRENGTH) if how.startswith(s)), len(STRENGTH))

    owners: dict[str, tuple[int, str]] = {}
    for name, (col, match) in plan["measures"].items():
        if match.kind == "own":
            continue
        rank = strength(match.how)
        if match.measure not in owners or rank < owners[match.measure][0]:
            owners[match.measure] = (rank, name)
    for name, (col, match) in list(plan["measures"].items()):
        if match.kind != "own" and owners[match.measure][1] != name:
            plan["measures"][name] = (col, _own(name, match.unit))
            plan["warnings"].append(f"'{col}' also looks like {match.measure}, which '{plan['measures'][owners[match.measure][1]][0]}' "
                                    "already gives: it is kept under its own name.")


def _tie(vocab, names: tuple[str, ...], bank: QuestionBank, year: int, unit: str | None, numbers: np.ndarray):
    """The bank measure a column is, trying its names in turn. A column that does not say its unit is a
    percentage if any value is over 10, else a 0-10 score is tried first ("Thinking of leaving" holding
    6.8 is the sub-score, not 6.8 % who often think of leaving)."""
    if unit is None:
        unit = _unit_of(numbers)
    for u in ((unit,) if unit else ("score", "%")):
        for name in names:
            match = vocab.measure(name, bank, year, u)
            if match is not None:
                return match
    return None


def _own(name: str, unit: str | None) -> Match:
    """A measure kept under the file's own name (not tied to the question bank)."""
    return Match("own", name, "own name", unit or "%", name)


def _unit_of(numbers: np.ndarray) -> str | None:
    """A plain column's unit from its values: above 10 it is a percentage; otherwise undecided."""
    finite = numbers[np.isfinite(numbers)]
    return "%" if len(finite) and finite.max() > 10.5 else None


def _attributes(table: pd.DataFrame, years: pd.Series, org_id: np.ndarray, group: np.ndarray, plan: dict) -> pd.DataFrame:
    out = {"org_id": org_id, "year": years.to_numpy()}
    if group.any():
        out["Benchmarking group"] = group
    for col in plan["text"]:
        out[col] = table[col].map(cell_text).to_numpy(dtype=object)
    if plan["weighting"]:
        out["Weighting"] = table[plan["weighting"]].map(cell_text).to_numpy(dtype=object)
    for col in plan["numbers"]:
        numbers = to_numbers(table[col])[0]
        if plan["context"].get(col, "").startswith("workforce") and np.nanmax(np.append(numbers, 0)) <= 1.0:
            numbers = np.round(numbers * 100.0, 10)  # composition as a percentage, like the figures
        out[col] = numbers
    return pd.DataFrame(out)


def _latest_names(long: pd.DataFrame) -> pd.DataFrame:
    """One name per organisation code: the name in its latest year (trusts merge and rename)."""
    pairs = long[["org_id", "org_name", "year"]].astype({"org_id": str, "org_name": str})
    pairs = pairs[pairs["org_name"] != ""].sort_values("year", kind="stable")
    latest = pairs.drop_duplicates("org_id", keep="last").set_index("org_id")["org_name"]
    if len(latest) == 0:
        return long
    ids = long["org_id"].astype(str)
    names = ids.map(latest).fillna(long["org_name"].astype(str))
    long = long.copy()
    long["org_name"] = pd.Categorical(names)
    return long


def _former_names(long: pd.DataFrame) -> dict[str, list[str]]:
    """Names an organisation had before its latest (found by code), so it can still be chosen by them."""
    pairs = long[["org_id", "org_name"]].astype(str).drop_duplicates()
    out: dict[str, list[str]] = {}
    for org_id, name in pairs.itertuples(index=False):
        if name and name != org_id:
            out.setdefault(org_id, []).append(name)
    return {k: v for k, v in out.items() if len(v) > 1}


def _one_year(text: str) -> int | None:
    years = set(YEAR_IN_TEXT.findall(text or ""))
    return int(years.pop()) if len(years) == 1 else None
