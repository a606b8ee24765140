"""Where the program's own files are (question bank, demo data, icons, style).

In an installed wheel (and a frozen build) the top-level ``resources/`` folder ships inside the
package as ``explorer/resources``; in a source checkout (and an editable install) it is the
``resources/`` folder beside ``explorer/``. Nothing else in the program knows this.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


class ResourcesMissingError(RuntimeError):
    """The program's resources folder is not where it should be (a broken installation)."""


@cache
def resources_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"):
        if (candidate / "bank").is_dir():
            return candidate
    raise ResourcesMissingError(
        f"The program's resources folder was not found next to {_PACKAGE_DIR}; please reinstall Staff Survey Explorer."
    )


def bank_dir() -> Path:
    return resources_dir() / "bank"


def demo_dir() -> Path:
    return resources_dir() / "demo"
