"""The ``plazasim dashboard`` command: serve the Dash dashboard on this machine.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported. It
listens on 127.0.0.1 unless ``--host`` says otherwise (docs/DASHBOARD.md says
what listening on other addresses exposes).
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated

import typer

from plazasim.cli import app, err, out
from plazasim.errors import PlazasimError

__all__ = ["dashboard"]


def _check_host(host: str) -> str:
    """An IP address or ``localhost``; a name the server cannot bind is a one-line error."""
    if host == "localhost":
        return host
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise PlazasimError(f"--host: {host!r} is not an IP address (expected e.g. 127.0.0.1, "
                            "or 0.0.0.0 for every interface)") from None
    return host


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="TCP port to listen on (1-65535).")] = 8050,
    host: Annotated[
        str, typer.Option(help="Address to listen on. The default serves this machine only; "
                               "0.0.0.0 lets anyone on the network start runs (see "
                               "docs/DASHBOARD.md).")
    ] = "127.0.0.1",
    runs: Annotated[
        Path, typer.Option("--runs", help="Folder of the dashboard's runs (created if missing); "
                                          "its run folders are listed as past runs.")
    ] = Path("runs/dashboard"),
) -> None:
    """Serve the dashboard: run scenarios from the browser, explore maps and series."""
    if not 1 <= port <= 65535:
        raise PlazasimError(f"--port: must be from 1 to 65535 (got {port})")
    host = _check_host(host)
    if runs.exists() and not runs.is_dir():
        raise PlazasimError(f"--runs: {runs} exists and is not a directory")
    from plazasim.dashboard import create_app

    try:
        dash_app = create_app(runs, host=host)
    except OSError as exc:
        raise PlazasimError(f"--runs: cannot use {runs}: {exc.strerror or exc}") from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"note: listening on {host}: anyone who can reach this address can run "
                  "scenarios and read the runs in " + str(runs), markup=False)
    url_host = f"[{host}]" if ":" in host else host
    out.print(f"plazasim dashboard on http://{url_host}:{port}/ (runs in {runs}); Ctrl-C stops it",
              markup=False, soft_wrap=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        dash_app.run(host=host, port=port, debug=False, dev_tools_ui=False,
                     dev_tools_hot_reload=False)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise PlazasimError(f"--port: cannot listen on {host}:{port}: "
                            f"{exc.strerror or exc}") from None
