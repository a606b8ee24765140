"""Published (aggregate) data: the file's own figures pass through with their n, release and any
significance flag of their own; the workbook is its own benchmark."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from explorer.core import disclosure as D
from explorer.core.disclosure import published
from explorer.core.engine import assemble, orgscope
from explorer.core.engine.changes import changes
from explorer.core.engine.comparators import benchmark_columns, comparators, match_org, ranks
from explorer.core.engine.measures import measures_for
from explorer.core.questionbank import QuestionBank
from explorer.core.results import COLUMNS, ORGANISATION_GROUP, Results
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec


def compute(data: SurveyData, spec: ViewSpec, bank: QuestionBank) -> Results:
    table = data.aggregates
    shown_years = assemble.years(spec, data.years)
    measures = measures_for(spec, data, bank)
    sc = orgscope.scope(data, spec)  # refuses a filter or compare-by the file cannot honour
    real = orgscope.organisations(data)  # not the national or organisation-type rows of a detailed ZIP
    n_orgs = len(real)
    by_measure = {m.id: m for m in measures}
    info = assemble.dataset_info(data)
    if data.details.get("weighting stated") is False:  # an organisation table without a Weighting column
        info["weighting_stated"] = False
    wanted = table[table["measure"].astype(str).isin(list(by_measure))]
    if spec.organisation:
        ours = _our_rows(data, spec.organisation)
    elif n_orgs == 1:
        ours = table[table["org_id"].astype(str) == real[0]]
    elif sc.filtered or sc.by_attribute:
        ours = None  # the subject is the median organisation of the selection
    else:
        columns = orgscope.attribute_columns(data)[:3]
        raise SpecError(f"This file holds {n_orgs} organisations: choose yours (its code or name)" +
                        (f", or filter or compare organisations by {' or '.join(columns)} to see their median."
                         if columns else "."))
    if ours is not None:
        org_id = str(ours["org_id"].iloc[0])
        group_name = str(ours["benchmark_group"].iloc[0])
        info["organisation"] = str(ours["org_name"].iloc[0]) or org_id
        context = _context(data, org_id)
        if context:
            info["organisation_context"] = context  # workforce composition etc.: context, never results
        sel = _subject(wanted[wanted["org_id"].astype(str) == org_id], sc)
    else:
        org_id, group_name = None, ""
        kept = sc.orgs["org_id"].astype(str).nunique()
        info["organisation"] = f"Median of {kept} organisation{'s' if kept != 1 else ''}" + \
            (f" where {sc.describe}" if sc.describe else "")
        info["subject"] = "Median organisation"  # what the whole-selection rows are
        sel = _median_rows(_subject(wanted, sc, keep_orgs=True), sc.orgs, None, data, spec)
    info["benchmark_group"] = spec.benchmark_group or group_name  # the band's and the ranks' group
    one_group = []
    for column in sc.by_attribute:  # groups of organisations: each group's median organisation
        groups = _median_rows(_subject(wanted, sc, keep_orgs=True), sc.orgs, column, data, spec)
        if ours is None and groups["group"].nunique() == 1:  # the one group is the whole selection: not twice
            one_group.append(f"Every organisation shown is in one {column} group ({groups['group'].iloc[0]}), so "
                             "its figures are those of the whole selection.")
            continue
        sel = pd.concat([sel, groups], ignore_index=True)
    for column in sc.by_breakdown:  # the file's own groups: this organisation's, or none to show
        if not (sel["breakdown"].astype(str) == column).any():
            whose = info["organisation"] if ours is not None else "organisations"
            raise SpecError(f"The file has no figures by {column} for {whose}: compare by another of its columns, "
                            "or by none.")
    if ours is not None and sc.filtered and not sc.by_attribute:  # us beside the selection's median
        median = _median_rows(_subject(wanted, sc, keep_orgs=True), sc.orgs, None, data, spec)
        sel = pd.concat([sel, median.assign(breakdown="Organisations", group=f"Median where {sc.describe}")],
                        ignore_index=True)
    frame = pd.DataFrame([r for r in (_row(rec, by_measure, spec) for rec in sel.itertuples(index=False)) if r])
    notes = assemble.method_notes(spec, False, published=True)
    # the filter chose the organisations compared; our own figures are not filtered
    described = spec.filter.describe() if spec.filter is not None and ours is None else ""
    if frame.empty:
        reason = ("None of the chosen measures is in this file" +
                  (f" for {info['organisation']}." if ours is not None else " for these organisations."))
        return Results(table=assemble.order(frame, measures), spec=spec, dataset=info, notes=tuple(notes),
                       empty_reason=reason, filter_description=described)
    frame["group"] = np.where(frame["_total"], ORGANISATION_GROUP, frame["group_1"])
    frame["weighted"] = frame["_weighted"]
    frame = published.apply(frame, spec.threshold, spec.local_rule)
    source = frame["_source_reason"].astype(str)
    missing = frame["value"].isna() & ~frame["suppressed"] & (source != "")
    frame.loc[missing, "suppressed"] = True
    frame.loc[missing, "suppression_reason"] = source[missing]
    frame = _changes(frame, bank, data.years)
    frame = comparators(frame, spec, bank, None)
    if data.kind == "benchmark_workbook" and org_id is not None:  # the workbook is its own benchmark
        frame = benchmark_columns(frame, spec.with_(organisation=org_id, benchmark_group=spec.benchmark_group or group_name),
                                  bank, data,
                                  as_comparator=spec.comparator == "benchmark")
        frame = ranks(frame, data, spec.benchmark_group or group_name, bank, spec.threshold, spec.local_rule)
    frame["vintage"] = frame["_vintage"]
    frame = frame[frame["year"].isin(shown_years)]
    frame = assemble.order(published.drop_private(frame), measures)
    notes = assemble.method_notes(spec, bool(frame["weighted"].any()) if len(frame) else False, published=True)
    derived = data.details.get("derived", {})  # % positive the reader worked out: not printed in the file
    shown: dict[str, dict] = {}
    for m, label, stat in zip(frame["measure"], frame["label"], frame["statistic"]):
        if m in derived and stat == "positive":
            shown.setdefault(derived[m], {})[label] = None
    notes += [f"{how}: {', '.join(labels)}." for how, labels in shown.items()]
    notes += one_group
    absent = [by_measure[m].label for m in spec.measures if m in by_measure and m not in set(frame["measure"].astype(str))]
    if absent:  # named on purpose, so said: never dropped silently
        notes.insert(0, f"Not in this file for this selection: {', '.join(absent)}.")
    if ours is None or sc.by_attribute or sc.filtered:
        notes.append(f"A figure for organisations together is the median organisation's (each organisation's figure on "
                     f"fewer than {spec.threshold} responses left out); its n is their responses added up.")
    return Results(table=frame, spec=spec, dataset=info, notes=tuple(notes), filter_description=described)


def _our_rows(data: SurveyData, organisation: str) -> pd.DataFrame:
    """The chosen organisation's rows, by code, latest name or a name it had in an earlier year."""
    table = data.aggregates
    ours = match_org(table, organisation)
    if not ours.empty:
        return ours
    wanted = organisation.strip().casefold()
    for org_id, names in (data.details.get("former names") or {}).items():
        if wanted in {n.casefold() for n in names}:
            return table[table["org_id"].astype(str) == org_id]
    import difflib

    names = {str(n).casefold(): str(n) for n in table["org_name"].astype(str).unique() if str(n)}
    names.update({str(i).casefold(): str(i) for i in table["org_id"].astype(str).unique() if str(i)})
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    if not close:  # "Trust 5" for "Trust 5 NHS Trust": a name it is part of, when only one is
        containing = [n for n in names if wanted and wanted in n]
        close = containing if len(containing) == 1 else []
    hint = f" (did you mean '{names[close[0]]}'?)" if close else ""
    raise SpecError(f"There is no organisation '{organisation}' in this file{hint}.")


