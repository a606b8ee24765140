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


def test_misspelt_commands_and_stray_options_are_told_what_to_do(capsys):
    """Issue 8: `summry` suggests `summary`; a command's option given without the command names it."""
    from explorer.cli import main

    assert main(["summry", "--demo"]) == 2
    assert "did you mean 'summary'" in capsys.readouterr().err
    assert main(["--lens", "trust"]) == 2
    err = capsys.readouterr().err
    assert "--lens belongs to a command" in err and "summary" in err and "\n" == err[-1] and err.count("\n") == 1


def test_json_counts_are_whole_numbers_and_a_closed_pipe_ends_quietly():
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "explorer", "summary", "--demo", "--lens", "trust", "--json"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    rows = json.loads(out)["rows"]
    assert all(isinstance(r["n"], int) for r in rows if r["n"] is not None) and isinstance(rows[0]["year"], int)
    # `| head -1`: the reader goes away after one line; the command must not end in a traceback
    proc = subprocess.Popen([sys.executable, "-m", "explorer", "summary", "--demo", "--lens", "morale", "--by",
                             "Directorate", "--by", "Staff group", "--options"],  # ~2 MB: more than a pipe holds
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0 and "Traceback" not in err and "BrokenPipe" not in err
