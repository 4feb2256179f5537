"""A dashboard app over a temporary runs folder, and a client that speaks to it as the page does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from plazasim.dashboard import create_app
from plazasim.dashboard.safety import CSRF_COOKIE, CSRF_HEADER

HOST = "127.0.0.1:8050"


class PageClient:
    """Sends callback requests with the page's CSRF token, as Dash's renderer does."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.client.get("/", base_url=f"http://{HOST}")
        cookie = client.get_cookie(CSRF_COOKIE, domain="127.0.0.1")
        assert cookie is not None
        self.token = cookie.value

    def post(
        self,
        body: Any,
        *,
        raw: bytes | None = None,
        token: str | None = None,
        content_type: str = "application/json",
        host: str = HOST,
    ) -> Any:
        data = raw if raw is not None else json.dumps(body)
        headers = {CSRF_HEADER: self.token if token is None else token}
        return self.client.post(
            "/_dash-update-component",
            data=data,
            headers=headers,
            content_type=content_type,
            base_url=f"http://{host}",
        )

    def get(self, path: str, host: str = HOST) -> Any:
        return self.client.get(path, base_url=f"http://{host}")


def callback(app: Any, output: str, inputs: list[Any], state: list[Any] = ()) -> dict[str, Any]:
    """A well-formed request for the callback of ``output`` with these input/state values."""
    declared = app.callback_map[output]
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1]} for o in output.strip(".").split("...")
    ]
    return {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": [{**d, "value": v} for d, v in zip(declared["inputs"], inputs, strict=True)],
        "state": [{**d, "value": v} for d, v in zip(declared.get("state", []), state, strict=True)],
        "changedPropIds": [f"{declared['inputs'][0]['id']}.{declared['inputs'][0]['property']}"],
    }


def output_of(app: Any, startswith: str) -> str:
    """The callback_map key of the callback whose outputs start with ``startswith``."""
    return next(k for k in app.callback_map if k.lstrip(".").startswith(startswith))


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def app(runs_dir: Path) -> Any:
    dash_app = create_app(runs_dir)
    yield dash_app
    dash_app.server.extensions["plazasim_runner"].shutdown()


@pytest.fixture
def page(app: Any) -> PageClient:
    return PageClient(app.server.test_client())
