"""``python -m explorer`` is the same as the ``staff-survey-explorer`` command."""

from explorer.cli import main

raise SystemExit(main())
