"""The form and the upload become a scenario through the CLI's own loader and messages."""

from __future__ import annotations

import base64
import contextlib
import io
from pathlib import Path

import pytest

from plazasim.cli import main
from plazasim.dashboard.edits import (
    MAX_UPLOAD_BYTES,
    decode_upload,
    edited_scenario,
    parameter_rows,
    parse_upload,
    timeline_rows,
    upload_name,
)
from plazasim.dashboard.errors import one_line
from plazasim.errors import ScenarioError
from plazasim.scenario import load_scenario


def _url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def _cli_line(tmp_path: Path, name: str, text: bytes, monkeypatch) -> str:
    (tmp_path / name).write_bytes(text)
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert main(["run", name, "--quiet"]) == 2
    return stderr.getvalue().strip()


@pytest.mark.parametrize(
    "text",
    [
        b'[scenario\nname = "x"\n',
        b'[scenario]\nname = "x"\nstart = 2007-01-01\nend = 2006-01-01\n',
        b'[scenario]\nname = "x"\nstart = 2007-01-01\nend = 2008-01-01\n[parameters]\nlethality = -1\n',
        b'[scenario]\nname = "x"\nstart = 2007-01-01\nend = 2008-01-01\n[[policy]]\nfrom = 2007-01-01\n'
        b'name = "nope"\n',
    ],
)
def test_an_upload_gives_the_cli_line(tmp_path, monkeypatch, text: bytes) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_upload(_url(text), "bad.toml", tmp_path)
    assert f"error: {one_line(caught.value)}" == _cli_line(tmp_path, "bad.toml", text, monkeypatch)


def test_uploads_that_are_not_small_text_files(tmp_path) -> None:
    with pytest.raises(ScenarioError, match="file too large"):
        decode_upload(_url(b"#" * (MAX_UPLOAD_BYTES + 1)))
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        decode_upload(_url(b"\xff\xfe\x00binary"))
    for junk in (None, 3, "plain text", "data:x;base64,@@@", "http://x,abc"):
        with pytest.raises(ScenarioError, match=r"^scenario: "):
            decode_upload(junk)
    assert decode_upload(_url("año = 1".encode())) == "año = 1"
    assert upload_name("../../etc/passwd") == "passwd"
    assert upload_name(None) == "uploaded.toml"


def test_the_form_round_trips_the_scenario() -> None:
    base = load_scenario("mexico-2006")
    same = edited_scenario(
        base,
        seed=str(base.scenario.seed),
        until=str(base.scenario.end),
        timeline=timeline_rows(base),
        parameters=parameter_rows(base),
    )
    assert same == base
    names = [row["parameter"] for row in parameter_rows(base)]
    assert "baseline_scale" in names and "lethality" in names  # calibrated and main ones


def test_edits_are_applied() -> None:
    base = load_scenario("synthetic-small")
    timeline = [
        {"from": "2007-01-01", "policy": "crackdown", "params": ""},
        {
            "from": "2007-06-01",
            "policy": "mix",
            "params": '{"parts": [{"name": "signaling", "share": 0.7}, '
            '{"name": "kingpin", "share": 0.3}]}',
        },
    ]
    sc = edited_scenario(
        base,
        seed="9",
        until="2007-12-31",
        timeline=timeline,
        parameters=[{"parameter": "lethality", "value": "0.01"}],
    )
    assert sc.scenario.seed == 9 and str(sc.scenario.end) == "2007-12-31"
    assert [p.name for p in sc.policy] == ["crackdown", "mix"]
    assert sc.parameters.lethality == 0.01
    other = edited_scenario(
        base, seed="9", until="", timeline=timeline, parameters=[], policy="laissez_faire"
    )
    assert [p.name for p in other.policy] == ["laissez_faire"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seed": "x"}, "seed: must be an integer >= 0 (got 'x')"),
        ({"seed": "-1"}, "scenario.seed: Input should be greater than or equal to 0 (got -1)"),
        ({"until": "2030-01-01"}, "until: 2030-01-01 is after the end of synthetic-small"),
        ({"until": "soon"}, "until: invalid date 'soon'"),
        (
            {"timeline": [{"from": "2007-13-01", "policy": "crackdown"}]},
            "policy[0].from: invalid date '2007-13-01' (expected YYYY-MM-DD",
        ),
        (
            {"timeline": [{"from": "2007-01-01", "policy": "nope"}]},
            "policy[0].name: unknown policy 'nope'",
        ),
        (
            {"timeline": [{"from": "2007-01-01", "policy": "signaling", "params": "{oops"}]},
            "policy[0].params: expected a JSON object",
        ),
        (
            {"timeline": [{"from": "2007-01-01", "policy": "signaling", "params": '{"x": 1}'}]},
            "policy[0].params.x: unknown key",
        ),
        (
            {"parameters": [{"parameter": "lethality", "value": "lots"}]},
            "parameters.lethality: expected a number (got 'lots')",
        ),
        (
            {"parameters": [{"parameter": "lethality", "value": "-1"}]},
            "parameters.lethality: Input should be greater than or equal to",
        ),
        (
            {"parameters": [{"parameter": "nope", "value": "1"}]},
            "parameters: unknown parameter 'nope'",
        ),
        ({"parameters": "all"}, "parameters: expected a table"),
        (
            {"parameters": [{"parameter": "lethality", "value": 10**400}]},
            "parameters.lethality: expected a number",
        ),
    ],
)
def test_form_mistakes_name_the_field(change, message) -> None:
    base = load_scenario("synthetic-small")
    form = {"seed": "1", "until": "", "timeline": timeline_rows(base), "parameters": []}
    with pytest.raises(ScenarioError) as caught:
        edited_scenario(base, **{**form, **change})
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)
