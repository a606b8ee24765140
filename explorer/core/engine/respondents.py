"""A view of respondent-level data: resolve it against the protected families, add up each
question's blocks, then changes, comparisons, drivers, order and notes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from explorer.core import disclosure as D
from explorer.core.disclosure import published
from explorer.core.engine import assemble, cells, drivers
from explorer.core.engine.changes import changes
from explorer.core.engine.comparators import comparators
from explorer.core.engine.measures import MeasureDef, measures_for
from explorer.core.engine.prepared import Prepared
from explorer.core.progress import Progress
from explorer.core.results import COLUMNS, ORGANISATION_GROUP, Results
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec


def resolve(prep: Prepared, spec: ViewSpec, years: tuple[int, ...]) -> cells.View:
    """The view's family (organisation or people), its resolved filter and compare-by columns."""
    org, people = prep.families()
    offered = org.columns + people.columns

    def column(name: str) -> str:
        return assemble.resolve_column(name, prep.data, prep.bank, offered)

    breakdown = tuple(column(c) for c in spec.breakdown)
    if len(set(breakdown)) != len(breakdown):
        raise SpecError("Compare by two different columns.")
    flt = spec.filter.map_columns(column) if spec.filter is not None else None
    used = list(dict.fromkeys(list(breakdown) + ([c for c, _, _ in flt.leaves()] if flt else [])))
    family_of = {c: D.ORGANISATION for c in org.columns} | {c: D.PEOPLE for c in people.columns}
    for c, values, _negated in (flt.leaves() if flt else []):
        family = org if family_of.get(c) == D.ORGANISATION else people
        if c in family.columns:
            known = set(family.categories[family.columns.index(c)]) | {family.pooled_name(c)}
            unknown = [v for v in values if v not in known]
            if unknown:
                raise SpecError(f"There is no {_name(prep, c)} '{unknown[0]}' in this file (the groups are: "
                                f"{', '.join(family.categories[family.columns.index(c)])}).")
    for c in used:
        if c not in family_of:
            why = people.left_out.get(c)
            if why:
                hint = " (use 'Ethnicity (WRES summary)' instead)" if c == "ethnicity" else ""
                raise SpecError(f"'{_name(prep, c)}' cannot be used to filter or compare by in this file: {why}{hint}.")
            raise SpecError(f"'{_name(prep, c)}' is not a column to filter or compare by (try one of: {', '.join(offered)}).")
    families = list(dict.fromkeys(family_of[c] for c in used))
    if len(families) > 1:
        a = next(c for c in used if family_of[c] == families[0])
        b = next(c for c in used if family_of[c] == families[1])
        raise SpecError(f"'{_name(prep, a)}' and '{_name(prep, b)}' cannot be used together in one view: figures by the "
                        "organisation's own columns and by equality columns, combined, could single out a small group. "
                        "Filter and compare by one kind at a time.")
    family = families[0] if families else D.ORGANISATION
    # weights are applied by block labels of the organisation's columns (Prepared.block_weights); an
    # equality-column view is unweighted: its groups' labels say nothing of the groups weights follow
    weighted = spec.weighted and family == D.ORGANISATION and prep.weight_columns() is not None
    return cells.View(family, flt, breakdown, years, spec.threshold, spec.local_rule, weighted)


def _weight_notes(prep: Prepared, spec: ViewSpec, view: cells.View) -> list[str]:
    if not spec.weighted or prep.weights is None:
        return []
    columns = prep.weight_columns()
    if columns is None:
        return ["Unweighted: the file's weights differ within the organisation's own groups, so weighting a "
                "combined group would tell who is in it."]
    if not view.weighted:
        return ["Unweighted: views by equality columns are not weighted, because the weights follow the "
                "organisation's groups and weighting by them would tell which of those groups people are in."]
    notes = []
    if columns:
        names = " x ".join(_name(prep, c) for c in columns)
        notes.append(f"The file's weights follow {names}: each group counts with its {names}'s weight, and a "
                     f"combined group that mixes them with the year's average weight (weights that differed inside "
                     f"a group would tell who is in it).")
    if prep.unusable_weights:
        notes.append(f"{prep.unusable_weights:,} respondent(s) have no usable weight (blank or negative) and count "
                     "with the weight of their group.")
    return notes


def _name(prep: Prepared, column: str) -> str:
    item = prep.bank.items.get(column)
    return item.short if item is not None else column


def statistics_for(m: MeasureDef, wanted: tuple[str, ...]) -> list[str]:
    if m.kind == "score":
        return ["score"] if "score" in wanted else []
    out = ["positive"] if ("positive" in wanted or "score" in wanted) else []
    return out + [s for s in ("options", "mean") if s in wanted]


