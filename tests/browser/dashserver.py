"""Serve a dashboard app on a free 127.0.0.1 port in a thread, for the browser tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server


@contextmanager
def serve_dashboard(runs_dir: Path) -> Iterator[str]:
    """Start ``create_app(runs_dir)`` on 127.0.0.1 (port chosen by the OS); yield its URL."""
    from plazasim.dashboard import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app(runs_dir)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.server.extensions["plazasim_runner"].shutdown()
