"""Test setup: Qt renders offscreen; logs, settings (QSettings) and runtime files go to temporary
folders removed at exit."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Set before anything imports Qt (pytest-qt creates the QApplication lazily).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# XDG_CONFIG_HOME is always replaced: the window's QSettings (recent files, geometry) must never
# touch the person's own.
for variable, prefix in (("SSE_DATA_DIR", "sse-test-"), ("XDG_RUNTIME_DIR", "sse-runtime-"),
                         ("XDG_CONFIG_HOME", "sse-config-")):
    if variable not in os.environ or variable == "XDG_CONFIG_HOME":
        folder = tempfile.mkdtemp(prefix=prefix)
        os.environ[variable] = folder
        atexit.register(shutil.rmtree, folder, True)
