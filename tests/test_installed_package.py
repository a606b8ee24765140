"""The installed package finds its own resources, whatever the working directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_package_loads_bank_and_demo_from_any_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import explorer, explorer.paths as p; from explorer.core.questionbank import load_bank; "
        "from explorer.demo import load_demo; b = load_bank(); d = load_demo(); "
        "from explorer.core.session import Session; from explorer.core.viewspec import ViewSpec; "
        "s = Session.open_demo(bank=b); r = s.compute(ViewSpec(lens='bullying', breakdown=('Directorate',))); "
        "print(explorer.__file__); print(p.resources_dir()); print(len(b.items), sum(d.respondents_by_year().values()), "
        "int((~r.table['suppressed']).sum()))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    package_file, resources, counts = proc.stdout.strip().splitlines()
    n_items, n_respondents, n_shown = map(int, counts.split())
    assert n_items > 100 and n_respondents > 15000 and n_shown > 100  # the session computes from the install
    package_dir = Path(package_file).resolve().parent
    if package_dir != REPO / "explorer":
        # a real (non-editable) install: the resources ship inside the package
        assert Path(resources).resolve() == package_dir / "resources"
        assert (package_dir / "resources" / "bank" / "questions.toml").is_file()


def test_console_script_reports_version():
    exe = shutil.which("staff-survey-explorer", path=str(Path(sys.executable).parent))
    if exe is None:  # running from a source tree without an install
        import pytest

        pytest.skip("staff-survey-explorer is not installed in this environment")
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Staff Survey Explorer" in proc.stdout
