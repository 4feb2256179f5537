"""The command line: listings, one-line errors with exit code 2, and end-to-end runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from pydantic import ValidationError

from plazasim.cli import main
from plazasim.model.params import Parameters
from plazasim.policies.base import registered
from plazasim.results.store import read_run, write_run

SRC = Path(__file__).resolve().parents[1] / "src"

DOCS = Path(__file__).resolve().parents[1] / "docs"


def documented_columns(table: str) -> list[str]:
    """Columns listed for ``<table>.parquet`` in docs/OUTPUTS.md (so the docs cannot go stale)."""
    text = (DOCS / "OUTPUTS.md").read_text(encoding="utf-8")
    section = text.split(f"## `{table}.parquet`", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)


#: The columns every run promises (docs/OUTPUTS.md may list more).
REQUIRED = {
    "national": [
        "date",
        "homicides_total",
        "homicides_cartel",
        "homicides_state",
        "homicides_bystander",
        "homicides_baseline",
        "cocaine_entered_t",
        "cocaine_delivered_t",
        "cocaine_seized_t",
        "cocaine_stock_t",
        "revenue_usd",
        "laundered_usd",
        "intercepted_usd",
        "active_cartels",
    ],
    "plazas": [
        "date",
        "plaza_id",
        "state",
        "controller",
        "disputed",
        "violence_observed",
        "action",
        "action_target",
        "homicides_total",
        "homicides_cartel",
        "homicides_state",
        "homicides_bystander",
        "homicides_baseline",
        "flow_t",
        "heat",
    ],
    "cartels": ["date", "cartel", "members", "cash_usd", "revenue_usd", "plazas_held", "alive"],
}


def test_outputs_doc_lists_the_required_columns() -> None:
    for table, required in REQUIRED.items():
        documented = documented_columns(table)
        assert set(required) <= set(documented), table
        assert len(documented) == len(set(documented)), table


SYNTH = """\
[scenario]
name = "cli-test"
start = 2007-01-01
end = 2007-06-30
[world]
kind = "synthetic"
plazas = 50
cartels = 2
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _lethality_msg() -> str:
    try:
        Parameters(lethality=-1.0)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]
    raise AssertionError("a negative lethality was accepted")


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- listings


def test_scenarios_lists_the_bundled_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "scenarios")
    assert (code, err) == (0, "")
    for text in (
        "mexico-2006",
        "synthetic-small",
        "2006-12-01",
        "to 2012-12-31",
        "200",
        "plazas",
        "Mexico 2006-2012",
    ):
        assert text in out


def test_policies_lists_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "policies")
    assert (code, err) == (0, "")
    names = sorted(registered())
    assert {"crackdown", "laissez_faire", "signaling"} <= set(names)
    for name in names:
        assert name in out
        first_word = (registered()[name].__doc__ or "").split()[0]
        assert first_word in out
    assert out.index("crackdown") < out.index("laissez_faire") < out.index("signaling")


def test_help_without_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys)
    assert code == 0
    assert "run" in out and "query" in out


# --------------------------------------------------------------------------- bad input


