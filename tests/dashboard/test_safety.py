"""Bad requests get a 4xx with one line of text, never a 500 or a traceback."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.dashboard.edits import MAX_UPLOAD_BYTES

from .conftest import callback, output_of

HISTORY = "history.figure"


def _ok_history(app):
    return callback(app, HISTORY, [None], [None, 0])


def test_a_well_formed_callback_is_answered(app, page) -> None:
    response = page.post(_ok_history(app))
    assert response.status_code == 200
    assert "Click a plaza" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "a callback request must be a JSON object"),
        (b"[]", "a callback request must be a JSON object"),
        (b"{}", "unknown callback output"),
        (b'{"output": "nope.children"}', "unknown callback output"),
        (b'{"output": "history.figure", "inputs": []}', "inputs do not match"),
    ],
)
def test_malformed_callback_bodies_are_400(page, raw: bytes, why: str) -> None:
    response = page.post(None, raw=raw)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert why in text and "Traceback" not in text and text.count("\n") == 1


def test_inputs_of_another_component_are_400(app, page) -> None:
    body = _ok_history(app)
    body["inputs"][0]["id"] = "run-picker"
    assert page.post(body).status_code == 400
    body = _ok_history(app)
    body["state"] = body["state"][:1]
    assert page.post(body).status_code == 400


def test_forged_values_reach_no_file(app, page) -> None:
    for run in ("../../etc", "/etc/passwd", ".hidden", "x" * 500, 7, {"a": 1}, "no-such-run"):
        body = callback(app, HISTORY, ["S001"], [run, 0])
        response = page.post(body)
        assert response.status_code == 400, run
        assert response.get_data(as_text=True).startswith("bad request: run:")
    body = callback(app, output_of(app, "progress.value"), [1], ["../../../etc"])
    assert page.post(body).status_code == 400  # a job id that is not one


def test_paths_methods_hosts_and_tokens(app, page) -> None:
    assert page.get("/").status_code == 200
    assert page.get("/_dash-layout").status_code == 200
    for path in ("/nope", "/etc/passwd", "/_dash-component-suites/x/y.js", "/assets/../x"):
        response = page.get(path)
        assert response.status_code == 404, path
        assert "Traceback" not in response.get_data(as_text=True)
    assert page.get("/_dash-update-component").status_code == 405
    assert page.client.post("/", base_url="http://127.0.0.1:8050").status_code == 405
    assert page.get("/", host="evil.example:8050").status_code == 400
    assert page.post(_ok_history(app), host="attacker.example").status_code == 400
    assert page.post(_ok_history(app), token="").status_code == 403
    assert page.post(_ok_history(app), token="guess").status_code == 403
    assert page.post(None, raw=b"x=1", content_type="text/plain").status_code == 415


def test_large_bodies_are_413(app, page) -> None:
    body = _ok_history(app)
    body["inputs"][0]["value"] = "x" * (5 * 1024 * 1024)
    assert page.post(body).status_code == 413


def test_another_address_is_answered_when_not_loopback(runs_dir) -> None:
    from plazasim.dashboard import create_app

    app = create_app(runs_dir, host="0.0.0.0")
    try:
        assert (
            app.server.test_client().get("/", base_url="http://192.168.1.5:8050").status_code == 200
        )
    finally:
        app.server.extensions["plazasim_runner"].shutdown()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


#: What the page itself sends for each prop: the fuzz below swaps some of these for junk,
#: so that a callback gets past its first check and meets junk deeper in.
REALISTIC = {
    ("scenario-choice", "value"): "synthetic-small",
    ("seed", "value"): "1",
    ("until", "value"): "2007-01-29",
    ("compare-policy", "value"): None,
    ("timeline", "data"): [{"from": "2007-01-01", "policy": "crackdown", "params": ""}],
    ("parameters", "data"): [{"parameter": "lethality", "value": "0.004"}],
    ("upload", "contents"): "data:text/plain;base64,W3NjZW5hcmlv",
    ("upload", "filename"): "a.toml",
    ("run-button", "n_clicks"): 1,
    ("week", "value"): 0,
    ("compare-week", "value"): 0,
    ("map", "clickData"): {"points": [{"pointIndex": 3}]},
}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_values_for_any_callback_never_give_500(app, page, data) -> None:
    """Every callback, fed the page's own values with some of them swapped for any JSON."""
    output = data.draw(st.sampled_from(sorted(app.callback_map)))
    declared = app.callback_map[output]

    def value(entry):
        real = REALISTIC.get((entry["id"], entry["property"]))
        return data.draw(st.one_of(st.just(real), JSON))

    values = [value(d) for d in declared["inputs"]]
    states = [value(d) for d in declared.get("state", [])]
    response = page.post(callback(app, output, values, states))
    assert response.status_code < 500, (output, values, states, response.get_data(as_text=True))
    if response.status_code >= 400:
        text = response.get_data(as_text=True)
        assert "Traceback" not in text and text.count("\n") == 1


def test_response_headers(page) -> None:
    response = page.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "SameSite=Strict" in response.headers["Set-Cookie"]
    assert json.loads(page.get("/_dash-layout").get_data(as_text=True))


def test_a_large_upload_is_a_message_in_the_page(app, page) -> None:
    data = base64.b64encode(b"#" * (MAX_UPLOAD_BYTES + 1024)).decode()
    body = callback(
        app,
        output_of(app, "upload-store.data"),
        [f"data:text/plain;base64,{data}"],
        ["big.toml", []],
    )
    response = page.post(body)
    assert response.status_code == 200
    assert "error: scenario: file too large (at most 256 KB" in response.get_data(as_text=True)
