"""Per-user folders for logs (and the settings location Qt uses), without admin rights or Qt.

Windows: %LOCALAPPDATA%\\StaffSurveyExplorer; macOS: ~/Library/Application Support/StaffSurveyExplorer;
elsewhere: $XDG_STATE_HOME (or ~/.local/state)/staff-survey-explorer. Never a shared or program folder.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

APP_DIR_NAME = "StaffSurveyExplorer"


def user_data_dir() -> Path:
    override = os.environ.get("SSE_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "staff-survey-explorer"


def log_dir() -> Path:
    return user_data_dir() / "logs"


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to a small rotating file in the user's folder; never to the network, never respondents' data."""
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "explorer.log", maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError:
        return None  # a read-only profile must not stop the program
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("explorer")
    root.setLevel(level)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    return folder / "explorer.log"