def _bad_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Arguments and the exact error line each must produce."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    out = str(tmp_path / "out")
    bad_toml = _write(tmp_path, "bad.toml", "[scenario\n")
    bad_param = _write(tmp_path, "param.toml", SYNTH + "[parameters]\nlethality = -1.0\n")
    event = '[[events]]\ndate = 2007-02-01\nkind = "us_signal"\ncartel = "{}"\nplaza = "{}"\n'
    bad_cartel = _write(tmp_path, "cartel.toml", SYNTH + event.format("Sinaloa", "S000"))
    bad_plaza = _write(tmp_path, "plaza.toml", SYNTH + event.format("Cartel A", "08037"))
    missing = str(tmp_path / "missing.toml")
    return {
        "unknown scenario": (
            ["run", "nope", "--out", out],
            "error: scenario: unknown scenario 'nope' (bundled: mexico-2006, mexico-2006-deal, "
            "synthetic-small; or give the path of a .toml file)",
        ),
        "missing file": (
            ["run", missing, "--out", out],
            f"error: scenario: file not found: {missing}",
        ),
        "malformed toml": (
            ["run", bad_toml, "--out", out],
            "error: scenario: malformed TOML at line 1: Expected ']' at the end of a table "
            f"declaration (column 10, in {bad_toml})",
        ),
        "bad parameter": (
            ["run", bad_param, "--out", out],
            "error: parameters.lethality: " + _lethality_msg() + " (got -1.0)",
        ),
        "unknown cartel": (
            ["run", bad_cartel, "--out", out],
            "error: events[0].cartel: unknown cartel 'Sinaloa' (known: Cartel A, Cartel B)",
        ),
        "unknown plaza": (
            ["run", bad_plaza, "--out", out],
            "error: events[0].plaza: unknown plaza '08037'",
        ),
        "bad until": (
            ["run", "synthetic-small", "--until", "x", "--out", out],
            "error: --until: invalid date 'x' (expected YYYY-MM-DD)",
        ),
        "until before start": (
            ["run", "synthetic-small", "--until", "2006-01-01", "--out", out],
            "error: --until: 2006-01-01 is not after the start of synthetic-small (2007-01-01 "
            "to 2008-12-31); give a date from 2007-01-02 to 2008-12-31 (--until can only "
            "shorten a run)",
        ),
        "negative seed": (
            ["run", "synthetic-small", "--seed", "-1", "--out", out],
            "error: --seed: must be an integer >= 0 (got -1)",
        ),
        "unknown policy": (
            ["run", "synthetic-small", "--policy", "foo", "--out", out],
            "error: --policy: unknown policy 'foo' "
            "(known: conditional, crackdown, kingpin, laissez_faire, mix, signaling)",
        ),
        "out is not a run dir": (
            ["run", "synthetic-small", "--out", str(precious)],
            f"error: --out: {precious} exists and is not a plazasim run directory (no "
            "manifest.json); refusing to replace it",
        ),
        "unknown option": (
            ["run", "--sed", "1"],
            "error: No such option: --sed (Possible options: --seed, --set)",
        ),
        "unknown command": (["frobnicate"], "error: No such command 'frobnicate'."),
        "query a non-run": (
            ["query", str(precious), "SELECT 1"],
            f"error: query: {precious} is not a plazasim results folder (no manifest.json or "
            "sweep.json)",
        ),
    }


CASE_IDS = [
    "unknown scenario",
    "missing file",
    "malformed toml",
    "bad parameter",
    "unknown cartel",
    "unknown plaza",
    "bad until",
    "until before start",
    "negative seed",
    "unknown policy",
    "out is not a run dir",
    "unknown option",
    "unknown command",
    "query a non-run",
]


@pytest.mark.parametrize("case", CASE_IDS)
def test_bad_input_is_one_line_and_exit_2(
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = _bad_cases(tmp_path)
    assert sorted(cases) == sorted(CASE_IDS)
    args, expected = cases[case]
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert err.splitlines() == [expected]
    assert "Traceback" not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no out dir, no runs/
    assert (tmp_path / "precious" / "notes.txt").read_text() == "keep me"


def test_bad_sql_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"date": pd.to_datetime(["2007-01-01"]), "homicides_total": [3.0]})
    fake = SimpleNamespace(national=frame, plazas=frame, cartels=frame, manifest={"seed": 0})
    run_dir = write_run(fake, tmp_path / "run")
    code, out, _ = _run(capsys, "query", str(run_dir), "SELECT sum(homicides_total) FROM national")
    assert code == 0 and "3.0" in out
    code, out, err = _run(capsys, "query", str(run_dir), "SELEC nonsense")
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("error: query: ")
    assert "Traceback" not in out + err


def _subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "plazasim.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_module_entry_point_errors_in_a_subprocess(tmp_path: Path) -> None:
    proc = _subprocess("run", "nope", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "error: scenario: unknown scenario 'nope' (bundled: mexico-2006, mexico-2006-deal, "
        "synthetic-small; or give the path of a .toml file)"
    ]
    assert proc.stdout == ""
    proc = _subprocess("run", "--until", "2010-02-31", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: --until: invalid date '2010-02-31' (expected YYYY-MM-DD)\n",
    )
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- end to end


def _tables(path: Path) -> SimpleNamespace:
    run = read_run(path)
    return SimpleNamespace(national=run.national, plazas=run.plazas, cartels=run.cartels)


