"""How long the app takes to have the demo in memory (target: about a second), and the pieces of it.

    python benchmarks/bench_demo_load.py [--repeat 5]

Each run is a fresh interpreter, so imports are included as a user would experience them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

CODE = """
import time
t0 = time.perf_counter()
import pandas
t1 = time.perf_counter()
from explorer.core.questionbank import load_bank
bank = load_bank()
t2 = time.perf_counter()
from explorer.demo import load_demo
data = load_demo(bank=bank)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t3 - t0)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout
        runs.append([float(x) for x in out.split()])
    names = ("import pandas", "load question bank", "load demo (5 years)", "total")
    for i, name in enumerate(names):
        values = [r[i] for r in runs]
        print(f"{name:<22} median {statistics.median(values) * 1000:7.0f} ms   (min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