def _subject(rows: pd.DataFrame, sc: orgscope.Scope, keep_orgs: bool = False) -> pd.DataFrame:
    """The figures a view shows from ``rows``: whole-organisation ones (or, under a filter on one of the
    file's own groups, that group's, as the subject) and the groups of the file's breakdown compared by."""
    breakdown = rows["breakdown"].astype(str)
    if sc.group_filter:
        column, group = sc.group_filter
        subject = rows[(breakdown == column) & (rows["group"].astype(str) == group)].copy()
        subject["breakdown"], subject["group"] = "", ""
    else:
        subject = rows[breakdown == ""]
    if sc.by_breakdown and not keep_orgs:
        subject = pd.concat([subject, rows[breakdown.isin(set(sc.by_breakdown))]], ignore_index=True)
    return subject


def _median_rows(rows: pd.DataFrame, orgs: pd.DataFrame, by: str | None, data: SurveyData, spec: ViewSpec) -> pd.DataFrame:
    """Median-organisation figures as rows shaped like the file's (see :func:`orgscope.medians`)."""
    rows = rows[rows["option"].astype(str) == ""]
    med = orgscope.medians(rows, orgs, by, orgscope.attributes(data), spec.threshold, spec.local_rule)
    return pd.DataFrame({
        "year": med["year"].astype(int), "org_id": "", "org_name": "", "benchmark_group": "",
        "breakdown": by or "", "group": med[by].astype(str) if by else "", "measure": med["measure"].astype(str),
        "code": med["code"], "label": med["label"], "option": "", "value": med["value"].astype(float),
        "unit": med["unit"], "n": med["n"].astype(float), "weighted": med["weighted"].astype(bool),
        "vintage": med["vintage"], "missing_reason": "", "sig": "",
    })


