"""Comparisons: each group against the rest of the organisation, the chosen comparator, and
benchmark best / median / worst and rank from a published workbook."""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.core.disclosure import published
from explorer.core.engine.changes import lookup, p_values, unit_keys
from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec

BENCHMARK_COLUMNS = ("benchmark_best", "benchmark_median", "benchmark_worst")


def comparators(table: pd.DataFrame, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData | None) -> pd.DataFrame:
    n = len(table)
    added = {col: np.full(n, np.nan) for col in ("comparator_value", "comparator_difference", "vs_rest",
                                                  *BENCHMARK_COLUMNS, "rank", "rank_of")}
    added.update(comparator=np.full(n, spec.comparator, dtype=object), comparator_significant=np.full(n, None),
                 significant_vs_rest=np.full(n, None), vintage=np.full(n, "", dtype=object))
    t = pd.concat([table.drop(columns=[c for c in added if c in table.columns]),
                   pd.DataFrame(added, index=table.index)], axis=1)
    if t.empty:
        return t
    if "_rest_n" in t.columns and not t["_total"].to_numpy(dtype=bool).all():  # groups to set beside the rest
        t = _vs_rest(t, bank)
    if spec.comparator == "organisation":
        at = _organisation_row(t)
        org_value = np.where((at >= 0) & ~t["suppressed"].to_numpy(dtype=bool)[np.maximum(at, 0)],
                             t["value"].to_numpy(dtype=float)[np.maximum(at, 0)], np.nan)
        is_group = ~t["_total"].to_numpy(dtype=bool)
        t["comparator_value"] = np.where(is_group, org_value, np.nan)
        t["comparator_difference"] = t["value"] - t["comparator_value"]
        t["comparator_significant"] = np.where(is_group, t["significant_vs_rest"], None)
    elif spec.comparator == "last_year":
        t["comparator_value"] = t["value"] - t["change"]
        t["comparator_difference"] = t["change"]
        t["comparator_significant"] = t["significant"]
    if benchmark is not None:  # the band is drawn whenever a workbook is open; it is the comparator when chosen
        try:
            t = benchmark_columns(t, spec, bank, benchmark, as_comparator=spec.comparator == "benchmark")
        except SpecError:
            if spec.comparator == "benchmark":
                raise  # which group to compare with is not known: say so
    return t


def _organisation_row(t: pd.DataFrame) -> np.ndarray:
    """For each row, the index of its (filtered) organisation row in the same year, or -1."""
    _, org = unit_keys(t)
    total = t["_total"].to_numpy(dtype=bool)
    year = t["year"].to_numpy(dtype=np.int64)
    rows = np.flatnonzero(total)
    at = lookup(org[rows], year[rows], org, year)
    return np.where(at >= 0, rows[np.maximum(at, 0)], -1)


