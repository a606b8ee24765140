"""The built-in demo: the FICTIONAL Northshire Hospitals NHS Foundation Trust, 2021-2025.

The fast form (gzipped CSV per year, each in that year's own numbering) is what the app opens at
start-up; the xlsx files beside it are realistic examples for the readers. ``generate.py`` makes
them all from a fixed seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from explorer.core.questionbank import QuestionBank, load_bank
from explorer.core.surveydata import LocalQuestion, Provenance, SurveyData, combine_years, harmonise_year
from explorer.paths import demo_dir
from explorer.readers.columns import classify_by_code, next_local_id

TRUST_NAME = "Northshire Hospitals NHS Foundation Trust"
DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)
BREAKDOWNS = ("Directorate", "Site", "Staff group")
RESPONDENT_CSV = "northshire_respondents_{year}.csv.gz"
RESPONDENT_XLSX = "Northshire-respondents-2024-2025.xlsx"
BENCHMARK_XLSX = "NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx"
FICTIONAL_NOTE = "Demo data: Northshire Hospitals NHS Foundation Trust is fictional; every number is invented."

Progress = Callable[[float, str], None]


def demo_files() -> dict[str, Path]:
    d = demo_dir()
    files = {f"respondents_{y}": d / RESPONDENT_CSV.format(year=y) for y in DEMO_YEARS}
    files["respondents_xlsx"] = d / RESPONDENT_XLSX
    files["benchmark_xlsx"] = d / BENCHMARK_XLSX
    return files


def read_demo_year(year: int) -> pd.DataFrame:
    """One demo year exactly as stored (codes, blanks = no answer)."""
    path = demo_dir() / RESPONDENT_CSV.format(year=year)
    head = pd.read_csv(path, nrows=0).columns
    dtypes = {c: "Int8" for c in head}
    dtypes.update({"respondent_id": "string", "weight": "float64", **{b: "category" for b in BREAKDOWNS}})
    return pd.read_csv(path, dtype=dtypes)


def load_demo(progress: Progress | None = None, bank: QuestionBank | None = None) -> SurveyData:
    """The demo's respondent-level results for 2021-2025 as one :class:`SurveyData`."""
    bank = bank or load_bank()
    frames, locals_by_label = [], {}
    for i, year in enumerate(DEMO_YEARS):
        if progress:
            progress(i / len(DEMO_YEARS), f"Reading demo {year}")
        raw = read_demo_year(year)
        plan = classify_by_code(list(raw.columns), year, bank)
        local_cols = {}
        for col in raw.columns:
            if col in plan.questions or col in BREAKDOWNS or col == plan.weight or col in plan.ignored:
                continue
            if col not in locals_by_label:
                locals_by_label[col] = next_local_id(set(locals_by_label.values()))
            local_cols[col] = locals_by_label[col]
        frames.append(harmonise_year(raw, year, bank, plan.questions, BREAKDOWNS, local_cols, plan.weight))
    table = combine_years(frames, bank)
    local_questions = {}
    for label, lid in locals_by_label.items():
        years = tuple(int(y) for y in sorted(table.loc[table[lid].notna(), "year"].unique()))
        codes = tuple(int(c) for c in sorted(table[lid].dropna().unique()))
        local_questions[lid] = LocalQuestion(id=lid, label=label, years=years, codes=codes)
    if progress:
        progress(1.0, "Demo loaded")
    return SurveyData(
        kind="respondents",
        provenance=Provenance(path=str(demo_dir()), kind="respondents", sheets=tuple(str(y) for y in DEMO_YEARS),
                              description=FICTIONAL_NOTE),
        respondents=table,
        breakdowns=BREAKDOWNS,
        local_questions=local_questions,
        organisation=TRUST_NAME,
    )
