"""Reader speed and memory, as issue "Readers" asks (figures for the issue note, not timed tests).

    python benchmarks/bench_readers.py [--repeat 3] [--skip-million]

1. A respondent-level xlsx of 20,000 rows x 120 question columns (generated here, cached in
   benchmarks/out/): time of ``open_survey`` vs a bare python-calamine read of the same sheet, and vs
   ``pandas.read_excel(engine="openpyxl")``. Target: <= 1.2x calamine, >= 6x faster than openpyxl.
2. 1,000,000 respondents x 200 questions (CSV, generated here): peak memory of reading it with
   ``open_survey`` in a fresh process. Target: <= 1.5 GB.
3. An official-layout benchmark workbook with 300 organisations x 5 years x 600 variables:
   ``open_survey`` time. Target: <= 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESP_XLSX = OUT / "respondents-20000x120-2024.xlsx"
MILLION_CSV = OUT / "respondents-1000000x200-2024.csv"
BENCH_XLSX = OUT / "benchmark-300orgs-2021-2025.xlsx"


def question_codes(n: int, year: int = 2024) -> list[str]:
    from explorer.core.questionbank import load_bank

    bank = load_bank()
    codes = [i.code(year) for i in bank.items_in_year(year, kinds=("core",)) if i.positive is not None]
    out = list(codes)
    k = 1
    while len(out) < n:  # pad with local questions (a trust's own items)
        out.append(f"Local question {k} about senior managers")
        k += 1
    return out[:n]


def make_respondent_xlsx() -> None:
    from openpyxl import Workbook

    rng = np.random.default_rng(1)
    codes = question_codes(120)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Results 2024")
    ws.append(["Benchmark trust - NHS Staff Survey 2024 (synthetic benchmark data)"])
    ws.append([])
    ws.append(["Respondent ID", "Directorate", "Staff group", *codes])
    dirs = np.array(["Medicine", "Surgery", "Corporate", "Estates and Facilities"], dtype=object)
    groups = np.array(["Nursing and Midwifery Registered", "Medical and Dental", "Administrative and Clerical"], dtype=object)
    from explorer.core.questionbank import load_bank

    bank = load_bank()
    answers = np.empty((20_000, 120))
    for j, code in enumerate(codes):  # each question's own answer codes (yes/no items have 1-2)
        item = bank.by_code(2024, code)
        options = np.array(item.scale(2024).codes if item else [1, 2, 3, 4, 5], dtype=float)
        answers[:, j] = rng.choice(options, size=20_000)
    answers[rng.random(answers.shape) < 0.03] = np.nan
    for i in range(20_000):
        row = [f"R{i:06d}", dirs[i % 4], groups[i % 3]]
        row += [None if np.isnan(v) else int(v) for v in answers[i]]
        ws.append(row)
    wb.save(RESP_XLSX)


def make_million_csv() -> None:
    rng = np.random.default_rng(2)
    codes = question_codes(200)
    with open(MILLION_CSV, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(["Directorate", "Staff group", *[f'"{c}"' for c in codes]]) + "\n")
        for start in range(0, 1_000_000, 50_000):
            block = rng.integers(1, 6, size=(50_000, 200))
            lines = [f"Directorate {i % 12},Group {i % 8}," + ",".join(map(str, row)) for i, row in enumerate(block, start)]
            fh.write("\n".join(lines) + "\n")


def make_benchmark_xlsx() -> None:
    from openpyxl import Workbook

    rng = np.random.default_rng(3)
    from explorer.core.questionbank import load_bank

    bank = load_bank()
    variables = list(bank.scores) + [i.version(2025).benchmark_code for i in bank.items.values()
                                     if i.asked_in(2025) and i.kind == "core" and i.positive is not None]
    k = 1
    while len(variables) < 600:
        variables.append(f"q16c_{k}" if k <= 10 else f"q27a_{k}")
        k += 1
    years = (2021, 2022, 2023, 2024, 2025)
    wb = Workbook(write_only=True)
    notes = wb.create_sheet("Notes")
    notes.append(["Variable", "Description"])
    for v in variables:
        for y in years:
            notes.append([f"{v}_{y}", f"Description of {v} for year {y}"])
    per_sheet = {"Acute&Acute Community Trusts": 150, "MH&LD, MH, LD&Community Trusts": 60, "Community Trusts": 40,
                 "Ambulance Trusts": 20, "ICBs": 30}
    for sheet, count in per_sheet.items():
        ws = wb.create_sheet(sheet)
        header = ["org_id", "org_name", "org_type_reporting_name"]
        for v in variables:
            for y in years:
                header += [f"{v}_{y}", f"{v}_n_{y}"]
        ws.append(header)
        for i in range(count):
            row = [f"Z{i:03d}{sheet[:2]}", f"Organisation {i} ({sheet})", sheet]
            vals = rng.random(len(variables) * len(years))
            for j, v in enumerate(vals):
                row += [round(float(v), 4) if rng.random() > 0.02 else "*", int(500 + 3000 * v)]
            ws.append(row)
    wb.save(BENCH_XLSX)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


PEAK = """
import resource, sys
sys.path.insert(0, {root!r})
from explorer.readers import open_survey
data = open_survey({path!r})
print(sum(data.respondents_by_year().values()), len(data.respondents.columns),
      data.respondents.memory_usage(deep=True).sum(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    for path, make in ((RESP_XLSX, make_respondent_xlsx), (BENCH_XLSX, make_benchmark_xlsx)):
        if not path.exists():
            print(f"generating {path.name} ...", flush=True)
            make()

    import pandas as pd
    from python_calamine import CalamineWorkbook

    from explorer.core.questionbank import load_bank
    from explorer.readers import open_survey

    load_bank()
    bare = timed(lambda: CalamineWorkbook.from_path(str(RESP_XLSX)).get_sheet_by_name("Results 2024").to_python(), args.repeat)
    ours = timed(lambda: open_survey(RESP_XLSX), args.repeat)
    slow = timed(lambda: pd.read_excel(RESP_XLSX, engine="openpyxl", header=2), 1)
    print(f"20,000 x 120 xlsx: bare calamine {bare:.2f} s, open_survey {ours:.2f} s "
          f"(ratio {ours / bare:.2f}; target <= 1.2), pandas+openpyxl {slow:.1f} s ({slow / ours:.1f}x slower; target >= 6)")

    bench = timed(lambda: open_survey(BENCH_XLSX), args.repeat)
    data = open_survey(BENCH_XLSX)
    print(f"benchmark workbook {data.details['organisations']} orgs x 5 years x {data.details['variables']} variables: "
          f"open_survey {bench:.2f} s (target <= 3 s); {len(data.aggregates):,} values")

    if not args.skip_million:
        if not MILLION_CSV.exists():
            print(f"generating {MILLION_CSV.name} ...", flush=True)
            make_million_csv()
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PEAK.format(root=str(ROOT), path=str(MILLION_CSV))],
                             capture_output=True, text=True, check=True).stdout.split()
        rows, cols, held, peak = int(out[0]), int(out[1]), int(out[2]), int(out[3])
        print(f"1,000,000 x 200 csv: {rows:,} respondents, {cols} columns held in {held / 1e9:.2f} GB; "
              f"peak process memory {peak / 1e9:.2f} GB (target <= 1.5 GB); {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
