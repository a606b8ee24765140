"""The command line: version, help, and one-sentence errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from explorer import __version__
from explorer.cli import main


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=120)


def test_version():
    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"Staff Survey Explorer {__version__}"


def test_help_lists_the_commands():
    proc = cli("--help")
    assert proc.returncode == 0
    for command in ("inspect", "summary", "export"):
        assert f"  {command}" in proc.stdout
    assert "demo" in proc.stdout


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--frobnicate"], "Unrecognised option or argument: --frobnicate"),
        (["inspect"], "Missing required argument: FILE"),
        (["summary", "--lens", "happiness"], "invalid choice"),
        (["summary", "--threshold", "ten"], "invalid int value"),
        (["a.xlsx", "--demo"], "either FILE or --demo"),
    ],
)
def test_bad_usage_is_one_sentence_and_exit_code_2(args, fragment, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err
    assert err.count("\n") == 0 and err.endswith(".")
    assert "Traceback" not in err and "usage:" not in err
