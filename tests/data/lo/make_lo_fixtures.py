"""Write a small respondent workbook and let LibreOffice save it as .xls, .ods and cp1252 .csv.

    python tests/data/lo/make_lo_fixtures.py      (needs soffice: Debian package libreoffice-calc)

The results are committed; tests/test_readers.py checks that all four read identically.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.readers_fixtures import respondent_rows, write_respondent_xlsx  # noqa: E402

# names only cp1252 (not ASCII) can hold (LibreOffice character set 1 = Windows-1252): a right single quote, an en dash, an e-acute
SPECIAL_DIRECTORATE = "Women’s & Children’s – Maternité"


def rows() -> list[list]:
    out = respondent_rows()
    for i, row in enumerate(out):
        if i % 5 == 0:
            row[1] = SPECIAL_DIRECTORATE
    return out


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("soffice not found: apt-get install libreoffice-calc", file=sys.stderr)
        return 1
    xlsx = write_respondent_xlsx(HERE / "lo-respondents-2023.xlsx", year_sheet="Staff Survey 2023", rows=rows(),
                                 hidden_sheet=False, about_sheet=False)
    with tempfile.TemporaryDirectory() as profile:
        base = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to"]
        for target in ("xls", "ods", "csv:Text - txt - csv (StarCalc):44,34,1"):
            subprocess.run([*base, target, "--outdir", str(HERE), str(xlsx)], check=True, capture_output=True, timeout=180)
    for path in sorted(HERE.glob("lo-respondents-2023.*")):
        print(path.name, path.stat().st_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