def _vs_rest(t: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    """Group minus the rest of the (filtered) organisation, where both are shown: the rest is a union
    of protected blocks, so it is 0 or at least the threshold."""
    at = _organisation_row(t)
    org_shown = (at >= 0) & ~t["suppressed"].to_numpy(dtype=bool)[np.maximum(at, 0)]
    ok = (~t["_total"].astype(bool) & ~t["suppressed"].astype(bool) & t["statistic"].isin(["positive", "score", "mean"])
          & (t["_rest_n"].fillna(0) > 0)).to_numpy() & org_shown
    sel = np.flatnonzero(ok)
    sig = t["significant_vs_rest"].to_numpy(dtype=object, copy=True)
    vs = t["vs_rest"].to_numpy(dtype=float, copy=True)
    statistic = t["statistic"].to_numpy()
    for stat in ("positive", "score", "mean"):
        s = sel[statistic[sel] == stat]
        if not len(s):
            continue
        cols = [t[c].to_numpy(dtype=float)[s] for c in ("_p", "_sd", "_n", "_rest_p", "_rest_sd", "_rest_n")]
        pv = p_values(stat, *cols)
        vs[s] = (cols[0] - cols[3]) * (100.0 if stat == "positive" else 1.0)
        for i, v in zip(s, pv):
            sig[i] = None if np.isnan(v) else bool(v < bank.unverified.alpha)
    t["vs_rest"] = vs
    t["significant_vs_rest"] = sig
    return t


def benchmark_columns(t: pd.DataFrame, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData,
                      as_comparator: bool = True) -> pd.DataFrame:
    is_row = t["statistic"].isin(["positive", "score"])
    if not is_row.any():  # answer shares, drivers: no band to draw
        return t
    stats, where, columns = _band(benchmark, spec, bank)
    if stats.empty:
        return t
    at = np.fromiter((where.get((m, y), -1) for m, y in zip(t["measure"].tolist(), t["year"].tolist())),
                     dtype=np.int64, count=len(t))
    off = ~is_row.to_numpy() | t["suppressed"].to_numpy(dtype=bool)
    for col in BENCHMARK_COLUMNS:
        t[col] = np.where((at >= 0) & ~off, columns[col][np.maximum(at, 0)], np.nan)
    if as_comparator:
        t["comparator_value"] = t["benchmark_median"]
        t["comparator_difference"] = t["value"] - t["benchmark_median"]
        t["comparator_significant"] = None
    t["vintage"] = benchmark.provenance.vintage or ""
    return t


def match_org(table: pd.DataFrame, organisation: str) -> pd.DataFrame:
    wanted = organisation.strip().casefold()
    ids = table["org_id"].astype(str).str.casefold()
    names = table["org_name"].astype(str).str.casefold()
    return table[(ids == wanted) | (names == wanted)]


def benchmark_stats(benchmark: SurveyData, spec: ViewSpec, bank: QuestionBank) -> pd.DataFrame:
    """Best, median and worst of the chosen benchmarking group per measure and year (whole orgs)."""
    return _band(benchmark, spec, bank)[0]


def _band(benchmark: SurveyData, spec: ViewSpec, bank: QuestionBank) -> tuple:
    """The group's statistics with a (measure, year) -> row lookup and their columns as arrays, kept on
    the workbook's data per group, threshold and rule: every view asks (230 ms each, and 7 ms for a
    per-view index, before)."""
    cache = benchmark.__dict__.setdefault("_benchmark_band", {})
    key = (spec.benchmark_group, spec.organisation, spec.threshold, spec.local_rule, bank.unverified.benchmark_average,
           id(bank))
    if key not in cache:
        stats = _benchmark_stats(benchmark, spec, bank)
        cache[key] = (stats, {(m, int(y)): i for i, (m, y) in enumerate(zip(stats["measure"], stats["year"]))},
                      {col: stats[col].to_numpy(dtype=float) for col in BENCHMARK_COLUMNS})
    return cache[key]


def _benchmark_stats(benchmark: SurveyData, spec: ViewSpec, bank: QuestionBank) -> pd.DataFrame:
    table = benchmark.aggregates
    table = table[(table["breakdown"].astype(str) == "") & (table["option"].astype(str) == "")]
    group = spec.benchmark_group
    if group is None and spec.organisation:
        ours = match_org(table, spec.organisation)
        if len(ours):
            group = str(ours["benchmark_group"].iloc[0])
    if group is None:
        groups = sorted({str(g) for g in table["benchmark_group"].unique() if str(g)})
        if len(groups) > 1:
            raise SpecError("The benchmark workbook has several benchmarking groups; choose yours (or your "
                            f"organisation): {', '.join(groups[:6])}{' ...' if len(groups) > 6 else ''}.")
        group = groups[0] if groups else None
    if group is not None:
        table = table[table["benchmark_group"].astype(str) == group]
    return _group_stats(published.usable(table, spec.threshold, spec.local_rule), bank)


def _group_stats(table: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    table = table[table["value"].notna()]
    if table.empty:
        return pd.DataFrame(columns=["measure", "year", *BENCHMARK_COLUMNS, "benchmark_orgs"])
    grouped = table.assign(measure=table["measure"].astype(str)).groupby(["measure", "year"], observed=True,
                                                                         sort=True)["value"]
    stats = grouped.agg(["min", "max", "median", "mean", "count"]).reset_index()
    lower = stats["measure"].map(lambda m: bank.items[m].lower_is_better if m in bank.items else False).astype(bool)
    mid = stats["median"] if bank.unverified.benchmark_average == "median" else stats["mean"]
    return pd.DataFrame({"measure": stats["measure"], "year": stats["year"].astype(int),
                         "benchmark_best": np.where(lower, stats["min"], stats["max"]), "benchmark_median": mid,
                         "benchmark_worst": np.where(lower, stats["max"], stats["min"]),
                         "benchmark_orgs": stats["count"].astype(int)})


def ranks(frame: pd.DataFrame, data: SurveyData, group: str, bank: QuestionBank, threshold: int,
          local_rule: bool = False) -> pd.DataFrame:
    """Our rank within our benchmarking group (1 = best), among figures that may be used."""
    table = data.aggregates
    table = table[(table["benchmark_group"].astype(str) == group) & (table["breakdown"].astype(str) == "")
                  & (table["option"].astype(str) == "")]
    table = published.usable(table, threshold, local_rule)
    grouped = {key: g["value"].dropna() for key, g in table.groupby(["measure", "year"], observed=True)}
    out_rank, out_of = [], []
    for m, y, value, suppressed in zip(frame["measure"], frame["year"], frame["value"], frame["suppressed"]):
        values = grouped.get((m, y))
        if values is None or suppressed or pd.isna(value):
            out_rank.append(np.nan)
            out_of.append(np.nan)
            continue
        lower = bank.items[m].lower_is_better if m in bank.items else False
        out_rank.append(float(((values < value) if lower else (values > value)).sum() + 1))
        out_of.append(float(len(values)))
    frame["rank"] = out_rank
    frame["rank_of"] = out_of
    return frame
