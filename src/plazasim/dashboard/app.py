"""Build the dashboard's Dash app: page, callbacks, background runner and request checks."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from dash import Dash

from plazasim.dashboard.callbacks_form import register_form
from plazasim.dashboard.callbacks_view import register_views
from plazasim.dashboard.layout import page
from plazasim.dashboard.runner import Runner
from plazasim.dashboard.runstore import RunStore
from plazasim.dashboard.safety import LOOPBACK, protect

__all__ = ["create_app"]


def create_app(runs_dir: Path, *, host: str = "127.0.0.1") -> Dash:
    """The dashboard for the runs under ``runs_dir`` (created if missing).

    ``host`` is the address the server will listen on: on a loopback address the
    app also refuses requests addressed to any other host name (DNS rebinding).
    Everything the page loads is served by this app (``serve_locally``); nothing
    comes from the network.
    """
    runs_dir = Path(runs_dir).absolute()
    runs_dir.mkdir(parents=True, exist_ok=True)
    store = RunStore(runs_dir)
    runner = Runner(store)
    options: dict[str, Any] = {}
    if "enable_mcp" in inspect.signature(Dash.__init__).parameters:
        options["enable_mcp"] = False  # Dash 4 can expose the app to AI agents: not here
    app = Dash(
        __name__,
        title="plazasim dashboard",
        serve_locally=True,
        compress=False,
        # None (documented) turns the "Updating..." title off; dash types it str only.
        update_title=None,  # type: ignore[arg-type]
        suppress_callback_exceptions=False,
        assets_folder=str(Path(__file__).with_name("assets")),
        **options,
    )
    app.layout = page(runs_dir)
    register_form(app, runner)
    register_views(app, store)
    protect(app, loopback_only=host in LOOPBACK)
    app.server.extensions["plazasim_runner"] = runner
    return app
