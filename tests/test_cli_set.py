"""``--set NAME=VALUE`` on run, compare and validate: parsed as TOML, one-line errors, recorded."""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.cli import main
from plazasim.cli_set import parse_sets, toml_value
from plazasim.errors import PlazasimError

SYNTH = """\
[scenario]
name = "set-test"
start = 2007-01-01
end = 2007-03-31
[world]
kind = "synthetic"
plazas = 40
cartels = 2
[[policy]]
from = 2007-01-01
name = "signaling"
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def scenario_file(tmp_path: Path) -> str:
    path = tmp_path / "s.toml"
    path.write_text(SYNTH, encoding="utf-8")
    return str(path)


def test_values_are_toml_scalars_and_bare_words_are_strings() -> None:
    sets = parse_sets(
        [
            "lethality=0.03",
            "route_update_weeks=3",
            "world.seed=2",
            'scenario.description="a b"',
            "scenario.name=plain-word",
            "scenario.end=2007-02-28",
            "world.kind=[1, 2]",
        ]
    )
    assert sets.values == {
        "lethality": 0.03,
        "route_update_weeks": 3,
        "world.seed": 2,
        "scenario.description": "a b",
        "scenario.name": "plain-word",
        "scenario.end": dt.date(2007, 2, 28),
        "world.kind": [1, 2],
    }
    assert parse_sets(["world.seed = 4"]).values == {"world.seed": 4}  # spaces allowed


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (["lethality"], "--set lethality: expected NAME=VALUE, e.g. --set lethality=0.03"),
        (["=1"], "--set =1: expected NAME=VALUE, e.g. --set lethality=0.03"),
        (
            ["letality=1"],
            "--set letality=1: unknown parameter (did you mean 'lethality'? "
            "docs/SCENARIOS.md lists the names)",
        ),
        (
            ["lethality=0.0.3"],
            "--set lethality=0.0.3: '0.0.3' is not a TOML value: a number, true "
            "or false, a date YYYY-MM-DD, a quoted string or a [list]",
        ),
        (
            ["lethality=1\nattack_bias = 0"],
            "--set lethality=1\nattack_bias = 0: '1\\nattack_bias = "
            "0' is not a TOML value: a number, true or false, a date "
            "YYYY-MM-DD, a quoted string or a [list]",
        ),
        (
            ["lethality=0.1", "parameters.lethality=0.2"],
            "--set parameters.lethality=0.2: parameters.lethality is already set by "
            "--set lethality=0.1",
        ),
    ],
)
def test_malformed_options_are_refused(tokens: list[str], message: str) -> None:
    with pytest.raises(PlazasimError) as info:
        parse_sets(tokens)
    assert str(info.value) == message


@settings(max_examples=80, deadline=None, database=None)
@given(
    st.one_of(
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.dates(),
        st.lists(st.integers(-100, 100), max_size=4),
    )
)
def test_a_recorded_value_reads_back_the_same(value: object) -> None:
    """The invocation record writes values as TOML; reading them back gives the value."""
    token = f"lethality={toml_value(value)}"
    assert parse_sets([token]).values["lethality"] == value
    # and the recorded command line splits back into the same token
    assert shlex.split(shlex.quote(token)) == [token]


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (
            ["lethality=-5"],
            "error: --set lethality=-5: Input should be greater than or equal to 0.0005 (got -5)",
        ),
        (
            ["lethality=abc"],
            "error: --set lethality=abc: Input should be a valid number, unable to "
            "parse string as a number (got 'abc')",
        ),
        (
            ["policy.signaling.wait_weeks=-1"],
            "error: --set policy.signaling.wait_weeks=-1: Input "
            "should be greater than or equal to 0 (got -1)",
        ),
        (
            ["policy.kingpin.x=1"],
            "error: --set policy.kingpin.x=1: the policy timeline has no "
            "'kingpin' entry (it runs: signaling)",
        ),
        (
            ["world.plazas=5"],
            "error: --set world.plazas=5: Input should be greater than or equal to 10 (got 5)",
        ),
    ],
)
def test_run_refuses_bad_values_in_one_line(
    capsys: pytest.CaptureFixture[str],
    scenario_file: str,
    tmp_path: Path,
    sets: list[str],
    message: str,
) -> None:
    args = [w for s in sets for w in ("--set", s)]
    code, out, err = _run(capsys, "run", scenario_file, "--out", str(tmp_path / "o"), "-q", *args)
    assert (code, out, err) == (2, "", message + "\n")
    assert not (tmp_path / "o").exists()


def test_run_applies_and_records_the_values(
    capsys: pytest.CaptureFixture[str],
    scenario_file: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [
        "run",
        scenario_file,
        "-q",
        "--set",
        "lethality=0.03",
        "--set",
        "policy.signaling.wait_weeks=8",
        "--set",
        'scenario.description="two words"',
    ]
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    # the default folder says what was set, so it is not the plain run's folder
    folder = (
        tmp_path
        / "runs"
        / (
            "set-test-0-set-lethality-0.03-policy.signaling.wait_weeks-8-"
            "scenario.description-two-words"
        )
    )
    assert out == f"wrote {folder.resolve()}\n"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["parameters"]["lethality"] == 0.03
    assert manifest["scenario"]["policy"][0]["params"] == {"wait_weeks": 8}
    assert manifest["scenario"]["scenario"]["description"] == "two words"
    invocation = manifest["invocation"]
    assert invocation["args"]["set"] == {
        "lethality": "0.03",
        "policy.signaling.wait_weeks": "8",
        "scenario.description": '"two words"',
    }
    # the recorded line is a command that gives the same results: the same command again
    again = shlex.split(invocation["line"])[1:]
    code, _, err = _run(capsys, *again)
    assert code == 0
    assert err.startswith(
        f"note: replacing the results of this same command in runs/{folder.name}\n"
    )
    # a plain run goes elsewhere; the same folder with other values needs --force
    code, _, err = _run(capsys, "run", scenario_file, "-q", "--out", str(folder))
    assert code == 2 and "already holds the results of another command" in err


def test_posterior_draws_refuse_a_set_of_what_they_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = str(tmp_path / "o")
    code, _, err = _run(
        capsys,
        "run",
        "mexico-2006",
        "--until",
        "2007-01-31",
        "--out",
        out,
        "-q",
        "--posterior-draw",
        "0",
        "--set",
        "recruit_rate=0.002",
    )
    assert code == 2
    assert err == (
        "error: --set recruit_rate=0.002: recruit_rate is calibrated, and every draw "
        "of --posterior-draw sets it; drop this --set or --posterior-draw (draws keep "
        "--set of other parameters)\n"
    )
    code, _, err = _run(
        capsys,
        "compare",
        "--policies",
        "crackdown,signaling",
        "--seeds",
        "1",
        "--until",
        "2007-01-31",
        "--posterior",
        "2",
        "--out",
        out,
        "-q",
        "--set",
        "attack_bias=-5",
    )
    assert code == 2 and err.startswith("error: --set attack_bias=-5: attack_bias is calibrated")
    code, _, err = _run(
        capsys,
        "validate",
        "--seeds",
        "1",
        "--posterior",
        "2",
        "--out",
        out,
        "-q",
        "--set",
        "baseline_scale=0.6",
    )
    assert code == 2 and err.startswith(
        "error: --set baseline_scale=0.6: baseline_scale is calibrated"
    )
    assert not Path(out).exists()


def test_a_set_of_another_parameter_applies_under_a_posterior_draw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "o"
    code, _, err = _run(
        capsys,
        "run",
        "mexico-2006",
        "--until",
        "2007-01-14",
        "--out",
        str(out),
        "-q",
        "--posterior-draw",
        "0",
        "--set",
        "lethality=0.03",
    )
    assert code == 0, err
    scenario = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenario"]
    assert scenario["parameters"]["lethality"] == 0.03


def test_compare_applies_to_every_variant_and_policy_values_to_theirs(
    capsys: pytest.CaptureFixture[str], scenario_file: str, tmp_path: Path
) -> None:
    out = tmp_path / "c"
    code, _, err = _run(
        capsys,
        "compare",
        scenario_file,
        "--policies",
        "crackdown,signaling",
        "--seeds",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
        "-q",
        "--set",
        "lethality=0.03",
        "--set",
        "policy.signaling.wait_weeks=8",
    )
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    scenarios = manifest["scenarios"]
    assert [sc["parameters"]["lethality"] for sc in scenarios.values()] == [0.03, 0.03]
    assert scenarios["signaling"]["policy"][0]["params"] == {"wait_weeks": 8}
    assert scenarios["crackdown"]["policy"][0]["params"] == {}
    assert manifest["invocation"]["args"]["set"] == {
        "lethality": "0.03",
        "policy.signaling.wait_weeks": "8",
    }
    code, _, err = _run(
        capsys,
        "compare",
        scenario_file,
        "--policies",
        "crackdown,kingpin",
        "--seeds",
        "1",
        "--out",
        str(tmp_path / "d"),
        "-q",
        "--set",
        "policy.signaling.wait_weeks=8",
    )
    assert (code, err) == (
        2,
        "error: --set policy.signaling.wait_weeks=8: no variant runs "
        "policy 'signaling' (variants: crackdown, kingpin)\n",
    )


def test_validate_refuses_a_bad_set_before_running(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, "validate", "--seeds", "1", "--out", str(tmp_path / "v"), "--set", "lethality=-1"
    )
    assert (code, err) == (
        2,
        "error: --set lethality=-1: Input should be greater than or equal to 0.0005 (got -1)\n",
    )
