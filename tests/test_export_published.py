"""The board pack and the text table on published data (one row per organisation and year): every sentence
about weighting, n and disclosure is the one the Results say for such figures (never the respondent-level
"weight column" or "combined groups"), and the file's own numbers about the organisation are shown as
context, apart from the results. Qt-free."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd

from explorer.cli_text import results_as_text
from explorer.core.session import Session
from explorer.export import gather, write_pack
from explorer.figures import context_parts, context_words

RESPONDENT_WORDS = ("weight column", "combined groups", "number of people answering", "each respondent counts once")


def org_csv(path, weighting=lambda code: "Occupation Group"):
    rng = np.random.default_rng(3)
    rows = []
    for year in (2023, 2024):
        for i in range(8):
            code = f"R{i:02d}"
            base = int(rng.integers(400, 900))
            rows.append({"ODS code": code, "Year": year, "Organisation name": f"Trust {i}",
                         "Region": ["London", "Midlands"][i % 2],
                         **({"Weighting": weighting(code)} if weighting is not None else {}),
                         "Emotional_colleagues_base": base, "Emotional_colleagues_rate": round(rng.uniform(0.1, 0.3), 3),
                         "Burned_out_base": base, "Burned_out_rate": round(rng.uniform(0.2, 0.4), 3),
                         "Female_rate": 0.816 if code == "R01" else 0.7, "Respondents": base + 10})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def sheet_text(book) -> dict[str, list[str]]:
    return {ws.title: [str(c) for row in ws.iter_rows(values_only=True) for c in row if c not in (None, "")]
            for ws in book}


def written(session, spec, tmp_path, name="pack.xlsx"):
    pack = gather(session, spec)
    path = write_pack(pack, tmp_path / name)
    return pack, sheet_text(openpyxl.load_workbook(path))


def notes_row(text: dict, item: str) -> str:
    cells = text["Notes"]
    return cells[cells.index(item) + 1]


def test_a_published_pack_says_the_files_weighting_and_n_and_shows_the_organisation_context(tmp_path):
    session = Session.open(org_csv(tmp_path / "organisation results 2024.csv"))
    pack, text = written(session, session.spec.with_(organisation="R01"), tmp_path)
    results = [p.results for p in pack.parts.values()]
    assert all(bool(w) for r in results for w in r.table["weighted"])  # the file says: Occupation Group weighting
    everything = " ".join(c for cells in text.values() for c in cells)
    for words in RESPONDENT_WORDS:
        assert words not in everything, words
    for name, cells in text.items():
        assert cells[1] == "Trust 1, 2024: the file's published figures, weighted, as the file says.", name
    assert notes_row(text, "Weighting") == ("All figures are weighted, as the file says of each (published figures, "
                                            "shown as given); n is the number of responses the file gives for it.")
    disclosure = [n for r in results for n in r.notes if "fewer than 11 responses" in n]
    assert disclosure and notes_row(text, "Disclosure rule") == " ".join(dict.fromkeys(disclosure))
    summary = text["Summary"]
    heading = summary.index("About Trust 1 (context, not survey results)")
    assert heading < summary.index("Findings")
    assert "Female rate 81.6%" in summary[heading + 1] and "Respondents 410" in summary[heading + 1]
    assert notes_row(text, "Organisation context") == context_words("Trust 1", pack.context)


def test_unweighted_and_median_figures_say_so(tmp_path):
    session = Session.open(org_csv(tmp_path / "unweighted 2024.csv", weighting=lambda code: "Unweighted"))
    pack, text = written(session, session.spec.with_(organisation="R03"), tmp_path)
    assert notes_row(text, "Weighting").startswith("All figures are unweighted, as the file says of each")
    assert text["Bullying"][1].endswith("unweighted, as the file says.")
    mixed = Session.open(org_csv(tmp_path / "mixed 2024.csv", weighting=lambda c: "Unweighted" if c == "R02" else "Occupation Group"))
    pack, text = written(mixed, mixed.spec.with_(breakdown=("Region",)), tmp_path, "median.xlsx")
    assert pack.dataset["organisation"] == "Median of 8 organisations" and "context, not" not in " ".join(text["Summary"])
    weighting = notes_row(text, "Weighting")
    assert weighting.startswith("Some figures are weighted and some are not, as the file says of each")
    assert weighting.endswith("for a median of organisations, their responses added up.")
    assert "median organisation" in notes_row(text, "Disclosure rule")


def test_a_respondent_level_pack_keeps_its_own_sentences(tmp_path):
    session = Session.open_demo()
    pack, text = written(session, session.spec, tmp_path)
    assert not pack.published and pack.selection.startswith("All staff, ") and "respondents" in pack.selection
    assert "combined groups" in notes_row(text, "Disclosure rule")
    assert notes_row(text, "Weighting").endswith("n is the number of people answering.")
    assert "Organisation context" not in text["Notes"]


def test_the_text_table_puts_the_organisation_context_under_its_title(tmp_path):
    session = Session.open(org_csv(tmp_path / "organisation results 2024.csv"))
    results = session.compute(session.spec.with_(lens="morale", organisation="R01"))
    lines = results_as_text(results, session.bank).splitlines()
    assert lines[0] == "Trust 1 (organisation_table)"
    assert lines[1] == context_words("Trust 1", results.dataset["organisation_context"])
    assert lines[1].startswith("About Trust 1 in 2024 (") and "Female rate 81.6%" in lines[1]
    demo = Session.open_demo()
    assert not results_as_text(demo.compute(demo.spec.with_(lens="morale")), demo.bank).splitlines()[1].startswith("About")


def test_a_file_that_does_not_say_its_weighting_is_never_called_unweighted(tmp_path):
    session = Session.open(org_csv(tmp_path / "no weighting 2024.csv", weighting=None))
    pack, text = written(session, session.spec.with_(organisation="R01"), tmp_path)
    for name, cells in text.items():
        assert cells[1] == ("Trust 1, 2024: the file's published figures; the file does not say whether its "
                            "figures are weighted."), name
    assert notes_row(text, "Weighting").startswith("The file does not say whether its figures are weighted "
                                                   "(published figures, shown as given)")
    everything = " ".join(c for cells in text.values() for c in cells)
    assert "unweighted" not in everything and "as the file says of each" not in everything


def test_published_groups_are_set_beside_the_organisations_own_figure_and_never_called_significant(tmp_path):
    session = Session.open(org_csv(tmp_path / "organisation results 2024.csv"))
    pack, text = written(session, session.spec.with_(organisation="R01", breakdown=("Region",)), tmp_path)
    summary = " ".join(text["Summary"])
    assert "by Region," in summary and "(significance not tested)" in summary
    assert "is significant" not in summary
    breakdowns = text["Breakdowns"]
    assert "Trust 1 (own figure)" in breakdowns and "All staff" not in breakdowns
    assert "(Trust 1's own figure is not shaded: it is the reference)" in breakdowns[2]
    assert "whole selection" not in " ".join(breakdowns + text["Bullying"])
    assert "Trust 1 (own figure)" in text["Bullying"]  # the reference row of each measure's groups
    # a pack with no groups suggests a column this file has, never one it lacks
    _, plain = written(session, session.spec.with_(organisation="R01"), tmp_path, "plain.xlsx")
    assert "Choose one (for example Region) and export again." in plain["Breakdowns"][2]


def test_the_text_table_never_marks_a_published_difference_significant(tmp_path):
    session = Session.open(org_csv(tmp_path / "organisation results 2024.csv"))
    spec = session.spec.with_(lens="morale", organisation="R01", breakdown=("Region",), comparator="organisation")
    text = results_as_text(session.compute(spec), session.bank)
    flat = " ".join(text.split())
    assert "differs significantly" not in flat and "a significant change (two-sided" not in flat
    assert "Organisation: the organisation's own published figure ('-' on its own row); Difference: the group minus " \
           "it (published figures: not tested for significance)." in flat
    demo = Session.open_demo()
    flat = " ".join(results_as_text(demo.compute(demo.spec.with_(lens="morale", breakdown=("Directorate",),
                                                                  comparator="organisation")), demo.bank).split())
    assert "differs significantly from the rest of the organisation" in flat  # respondents: tested


def test_context_keeps_each_columns_own_name_and_one_decimal():
    context = {"year": 2024, "Turnover rate": 28.8, "Staff_survey_response_rate": 18.5, "Headcount": 7698.0,
               "Medical & dental %": 45.1, "Female": 81.6, "Agency spend": 800769.0, "Sickness_rate": 0.043,
               "units": {"Medical & dental %": "%", "Female": "%"}}
    assert context_parts(context) == ["Turnover rate 28.8", "Staff survey response rate 18.5", "Headcount 7,698",
                                      "Medical & dental % 45.1", "Female 81.6%", "Agency spend 800,769",
                                      "Sickness rate 0.043"]  # as written, never "0.0"
