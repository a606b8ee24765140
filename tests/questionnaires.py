"""Read the official questionnaire text extractions (shared/domain/questionnaires) for tests.

They live in the steering repo's ``shared/`` folder, beside this checkout (CI clones main with
shared/ beside it). ``SSE_SHARED_DIR`` points elsewhere if needed.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    for candidate in (os.environ.get("SSE_SHARED_DIR"), REPO.parent / "shared", REPO / "shared"):
        if candidate and (Path(candidate) / "domain" / "questionnaires").is_dir():
            return Path(candidate)
    return None


def require_shared() -> Path:
    found = shared_dir()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("shared/domain/questionnaires is missing beside the checkout; CI must provide it")
        pytest.skip("shared/ (official questionnaire texts) is not beside this checkout")
    return found


def fold(text: str) -> str:
    """Normalise printed text for comparison: quotes, ellipses, case and all whitespace."""
    text = text.replace("’", "'").replace("‘", "'").replace("…", "...")
    return " ".join(text.lower().split())


@cache
def questionnaire(year: int) -> str:
    return (require_shared() / "domain" / "questionnaires" / f"nss-{year}.txt").read_text(encoding="utf-8")


_HEADING = re.compile(r"^(\d{1,2})([a-z]?)\. ", re.MULTILINE)


@cache
def sections(year: int) -> dict[int, str]:
    """Question number -> the printed text from its heading to the next question's heading."""
    text = questionnaire(year)
    body_start = text.index("=====PAGE=====")  # skip the cover letter
    heads = [m for m in _HEADING.finditer(text, body_start)]
    out: dict[int, str] = {}
    expected = 1
    kept = []
    for m in heads:
        if int(m.group(1)) == expected:
            kept.append(m)
            expected += 1
    for m, nxt in zip(kept, kept[1:] + [None]):
        out[int(m.group(1))] = text[m.start(): nxt.start() if nxt else len(text)]
    return out
