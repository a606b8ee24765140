"""The shape of the code, checked: layering contracts (import-linter, configured in pyproject.toml)
and short modules in the core (one job each)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_CORE_LINES = 400


def test_import_contracts_hold(monkeypatch):
    cli = pytest.importorskip("importlinter.cli")
    monkeypatch.chdir(REPO)
    assert cli.lint_imports(config_filename=str(REPO / "pyproject.toml")) == 0


def test_no_module_in_the_core_is_long():
    long = {str(p.relative_to(REPO)): n for p in (REPO / "explorer" / "core").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_CORE_LINES}
    assert not long, long


def test_threshold_local_rule_and_alpha_come_from_one_place(monkeypatch):
    """Change the [V] facts where they are kept and everything that uses them follows."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from explorer.core import disclosure, unverified
    from explorer.core.engine import compute
    from explorer.core.questionbank import load_bank
    from explorer.core.surveydata import Provenance, SurveyData
    from explorer.core.viewspec import SpecError, ViewSpec

    facts = dataclasses.replace(unverified.load_unverified(), minimum_base=13, alpha=0.01, local_rule_max_count=5)
    monkeypatch.setattr(unverified, "load_unverified", lambda: facts)
    monkeypatch.setattr(disclosure, "load_unverified", lambda: facts)
    assert ViewSpec().threshold == 13 and disclosure.rule(13, True).local_max == 5
    with pytest.raises(SpecError, match="below 13"):
        ViewSpec(threshold=12)
    frame = pd.DataFrame({"year": np.full(60, 2025, dtype=np.int16), "Directorate": pd.Categorical(["A"] * 48 + ["B"] * 12),
                          "manager_encourages": pd.array([5, 1] * 30, dtype="Int8")})
    data = SurveyData(kind="respondents", provenance=Provenance(path="t", kind="respondents"), respondents=frame,
                      breakdowns=("Directorate",))
    r = compute(data, ViewSpec(measures=("manager_encourages",), breakdown=("Directorate",), local_rule=True), load_bank())
    b = r.table[r.table["group"] == "B"].iloc[0]
    assert b["suppressed"] and "fewer than 13" in b["suppression_reason"]
    assert any("at 1%" in n for n in r.notes) and any("more than 5 positive" in n for n in r.notes)
