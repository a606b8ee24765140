"""The session: what the window, the board pack and the command line share. Qt-free.

    s = Session.open_demo()                  # or Session.open(path, password=None, mapping=None)
    r = s.compute(ViewSpec(lens="trust", breakdown=("Directorate", "Staff group")))
    s.catalog()                              # what views this data supports

It holds the question bank, the main dataset and an optional benchmark workbook, the per-dataset
working state (protected partitions, per-question statistics), a least-recently-used cache of
Results keyed by dataset and view, and the current view with undo/redo. ``compute`` is cancellable
between stages through a :class:`~explorer.core.progress.ProgressReporter`.

The session is the one place in the core that opens files: it calls the readers (a documented
exception in the import contracts), so the window and the command line need nothing else.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from explorer.core import catalog as catalog_module
from explorer.core import disclosure as D
from explorer.core.engine import Prepared, compute, published
from explorer.core.progress import Progress
from explorer.core.questionbank import QuestionBank, load_bank
from explorer.core.results import Results
from explorer.core.surveydata import SurveyData
from explorer.core.viewspec import DatasetRef, SpecError, ViewSpec, file_sha256

CACHE_SIZE = 64
DEMO_NAME = "Built-in demo (fictional Northshire Hospitals NHS Foundation Trust)"


class ViewFileError(SpecError):
    """A saved view that cannot be replayed (its data file is missing, or unreadable)."""


def demo_ref() -> DatasetRef:
    from explorer.demo import demo_files

    digest = __import__("hashlib").sha256()
    for key, path in sorted(demo_files().items()):
        if key.startswith("respondents_2"):
            digest.update(file_sha256(path).encode())
    return DatasetRef(name="demo", path=None, sha256=digest.hexdigest(), kind="respondents", demo=True)


class Session:
    def __init__(self, data: SurveyData, bank: QuestionBank | None = None, source: DatasetRef | None = None,
                 spec: ViewSpec | None = None) -> None:
        self.bank = bank or load_bank()
        self.data = data
        self.source = source or DatasetRef(name=Path(data.provenance.path).name or "data", kind=data.kind)
        self.prepared = Prepared(data, self.bank) if data.is_respondent_level else None
        self.benchmark: SurveyData | None = None
        self.benchmark_source: DatasetRef | None = None
        self._cache: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._undo: list[ViewSpec] = []
        self._redo: list[ViewSpec] = []
        self._spec = self._stamp(spec or self.default_spec())

    # ---------------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | os.PathLike, password: str | None = None, mapping=None, progress: Progress | None = None,
             bank: QuestionBank | None = None, ask_year=None) -> "Session":
        from explorer.readers import open_survey  # the session is the core's one door to the readers

        bank = bank or load_bank()
        data = open_survey(path, mapping=mapping, password=password, progress=progress, bank=bank, ask_year=ask_year)
        session = cls(data, bank, DatasetRef.of_file(path, data.kind))
        session.prepare(progress=progress)
        return session

    @classmethod
    def open_demo(cls, progress: Progress | None = None, bank: QuestionBank | None = None) -> "Session":
        from explorer.demo import load_demo

        bank = bank or load_bank()
        data = load_demo(progress=progress, bank=bank)
        session = cls(data, bank, demo_ref())
        session.prepare(progress=progress)
        return session

    @classmethod
    def replay(cls, view_path: str | os.PathLike, password: str | None = None, progress: Progress | None = None,
               bank: QuestionBank | None = None) -> tuple["Session", ViewSpec, list[str]]:
        """Open what a saved view was made from; returns the session, the view and warnings (e.g.
        the file has changed since the view was saved)."""
        spec = ViewSpec.load(view_path)
        ref = spec.dataset
        if ref is None:
            raise ViewFileError(f"The view {Path(view_path).name} does not say which data it was made from; "
                                "open the data file and then the view.")
        warnings: list[str] = []
        if ref.demo:
            session = cls.open_demo(progress=progress, bank=bank)
        else:
            path = cls._find(ref, Path(view_path))
            session = cls.open(path, password=password, progress=progress, bank=bank)
        if ref.sha256 and session.source.sha256 and ref.sha256 != session.source.sha256:
            warnings.append(f"{session.source.name} has changed since the view was saved (its content is different), "
                            "so the figures may differ from those seen then.")
        if spec.benchmark is not None:
            path = cls._find(spec.benchmark, Path(view_path))
            session.open_benchmark(path, progress=progress)
            if spec.benchmark.sha256 and spec.benchmark.sha256 != session.benchmark_source.sha256:
                warnings.append(f"The benchmark workbook {session.benchmark_source.name} has changed since the view "
                                "was saved.")
        session.set_spec(spec)
        return session, session.spec, warnings

    @staticmethod
    def _find(ref: DatasetRef, view_path: Path) -> Path:
        candidates = []
        if ref.path:
            candidates.append(Path(ref.path))
        candidates.append(view_path.resolve().parent / ref.name)
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        looked = " or ".join(str(c) for c in dict.fromkeys(candidates))
        raise ViewFileError(f"The view's data file {ref.name} was not found (looked for {looked}).")

    def open_benchmark(self, path: str | os.PathLike, password: str | None = None,
                       progress: Progress | None = None) -> None:
        from explorer.readers import open_survey

        data = open_survey(path, password=password, progress=progress, bank=self.bank)
        if data.kind != "benchmark_workbook":
            raise SpecError(f"{Path(path).name} is not an official benchmark workbook ({data.kind.replace('_', ' ')}).")
        self.benchmark, self.benchmark_source = data, DatasetRef.of_file(path, data.kind)
        self.clear_cache()
        self._spec = self._stamp(self._spec)

    def prepare(self, threshold: int | None = None, progress: Progress | None = None) -> None:
        """Build the protected partitions now (loading is the time to do it, not the first view)."""
        if self.prepared is not None:
            if progress is not None:
                progress(0.97, "Protecting small groups")
            self.prepared.families()
            for name in (D.ORGANISATION, D.PEOPLE):
                self.prepared.groups(name, threshold or self._spec.threshold)

    # ------------------------------------------------------------------- the view
    def default_spec(self) -> ViewSpec:
        organisation = None
        if not self.data.is_respondent_level:
            orgs = self.data.aggregates["org_id"].astype(str).unique()
            organisation = str(orgs[0]) if len(orgs) == 1 else None
        return ViewSpec(lens="trust", organisation=organisation)

    def _stamp(self, spec: ViewSpec) -> ViewSpec:
        return replace(spec, dataset=self.source, benchmark=self.benchmark_source)

    @property
    def spec(self) -> ViewSpec:
        return self._spec

    def set_spec(self, spec: ViewSpec, undoable: bool = True) -> ViewSpec:
        """Make ``spec`` the current view (undoable unless told: a default filled in on opening is no
        step of the user's); the same view again changes nothing."""
        spec = self._stamp(spec)
        if not undoable:
            self._spec = spec
        elif spec != self._spec:
            self._undo.append(self._spec)
            self._redo.clear()
            self._spec = spec
        return self._spec

    def update(self, **changes) -> ViewSpec:
        return self.set_spec(self._spec.with_(**changes))

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> ViewSpec:
        if self._undo:
            self._redo.append(self._spec)
            self._spec = self._undo.pop()
        return self._spec

    def redo(self) -> ViewSpec:
        if self._redo:
            self._undo.append(self._spec)
            self._spec = self._redo.pop()
        return self._spec

    def save_view(self, path: str | os.PathLike, spec: ViewSpec | None = None) -> None:
        self._stamp(spec or self._spec).save(path)

    # ------------------------------------------------------------------ computing
    def compute(self, spec: ViewSpec | None = None, progress: Progress | None = None) -> Results:
        """Results for ``spec`` (default: the current view), from the cache when it was made before.
        Raises :class:`~explorer.core.progress.Cancelled` if ``progress`` is cancelled."""
        spec = spec or self._spec
        key = (id(self.data), id(self.benchmark), spec)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        results = compute(self.data, spec, self.bank, self.benchmark, prepared=self.prepared, progress=progress)
        with self._lock:
            self._cache[key] = results
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return results

    def league(self, spec: ViewSpec | None = None) -> Results:
        """Organisations of a benchmarking group ranked on the view's measures (published figures:
        the file itself, or the benchmark workbook open beside respondent data)."""
        spec = spec or self._spec
        source = self.data if not self.data.is_respondent_level else self.benchmark
        if source is None:
            raise SpecError("Ranking organisations needs published data: open a benchmark workbook.")
        key = ("league", id(source), spec)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        results = published.league(source, spec, self.bank, organisation=self.data.organisation)
        with self._lock:
            self._cache[key] = results
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return results

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def catalog(self, threshold: int | None = None) -> catalog_module.Catalog:
        return catalog_module.build(self.data, self.bank, self.prepared, threshold or self._spec.threshold,
                                    self.benchmark)