def _context(data: SurveyData, org_id: str) -> dict:
    """The organisation's numeric attributes in its latest year (e.g. % female): shown as context."""
    columns = orgscope.context_columns(data)
    if not columns:
        return {}
    attrs = orgscope.attributes(data)
    mine = attrs[attrs["org_id"].astype(str) == org_id].sort_values("year")
    if mine.empty:
        return {}
    last = mine.iloc[-1]
    from explorer.core.vocabulary import vocabulary

    units = {c: "%" if vocabulary().is_composition(re.sub(r"[ _](rate|pct|percent|%)$", "", c, flags=re.IGNORECASE))
             else "" for c in columns}
    return {"year": int(last["year"]), **{c: (None if pd.isna(last[c]) else float(last[c])) for c in columns},
            "units": units}


def _row(rec, by_measure: dict, spec: ViewSpec) -> dict | None:
    m = by_measure[str(rec.measure)]
    statistic = "options" if str(rec.option) else ("score" if str(rec.unit) == "score" else "positive")
    if statistic == "options" and "options" not in spec.statistics:
        return None
    total = str(rec.breakdown) == ""
    n = float(rec.n)
    value = float(rec.value)
    return {"measure": m.id, "code": str(rec.code), "label": m.label if m.kind != "own" else str(rec.label),
            "kind": m.kind, "lens": m.lens, "statistic": statistic, "option": str(rec.option), "year": int(rec.year),
            "group_1": "" if total else str(rec.group), "group_2": "", "_total": total,
            "breakdown": "" if total else str(rec.breakdown),
            "unit": "%" if statistic == "options" else str(rec.unit), "lower_is_better": m.lower_is_better,
            "value": value, "n": n,
            # no base in the file: its own suppression is all there is
            "_n": n if not math.isnan(n) else (np.inf if not math.isnan(value) else np.nan),
            "_positive": round(value * n / 100.0) if statistic == "positive" and not (math.isnan(n) or math.isnan(value))
            else np.nan,
            "_p": np.nan, "_sd": np.nan, "_sig": str(rec.sig), "_source_reason": str(rec.missing_reason),
            "_weighted": bool(rec.weighted), "_vintage": str(rec.vintage), "_g1": 0, "_g2": -1}


def _changes(frame: pd.DataFrame, bank: QuestionBank, years: tuple[int, ...]) -> pd.DataFrame:
    t = changes(frame, bank, years)
    # no test of our own on published figures: the file's own flag where it has one
    sig_text = t["_sig"].astype(str).str.lower()
    flagged = sig_text.str.contains("significant")
    negated = sig_text.str.contains(r"\b(?:not|no|non)[- ]?(?:statistically[- ])?significant", regex=True)
    t["significant"] = np.where(flagged, ~negated, None)
    t.loc[t["change"].isna(), "significant"] = None
    return t


