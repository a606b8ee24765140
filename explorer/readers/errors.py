"""Errors a reader reports to the user: always one sentence that names the file and what is wrong."""

from __future__ import annotations

from pathlib import Path


class ReadError(ValueError):
    """The file cannot be read as survey results. ``str(error)`` is the sentence to show."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem.rstrip(".")
        super().__init__(f"Cannot read {self.path.name}: {self.problem}.")


class PasswordRequired(ReadError):
    """The workbook is encrypted and no password was given (the UI asks and tries again)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, "it is password-protected; give its password to open it")


class YearUnknown(ReadError):
    """Nothing in the file says which survey year it holds (the UI asks and tries again)."""

    def __init__(self, path: str | Path, sheet: str) -> None:
        self.sheet = sheet
        super().__init__(path, f"it does not say which survey year the sheet '{sheet}' holds (no Year column, and no "
                         "year in the sheet or file name); add the year to the file name or use a column mapping")


class WrongPassword(ReadError):
    def __init__(self, path: str | Path) -> None:
        super().__init__(path, "the password is not correct")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (how a user finds a column in Excel)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
