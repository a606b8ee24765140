"""Test setup: Qt renders offscreen, logs and settings go to a temporary folder."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports Qt (pytest-qt creates the QApplication lazily).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SSE_DATA_DIR", tempfile.mkdtemp(prefix="sse-test-"))
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="sse-runtime-"))
