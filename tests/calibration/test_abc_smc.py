"""ABC-SMC calibration: recovers a known parameter, repeats exactly, resumes, refuses bad input.

The world is a 300-plaza synthetic one over half a year; the "record" is one run's
monthly national homicides at a known ``baseline_scale`` (the share of the
pre-war homicide rate that is not cartel killing), so the fit must find it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from plazasim.calibration.abc_smc import (
    CalibrationModel,
    calibrate,
    check_calibration_dir,
    plan_calibration,
    read_calibration,
)
from plazasim.calibration.distance import Block
from plazasim.calibration.space import SearchSpace
from plazasim.calibration.summaries import SummarySpec, month_labels
from plazasim.cli import main
from plazasim.errors import PlazasimError
from plazasim.experiments.priors import require_priors
from plazasim.scenario import Scenario, load_scenario, parse_scenario

TRUTH = 0.85
TOML = """\
[scenario]
name = "abc-test"
start = 2007-01-01
end = 2007-06-30
step = "week"
seed = 3

[world]
kind = "synthetic"
plazas = 300
cartels = 4
seed = 7

[[policy]]
from = 2007-01-01
name = "crackdown"

[calibration.priors]
baseline_scale = { distribution = "uniform", low = 0.5, high = 1.2 }
"""
PARTICLES = 16
#: Only the monthly national homicides count: their counts (about 100 a month) are
#: large enough for the fit to find the parameter in a few generations.
BLOCKS = {"national_related": Block(weight=0.0), "national_homicides": Block(offset=0.0)}


def synthetic_targets(scenario: Scenario, last_month: str = "2007-06"):
    """The record: one run at ``baseline_scale = TRUTH``, national monthly series to ``last_month``."""
    spec = SummarySpec(months=tuple(month_labels("2007-01", last_month)), years=(2007,), states=())
    space = SearchSpace(require_priors(scenario))
    model = CalibrationModel(scenario, space, spec)
    np.random.seed(0)
    return spec, model(space.particle({"baseline_scale": TRUTH}))


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return parse_scenario(TOML)


@pytest.fixture(scope="module")
def targets(scenario):
    return synthetic_targets(scenario)


@pytest.fixture(scope="module")
def three(tmp_path_factory, scenario, targets):
    """Three generations in one go, in-process."""
    out = tmp_path_factory.mktemp("abc") / "three"
    return calibrate(
        scenario, out, particles=PARTICLES, populations=3, targets=targets, blocks=BLOCKS
    )


def test_the_fit_recovers_the_known_parameter(three) -> None:
    row = three.summary.set_index("parameter").loc["baseline_scale"]
    assert row.q05 <= TRUTH <= row.q95
    assert row.interval_share_of_prior < 0.8  # narrower than the prior
    eps = three.populations.set_index("population")["epsilon"]
    assert eps.loc[0] > eps.loc[1] > eps.loc[2]  # each generation gets closer
    assert three.stopped_because == "3 generations done"


def test_the_directory_holds_every_file_and_reads_back(three) -> None:
    names = {p.name for p in three.out_dir.iterdir()}
    assert {
        "calibration.json",
        "abc.db",
        "populations.csv",
        "posterior.parquet",
        "posterior_summary.csv",
        "distance_blocks.csv",
        "calibrated.toml",
        "manifest.json",
    } <= names
    record = read_calibration(three.out_dir)
    post = record.posterior
    assert post["draw"].tolist() == list(range(PARTICLES))
    assert post["baseline_scale"].between(0.5, 1.2).all()
    assert record.settings.particles == PARTICLES
    manifest = json.loads((three.out_dir / "manifest.json").read_text())
    assert manifest["kind"] == "calibration" and manifest["generations"] == 4  # with t = -1
    # Kish's effective sample size: the prior sample is unweighted, the first
    # generation's weights are equal, and no generation is worth more than its size.
    ess = three.populations.set_index("population")["effective_particles"]
    assert np.isnan(ess.loc[-1]) and ess.loc[0] == pytest.approx(PARTICLES)
    assert ess.loc[[1, 2]].between(1, PARTICLES).all()
    # The calibrated scenario keeps the whole period and holds the posterior median.
    text = (three.out_dir / "calibrated.toml").read_text()
    assert "end = 2007-06-30" in text
    median = three.summary.set_index("parameter").loc["baseline_scale", "median"]
    assert f"baseline_scale = {float(f'{median:.6g}')!r}" in text


def test_distance_blocks_say_what_the_distance_is_made_of(three) -> None:
    """Shares sum to 1, and the weighted costs rebuild the particles' mean squared distance."""
    import pyabc

    blocks = pd.read_csv(three.out_dir / "distance_blocks.csv")
    record = read_calibration(three.out_dir)
    assert set(blocks["block"]) == set(record.settings.observed)
    assert (blocks["cost"] >= 0).all()
    assert blocks["share"].sum() == pytest.approx(1.0, abs=1e-3)
    history = pyabc.History("sqlite:///" + str(three.out_dir / "abc.db"), _id=1)
    dist = history.get_weighted_distances(t=history.max_t)
    mean_square = float(np.average(dist["distance"] ** 2, weights=dist["w"]))
    rebuilt = (blocks["weight"] * blocks["cost"]).sum() / blocks["weight"].sum()
    assert rebuilt == pytest.approx(mean_square, rel=1e-6)


