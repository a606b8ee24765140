"""The frozen program's entry point (PyInstaller runs this file): the same as ``staff-survey-explorer``."""

from explorer.cli import main

raise SystemExit(main())