def test_run_writes_documented_tables_and_repeats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    code, out, err = _run(capsys, "run", "synthetic-small", "--out", str(a), "--quiet")
    assert code == 0, err
    assert sorted(p.name for p in a.iterdir()) == [
        "cartels.parquet",
        "control_map.png",
        "flows.png",
        "homicides.png",
        "manifest.json",
        "national.parquet",
        "plazas.parquet",
    ]
    run = read_run(a)
    for table in REQUIRED:
        assert sorted(getattr(run, table).columns) == sorted(documented_columns(table)), table
    nat, plz, crt = run.national, run.plazas, run.cartels
    weeks = len(nat)
    assert weeks == 105  # weeks starting in [2007-01-01, 2008-12-31]
    assert nat["date"].iloc[1] - nat["date"].iloc[0] == pd.Timedelta(days=7)
    assert len(plz) == 200 * weeks
    assert set(plz["action"].astype(str)) <= {"none", "arrests", "takedown", "kingpin"}
    assert (nat["homicides_total"] >= 0).all() and nat["homicides_total"].sum() > 0
    # the ledgers docs/OUTPUTS.md promises
    kinds = ["homicides_cartel", "homicides_state", "homicides_bystander", "homicides_baseline"]
    assert np.allclose(nat["homicides_total"], nat[kinds].sum(axis=1))
    assert np.allclose(
        nat["cocaine_entered_t"],
        nat["cocaine_delivered_t"] + nat["cocaine_seized_t"] + nat["cocaine_stock_change_t"],
    )
    spent = [
        "wages_usd",
        "bribes_usd",
        "recruiting_usd",
        "deployment_usd",
        "cash_seized_usd",
        "laundered_usd",
        "intercepted_usd",
        "cash_change_usd",
    ]
    assert np.allclose(nat["revenue_usd"], nat[spent].sum(axis=1), rtol=1e-9, atol=1e-3)
    assert np.allclose(
        nat["members_change"],
        nat["recruits"] - nat["members_out"] - nat["members_dispersed"],
        atol=1e-6,
    )
    by_week = plz.groupby("date")["homicides_total"].sum().to_numpy()
    assert np.allclose(by_week, nat["homicides_total"], atol=1e-3)
    # per plaza, the four types add up to the total, and each sums to its national series
    assert np.array_equal(plz["homicides_total"].to_numpy(), plz[kinds].sum(axis=1).to_numpy())
    for kind in kinds:
        assert np.allclose(plz.groupby("date")[kind].sum().to_numpy(), nat[kind], atol=1e-3), kind
    assert (crt.groupby("date")["alive"].sum().to_numpy() == nat["active_cartels"]).all()
    assert run.manifest["seed"] == 1 and run.manifest["weeks"] == weeks
    assert run.manifest["scenario"]["world"] == {
        "kind": "synthetic",
        "plazas": 200,
        "seed": 7,
        "cartels": 4,
    }
    assert f"wrote {a}" in out

    assert _run(capsys, "run", "synthetic-small", "--out", str(b), "--quiet")[0] == 0
    first, second = _tables(a), _tables(b)
    for name in ("national", "plazas", "cartels"):
        assert_frame_equal(getattr(first, name), getattr(second, name))

    assert _run(capsys, "run", "synthetic-small", "--seed", "2", "--out", str(c), "--quiet")[0] == 0
    other = _tables(c)
    assert not first.national.equals(other.national)
    assert read_run(c).manifest["seed"] == 2
    assert read_run(c).manifest["scenario"]["scenario"]["seed"] == 2


def test_run_until_and_summary_table(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(
        capsys, "run", "synthetic-small", "--until", "2007-03-31", "--policy", "laissez_faire"
    )
    assert code == 0, err
    # the default folder names the overrides, so it never replaces the unmodified run
    target = tmp_path / "runs" / "synthetic-small-1-laissez_faire-until-2007-03-31"
    assert f"wrote {target}" in out
    assert "Homicides per year, simulated" in out and "2007" in out
    assert len(read_run(target).national) in (12, 13)
    code, out, _ = _run(capsys, "query", str(target), "SELECT count(*) AS n FROM national")
    assert code == 0 and ("12" in out or "13" in out)


def test_run_mexico_prints_observed_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from plazasim.scenario import load_scenario
    from plazasim.world import build_world

    observed = build_world(load_scenario("mexico-2006").world).observed
    code, out, err = _run(capsys, "run", "--until", "2007-03-01", "--out", str(tmp_path / "m"))
    assert code == 0, err
    assert "Homicides per year, simulated vs observed" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()[:4].isdigit()}
    assert set(lines) == {"2006", "2007"}
    assert f"{observed['inegi_homicides_registration'][2007]:,.0f}" in lines["2007"]
    assert f"{observed['presidencia_org_crime_deaths'][2007]:,.0f}" in lines["2007"]
    assert "5 wk" in lines["2006"] and "8 wk" in lines["2007"]
    manifest = read_run(tmp_path / "m").manifest
    assert manifest["seed"] == 42 and manifest["world"]["name"] == "mexico"
    # Only the events up to --until remain (the 2010 signal is after it), all applied.
    kept = manifest["scenario"]["events"]
    assert kept and all(e["date"] <= "2007-02-28" for e in kept)
    assert [e["kind"] for e in manifest["events"]] == [e["kind"] for e in kept]
    assert all(e["applied"] for e in manifest["events"])