def test_two_workers_give_the_same_calibration(tmp_path, scenario, targets, three) -> None:
    two = calibrate(
        scenario,
        tmp_path / "w2",
        particles=PARTICLES,
        populations=3,
        workers=2,
        targets=targets,
        blocks=BLOCKS,
    )
    assert_frame_equal(two.posterior, three.posterior)
    cols = ["population", "epsilon", "simulations", "acceptance_rate"]
    assert_frame_equal(two.populations[cols], three.populations[cols])


def test_a_resumed_calibration_continues_where_it_stopped(
    tmp_path, scenario, targets, three
) -> None:
    out = tmp_path / "resumed"
    first = calibrate(
        scenario, out, particles=PARTICLES, populations=2, targets=targets, blocks=BLOCKS
    )
    assert first.populations["population"].max() == 1
    # An interruption mid-generation leaves abc.db at the last finished one; so does this.
    (out / "posterior.parquet").unlink()
    rest = calibrate(None, out, populations=3, max_simulations=10_000, resume=True)
    assert rest.populations["population"].tolist() == [-1, 0, 1, 2]
    stored = json.loads((out / "calibration.json").read_text())
    assert (stored["settings"]["populations"], stored["settings"]["max_simulations"]) == (3, 10_000)
    assert len(stored["resumed"]) == 1
    assert_frame_equal(rest.posterior, three.posterior)
    assert rest.populations["simulations"].sum() == three.populations["simulations"].sum()


def three_blocks() -> dict[str, dict[str, float]]:
    return {
        "national_related": {"weight": 0.0, "offset": 10.0, "tolerance": 1.0},
        "national_homicides": {"weight": 1.0, "offset": 0.0, "tolerance": 1.0},
    }


def test_weights_replace_only_the_named_blocks_weights(tmp_path, scenario, targets) -> None:
    plan = plan_calibration(
        scenario, tmp_path / "w", targets=targets, blocks=BLOCKS, weights={"national_related": 2.5}
    )
    assert plan.settings.blocks == {
        **three_blocks(),
        "national_related": {"weight": 2.5, "offset": 10.0, "tolerance": 1.0},
    }
    unchanged = plan_calibration(scenario, tmp_path / "w", targets=targets, blocks=BLOCKS)
    assert unchanged.settings.blocks == three_blocks()
    assert not (tmp_path / "w").exists()


def test_resume_refuses_other_settings(tmp_path, scenario, three) -> None:
    out = tmp_path / "copy"
    shutil.copytree(three.out_dir, out)
    with pytest.raises(PlazasimError, match="particles: the calibration being resumed has 16"):
        calibrate(None, out, particles=50, populations=4, resume=True)
    with pytest.raises(PlazasimError, match="seed: the calibration being resumed has seed 3"):
        calibrate(None, out, seed=4, populations=4, resume=True)
    other = parse_scenario(TOML.replace("seed = 3", "seed = 5"))
    with pytest.raises(PlazasimError, match="scenario: differs from the calibration"):
        calibrate(other, out, populations=4, resume=True)
    with pytest.raises(
        PlazasimError,
        match=r"weight: the calibration being resumed keeps its stored block weights "
        r"\(national_homicides=1, national_related=0\)",
    ):
        calibrate(None, out, populations=4, resume=True, weights={"national_related": 1.0})
    same = plan_calibration(None, out, populations=4, resume=True, weights={"national_related": 0})
    assert same.settings.blocks == three_blocks()


