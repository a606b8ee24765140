"""Turn a column of answers (codes, numeric text, or answer labels) into answer codes on a scale."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from explorer.core.questionbank import Scale, _fold

_LEADING_CODE = re.compile(r"^\s*(\d{1,2})\s*[-.:)=]\s*(.+)$")
_TRAILING_CODE = re.compile(r"^(.+?)\s*\(\s*(\d{1,2})\s*\)\s*$")


@dataclass
class Decoded:
    codes: pd.Series  # nullable Int8
    answered: int = 0  # non-empty cells
    out_of_scale: Counter = field(default_factory=Counter)  # code -> count (treated as missing)
    unmatched_text: Counter = field(default_factory=Counter)  # text -> count (treated as missing)

    @property
    def n_out_of_scale(self) -> int:
        return sum(self.out_of_scale.values())

    @property
    def n_unmatched_text(self) -> int:
        return sum(self.unmatched_text.values())


def label_lookup(scale: Scale, extra: Mapping[str, int] | None = None) -> dict[str, int]:
    """Folded answer label -> code, including the "5 - Strongly agree" and "Strongly agree (5)" forms."""
    table = {_fold(o.label): o.code for o in scale.options}
    for label, code in (extra or {}).items():
        table[_fold(label)] = int(code)
    return table


def to_floats(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(numbers as float with NaN, mask of cells holding text that is not a number).

    Workbook columns arrive as objects (floats, and NaN where the reader blanked empty cells):
    numpy converts those in C. Columns with text fall back to pandas' numeric parser.
    """
    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if isinstance(values, np.ndarray):
            numbers = values.astype(float)
        else:
            numbers = values.to_numpy(dtype=float, na_value=np.nan)
        return numbers, np.zeros(len(numbers), dtype=bool)
    arr = values if isinstance(values, np.ndarray) and values.dtype == object else np.asarray(values, dtype=object)
    no_text = np.zeros(len(arr), dtype=bool)
    try:  # all numbers (or numeric strings), blanks NaN
        return arr.astype(float), no_text
    except (ValueError, TypeError):
        pass
    blank = (arr == "") | pd.isna(arr)
    if blank.any():
        try:
            fixed = arr.copy()
            fixed[blank] = np.nan
            return fixed.astype(float), no_text
        except (ValueError, TypeError):
            pass
    numbers = pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    numbers[blank] = np.nan
    text = np.isnan(numbers) & ~blank
    if text.any():  # whitespace-only cells are blanks too
        text[text] = np.array([str(v).strip() != "" for v in arr[text]], dtype=bool)
    return numbers, text


_MISSING, _UNMATCHED = -1, -2
_MISSING_TEXT = {"", "-", "na", "n a", "n/a", "missing", "no response", "not answered", "blank", "99", "."}


def decode_answers(
    values: pd.Series | np.ndarray,
    valid_codes: frozenset[int] | set[int],
    missing_codes: frozenset[int] | set[int],
    labels: Mapping[str, int] | None = None,
) -> Decoded:
    """Codes for ``values``; anything not a valid code (or label) is NA and counted for a warning.

    Missing markers (blank, 99, "N/A") are NA without a warning. Numbers must be whole; "4", "04",
    "4.0" are codes; text is matched to ``labels`` case-, space- and punctuation-insensitively.
    """
    n = len(values)
    codes_out = np.zeros(n, dtype=np.int8)
    is_na = np.ones(n, dtype=bool)
    valid_list = np.array(sorted(valid_codes), dtype=float)
    numbers, is_text = to_floats(values)
    has_number = ~np.isnan(numbers)
    rounded = np.round(numbers)
    whole = has_number & (np.abs(rounded - numbers) < 1e-9)
    valid = whole & np.isin(rounded, valid_list)
    missing = whole & np.isin(rounded, np.array(sorted(missing_codes), dtype=float))
    codes_out[valid] = rounded[valid].astype(np.int8)
    is_na[valid] = False
    result = Decoded(codes=pd.Series(dtype="Int8"))
    bad_numbers = has_number & ~valid & ~missing
    if bad_numbers.any():
        result.out_of_scale.update(Counter(np.round(numbers[bad_numbers], 3).tolist()))
    answered = int((has_number & ~missing).sum())
    if is_text.any():
        text_positions = np.flatnonzero(is_text)
        if len(text_positions):
            texts = pd.Series(np.asarray(values, dtype=object)[text_positions]).astype(str)
            table = dict(labels or {})
            mapped = {raw: _label_code(raw, table, valid_codes) for raw in pd.unique(texts)}
            found = texts.map(mapped).to_numpy(dtype=np.int64)
            ok = np.isin(found, valid_list.astype(np.int64))
            codes_out[text_positions[ok]] = found[ok].astype(np.int8)
            is_na[text_positions[ok]] = False
            answered += int((found != _MISSING).sum())
            unmatched = found == _UNMATCHED
            if unmatched.any():
                result.unmatched_text.update(Counter(texts[unmatched].tolist()))
    result.answered = answered
    result.codes = pd.Series(pd.arrays.IntegerArray(codes_out, is_na))
    return result


def _label_code(raw: str, table: Mapping[str, int], valid_codes) -> int:
    folded = _fold(raw)
    if folded in table:
        return table[folded]
    if folded in _MISSING_TEXT or raw.strip().lower() in _MISSING_TEXT:
        return _MISSING
    # "1-2 times", "More than 10 times": the incident scale's labels with a unit
    for suffix in (" times", " time"):
        if folded.endswith(suffix) and folded[: -len(suffix)] in table:
            return table[folded[: -len(suffix)]]
    # "5 - Strongly agree", "Strongly agree (5)": only when code and label agree, so that an
    # incident band such as "1 - 2" is never read as code 1
    for pattern, code_group, label_group in ((_LEADING_CODE, 1, 2), (_TRAILING_CODE, 2, 1)):
        m = pattern.match(raw)
        if m:
            code, label = int(m.group(code_group)), _fold(m.group(label_group))
            if table.get(label) == code:
                return code
    return _UNMATCHED
