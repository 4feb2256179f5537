"""Command-line surprises, fixed: each mistake is one line naming the option, never a silent change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plazasim.cli import main

#: A short run of the bundled 200-plaza synthetic scenario (2007-01-01 to 2008-12-31).
SHORT = ("synthetic-small", "--until", "2007-02-28", "--quiet")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``args``, check it is refused with one line and no traceback; return that line."""
    code, out, err = _run(capsys, *args)
    assert code == 2, out + err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err.strip()


# --------------------------------------------------------------------------- --until


@pytest.mark.parametrize("until, where", [("2015-12-31", "after the end"),
                                          ("2006-06-01", "not after the start")])
def test_until_outside_the_scenario_is_refused(
    until: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    line = _refused(capsys, "run", "synthetic-small", "--until", until)
    assert line == (f"error: --until: {until} is {where} of synthetic-small (2007-01-01 to "
                    "2008-12-31); give a date from 2007-01-02 to 2008-12-31 (--until can only "
                    "shorten a run)")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- mix


def test_policy_mix_runs_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mix"
    code, _, err = _run(capsys, "run", *SHORT, "--policy", "mix:signaling=0.7+kingpin=0.3",
                        "--out", str(out))
    assert code == 0, err
    policy = json.loads((out / "manifest.json").read_text())["scenario"]["policy"]
    assert [(p["name"], p["params"]) for p in policy] == [
        ("mix", {"parts": [{"name": "signaling", "share": 0.7},
                           {"name": "kingpin", "share": 0.3}]})
    ]


def test_bare_mix_says_how_to_write_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(capsys, "run", *SHORT, "--policy", "mix", "--out", str(tmp_path / "o"))
    assert line == ("error: --policy: mix needs its parts and their shares of the capacity "
                    "(e.g. mix:signaling=0.7+kingpin=0.3, shares adding up to 1)")
    line = _refused(capsys, "compare", "synthetic-small", "--policies",
                    "signaling,mix:signaling=0.5+kingpin=0.4", "--seeds", "1",
                    "--out", str(tmp_path / "o"))
    assert line == ("error: --policies: mix shares must add up to 1 (they add up to 0.9; "
                    "e.g. mix:signaling=0.7+kingpin=0.3, shares adding up to 1)")
    assert not (tmp_path / "o").exists()
