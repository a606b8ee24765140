"""Computing views off the UI thread: debounced, newest request wins, stale results dropped.

One worker thread (the session's caches are built lazily, so computations run one at a time); a
new request cancels the running one at its next progress report. ``busy`` is emitted only when a
computation outlasts ``BUSY_AFTER_MS``, so quick views never flash an indicator.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from explorer.core.session import Session
from explorer.ui.workers import Worker

log = logging.getLogger(__name__)
DEBOUNCE_MS = 0  # coalesces the signals of one user action (a reset emits several); clicks start at once
BUSY_AFTER_MS = 150


def compute_jobs(session: Session, jobs: dict, progress=None) -> dict:
    """Runs in the worker: every ViewSpec of ``jobs`` -> its Results (from the session's cache when seen)."""
    out = {}
    for i, (key, spec) in enumerate(jobs.items()):
        if progress is not None:
            progress(i / max(1, len(jobs)), "Working out the figures")
        out[key] = session.league(spec) if key == "league" else session.compute(spec, progress=progress)
    return out


class Computer(QObject):
    ready = Signal(int, object)  # request id, {key: Results}
    failed = Signal(int, str)
    busy = Signal(bool)

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.latest = 0
        self.running: Worker | None = None
        self._pending: tuple[int, dict] | None = None
        self.started_at: dict[int, float] = {}
        self.timings: list[float] = []
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start)
        self._side: list[Worker] = []  # other work on this thread (the demo's benchmark), see run_after
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self.busy.emit(True))

    def request(self, jobs: dict, immediate: bool = False) -> int:
        self.latest += 1
        self._pending = (self.latest, jobs)
        self.started_at[self.latest] = time.perf_counter()
        if self.running is not None:
            self.running.cancel()  # it stops at its next report; its result would be stale anyway
        if not self._busy_timer.isActive():
            self._busy_timer.start()
        if immediate or DEBOUNCE_MS == 0:  # a timer of 0 ms still waited for the window's repaint (17 ms)
            self._start()
        else:
            self._debounce.start()
        return self.latest

    def _start(self) -> None:
        if self._pending is None or self.running is not None:
            return  # the running job's end starts the pending one
        request, jobs = self._pending
        self._pending = None
        worker = Worker(compute_jobs, self.session, jobs)
        worker.signals.finished.connect(lambda result, r=request: self._finished(r, result))
        worker.signals.failed.connect(lambda message, error, r=request: self._failed(r, message))
        worker.signals.cancelled.connect(lambda r=request: self._ended(r))
        self.running = worker
        self.pool.start(worker)

    def _ended(self, request: int) -> None:
        self.running = None
        if request != self.latest:
            self.started_at.pop(request, None)  # a stale request: nobody will time it
        if self._pending is not None:
            self._start()
        elif request == self.latest:
            self._busy_timer.stop()
            self.busy.emit(False)

    def _finished(self, request: int, result: dict) -> None:
        self._ended(request)
        if request == self.latest:
            self.ready.emit(request, result)

    def _failed(self, request: int, message: str) -> None:
        self._ended(request)
        if request == self.latest:
            self.failed.emit(request, message)

    def run_after(self, worker: Worker) -> None:
        """Run ``worker`` on the figures' own thread, after the computation under way: the session is
        never changed while a view is being worked out. Connect to its signals before calling this."""
        self._side.append(worker)
        done = lambda *_: worker in self._side and self._side.remove(worker)  # noqa: E731
        for signal in (worker.signals.finished, worker.signals.failed, worker.signals.cancelled):
            signal.connect(done)
        self.pool.start(worker)

    def idle(self) -> bool:
        return self.running is None and self._pending is None and not self._debounce.isActive() and not self._side

    def wait(self, timeout_ms: int = 30000, process: Callable[[], None] | None = None) -> bool:
        """Block until idle (tests and the screenshots command), processing events."""
        from PySide6.QtWidgets import QApplication

        end = time.perf_counter() + timeout_ms / 1000
        while not self.idle() and time.perf_counter() < end:
            QApplication.processEvents()
            self.pool.waitForDone(5)
        QApplication.processEvents()
        return self.idle()
