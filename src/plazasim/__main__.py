"""``python -m plazasim``: the command line, exactly as the ``plazasim`` script runs it."""

import sys

try:
    from plazasim.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line imports: one line, no traceback
    sys.stderr.write("error: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
