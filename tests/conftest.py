"""Test setup: Qt renders offscreen, logs and settings go to temporary folders removed at exit."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Set before anything imports Qt (pytest-qt creates the QApplication lazily).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for variable, prefix in (("SSE_DATA_DIR", "sse-test-"), ("XDG_RUNTIME_DIR", "sse-runtime-")):
    if variable not in os.environ:
        folder = tempfile.mkdtemp(prefix=prefix)
        os.environ[variable] = folder
        atexit.register(shutil.rmtree, folder, True)
