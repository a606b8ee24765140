"""Run long work (loading a file, building an export) off the UI thread, with progress and cancel."""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from explorer.core.progress import Cancelled, ProgressReporter

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str, object)  # one sentence for the user, and the exception (for retries)
    cancelled = Signal()


class Worker(QRunnable):
    """Calls ``fn(*args, progress=reporter)`` in the thread pool and relays the outcome as signals.

    ``failed`` carries one sentence for the user: the exception's message for expected errors
    (:class:`ValueError`/:class:`OSError` subclasses the readers raise), a generic sentence otherwise
    (the traceback goes to the log file, never to the screen).
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.signals = WorkerSignals()
        self._fn, self._args = fn, args
        self.reporter = ProgressReporter(self.signals.progress.emit)
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.reporter.cancel()

    def run(self) -> None:  # runs in a pool thread
        try:
            result = self._fn(*self._args, progress=self.reporter)
        except Cancelled:
            self.signals.cancelled.emit()
        except (ValueError, OSError) as exc:
            log.info("work failed: %s", exc)
            self.signals.failed.emit(str(exc), exc)
        except Exception as exc:  # noqa: BLE001 - anything else is a bug: log it, tell the user plainly
            log.error("unexpected error\n%s", traceback.format_exc())
            self.signals.failed.emit("Something unexpected went wrong; the details are in the log file.", exc)
        else:
            self.signals.finished.emit(result)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self)