def test_resume_takes_new_totals_for_generations_and_runs(tmp_path, three) -> None:
    out = tmp_path / "longer"
    shutil.copytree(three.out_dir, out)
    kept = plan_calibration(None, out, populations=5, resume=True).settings
    assert (kept.populations, kept.max_simulations, kept.particles) == (5, None, PARTICLES)
    raised = plan_calibration(None, out, populations=6, max_simulations=900, resume=True)
    assert (raised.settings.populations, raised.settings.max_simulations) == (6, 900)
    again = plan_calibration(None, raised.out_dir, populations=6, resume=True).settings
    assert again.max_simulations is None  # planning writes nothing: the stored limit holds
    with pytest.raises(PlazasimError, match="max-simulations: must be"):
        plan_calibration(None, out, populations=6, max_simulations=0, resume=True)


def test_output_directories_are_never_overwritten(tmp_path, three) -> None:
    with pytest.raises(PlazasimError, match="already holds a calibration; add --resume"):
        check_calibration_dir(three.out_dir, resume=False)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(PlazasimError, match="exists and is not empty"):
        check_calibration_dir(tmp_path / "busy", resume=False)
    with pytest.raises(PlazasimError, match="holds no calibration to resume"):
        check_calibration_dir(tmp_path / "busy", resume=True)
    with pytest.raises(PlazasimError, match="is not a finished calibration directory"):
        read_calibration(tmp_path / "busy")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"particles": 1}, "particles: must be an integer >= 2"),
        ({"populations": 0}, "populations: must be an integer >= 1"),
        ({"workers": 0}, "workers: must be an integer >= 1"),
        ({"max_simulations": 0}, "max-simulations: must be an integer >= 1"),
        ({"min_acceptance": 1.0}, "min-acceptance: must be in"),
        (
            {"transition": "kde"},
            "transition: unknown kernel 'kde'; expected one of normal, local, defensive",
        ),
        (
            {"weights": {"nope": 1.0}},
            "weight: unknown block 'nope'; expected one of national_related, national_homicides$",
        ),
        ({"weights": {"state_related": 1.0}}, "weight: unknown block 'state_related'"),
        (
            {"weights": {"national_homicides": -1.0}},
            "weight: national_homicides must be a finite number >= 0 \\(got -1.0\\)",
        ),
        (
            {"weights": {"national_homicides": float("inf")}},
            "weight: national_homicides must be a finite number >= 0 \\(got inf\\)",
        ),
        (
            {"weights": {"national_homicides": 0, "national_related": 0}},
            "weight: at least one compared block needs a weight > 0",
        ),
    ],
)
def test_bad_settings_are_refused_before_anything_runs(
    tmp_path, scenario, targets, kwargs, message
) -> None:
    with pytest.raises(PlazasimError, match=message):
        calibrate(scenario, tmp_path / "x", targets=targets, **kwargs)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("kernel", "method"), [("local", "LocalTransition"), ("defensive", "defensive mixture")]
)
def test_other_kernels_recover_the_parameter_and_are_kept_for_resuming(
    tmp_path, scenario, targets, three, kernel: str, method: str
) -> None:
    out = tmp_path / kernel
    result = calibrate(
        scenario,
        out,
        particles=PARTICLES,
        populations=3,
        targets=targets,
        blocks=BLOCKS,
        transition=kernel,
    )
    row = result.summary.set_index("parameter").loc["baseline_scale"]
    assert row.q05 <= TRUTH <= row.q95
    eps = result.populations.set_index("population")["epsilon"]
    assert eps.loc[0] > eps.loc[1] > eps.loc[2]
    # The same seed, another kernel: the prior sample agrees, the later generations not.
    assert result.populations["epsilon"].iloc[1] == three.populations["epsilon"].iloc[1]
    assert not result.posterior["baseline_scale"].equals(three.posterior["baseline_scale"])
    assert json.loads((out / "calibration.json").read_text())["settings"]["transition"] == kernel
    assert method in json.loads((out / "manifest.json").read_text())["method"]
    assert plan_calibration(None, out, populations=4, resume=True).settings.transition == kernel
    with pytest.raises(PlazasimError, match="transition: the calibration being resumed uses"):
        plan_calibration(None, out, populations=4, resume=True, transition="normal")


