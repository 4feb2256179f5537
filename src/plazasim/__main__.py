"""``python -m plazasim``: the command line, exactly as the ``plazasim`` script runs it."""

from plazasim.cli import main

raise SystemExit(main())