def compute(prep: Prepared, spec: ViewSpec, benchmark: SurveyData | None = None,
            progress: Progress | None = None, audit: bool = False) -> Results:
    data, bank = prep.data, prep.bank
    if "drivers" in spec.statistics and spec.lens not in drivers.LENSES:
        raise SpecError("What moves with the outcome (drivers) is shown for the trust and morale lenses only.")
    if spec.comparator == "benchmark" and benchmark is None:
        raise SpecError("There is no benchmark workbook open to compare with; open one (summary --benchmark WORKBOOK).")
    shown = assemble.years(spec, prep.years)
    view = resolve(prep, spec, assemble.with_previous(shown, prep.years))
    measures = measures_for(spec, data, bank)
    notes: list[str] = []
    if spec.weighted and prep.weights is None:
        notes.append("The file has no weight column, so results are unweighted.")
    notes += _weight_notes(prep, spec, view)
    chunks: list[dict] = []
    ctx = cells.Context(prep, view, audit)
    absent = []
    for i, m in enumerate(measures):
        if progress is not None:
            progress(i / max(1, len(measures)), f"Working out {m.label}")
        if m.kind != "score" and prep.state(m) is None:
            if m.id in spec.measures:
                absent.append(m.label)  # named on purpose: said, never dropped silently
            continue
        for statistic in statistics_for(m, spec.statistics):
            chunks += cells.frame(ctx, m, statistic)
    table = _frame(chunks, view, audit)
    if view.filter is not None and any(ctx.family.pooled_name(c) in values for c, values, _ in view.filter.leaves()):
        table["_pooled"] = True  # a view of combined groups: its make-up differs from year to year
    table = changes(table, bank, prep.years)
    ours = spec if spec.organisation or not data.organisation else spec.with_(organisation=data.organisation)
    table = comparators(table, ours, bank, benchmark)
    if "drivers" in spec.statistics:
        if progress is not None:
            progress(0.95, "Working out what moves with the outcome")
        found = drivers.drivers(prep, spec, replace(view, years=shown))
        if not found.empty:
            table = pd.concat([table, found], ignore_index=True)
            notes.append(drivers.CAVEAT)
    table = table[table["year"].isin(shown)]
    if view.filter is not None:  # "no answers" would be untrue where answers exist but sit in combined groups
        vague = table["_total"].astype(bool) & (table["suppression_reason"] == D.reason_no_answers())
        table.loc[vague, "suppression_reason"] = D.reason_no_answers_shown()
    coarsened = [m.label for m in measures if (view.breakdown or view.filter is not None)
                 and (m.kind == "score" or prep.state(m) is not None)
                 and prep.partition(view.family, m, view.threshold, view.local).coarsened]
    table = assemble.order(published.drop_private(published.blank(table)), measures, keep=("audit",) if audit else ())
    table["suppressed"] = table["suppressed"].astype(bool)
    members = table.pop("audit").tolist() if audit and "audit" in table.columns else None
    if absent:
        notes.append(f"Not in this file: {', '.join(absent)}.")
    notes += _view_notes(prep, view, shown, table)
    notes += _partial_score_notes(prep, measures)
    if coarsened:
        notes.append(f"For {len(coarsened)} of these questions ({', '.join(coarsened[:3])}{', ...' if len(coarsened) > 3 else ''}) "
                     f"some groups have fewer than {spec.threshold} answers and are combined further, so a group's n "
                     "can be lower than its number of answers; the rest are counted in a combined group.")
    if view.filter is not None:  # said of every filtered view: saying it only where it happened would tell who exists
        notes.append("A filter keeps only groups it surely describes: people who match but are counted in a "
                     "combined group with others are left out (unless the filter names the combined group), so a "
                     "view never holds anyone its filter excludes.")
    notes += assemble.method_notes(spec, view.weighted)
    names = assemble.column_names(bank)
    info = assemble.dataset_info(data)
    org, people = prep.families()
    info["columns"] = {D.ORGANISATION: list(org.columns), D.PEOPLE: list(people.columns)}
    shown_any = bool((~table["suppressed"].astype(bool)).any()) if len(table) else False
    empty = "" if shown_any else _empty_reason(prep, spec, view, shown, table, ctx)
    if empty:
        notes.insert(0, empty)
        vague = table["suppression_reason"].isin([D.reason_no_answers(), D.reason_no_answers_shown()])
        table.loc[vague, "suppression_reason"] = empty
    extra: dict = {"respondents": _respondents(prep, ctx, shown, None),
                   # the names a combined group ("Other directorates (combined)") takes in the compare-by
                   # columns: a mix made for protection, which findings never single out
                   "combined_groups": tuple(ctx.family.pooled_name(c) for c in view.breakdown)}
    if members is not None:
        extra["members"] = members
        extra["respondent_members"] = {}
        _respondents(prep, ctx, shown, extra["respondent_members"])
    return Results(table=table, spec=spec, dataset=info, notes=tuple(dict.fromkeys(notes)),
                   filter_description=view.filter.describe(names) if view.filter is not None else "",
                   empty_reason=empty, extra=extra)