def test_a_scenario_without_priors_is_refused(tmp_path, targets) -> None:
    bare = parse_scenario(TOML.split("[calibration.priors]")[0])
    with pytest.raises(PlazasimError, match=r"no \[calibration\] table"):
        calibrate(bare, tmp_path / "x", targets=targets)


def test_stops_at_the_simulation_budget(tmp_path, scenario, targets) -> None:
    res = calibrate(
        scenario,
        tmp_path / "b",
        particles=4,
        populations=5,
        max_simulations=5,
        targets=targets,
        blocks=BLOCKS,
    )
    assert "reached the limit of 5" in res.stopped_because
    assert res.populations["population"].max() == 0


# --------------------------------------------------------------------------- command line


def _run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_calibrates_mexico_and_resumes(tmp_path, capsys) -> None:
    out = tmp_path / "mx"
    code, stdout, _ = _run_cli(
        [
            "calibrate",
            "mexico-2006",
            "--particles",
            "2",
            "--populations",
            "1",
            "--weight",
            "national_homicides=15",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, stdout
    blocks = json.loads((out / "calibration.json").read_text())["settings"]["blocks"]
    assert blocks["national_homicides"] == {"weight": 15.0, "offset": 10.0, "tolerance": 1.0}
    assert blocks["national_related"]["weight"] == 5.0
    assert "Posterior" in stdout and f"wrote {out}" in stdout
    summary = pd.read_csv(out / "posterior_summary.csv")
    scenario = load_scenario("mexico-2006")
    assert scenario.calibration is not None
    assert summary["parameter"].tolist() == list(scenario.calibration.resolved())
    code, stdout, _ = _run_cli(
        ["calibrate", "--resume", "--out", str(out), "--populations", "2", "-q"], capsys
    )
    assert code == 0
    assert pd.read_csv(out / "populations.csv")["population"].max() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calibrate", "{tmp}/abc.toml", "--out", "{tmp}/s"], "has no observed record"),
        (["calibrate", "synthetic-small", "--out", "{tmp}/s"], r"no [calibration] table"),
        (["calibrate", "--resume"], "--resume: needs --out"),
        (["calibrate"], "scenario: give a scenario"),
        (["calibrate", "mexico-2006", "--workers", "0"], "--workers: must be >= 1"),
        (
            ["calibrate", "mexico-2006", "--workers", "2", "--scheduler", "tcp://x:1"],
            "give either --scheduler or --workers",
        ),
        (["calibrate", "--resume", "--out", "{tmp}"], "holds no calibration to resume"),
        (
            ["calibrate", "mexico-2006", "--weight", "members", "--out", "{tmp}/s"],
            "--weight: expected BLOCK=WEIGHT, e.g. national_homicides=15 (got 'members')",
        ),
        (
            ["calibrate", "mexico-2006", "--weight", "nope=2", "--out", "{tmp}/s"],
            "weight: unknown block 'nope'",
        ),
    ],
)
def test_cli_errors_are_one_line(tmp_path, capsys, args: list[str], message: str) -> None:
    (tmp_path / "abc.toml").write_text(TOML)
    code, _, stderr = _run_cli([a.replace("{tmp}", str(tmp_path)) for a in args], capsys)
    assert code == 2
    assert stderr.count("\n") == 1 and message in stderr
    assert not (tmp_path / "s").exists()


def test_a_dir_that_is_not_a_calibration_stays_untouched(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, stderr = _run_cli(["calibrate", "mexico-2006", "--out", str(tmp_path)], capsys)
    assert code == 2 and "not empty" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_degenerate_weights_are_reported_and_healthy_ones_are_not() -> None:
    from plazasim.cli_calibration import _degenerate_weights

    rows = pd.DataFrame({"population": [-1, 0, 1], "effective_particles": [np.nan, 200.0, 3.2]})
    message = _degenerate_weights(rows, 200)
    assert message is not None and "worth 3 of 200 particles" in message
    assert "Which parameters" in message
    rows.loc[2, "effective_particles"] = 80.0
    assert _degenerate_weights(rows, 200) is None
    assert _degenerate_weights(rows.drop(columns="effective_particles"), 200) is None
