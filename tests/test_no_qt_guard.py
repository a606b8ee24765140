"""core, readers and export must import and work with Qt made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    class BlockQt(importlib.abc.MetaPathFinder):
        BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} is blocked by the Qt-free guard test")
            return None

    sys.meta_path.insert(0, BlockQt())
    """
)


def run_without_qt(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_blocker_really_blocks_qt():
    proc = run_without_qt("import PySide6")
    assert proc.returncode != 0 and "blocked by the Qt-free guard" in proc.stderr


def test_core_readers_export_import_and_work_without_qt():
    proc = run_without_qt(
        """
        import pkgutil, importlib, sys
        import explorer.core, explorer.readers, explorer.export, explorer.demo
        for pkg in (explorer.core, explorer.readers, explorer.export, explorer.demo):
            for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(mod.name)
        from explorer.core.questionbank import load_bank
        from explorer.demo import load_demo
        bank = load_bank()
        data = load_demo()
        assert len(bank.items) > 100 and sum(data.respondents_by_year().values()) > 15000
        leaked = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")]
        assert not leaked, leaked
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok")


def test_command_line_help_works_without_qt():
    proc = run_without_qt(
        """
        from explorer.cli import main
        try:
            main(["--help"])
        except SystemExit as exc:
            assert exc.code == 0
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert "inspect" in proc.stdout
