"""Progress and cancellation for long work, Qt-free.

Long functions take ``progress: Progress | None`` and call ``progress(fraction, message)``. The UI's
worker passes a :class:`ProgressReporter` whose call raises :class:`Cancelled` once the user has
pressed Cancel, so work stops at its next report without any Qt in the core.
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol


class Cancelled(Exception):
    """The user cancelled the operation."""


class Progress(Protocol):
    def __call__(self, fraction: float, message: str) -> None: ...


class ProgressReporter:
    def __init__(self, sink: Callable[[float, str], None] | None = None) -> None:
        self._sink = sink
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def __call__(self, fraction: float, message: str) -> None:
        if self._cancel.is_set():
            raise Cancelled(message)
        if self._sink is not None:
            self._sink(max(0.0, min(1.0, float(fraction))), message)
