"""One scenario runs the same way from every command; every manifest says what produced it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from plazasim.events import MultiplierEvent
from plazasim.experiments.compare import compare
from plazasim.experiments.run import run_scenario
from plazasim.experiments.simulate import simulate_scenario, world_of
from plazasim.provenance import git_commit, provenance
from plazasim.scenario import load_scenario, with_overrides

SHORT = with_overrides(load_scenario("synthetic-small"), until="2007-03-31", seed=3)
KEYS = {"plazasim_version", "git_commit", "python", "numpy", "scipy"}


def test_run_scenario_is_simulate_scenario() -> None:
    sim = simulate_scenario(SHORT)
    result = run_scenario(SHORT)
    pd.testing.assert_frame_equal(
        sim.recorder.national_frame(sim.dates), result.national, check_exact=True
    )
    assert result.manifest["weeks"] == len(sim.dates) == 13


def test_world_is_built_once_per_process() -> None:
    assert world_of(SHORT) is world_of(with_overrides(SHORT, seed=9))


def test_extra_events_follow_the_scenario_ones_and_change_the_run() -> None:
    base = simulate_scenario(SHORT, record_plazas=False)
    shock = [(2, MultiplierEvent("supply_mult", 99, 0.1, active=True))]
    treated = simulate_scenario(SHORT, extra_events=shock, record_plazas=False)
    entered = [
        s.recorder.national_frame(s.dates)["cocaine_entered_t"].to_numpy() for s in (base, treated)
    ]
    np.testing.assert_array_equal(entered[0][:2], entered[1][:2])
    assert entered[1][2] < 0.2 * entered[0][2]
    assert treated.event_log[-1].label == "supply_shock"


def test_provenance_names_the_code_and_the_numerical_libraries() -> None:
    record = provenance()
    assert set(record) == KEYS
    assert record["numpy"] == np.__version__
    commit = git_commit()
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit)


def test_run_and_compare_manifests_carry_the_provenance() -> None:
    assert set(run_scenario(SHORT).manifest) >= KEYS
    variants = {p: with_overrides(SHORT, policy=p) for p in ("crackdown", "laissez_faire")}
    assert set(compare(variants, seeds=[1]).manifest()) >= KEYS
