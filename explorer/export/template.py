"""Board-pack templates: a view and the pack's options, without the data, to re-run on next year's
file in one step. Questions are kept by the question bank's cross-year ids, so an item renumbered
since (q14a one year, q13a the next) is the same measure; what the new file cannot match (a question
it does not hold, a directorate renamed, a column it lacks) is left out and said on Notes — never
dropped silently. Qt-free."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from explorer.core.filters import And, Filter, In
from explorer.core.session import Session
from explorer.core.viewspec import SpecError, ViewSpec
from explorer.export.excel import ExportError, write_atomically
from explorer.export.pack import PackOptions

KIND = "staff-survey-explorer board-pack template"
VERSION = 1


@dataclass
class Template:
    spec: ViewSpec  # no data reference and no years: it is applied to a file's latest year
    options: PackOptions
    made_from: dict = field(default_factory=dict)  # {"file": name, "year": Y}: said on Notes, never required

    def to_dict(self) -> dict:
        view = self.spec.with_(years=(), dataset=None, benchmark=None).to_dict()
        view.pop("dataset", None)
        view.pop("benchmark", None)
        return {"kind": KIND, "version": VERSION, "view": view, "pack": asdict(self.options),
                "made_from": self.made_from}

    def save(self, path: str | os.PathLike) -> Path:
        target = Path(path)
        if target.suffix.lower() != ".json":
            raise ExportError(f"A template is a .json file: give a name ending in .json, not '{target.name}'.")
        return write_atomically(target, (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Template":
        name = Path(path).name
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise SpecError(f"The template {name} could not be read ({exc.strerror or exc}).") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SpecError(f"{name} is not a board-pack template (it is not readable JSON).") from None
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise SpecError(f"{name} is not a board-pack template (save one with File → Save board-pack template… "
                            "or export --save-template).")
        version = data.get("version", 0)
        if not isinstance(version, int) or isinstance(version, bool):
            raise SpecError(f"The template {name} cannot be used: its version is not a whole number.")
        if version > VERSION:
            raise SpecError(f"{name} was saved by a newer version of this program; update it to use the template.")
        options = _options(data.get("pack", {}), name)
        view = data.get("view")
        if not isinstance(view, dict):
            raise SpecError(f"The template {name} cannot be used: it holds no view.")
        try:
            spec = ViewSpec.from_dict(view)
        except SpecError as exc:
            raise SpecError(f"The template {name} cannot be used: {exc}") from None
        except (TypeError, ValueError, AttributeError):
            raise SpecError(f"The template {name} cannot be used: its view is not one this program saved.") from None
        made = data.get("made_from") if isinstance(data.get("made_from"), dict) else {}
        return cls(spec=spec, options=options, made_from=made)


def _options(pack, name: str) -> PackOptions:
    """The pack's settings from a template, each checked (a hand-edited file gets one sentence)."""
    bad = f"The template {name} cannot be used: its pack settings are not valid"
    if not isinstance(pack, dict):
        raise SpecError(bad + ".")
    lenses = pack.get("lenses", list(PackOptions().lenses))
    if not isinstance(lenses, list) or not all(isinstance(x, str) for x in lenses):
        raise SpecError(bad + " (lenses should be a list such as [\"trust\", \"bullying\"]).")
    if not isinstance(pack.get("breakdowns", True), bool):
        raise SpecError(bad + " (breakdowns should be true or false).")
    texts = {k: pack.get(k, default) for k, default in (("marking", "OFFICIAL"), ("title", ""), ("author", ""))}
    if not all(isinstance(v, str) for v in texts.values()):
        raise SpecError(bad + " (marking, title and author should be text).")
    try:
        return PackOptions(lenses=tuple(lenses), breakdowns=pack.get("breakdowns", True), **texts)
    except SpecError as exc:
        raise SpecError(f"{bad}: {exc}") from None


def of_pack(spec: ViewSpec, options: PackOptions, source: str, year: int) -> Template:
    return Template(spec=spec, options=options, made_from={"file": source, "year": year})


def apply(template: Template, session: Session) -> tuple[ViewSpec, PackOptions, list[str]]:
    """The template's view for ``session``'s data, its pack options, and a sentence for everything the
    data could not match (each left out)."""
    catalog = session.catalog()
    spec, lost = template.spec, []
    known = {m.id for m in catalog.measures}
    columns = {c.name: c for c in catalog.columns}
    kept = [m for m in spec.measures if m in known]
    by = [c for c in spec.breakdown if c in columns]
    lost += [f"The measure '{_label(session, m)}' is not in this file; it is left out."
             for m in spec.measures if m not in known]
    lost += [f"There is no '{c}' column in this file to compare by; the groups are left out."
             for c in spec.breakdown if c not in columns]
    flt, problems = _match_filter(spec.filter, {name: _values(c) for name, c in columns.items()})
    lost += problems
    changes = dict(measures=tuple(kept), breakdown=tuple(by), filter=flt, years=(), dataset=None, benchmark=None)
    if spec.measures and not kept:
        lost.append("None of the template's measures is in this file, so the pack shows every measure of its lenses.")
    if spec.organisation and not session.data.is_respondent_level:
        ids = {str(o.get("org_id")) for o in catalog.organisations} | {str(o.get("name")) for o in catalog.organisations}
        if spec.organisation not in ids:
            lost.append(f"The organisation '{spec.organisation}' is not in this file; choose yours again.")
            changes["organisation"] = None
    made = template.made_from
    if made.get("year") or made.get("file"):
        lost.insert(0, f"Made from the template of {made.get('file') or 'an earlier file'}"
                       + (f" ({made['year']})" if made.get("year") else "") + " with the same selections"
                       + ("; what could not be matched is listed below." if lost else "."))
    return spec.with_(**changes), template.options, lost


def _values(column) -> set[str]:
    return {g.name for groups in column.groups.values() for g in groups}


def _match_filter(flt: Filter | None, known: dict[str, set[str]]) -> tuple[Filter | None, list[str]]:
    """Keep the conditions the new file can meet; say which are left out (a condition is dropped, a
    choice of several keeps the values that exist)."""
    if flt is None:
        return None, []
    parts = list(flt.filters) if isinstance(flt, And) else [flt]
    kept, lost = [], []
    for part in parts:
        leaves = list(part.leaves())
        missing_column = [c for c, _, _ in leaves if c not in known]
        if missing_column:
            lost.append(f"The filter on '{missing_column[0]}' is left out: there is no such column in this file.")
            continue
        if isinstance(part, In) and len(leaves) == 1:
            here = tuple(v for v in part.values if v in known[part.column])
            gone = [v for v in part.values if v not in known[part.column]]
            if gone:
                lost.append(f"{part.column} {', '.join(repr(v) for v in gone)}: not in this file, left out of the filter.")
            if here:
                kept.append(In(part.column, here))
            continue
        gone = [(c, v) for c, values, _ in leaves for v in values if v not in known[c]]
        if gone:
            lost.append(f"The filter '{part.describe()}' is left out: {gone[0][0]} '{gone[0][1]}' is not in this file.")
            continue
        kept.append(part)
    if not kept:
        return None, lost
    return (kept[0] if len(kept) == 1 else And(tuple(kept))), lost


def _label(session: Session, measure: str) -> str:
    bank = session.bank
    if measure in bank.items:
        return bank.items[measure].short
    if measure in bank.scores:
        return bank.scores[measure].name
    return measure
