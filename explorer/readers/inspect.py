"""What a file holds, for ``staff-survey-explorer inspect`` and the open-file dialog."""

from __future__ import annotations

from pathlib import Path

from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import SurveyData


def inspection(path: str | Path, data: SurveyData, bank: QuestionBank) -> dict:
    """A plain dictionary (JSON-ready) describing what the reader found."""
    details = data.details
    if data.is_respondent_level:
        rows = int(sum(n for n in data.respondents_by_year().values() if n))  # not a year too small to show
        questions = {
            str(year): [{"column": col, "item": info["item"], "code": info["code"], "how": info["how"]}
                        for col, info in found.items()]
            for year, found in (details.get("questions_by_year") or {}).items()
        }
        organisations = [data.organisation] if data.organisation else []
        sheets = [s["name"] for s in details.get("sheets", [])] or list(data.provenance.sheets)
        breakdowns = list(data.breakdowns)
        respondents_by_year = {str(y): n for y, n in data.respondents_by_year().items()}
        other_results = {}
        local = [{"id": q.id, "label": q.label, "years": list(q.years)} for q in data.local_questions.values()]
    else:
        table = data.aggregates
        rows = int(len(table))
        questions = {}
        for year, frame in table.groupby("year", observed=True):
            measures = frame[["measure", "code"]].drop_duplicates()
            questions[str(int(year))] = [
                {"column": str(code), "item": str(measure),
                 "how": "bank" if (str(measure) in bank.items or str(measure) in bank.scores) else "own name"}
                for measure, code in measures.itertuples(index=False)
            ]
        orgs = table[["org_id", "org_name"]].drop_duplicates("org_id")  # one per code (names change over the years)
        levels = _levels(data)
        organisations = [str(name) or str(org) for org, name in orgs.itertuples(index=False)
                         if (str(org) or str(name)) and levels.get(str(org), "Organisation") == "Organisation"]
        other_results = {level: [org for org, lv in levels.items() if lv == level]
                         for level in dict.fromkeys(levels.values()) if level != "Organisation"}
        sheets = list(data.provenance.sheets)
        breakdowns = sorted({str(b) for b in table["breakdown"].unique() if str(b)})
        respondents_by_year = {}
        local = [{"id": str(k), "label": str(v)} for k, v in (details.get("local_measures") or {}).items()]
    return {
        "file": str(path),
        "kind": data.kind,
        "format": details.get("format"),
        "why": details.get("why"),
        "vintage": data.provenance.vintage,
        "sheets": sheets,
        "skipped_sheets": details.get("skipped_sheets", []),
        "years": list(data.years),
        "organisations": organisations,
        # results that are not an organisation's (the official ZIP's national and organisation-type rows)
        "other_results": other_results,
        "rows": rows,
        "respondents_by_year": respondents_by_year,
        "questions_by_year": questions,
        "breakdowns": breakdowns,
        "local_questions": local,
        "unrecognised": list(details.get("unrecognised", [])),
        # published tables: each measure column and what it was tied to; organisation context columns
        "measures": dict(details.get("measures") or {}) if not data.is_respondent_level else {},
        "organisation_attributes": dict(details.get("organisation attributes") or {}),
        "warnings": list(data.warnings) + list(details.get("notes", [])),
    }


def as_text(report: dict) -> str:
    from explorer.readers import KIND_NAMES

    lines = [
        f"File:            {report['file']}",
        f"Kind:            {report['kind']} - {KIND_NAMES.get(report['kind'], '')}",
        f"Recognised by:   {report['why']}",
        f"Sheets used:     {', '.join(report['sheets']) or '-'}",
    ]
    if report["skipped_sheets"]:
        lines.append(f"Sheets skipped:  {', '.join(report['skipped_sheets'])}")
    if report["vintage"]:
        lines.append(f"Release:         {report['vintage']}")
    lines.append(f"Years:           {', '.join(map(str, report['years']))}")
    orgs = report["organisations"]
    if orgs:
        shown = ", ".join(orgs[:3]) + (f" and {len(orgs) - 3} more" if len(orgs) > 3 else "")
        lines.append(f"Organisations:   {len(orgs)} ({shown})")
    others = report.get("other_results") or {}
    if others:
        parts = [f"{level.lower()} results for {_some(names, ', ', shown=3)}" for level, names in others.items()]
        lines.append("Also in it:      " + "; ".join(parts) + " (not counted as organisations)")
    if report["respondents_by_year"]:
        per_year = ", ".join(f"{y}: {n:,}" if n is not None else f"{y}: fewer than 11"
                             for y, n in report["respondents_by_year"].items())
        lines.append(f"Respondents:     {per_year}")
    else:
        lines.append(f"Rows:            {report['rows']:,}")
    for year, found in report["questions_by_year"].items():
        how: dict[str, int] = {}
        for q in found:
            how[q["how"]] = how.get(q["how"], 0) + 1
        summary = ", ".join(f"{n} by {h}" for h, n in sorted(how.items()))
        lines.append(f"Questions {year}:  {len(found)} ({summary})")
    lines.append(f"Breakdowns:      {', '.join(report['breakdowns']) or '-'}")
    if report["local_questions"]:
        lines.append("Local questions: " + _some([q["label"] for q in report["local_questions"]], "; "))
    measures = report.get("measures") or {}
    own = [name for name, found in measures.items() if found == name]
    if measures:
        tied = [f"{name} = {found}" for name, found in measures.items() if found != name]
        if tied:
            lines.append("Measures:        " + _some(tied, "; "))
        if own:
            lines.append("Own measures:    " + _some(own, ", ") + " (not in the question bank: kept under their own names)")
    context = report.get("organisation_attributes") or {}
    if context:
        lines.append("Context:         " + _some([f"{c} ({what.split(' (')[0]})" for c, what in context.items()], "; "))
    if report["unrecognised"]:
        lines.append(f"Not used:        {_some(report['unrecognised'], ', ')}")
    if report["warnings"]:
        lines.append("Warnings:")
        lines.extend(f"  - {w}" for w in report["warnings"])
    return "\n".join(lines)


def _levels(data: SurveyData) -> dict[str, str]:
    """Each code's level (Organisation, Organisation type, National) where the reader says it."""
    attrs = data.org_attributes
    if attrs is None or "Level" not in attrs.columns:
        return {}
    return dict(zip(attrs["org_id"].astype(str), attrs["Level"].astype(str)))


def _some(names: list[str], sep: str, shown: int = 30) -> str:
    """A list for a terminal: the first ``shown`` names and how many more (--json has them all)."""
    rest = len(names) - shown
    return sep.join(names[:shown]) + (f"{sep}and {rest:,} more (all of them with --json)" if rest > 0 else "")
