"""Column mappings: the user's own statement of which column is which, saved as JSON and reused.

A mapping fixes what the sniffer is unsure of, or what it cannot know (an analyst's own column
names, a survey year). Example::

    {
      "version": 1,
      "kind": "respondents",
      "sheets": ["Results 2025"],
      "header_row": 3,
      "year": 2025,
      "columns": {
        "Q9a": {"role": "question", "item": "manager_encourages"},
        "Care Group": {"role": "breakdown"},
        "Comments": {"role": "ignore"},
        "SM trust": {"role": "local", "label": "I trust senior managers"}
      },
      "labels": {"Totally agree": 5}
    }

For organisation-level tables, columns take the roles ``org_id``, ``org_name``, ``year``,
``benchmark_group``, ``value`` and ``base`` (``"measure"`` names what the value is; a bank item or
score id such as ``harassment_colleagues`` or ``PP7_2``, or the analyst's own name).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from explorer.core.surveydata import KINDS

MAPPING_VERSION = 1
ROLES = ("question", "breakdown", "local", "weight", "year", "id", "ignore",
         "org_id", "org_name", "benchmark_group", "value", "base")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message is one sentence naming the file."""


@dataclass
class ColumnMapping:
    version: int = MAPPING_VERSION
    kind: str | None = None
    sheets: list[str] | None = None
    header_row: int | None = None  # 1-based, as Excel shows it
    year: int | None = None
    columns: dict[str, dict] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)

    def role(self, column: str) -> dict | None:
        spec = self.columns.get(column)
        if spec is None:
            folded = column.strip().casefold()
            spec = next((v for k, v in self.columns.items() if k.strip().casefold() == folded), None)
        return spec

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v not in (None, {}, [])}
        data["version"] = self.version
        return json.dumps(data, indent=2, ensure_ascii=False)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "ColumnMapping":
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise MappingError(f"The column mapping {path.name} does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"The column mapping {path.name} could not be read ({exc}).") from None
        except json.JSONDecodeError as exc:
            raise MappingError(f"The column mapping {path.name} is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
        return cls.from_dict(raw, path.name)

    @classmethod
    def from_dict(cls, raw: object, name: str = "mapping") -> "ColumnMapping":
        if not isinstance(raw, dict):
            raise MappingError(f"The column mapping {name} must be a JSON object.")
        version = raw.get("version", MAPPING_VERSION)
        if not isinstance(version, int) or version > MAPPING_VERSION:
            raise MappingError(f"The column mapping {name} was written by a newer version of this program (version {version}).")
        kind = raw.get("kind")
        if kind is not None and kind not in KINDS:
            raise MappingError(f"The column mapping {name} names an unknown kind '{kind}' (use one of {', '.join(KINDS)}).")
        columns = raw.get("columns", {})
        if not isinstance(columns, dict):
            raise MappingError(f"The column mapping {name}: 'columns' must map column names to roles.")
        clean: dict[str, dict] = {}
        for column, spec in columns.items():
            if isinstance(spec, str):
                spec = {"role": spec}
            if not isinstance(spec, dict) or spec.get("role") not in ROLES:
                raise MappingError(f"The column mapping {name}: column '{column}' needs a role, one of {', '.join(ROLES)}.")
            clean[str(column)] = dict(spec)
        labels = raw.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(v, int) for v in labels.values()):
            raise MappingError(f"The column mapping {name}: 'labels' must map answer labels to whole-number codes.")
        year = raw.get("year")
        if year is not None and not (isinstance(year, int) and 2000 <= year <= 2100):
            raise MappingError(f"The column mapping {name}: 'year' must be a survey year such as 2025.")
        header_row = raw.get("header_row")
        if header_row is not None and not (isinstance(header_row, int) and header_row >= 1):
            raise MappingError(f"The column mapping {name}: 'header_row' must be a row number (1 = the first row).")
        sheets = raw.get("sheets")
        if isinstance(sheets, str):
            sheets = [sheets]
        return cls(version=version, kind=kind, sheets=sheets, header_row=header_row, year=year,
                   columns=clean, labels={str(k): int(v) for k, v in labels.items()})


def mapping_from_data(data) -> ColumnMapping:
    """A mapping that reproduces what the reader recognised, for the user to check, edit and reuse
    next year (written by ``inspect --save-mapping``)."""
    details = data.details
    mapping = ColumnMapping(kind=data.kind)
    sheets = details.get("sheets") or []
    if data.kind == "respondents" and sheets:
        mapping.sheets = [s["name"] for s in sheets]
        rows = {s["header_row"] for s in sheets}
        if len(rows) == 1:
            mapping.header_row = rows.pop()
        columns: dict[str, dict] = {}
        for _year, found in sorted((details.get("questions_by_year") or {}).items()):
            for column, info in found.items():
                columns[column] = {"role": "question", "item": info["item"]}
        for name in data.breakdowns:
            columns.setdefault(name, {"role": "breakdown"})
        for column, label in (details.get("local_columns") or {}).items():
            columns.setdefault(column, {"role": "local", "label": label})
        for name in details.get("unrecognised", []):
            columns.setdefault(name, {"role": "ignore"})
        if details.get("weight_column"):
            columns.setdefault(details["weight_column"], {"role": "weight"})
        mapping.columns = columns
    return mapping
