"""scripts/particle_targets.py: the fit targets per stored particle of a calibration.

A small synthetic calibration over a whole year (so the yearly national checks have
data) at a known ``baseline_scale``; the script must count the particles meeting each
check from their stored summaries, agree with the checks computed by hand, and refuse a
series it has no checks for in one line.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyabc
import pytest

from plazasim.calibration.abc_smc import calibrate, read_calibration
from plazasim.scenario import parse_scenario

from .test_abc_smc import BLOCKS, TOML, synthetic_targets

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "particle_targets.py"


def _script():
    spec = importlib.util.spec_from_file_location("particle_targets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def calibration(tmp_path_factory) -> Path:
    """The ABC tests' synthetic scenario run to the end of 2007, two generations of 8."""
    scenario = parse_scenario(TOML.replace("end = 2007-06-30", "end = 2007-12-31"))
    out = tmp_path_factory.mktemp("particles") / "cal"
    targets = synthetic_targets(scenario, last_month="2007-12")
    calibrate(scenario, out, particles=8, populations=2, targets=targets, blocks=BLOCKS)
    return out


def test_every_stored_particle_is_checked_against_the_record(calibration) -> None:
    meta, costs, checks = _script().particle_frame(calibration)
    assert len(meta) == len(costs) == len(checks) == 16  # 8 particles x 2 generations
    assert set(meta["generation"]) == {0, 1}
    assert np.allclose(meta.groupby("generation")["weight"].sum(), 1.0)
    assert meta["baseline_scale"].between(0.5, 1.2).all()
    assert {"national_homicides_2007", "national_related_2007"} <= set(checks.columns)
    # The same checks by hand: each particle's stored year total against the record's.
    history = pyabc.History("sqlite:///" + str(calibration / "abc.db"), _id=1)
    observed = read_calibration(calibration).settings.observed_arrays()
    stats = [s for t in (0, 1) for s in history.get_weighted_sum_stats(t=t)[1]]
    for block, tolerance in (("national_homicides", 0.10), ("national_related", 0.20)):
        error = np.array([np.sum(s[block]) for s in stats]) / np.sum(observed[block]) - 1
        assert checks[f"{block}_2007"].tolist() == (np.abs(error) <= tolerance).tolist()
    assert checks["national_homicides_2007"].nunique() == 2  # some meet it, some do not
    assert (costs["national_homicides"] > 0).all()


def test_the_script_prints_its_tables_and_refuses_an_unknown_series(calibration, capsys) -> None:
    script = _script()
    assert script.main([str(calibration)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("16 particles in 2 generations")
    assert "all checks" in out and "baseline_scale" in out
    assert script.main([str(calibration), "--check", "juarez"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --check: no yearly checks for 'juarez'; expected one of")
    assert err.count("\n") == 1
