"""Which measures a view shows: a lens's items and scores, named measures, and a file's own questions."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core.questionbank import QuestionBank
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import SpecError, ViewSpec


@dataclass(frozen=True)
class MeasureDef:
    id: str
    kind: str  # item | score | local | own
    label: str
    lens: str
    lower_is_better: bool
    unit: str  # "%" or "score"


def _lens_of(measure_id: str, bank: QuestionBank, lens: str | None) -> str:
    if lens:
        return lens
    m = bank.items.get(measure_id) or bank.scores.get(measure_id)
    return m.lenses[0] if m is not None and m.lenses else ""


def available_measures(data: SurveyData, bank: QuestionBank) -> dict[str, tuple[str, str, str]]:
    """Local questions (respondent data) and a file's own measures (published data):
    id -> (label, kind, unit)."""
    if data.is_respondent_level:
        return {lid: (q.label, "local", "%") for lid, q in data.local_questions.items()}
    table = data.aggregates
    own = table[~table["measure"].astype(str).isin(list(bank.items) + list(bank.scores))]
    return {str(m): (str(label) or str(m), "own", str(unit))
            for m, label, unit in own[["measure", "label", "unit"]].drop_duplicates("measure").itertuples(index=False)}


def measures_for(spec: ViewSpec, data: SurveyData, bank: QuestionBank) -> list[MeasureDef]:
    """The lens's measures (plus the file's local questions that match it) and any named measures."""
    wanted: list[str] = list(bank.lens(spec.lens).measures) if spec.lens else []
    wanted += [m for m in spec.measures if m not in wanted]
    if not wanted:
        raise SpecError("Choose a lens (trust, bullying or morale) or at least one measure.")
    available = available_measures(data, bank)
    out: list[MeasureDef] = []
    for mid in wanted:
        if mid in bank.items:
            item = bank.item(mid)
            if item.positive is None or item.id == "discrimination_grounds":
                continue  # multi-select grounds are not one %
            out.append(MeasureDef(mid, "item", item.short, _lens_of(mid, bank, spec.lens), item.lower_is_better, "%"))
        elif mid in bank.scores:
            out.append(MeasureDef(mid, "score", bank.score(mid).name, _lens_of(mid, bank, spec.lens), False, "score"))
        elif mid in available:
            label, kind, unit = available[mid]
            out.append(MeasureDef(mid, kind, label, spec.lens or "", False, unit))
        elif mid in spec.measures:
            found = resolve_measure(mid, data, bank, available)
            if found is None:
                raise SpecError(f"There is no measure '{mid}' in this dataset or the question bank.")
            if found not in wanted:
                out += measures_for(spec.with_(lens=None, measures=(found,)), data, bank)
    if spec.lens:
        lens = bank.lens(spec.lens)
        have = {m.id for m in out}
        for mid, (label, kind, unit) in available.items():
            # a file's local questions join a lens by their wording; a published file's own measures do not
            # (untied on purpose: a subgroup's, a change, another year — shown when named, never as the lens)
            if kind == "local" and lens.matches_local(label) and mid not in have:
                out.append(MeasureDef(mid, kind, label, spec.lens, False, unit))
    return out


def resolve_measure(name: str, data: SurveyData, bank: QuestionBank, available: dict) -> str | None:
    """The measure a typed name means when it is not an id: a question code of one of the data's years
    (``q14a``), the file's own column name for a measure (published tables: ``Stress``), or a name the
    vocabulary ties to the bank."""
    from explorer.core.questionbank import normalise_code
    from explorer.core.vocabulary import vocabulary

    code = normalise_code(name)
    if code:
        for year in sorted(data.years, reverse=True):
            item = bank.by_code(year, code) if year in bank.years else None
            if item is not None:
                return item.id
    if not data.is_respondent_level:
        table = data.aggregates
        folded = name.strip().casefold()
        hits = table.loc[table["code"].astype(str).str.casefold() == folded, "measure"].astype(str).unique()
        if len(hits) == 1:
            return str(hits[0])
    match = vocabulary().measure(name, bank)
    if match is not None and match.kind == "measure":
        return match.measure
    return None
