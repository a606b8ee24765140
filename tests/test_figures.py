"""Qt-free parts of the window: chart palettes under colour-vision deficiency, table text for the
clipboard, and the order charts draw in."""

from __future__ import annotations

import itertools

import pytest

from explorer import figures as F
from explorer import palette as P


@pytest.mark.parametrize("deficiency", (None,) + P.DEFICIENCIES)
def test_palettes_stay_distinguishable_with_colour_vision_deficiencies(deficiency):
    for a, b in itertools.combinations(P.CATEGORY[:6], 2):
        assert P.difference(a, b, deficiency) > 15, (a, b, deficiency)
    for count, diverge in ((5, True), (7, True), (2, False), (3, False), (5, False), (6, False)):
        colours = P.ordinary_colours(count, diverge)
        assert len(colours) == count
        for a, b in zip(colours, colours[1:]):
            assert P.difference(a, b, deficiency) > 10, (count, diverge, a, b, deficiency)


def test_simulation_changes_red_green_but_not_grey():
    assert P.difference("#FF0000", "#00FF00", "deuteranopia") < P.difference("#FF0000", "#00FF00") / 2
    assert P.difference("#808080", "#808080", "protanopia") == 0


def test_chrome_text_is_readable():
    assert P.contrast_ratio("#FFFFFF", P.NHS_BLUE) >= 4.5
    assert P.contrast_ratio(P.NHS_TEXT, "#FFFFFF") >= 7


def test_clipboard_text_keeps_numbers_and_defuses_formulas():
    text = F.tsv(["Group", "Value", "n"], [["=HYPERLINK(\"x\")", 21.7, 4155], ["Surgery", None, 12]])
    lines = text.splitlines()
    assert lines[1].split("\t") == ["'=HYPERLINK(\"x\")", "21.7", "4155"]
    assert lines[2].split("\t") == ["Surgery", "", "12"]


def test_change_words_respect_lower_is_better_and_say_significance():
    assert F.change_words(-1.9, True, True, "%") == "▼ down 1.9 points, significantly better"
    assert F.change_words(0.6, False, True, "%") == "▲ up 0.6 points, not a significant change"
    assert F.change_short(0.13, True, False, "score") == "▲ +0.13, sig. better"
    assert F.change_words(float("nan"), None, False, "%") == ""


def test_breakdown_puts_shown_groups_by_value_then_withheld():
    from explorer.core.session import Session
    from explorer.core.viewspec import ViewSpec

    s = Session.open_demo()
    r = s.compute(ViewSpec(lens="bullying", breakdown=("Directorate",), years=(2025,)))
    rows = F.breakdown(r, "harassment_colleagues", 2025)
    shown = rows[~rows["suppressed"]]
    assert shown["value"].is_monotonic_decreasing
    assert rows["suppressed"].tolist() == sorted(rows["suppressed"].tolist())  # withheld last
    assert "Research and Innovation" in set(rows[rows["suppressed"]]["group"])


def test_answer_measures_are_the_chosen_questions_scale_and_the_files_own():
    from explorer.core.session import Session

    session = Session.open_demo()
    catalog, bank = session.catalog(), session.bank
    trust_local = [m.id for m in catalog.lenses["trust"]["measures"] if m.kind == "local"]
    same = F.answer_measures(catalog, bank, "trust", "manager_encourages", 2025)
    assert same[0] == "manager_encourages" and set(trust_local) <= set(same)
    scale = bank.items["manager_encourages"].scale(2025).id
    assert all(bank.items[m].scale(2025).id == scale for m in same if m in bank.items)
    assert F.answer_measures(catalog, bank, "trust", trust_local[0], 2025) == ()  # its own options: the whole lens
    on_score = F.answer_measures(catalog, bank, "bullying", "PP4_3", 2025)
    assert "harassment_public" in on_score  # a score: the scale most of the lens's questions use
