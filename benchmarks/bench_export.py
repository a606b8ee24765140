"""Board pack speed: the full demo pack (three lenses, compare by Directorate, the benchmark band) from
a session that has computed nothing yet, to the file on disk (target: <= 2 s).

    python benchmarks/bench_export.py [--runs 5]

Each run opens the demo afresh (not timed), then times working out every figure (gather) and
writing the workbook (write), and reports the medians and the number of charts written.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import openpyxl

    from explorer.core.session import Session
    from explorer.demo import demo_files
    from explorer.export import gather, write_pack

    gathers, writes = [], []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pack.xlsx"
        for _ in range(args.runs):
            session = Session.open_demo()
            session.open_benchmark(demo_files()["benchmark_xlsx"])
            session.prepare()
            spec = session.spec.with_(breakdown=("Directorate",))
            t0 = time.perf_counter()
            pack = gather(session, spec)
            t1 = time.perf_counter()
            write_pack(pack, out)
            t2 = time.perf_counter()
            gathers.append(t1 - t0)
            writes.append(t2 - t1)
        book = openpyxl.load_workbook(out)
        charts = sum(len(ws._charts) for ws in book.worksheets)
    total = [g + w for g, w in zip(gathers, writes)]
    print(f"demo board pack ({len(book.sheetnames)} sheets, {charts} charts): median {statistics.median(total):.2f} s "
          f"(figures {statistics.median(gathers):.2f} s, workbook {statistics.median(writes):.2f} s), "
          f"max {max(total):.2f} s (target <= 2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