def _respondents(prep: Prepared, ctx: cells.Context, shown: tuple[int, ...], members: dict | None) -> dict:
    """Per shown year, how many respondents the view's selection holds (unweighted): a sum of whole
    protected groups, like every other figure, or None where the year is too small to show.
    ``members`` (tests) receives who they are, per year."""
    part, family = ctx.groups, ctx.family
    index = prep.index(family, part)
    block = part.block_of_leaf[family.leaf_of]
    sizes = np.bincount(block, minlength=part.size)
    chosen = ctx.select(part)
    out: dict = {}
    for year in shown:
        here = chosen & (index.year == year)
        out[year] = None if (here & ~part.ok).any() else int(sizes[here].sum())
        if members is not None:
            members[year] = np.flatnonzero(here[block]) if out[year] is not None else None
    return out


def _frame(chunks: list[dict], view: cells.View, audit: bool = False) -> pd.DataFrame:
    columns = cells.CHUNK + ("_key", "_org") + (("audit",) if audit else ())
    table = pd.DataFrame(cells.concatenate(chunks, columns)) if chunks else pd.DataFrame()
    if table.empty:
        table = pd.DataFrame(columns=list(COLUMNS) + ["_n", "_positive", "_total", "_p", "_sd", "_g1", "_g2", "_pooled"])
    for col in ("_rest_p", "_rest_n", "_rest_sd", "_pooled"):
        if col not in table.columns:
            table[col] = np.nan
    table["breakdown"] = np.where(table["_total"].astype(bool), "", " / ".join(view.breakdown))
    table["weighted"] = view.weighted
    return table


def _view_notes(prep: Prepared, view: cells.View, shown: tuple[int, ...], table: pd.DataFrame) -> list[str]:
    notes = []
    family = prep.family(view.family)
    groups = prep.groups(view.family, view.threshold).leaf_codes()
    used = list(dict.fromkeys(list(view.breakdown) + ([c for c, _, _ in view.filter.leaves()] if view.filter else [])))
    for column in used:
        whole: set[str] = set()
        combined = False
        for year in shown:
            values = family.pooled(year, groups).get(column)
            if values is not None:
                combined = True
                whole |= set(values)
        if combined:  # from the groups' labels only: who is inside a combined group is not said
            everyone = f"everyone of {', '.join(sorted(whole))} (where there are any) and " if whole else ""
            notes.append(f"To protect small groups, some respondents are counted in "
                         f"'{family.pooled_name(column)}' instead of their own {_name(prep, column)}: "
                         f"{everyone}people in small combinations with the other columns.")
    if len(prep.years) == 1:
        notes.append(f"The file holds one survey year ({prep.years[0]}), so there is no change since last year to show.")
    return notes


def _partial_score_notes(prep: Prepared, measures: list[MeasureDef]) -> list[str]:
    """Scores whose questions are not all in the file: made from those that are (as a blank column
    would be), which the reader must be told, since the official score uses them all."""
    notes = []
    for m in measures:
        if m.kind != "score":
            continue
        missing = prep.missing_items(m.id)
        if missing and len(missing) < len(prep.bank.score_items(m.id)):
            names = ", ".join(f"'{prep.bank.items[i].short}'" for i in missing)
            notes.append(f"{m.label} is worked out from the questions of it that this file holds: {names} "
                         f"{'is' if len(missing) == 1 else 'are'} not in the file, so it is not the official score "
                         "and may differ from published figures.")
    return notes


def _empty_reason(prep: Prepared, spec: ViewSpec, view: cells.View, shown: tuple[int, ...], table: pd.DataFrame,
                  ctx: cells.Context) -> str:
    """One sentence on why nothing is shown (a filter matching nobody, everything withheld...)."""
    names = assemble.column_names(prep.bank)
    if view.filter is not None:
        leaves = prep.index(ctx.family, ctx.groups)
        if not (np.isin(leaves.year, shown) & ctx.select(ctx.groups)).any():
            what = view.filter.describe(names)
            # the same sentence whether nobody matches or a few do: which it is would itself be a disclosure
            return (f"No figures can be shown where {what} in {_years_text(shown)}: nobody matches, or too few to "
                    f"show without revealing them (fewer than {spec.threshold}, or needed to protect a smaller group).")
    if table.empty:
        return "None of the chosen measures is in this file."
    reasons = table["suppression_reason"].astype(str)
    totals = reasons[table["group"] == ORGANISATION_GROUP]
    if len(totals) and (totals == D.REASON_YEAR_TOO_SMALL).all():
        return (f"Fewer than {spec.threshold} people responded in {_years_text(shown)}, so nothing can be shown "
                "without revealing them.")
    if (totals == D.reason_no_answers()).all() and len(totals):
        return f"No one in this selection answered the chosen questions in {_years_text(shown)}."
    if totals.isin([D.reason_no_answers(), D.reason_no_answers_shown()]).all() and len(totals):
        return (f"No answers to the chosen questions can be shown for this selection in {_years_text(shown)}: "
                "nobody answered them, or too few to show without revealing them.")
    return ("Every figure in this view is withheld to protect small groups; choose a wider selection or "
            "compare by fewer columns.")


def _years_text(shown: tuple[int, ...]) -> str:
    return ", ".join(map(str, shown))
