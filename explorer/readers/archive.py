"""The official ZIP of detailed spreadsheets: one archive per year holding three workbooks (national,
organisation type, organisational results), opened directly without the user unzipping it.

The archive is read into memory and its members checked before any is decompressed: an encrypted
member, too many members, a member larger than a workbook can be, or one that decompresses to far
more than it occupies (a zip bomb) is refused in one sentence. Each spreadsheet member is then
written to a private temporary directory, read by the ordinary readers and the directory removed at
once: nothing is ever extracted where the user did not choose. Results of every workbook are joined
into one dataset (each row keeps its year and its organisation or organisation type).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import Provenance, SurveyData
from explorer.readers.detailed import YEAR
from explorer.readers.errors import PasswordRequired, ReadError, WrongPassword, YearUnknown
from explorer.readers.source import PasswordSource
from explorer.readers.tables import concat_aggregates

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# what an Office or OpenDocument file (itself a zip) holds: those are workbooks, not archives
CONTAINER_MARKS = ("[Content_Types].xml", "mimetype", "xl/workbook.xml")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
# Zip-bomb limits, checked on the sizes the archive declares (zipfile never returns more than the
# declared size of a member, so the declaration bounds what is read). An official organisational
# results workbook is tens of MB; an xlsx is compressed already, so its ratio in a zip is near 1.
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 1 << 30
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 100  # uncompressed / compressed size, for members over RATIO_FROM bytes
RATIO_FROM = 1 << 20
NOT_SURVEY = "it does not look like staff survey results"  # open_survey's refusal of a non-survey file


def is_archive(path: str | Path) -> bool:
    """Whether ``path`` is a zip archive of files rather than a workbook that is a zip inside (xlsx,
    ods). A damaged zip counts as an archive only when its name says .zip: otherwise the workbook
    reader says it is damaged."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:  # read-only
            head = fh.read(4)
    except OSError:
        return False  # the ordinary reader says what is wrong with it
    if head not in ZIP_MAGIC:
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return path.suffix.lower() == ".zip"
    return not any(mark in names for mark in CONTAINER_MARKS)


def read_archive(path: str | Path, bank: QuestionBank, *, password: PasswordSource = None, ask_year=None,
                 progress: Progress | None = None) -> SurveyData:
    """Every survey workbook inside the archive, read and joined (raises ReadError)."""
    from explorer.readers import open_survey

    path = Path(path)
    raw, members = _checked_members(path)
    year_from_name = _year_in(path.name)
    parts: list[tuple[str, SurveyData]] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="explorer-zip-") as private:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            for i, info in enumerate(members):
                if progress:
                    progress(i / len(members), f"Reading {info.filename} in {path.name}")
                name = Path(info.filename).name
                inner = Path(private) / f"{i}-{name}"  # own name: members in two folders may share one
                try:
                    inner.write_bytes(zf.read(info))
                except NotImplementedError:
                    raise ReadError(path, f"'{info.filename}' inside it is packed in a way this program cannot unpack; "
                                    "unzip the archive and open the workbook itself") from None
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    raise ReadError(path, f"'{info.filename}' inside it is damaged (the archive may not have finished "
                                    "downloading)") from None
                try:
                    data = open_survey(inner, bank=bank, password=password, progress=None,
                                       ask_year=_ask_year(path, info.filename, year_from_name, ask_year))
                except (PasswordRequired, WrongPassword) as exc:
                    raise type(exc)(path) from None
                except YearUnknown as exc:
                    raise YearUnknown(path, f"{info.filename} › {exc.sheet}") from None
                except ReadError as exc:
                    if exc.problem.startswith(NOT_SURVEY):
                        skipped.append(info.filename)  # a notes or guidance file beside the workbooks
                        continue
                    raise ReadError(path, f"the workbook '{info.filename}' inside it cannot be read: {exc.problem}") \
                        from None
                finally:
                    inner.unlink(missing_ok=True)
                parts.append((info.filename, data))
    if not parts:
        raise ReadError(path, "it is a zip archive with no staff survey workbook inside")
    if progress:
        progress(1.0, "Done")
    return _joined(path, parts, skipped)


