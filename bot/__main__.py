"""`python -m bot` is the `visatalks` command."""

from bot.cli import main

raise SystemExit(main())
