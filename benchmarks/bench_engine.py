"""Engine speed, as issue "Engine" asks (figures for the issue note, not timed tests).

    python benchmarks/bench_engine.py [--repeat 7]

Recompute every measure of one lens for one filter + one breakdown, as the UI does when the user
changes a filter: median of ``--repeat`` runs after one warm-up (which builds the per-dataset
caches). Targets: <= 50 ms on 10,000 respondents, <= 300 ms on 1,000,000.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core.engine import compute  # noqa: E402
from explorer.core.filters import Eq  # noqa: E402
from explorer.core.questionbank import load_bank  # noqa: E402
from explorer.core.surveydata import Provenance, SurveyData  # noqa: E402
from explorer.core.viewspec import ViewSpec  # noqa: E402


def synthetic(n: int, year: int = 2025, seed: int = 7) -> SurveyData:
    bank = load_bank()
    rng = np.random.default_rng(seed)
    columns = {"year": np.full(n, year, dtype=np.int16)}
    columns["Directorate"] = pd.Categorical(rng.choice([f"Directorate {i}" for i in range(8)], size=n))
    columns["Staff group"] = pd.Categorical(rng.choice([f"Group {i}" for i in range(8)], size=n))
    columns["weight"] = rng.uniform(0.5, 2.0, size=n)
    for item in bank.items.values():
        if item.kind != "core" or not item.asked_in(year) or item.id == "discrimination_grounds":
            continue
        codes = np.array(item.scale(year).codes, dtype=np.int8)
        values = rng.choice(codes, size=n)
        missing = rng.random(n) < 0.03
        columns[item.id] = pd.arrays.IntegerArray(values, missing)
    frame = pd.DataFrame(columns)
    return SurveyData(kind="respondents", provenance=Provenance(path=f"synthetic {n}", kind="respondents"),
                      respondents=frame, breakdowns=("Directorate", "Staff group"))


def measure(n: int, repeat: int, lens: str, weighted: bool) -> float:
    bank = load_bank()
    data = synthetic(n)
    spec = ViewSpec(lens=lens, filter=Eq("Staff group", "Group 3"), breakdown=("Directorate",), weighted=weighted)
    compute(data, spec, bank)  # warm-up: builds the per-dataset caches
    times = []
    for i in range(repeat):
        # a different filter each time, as a user clicking through staff groups
        s = spec.with_(filter=Eq("Staff group", f"Group {i % 8}"))
        t0 = time.perf_counter()
        compute(data, s, bank)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    for n, target in ((10_000, 0.050), (1_000_000, 0.300)):
        for lens in ("trust", "bullying", "morale"):
            median = measure(n, args.repeat, lens, weighted=False)
            print(f"{n:>9,} respondents, {lens:<8} lens, 1 filter + 1 breakdown: median {median * 1000:6.1f} ms "
                  f"(target <= {target * 1000:.0f} ms)")
        median = measure(n, args.repeat, "trust", weighted=True)
        print(f"{n:>9,} respondents, trust lens weighted:               median {median * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