def _checked_members(path: Path) -> tuple[bytes, list[zipfile.ZipInfo]]:
    """The archive's bytes and its spreadsheet members, after refusing a damaged, encrypted or
    oversized archive."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ReadError(path, "the zip archive is damaged or incomplete (it may not have finished copying or "
                        "downloading)") from None
    except OSError as exc:
        raise ReadError(path, f"the file could not be read ({exc.strerror or exc})") from None
    files = [i for i in infos if not i.is_dir()]
    if len(files) > MAX_MEMBERS:
        raise ReadError(path, f"the zip archive holds {len(files):,} files, far more than the official results "
                        "(unzip it and open the workbook you want)")
    encrypted = next((i.filename for i in files if i.flag_bits & 0x1), None)
    if encrypted:
        raise ReadError(path, f"'{encrypted}' inside the zip archive is encrypted; unzip it with its password and "
                        "open the workbook itself")
    members = [i for i in files if Path(i.filename).suffix.lower() in SPREADSHEET_SUFFIXES
               and not Path(i.filename).name.startswith(("~$", "."))]
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
            raise ReadError(path, f"'{info.filename}' inside the zip archive would unpack to {info.file_size:,} bytes "
                            f"from {info.compress_size:,}, more than any survey workbook (a damaged or hostile "
                            "archive), so it is not opened")
    if sum(i.file_size for i in members) > MAX_TOTAL_BYTES:
        raise ReadError(path, "the workbooks in the zip archive would unpack to more than "
                        f"{MAX_TOTAL_BYTES / 2**30:g} GB, more than the official results (a damaged or hostile archive)")
    return raw, sorted(members, key=lambda i: i.filename)


def _year_in(name: str) -> int | None:
    years = set(YEAR.findall(name))
    return int(years.pop()) if len(years) == 1 else None


def _ask_year(path: Path, member: str, year_from_name: int | None, ask_year):
    """A member that does not say its year takes the archive's (official ZIPs are one per year), else
    the user is asked, naming the archive and the member."""
    def ask(_name: str, sheet: str):
        if year_from_name is not None:
            return year_from_name
        return ask_year(f"{path.name} › {member}", sheet) if ask_year is not None else None
    return ask


def _joined(path: Path, parts: list[tuple[str, SurveyData]], skipped: list[str]) -> SurveyData:
    """One dataset from the archive's workbooks: published results stacked (each keeps its year and
    organisation or organisation type); different kinds are not mixed."""
    kinds = {data.kind for _, data in parts}
    if "respondents" in kinds:
        raise ReadError(path, "the zip archive holds respondent-level files, which are opened on their own; unzip it "
                        "and open them")
    if len(kinds) > 1:
        raise ReadError(path, "the zip archive holds different kinds of results ("
                        + ", ".join(sorted(kinds)) + "); unzip it and open each workbook on its own")
    kind = kinds.pop()
    sheets = tuple(f"{member} › {sheet}" for member, data in parts for sheet in data.provenance.sheets)
    vintages = sorted({data.provenance.vintage for _, data in parts if data.provenance.vintage})
    provenance = Provenance(path=str(path), kind=kind, sheets=sheets, vintage=", ".join(vintages) or None,
                            description=f"{len(parts)} workbook(s) in {path.name}")
    warnings = [f"{member}: {w}" for member, data in parts for w in data.warnings]
    warnings += [f"'{member}' in the archive is not survey results and was left out." for member in skipped]
    details = {"archive": path.name, "why": f"a zip archive holding {len(parts)} survey workbook(s)",
               "members": [{"file": member, "kind": data.kind, "years": list(data.years), "why": data.details.get("why")}
                           for member, data in parts],
               "derived": {k: v for _, data in parts for k, v in data.details.get("derived", {}).items()},
               "format": "zip"}
    attributes = [data.org_attributes for _, data in parts if data.org_attributes is not None]
    table = concat_aggregates([data.aggregates for _, data in parts])
    return SurveyData(
        kind=kind, provenance=provenance, aggregates=table,
        breakdowns=tuple(dict.fromkeys(b for _, data in parts for b in data.breakdowns)),
        warnings=tuple(dict.fromkeys(warnings)), details=details,
        org_attributes=(pd.concat(attributes, ignore_index=True).drop_duplicates(["org_id", "year"])
                        .reset_index(drop=True) if attributes else None),
    )
