"""The engine: SurveyData + ViewSpec -> Results. Qt-free, vectorised, deterministic.

Respondent data: per question the official % positive, the answer distribution, the mean answer
code, and 0-10 People Promise / theme scores; every figure with its base n and whether it is
weighted; change since the previous survey year; each group against the rest of the organisation;
benchmark best / median / worst from a published workbook; drivers. Every figure is a sum over the
protected blocks of :mod:`explorer.core.disclosure`. Published data: the file's figures pass
through with their n and release.

Modules: ``measures`` (which measures), ``prepared`` (per-dataset arrays and caches), ``cells``
(adding up a view), ``changes``, ``comparators``, ``drivers``, ``published``, ``respondents``
(one view end to end), ``assemble`` (order, notes).
"""

from __future__ import annotations

from explorer.core.engine import published, respondents
from explorer.core.engine.measures import MeasureDef, measures_for
from explorer.core.engine.prepared import Prepared
from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank
from explorer.core.results import Results
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import ViewSpec

__all__ = ["MeasureDef", "Prepared", "compute", "measures_for"]


def compute(data: SurveyData, spec: ViewSpec, bank: QuestionBank, benchmark: SurveyData | None = None, *,
            prepared: Prepared | None = None, progress: Progress | None = None, audit: bool = False) -> Results:
    """Results for ``spec`` on ``data`` (optionally against a published ``benchmark`` workbook).

    ``prepared`` carries the per-dataset caches (the Session passes its own); without it a fresh one
    is built, which is right for one-off use and tests. ``audit`` (tests) adds, per row, the indices
    of the respondents the row covers as ``results.extra["members"]``."""
    if not data.is_respondent_level:
        return published.compute(data, spec, bank)
    if prepared is None or prepared.data is not data:
        prepared = Prepared(data, bank)
    return respondents.compute(prepared, spec, benchmark, progress, audit)
