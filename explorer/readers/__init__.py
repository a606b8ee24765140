"""Readers: turn the spreadsheets a trust holds into :class:`explorer.core.surveydata.SurveyData`.

    data = open_survey("results.xlsx", password=ask, ask_year=ask_year, progress=report)

Qt-free. The kind of file is decided from its content (:func:`sniff`), each reader reports progress
through a callback and stops when cancelled, and every problem is a :class:`ReadError` whose text is
one sentence naming the file. The user's file is opened read-only and never modified.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank, load_bank
from explorer.core.surveydata import SurveyData
from explorer.readers.errors import PasswordRequired, ReadError, WrongPassword, YearUnknown
from explorer.readers.mapping import ColumnMapping, MappingError
from explorer.readers.source import PasswordSource, Source, open_source

__all__ = ["open_survey", "sniff", "Sniffed", "ReadError", "PasswordRequired", "WrongPassword", "YearUnknown",
           "ColumnMapping", "MappingError"]

KIND_NAMES = {
    "respondents": "respondent-level results (one row per respondent)",
    "benchmark_workbook": "official benchmark report workbook (one row per organisation)",
    "detailed_spreadsheet": "official detailed spreadsheet (% for each answer option)",
    "contractor_long": "survey provider's long export (one row per question and group)",
    "organisation_table": "organisation-level table (one row per organisation and year)",
}


@dataclass(frozen=True)
class Sniffed:
    kind: str
    reason: str


def sniff(source: Source, bank: QuestionBank, mapping: ColumnMapping | None = None) -> Sniffed:
    """Which kind of file this is, decided from its content (headers, sheets), never its name."""
    from explorer.readers import benchmark, contractor, detailed, orgtable, respondents

    if mapping is not None and mapping.kind:
        return Sniffed(mapping.kind, "the column mapping says so")
    found = contractor.detect(source)
    if found:
        return Sniffed("contractor_long", found)
    found = detailed.detect(source)
    if found:
        return Sniffed("detailed_spreadsheet", found)
    if not source.is_text and benchmark.group_sheets(source):
        return Sniffed("benchmark_workbook", "sheets with org_id and <variable>_<year> columns")
    found = orgtable.detect(source, bank, mapping)
    if found:
        return Sniffed("organisation_table", found)
    candidates, _ = respondents.candidate_sheets(source, bank, mapping)
    if candidates:
        return Sniffed("respondents", f"a header naming {max(c.questions for c in candidates)} survey questions")
    if source.too_large:  # the data may be in a sheet too large to read: say that, not "not survey results"
        raise ReadError(source.path, next(iter(source.too_large.values())))
    raise ReadError(source.path, "it does not look like staff survey results: no sheet has a header row naming survey "
                    "questions, organisations or years; if it is, open it with a column mapping")


def open_survey(
    path: str | Path,
    *,
    bank: QuestionBank | None = None,
    mapping: ColumnMapping | str | Path | None = None,
    password: PasswordSource = None,
    ask_year=None,
    progress: Progress | None = None,
) -> SurveyData:
    """Read any supported staff-survey spreadsheet into SurveyData (raises ReadError / MappingError)."""
    from explorer.readers import archive, benchmark, contractor, detailed, orgtable, respondents

    bank = bank or load_bank()
    if archive.is_archive(path):  # the official ZIP of detailed spreadsheets: every workbook inside
        return archive.read_archive(path, bank, password=password, ask_year=ask_year, progress=progress)
    if mapping is not None and not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.load(mapping)
    if progress:
        progress(0.0, f"Opening {Path(path).name}")
    source = open_source(path, password)
    try:
        sniffed = sniff(source, bank, mapping)
        if sniffed.kind == "respondents":
            data = respondents.read_respondents(source, bank, mapping=mapping, ask_year=ask_year, progress=progress)
        elif sniffed.kind == "benchmark_workbook":
            data = benchmark.read_benchmark(source, bank, progress=progress)
        elif sniffed.kind == "detailed_spreadsheet":
            data = detailed.read_detailed(source, bank, progress=progress, ask_year=ask_year)
        elif sniffed.kind == "contractor_long":
            data = contractor.read_contractor(source, bank, progress=progress)
        else:
            data = orgtable.read_organisation_table(source, bank, mapping=mapping, ask_year=ask_year, progress=progress)
    finally:
        source.close()
    data.details.setdefault("format", source.format)
    data.details.setdefault("encrypted", source.encrypted)
    data.details.setdefault("why", sniffed.reason)
    if source.is_text:
        data.details.setdefault("encoding", source.encoding)
        data.details.setdefault("delimiter", source.delimiter)
    return data
