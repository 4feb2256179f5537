"""The ``plazasim dashboard`` command: serve the Dash dashboard on this machine.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported. It
listens on 127.0.0.1 unless ``--host`` says otherwise (docs/DASHBOARD.md says
what listening on other addresses exposes).
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
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
        raise PlazasimError(
            f"--host: {host!r} is not an IP address (expected e.g. 127.0.0.1, "
            "or 0.0.0.0 for every interface)"
        ) from None
    return host


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line, an address this machine cannot listen on (taken, not its own)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            option = "--host" if exc.errno == errno.EADDRNOTAVAIL else "--port"
            raise PlazasimError(
                f"{option}: cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="TCP port to listen on (1-65535).")] = 8050,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default serves this machine only; "
            "0.0.0.0 lets anyone on the network start runs (see "
            "docs/DASHBOARD.md)."
        ),
    ] = "127.0.0.1",
    runs: Annotated[
        Path,
        typer.Option(
            "--runs",
            help="Folder of the dashboard's runs (created if missing); "
            "its run folders are listed as past runs.",
        ),
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
    from werkzeug.serving import make_server

    _check_port(host, port)  # werkzeug would print several lines and exit
    server = make_server(host, port, dash_app.server, threaded=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"note: listening on {host}: anyone who can reach this address can run "
            "scenarios and read the runs in " + str(runs),
            markup=False,
            soft_wrap=True,
        )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    url_host = f"[{host}]" if ":" in host else host
    out.print(
        f"plazasim dashboard on http://{url_host}:{server.port}/ (runs in {runs}); Ctrl-C stops it",
        markup=False,
        soft_wrap=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped", markup=False)
    finally:
        server.server_close()
        dash_app.server.extensions["plazasim_runner"].shutdown()
