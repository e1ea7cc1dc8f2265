"""`python -m stptui` runs the command-line interface."""

from stptui.cli import main

raise SystemExit(main())