def league(table_data: SurveyData, spec: ViewSpec, bank: QuestionBank, organisation: str | None = None) -> Results:
    """Every organisation of a benchmarking group, one row per organisation x measure x year, with its
    rank (1 = best, lower-is-better respected) among the figures that may be used: the Organisations
    page. ``table_data`` is published data (the file itself, or the benchmark workbook beside
    respondent data); "us" is ``spec.organisation`` (else ``organisation``); the group is
    ``spec.benchmark_group`` or ours. Figures on fewer than the threshold are withheld and unranked."""
    table = table_data.aggregates
    table = table[(table["breakdown"].astype(str) == "") & (table["option"].astype(str) == "")]
    info = assemble.dataset_info(table_data)
    ours = match_org(table, spec.organisation or organisation or "") if (spec.organisation or organisation) else table.iloc[:0]
    group = spec.benchmark_group or (str(ours["benchmark_group"].iloc[0]) if len(ours) else None)
    if group is None:
        groups = sorted({str(g) for g in table["benchmark_group"].unique() if str(g)})
        if len(groups) != 1:
            raise SpecError("Choose your organisation or a benchmarking group to rank organisations in.")
        group = groups[0]
    info["benchmark_group"] = group
    if table_data.details.get("weighting stated") is False:
        info["weighting_stated"] = False
    info["organisation"] = str(ours["org_name"].iloc[0]) if len(ours) else None
    our_id = str(ours["org_id"].iloc[0]) if len(ours) else None
    measures = measures_for(spec, table_data, bank)
    by_measure = {m.id: m for m in measures}
    years = assemble.years(spec, table_data.years)
    sel = table[(table["benchmark_group"].astype(str) == group) & table["measure"].astype(str).isin(list(by_measure))
                & table["year"].isin(years)]
    if spec.filter is not None:  # only the organisations the filter keeps (Region = London ...)
        sc = orgscope.scope(table_data, spec.with_(breakdown=()))
        if sc.group_filter:
            raise SpecError("Organisations are ranked on their whole-organisation figures: filter them by their "
                            f"attributes ({', '.join(orgscope.attribute_columns(table_data))}), not by a group of staff.")
        kept = set(zip(sc.orgs["org_id"].astype(str), sc.orgs["year"].astype(int)))
        sel = sel[[(str(o), int(y)) in kept for o, y in zip(sel["org_id"], sel["year"])]]
    if sel.empty:
        reason = f"No organisation in {group or 'the file'} has a figure for the chosen measure in these years."
        return Results(table=pd.DataFrame(columns=[*COLUMNS, "org_id", "ours"]), spec=spec, dataset=info,
                       notes=(reason,), empty_reason=reason)
    n = sel["n"].astype(float).to_numpy()
    value = sel["value"].astype(float).to_numpy()
    small = published.withheld(sel, spec.threshold)
    local = published.withheld(sel, spec.threshold, spec.local_rule) & ~small
    withheld = small | local | np.isnan(value)
    source = sel["missing_reason"].astype(str).to_numpy()
    reason = np.where(np.isnan(value) & (source != ""), source,
                      np.where(small, f"fewer than {spec.threshold} responses",
                               np.where(local, D.reason_local(), np.where(withheld, "no figure in the file", ""))))
    lower = np.array([by_measure[str(m)].lower_is_better for m in sel["measure"]])
    frame = pd.DataFrame({
        "measure": sel["measure"].astype(str).to_numpy(), "code": sel["code"].astype(str).to_numpy(),
        "label": [by_measure[str(m)].label if by_measure[str(m)].kind != "own" else str(lab)
                  for m, lab in zip(sel["measure"], sel["label"])],
        "kind": [by_measure[str(m)].kind for m in sel["measure"]], "lens": spec.lens or "",
        "statistic": np.where(sel["unit"].astype(str) == "score", "score", "positive"), "option": "",
        "year": sel["year"].astype(int).to_numpy(), "breakdown": "Organisation",
        "group": sel["org_name"].astype(str).where(sel["org_name"].astype(str) != "", sel["org_id"].astype(str)).to_numpy(),
        "group_1": sel["org_name"].astype(str).to_numpy(), "group_2": "",
        "value": np.where(withheld, np.nan, value), "unit": sel["unit"].astype(str).to_numpy(),
        "n": np.where(withheld, np.nan, n), "weighted": sel["weighted"].astype(bool).to_numpy(),
        "suppressed": withheld, "suppression_reason": reason, "lower_is_better": lower,
        "org_id": sel["org_id"].astype(str).to_numpy(),
        "vintage": sel["vintage"].astype(str).to_numpy(),
    })
    frame["ours"] = frame["org_id"] == our_id if our_id is not None else False
    rank = np.full(len(frame), np.nan)
    size = np.full(len(frame), np.nan)
    for _, part in frame[~frame["suppressed"]].groupby(["measure", "year"], sort=False):
        if part["kind"].iloc[0] not in ("item", "score"):
            continue  # a file's own measure: which way is better is not known, so no rank (ordered by value)
        lower_better = bool(part["lower_is_better"].iloc[0])
        r = part["value"].rank(method="min", ascending=lower_better)
        rank[part.index] = r.to_numpy()
        size[part.index] = len(part)
    frame["rank"] = rank
    frame["rank_of"] = size
    position = {m.id: i for i, m in enumerate(measures)}
    frame["_m"] = frame["measure"].map(position)
    frame["_v"] = -frame["value"].astype(float)
    frame = frame.sort_values(["_m", "year", "suppressed", "rank", "_v", "group"], kind="stable").drop(columns=["_m", "_v"])
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = np.nan if col not in ("comparator", "significant", "comparator_significant",
                                               "significant_vs_rest", "previous_year") else None
    frame = frame[[*COLUMNS, "org_id", "ours"]].reset_index(drop=True)
    notes = (f"{'Organisations in ' + group if group else 'All organisations in the file'}, ranked 1 = best among "
             f"those with a figure on at least {spec.threshold} "
             "responses (lower is better where marked). Published figures, as the file gives them.",)
    return Results(table=frame, spec=spec, dataset=info, notes=notes)
