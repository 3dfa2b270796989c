"""``python -m tests.fakebotapi``: run the fake as its own process (see :mod:`.cli`)."""

from tests.fakebotapi.cli import main

raise SystemExit(main())
