"""``plazasim run --policy``: a policy given on the command line replaces all state action.

docs/SCENARIOS.md: the scenario's policy timeline and its state-action events
(military operations, leader captures and killings, budget changes) are dropped, so
``--policy laissez_faire`` runs no operation at all and has no state-cartel deaths,
while the other events of the timeline (here a rivalry) still happen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.experiments.run import run_scenario
from plazasim.results.store import read_run
from plazasim.scenario import STATE_ACTION_EVENTS, load_scenario, with_overrides

#: world60 of tests/model (60 plazas, 4 cartels); a crackdown, a military operation in
#: the three states with the most cartel presences, a capture, a killing, a budget change
#: and one event that is not state action.
SCENARIO = """\
[scenario]
name = "override-test"
start = 2007-01-01
end = 2007-06-30
seed = 4

[world]
kind = "synthetic"
plazas = 60
cartels = 4
seed = 3

[[policy]]
from = 2007-01-01
name = "crackdown"

[[events]]
kind = "military_operation"
date = 2007-01-15
name = "Operativo Conjunto"
states = ["03", "07", "15"]
ops_per_week = 3.0

[[events]]
kind = "kingpin_capture"
date = 2007-02-01
cartel = "Cartel D"

[[events]]
kind = "kingpin_killed"
date = 2007-02-15
cartel = "Cartel A"

[[events]]
kind = "capacity"
date = 2007-03-01
factor = 2.0

[[events]]
kind = "rivalry"
date = 2007-02-01
cartel = "Cartel A"
other = "Cartel B"
"""


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("override") / "override.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> None:
    code = main(["run", *args, "--quiet"])
    assert code == 0, capsys.readouterr().err


def event_kinds(manifest: dict) -> list[str]:
    return [e["kind"] for e in manifest["events"] if e["applied"]]


def test_the_scenarios_own_timeline_runs_operations(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the override the surge and the crackdown run operations, and the killed
    leader alone is one state-cartel homicide."""
    out = tmp_path / "own"
    run_cli(capsys, str(scenario_file), "--out", str(out))
    run = read_run(out)
    national = run.national
    assert national["operations"].sum() > 0
    assert national["homicides_state"].sum() >= 1
    kinds = event_kinds(run.manifest)
    assert {
        "military_operation",
        "kingpin_capture",
        "kingpin_killed",
        "capacity",
        "rivalry",
    } <= set(kinds)


def test_policy_laissez_faire_runs_no_operation_in_any_week(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--policy laissez_faire``: zero operations and zero state homicides every
    week; the state-action events are gone from the run, the rivalry is not; the CLI and
    ``with_overrides`` + ``run_scenario`` give the same weeks."""
    out = tmp_path / "laissez"
    run_cli(capsys, str(scenario_file), "--policy", "laissez_faire", "--out", str(out))
    run = read_run(out)
    national = run.national
    assert len(national) == 26
    np.testing.assert_array_equal(national["operations"].to_numpy(), 0)
    np.testing.assert_array_equal(national["homicides_state"].to_numpy(), 0)
    assert (run.plazas["homicides_state"] == 0).all()
    assert event_kinds(run.manifest) == ["rivalry"]
    assert [p["name"] for p in run.manifest["scenario"]["policy"]] == ["laissez_faire"]

    scenario = with_overrides(load_scenario(scenario_file), policy="laissez_faire")
    assert {e.kind for e in scenario.events} == {"rivalry"}
    assert not {e.kind for e in scenario.events} & STATE_ACTION_EVENTS
    direct = run_scenario(scenario).national
    for column in ("operations", "homicides_state", "homicides_cartel", "homicides_total"):
        pd.testing.assert_series_equal(
            direct[column].reset_index(drop=True),
            national[column].reset_index(drop=True),
            check_dtype=False,
        )
