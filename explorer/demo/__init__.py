"""The built-in demo: the FICTIONAL Northshire Hospitals NHS Foundation Trust, 2021-2025.

The fast form (gzipped CSV per year, each in that year's own numbering) is what the app opens at
start-up, through the same respondent reader as any user's file; the xlsx files beside it are
realistic examples of the other layouts. ``generate.py`` makes them all from a fixed seed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank, load_bank
from explorer.core.surveydata import Provenance, SurveyData, merge_respondent_data
from explorer.paths import demo_dir

TRUST_NAME = "Northshire Hospitals NHS Foundation Trust"
DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)
BREAKDOWNS = ("Directorate", "Site", "Staff group")
RESPONDENT_CSV = "northshire_respondents_{year}.csv.gz"
RESPONDENT_XLSX = "Northshire-respondents-2024-2025.xlsx"
BENCHMARK_XLSX = "NSS-Benchmark-report-excel-data-for-2021-2025-DEMO.xlsx"
FICTIONAL_NOTE = "Demo data: Northshire Hospitals NHS Foundation Trust is fictional; every number is invented."


def demo_files() -> dict[str, Path]:
    d = demo_dir()
    files = {f"respondents_{y}": d / RESPONDENT_CSV.format(year=y) for y in DEMO_YEARS}
    files["respondents_xlsx"] = d / RESPONDENT_XLSX
    files["benchmark_xlsx"] = d / BENCHMARK_XLSX
    return files


def read_demo_year(year: int) -> pd.DataFrame:
    """One demo year exactly as stored (codes, blanks = no answer): for tests and the generator."""
    path = demo_dir() / RESPONDENT_CSV.format(year=year)
    head = pd.read_csv(path, nrows=0).columns
    dtypes = {c: "Int8" for c in head}
    dtypes.update({"respondent_id": "string", "weight": "float64", **{b: "category" for b in BREAKDOWNS}})
    return pd.read_csv(path, dtype=dtypes)


def load_demo(progress: Progress | None = None, bank: QuestionBank | None = None) -> SurveyData:
    """The demo's respondent-level results for 2021-2025 as one :class:`SurveyData`."""
    from explorer.readers import open_survey

    bank = bank or load_bank()
    parts = []
    for i, year in enumerate(DEMO_YEARS):
        if progress:
            progress(i / len(DEMO_YEARS), f"Reading demo {year}")
        parts.append(open_survey(demo_dir() / RESPONDENT_CSV.format(year=year), bank=bank))
    data = merge_respondent_data(
        parts, bank,
        Provenance(path=str(demo_dir()), kind="respondents", sheets=tuple(str(y) for y in DEMO_YEARS),
                   description=FICTIONAL_NOTE),
    )
    data.organisation = TRUST_NAME
    if progress:
        progress(1.0, "Demo loaded")
    return data
