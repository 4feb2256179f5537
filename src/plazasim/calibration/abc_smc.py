"""Calibrate a scenario to the record with ABC-SMC (pyabc), resumably and repeatably.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009,
*J. R. Soc. Interface* 6:187; Klinger, Rickert & Hasenauer 2018, *Bioinformatics*
34:3591, pyabc) needs only what plazasim has: a simulator and a distance. Each
generation keeps ``particles`` parameter sets whose runs come within epsilon of
the record; epsilon is the median distance of the previous generation, so the
sample moves from the prior toward the posterior. A simulation draws its seed
from the particle's random stream, so the posterior carries the model's own
noise as well as what the data leave uncertain.

A calibration directory holds::

    calibration.json       the settings, the summaries' layout and the record
    abc.db                 pyabc's history (SQLite): every generation, inspectable
    populations.csv        one row per generation: epsilon, runs, acceptance,
                           effective particles, time
    posterior.parquet      the last generation resampled to equal weights (draw k = row k)
    posterior_summary.csv  each parameter's prior and weighted posterior quantiles
    distance_blocks.csv    each distance block's mean cost in the last generation, its share
    calibrated.toml        the scenario with the posterior medians, pointing at the posterior
    manifest.json          what produced it, written last

``abc.db`` is written after every generation, so an interrupted calibration
resumes from its last finished generation (:func:`calibrate` with
``resume=True``); with :class:`~plazasim.calibration.sampler.SeededDaskSampler`
the resumed result is the one an uninterrupted run would have given.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plazasim.calibration.distance import DEFAULT_BLOCKS, Block, BlockDistance
from plazasim.calibration.space import SearchSpace
from plazasim.calibration.summaries import SummarySpec, simulated_summaries
from plazasim.errors import PlazasimError
from plazasim.provenance import provenance
from plazasim.scenario import Scenario, check_against_world, with_overrides

__all__ = [
    "SETTINGS_FILE",
    "CalibrationModel",
    "CalibrationPlan",
    "CalibrationRecord",
    "CalibrationResult",
    "Progress",
    "calibrate",
    "check_calibration_dir",
    "plan_calibration",
    "read_calibration",
    "reweighted",
    "run_calibration",
]

SETTINGS_FILE = "calibration.json"
#: Perturbation kernels a calibration may use (``--transition``), and what each is.
TRANSITIONS = {
    "normal": "multivariate normal perturbation fitted to the whole last generation "
    "(pyabc's default)",
    "local": "local multivariate normal perturbations, each fitted to a particle's "
    "nearest quarter of the last generation (pyabc LocalTransition)",
    "defensive": "multivariate normal perturbation of a parent drawn half by weight, "
    "half uniformly from the last generation (defensive mixture)",
}
#: Share of the last generation each particle's local kernel is fitted to ("local").
LOCAL_K_FRACTION = 0.25
DATABASE = "abc.db"
POPULATIONS = "populations.csv"
POSTERIOR = "posterior.parquet"
POSTERIOR_SUMMARY = "posterior_summary.csv"
CALIBRATED = "calibrated.toml"
MANIFEST = "manifest.json"
#: Particles per generation unless told otherwise.
DEFAULT_PARTICLES = 200
#: Quantile of the last generation's distances that becomes the next epsilon.
EPSILON_QUANTILE = 0.5


@dataclass(frozen=True)
class CalibrationModel:
    """The simulator pyabc calls: a particle in, the run's summaries out.

    Picklable and pure apart from NumPy's global stream, which pyabc's sampler
    seeds per job: the run's seed is drawn from it.
    """

    scenario: Scenario
    space: SearchSpace
    spec: SummarySpec

    def __call__(self, particle: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Simulate the scenario with the particle's parameters; return its summaries."""
        from plazasim.experiments.priors import apply_draw
        from plazasim.experiments.simulate import simulate_scenario, world_of

        seed = int(np.random.randint(0, 2**31 - 1))
        scenario = apply_draw(self.scenario, self.space.values(particle), seed=seed)
        world = world_of(scenario)
        sim = simulate_scenario(scenario, world=world)
        return simulated_summaries(sim.recorder, sim.dates, world, self.spec)


@dataclass(frozen=True)
class Progress:
    """What the calibration is doing, for a progress display.

    ``population`` counts from 0; ``accepted``/``evaluated`` are within it;
    ``epsilon`` is its threshold (NaN before it is known); ``acceptance`` is the
    last finished generation's acceptance rate (NaN before the first).
    """

    population: int
    populations: int
    accepted: int
    evaluated: int
    particles: int
    epsilon: float
    acceptance: float
    simulations: int
    elapsed_s: float


@dataclass(frozen=True)
class Settings:
    """What defines a calibration; stored in ``calibration.json`` to resume it."""

    scenario: dict[str, Any]
    particles: int
    populations: int
    seed: int
    max_simulations: int | None
    min_acceptance: float
    spec: dict[str, Any]
    observed: dict[str, list[float]]
    blocks: dict[str, dict[str, float]]
    transition: str = "normal"

    def transition_object(self) -> Any:
        """The pyabc perturbation kernel :data:`TRANSITIONS` names for ``transition``."""
        import pyabc

        if self.transition == "local":
            return pyabc.LocalTransition(k_fraction=LOCAL_K_FRACTION)
        if self.transition == "defensive":
            from plazasim.calibration.kernels import DefensiveNormalTransition

            return DefensiveNormalTransition()
        return pyabc.MultivariateNormalTransition()

    def spec_object(self) -> SummarySpec:
        """The summaries' layout."""
        s = self.spec
        return SummarySpec(
            months=tuple(s["months"]),
            years=tuple(s["years"]),
            states=tuple(s["states"]),
            plaza=s["plaza"],
            members_year=s["members_year"],
        )

    def observed_arrays(self) -> dict[str, np.ndarray]:
        """The record, as arrays."""
        return {k: np.asarray(v, dtype=np.float64) for k, v in self.observed.items()}

    def distance(self) -> BlockDistance:
        """The distance with the stored block settings."""
        return BlockDistance({k: Block(**v) for k, v in self.blocks.items()})

    def scenario_object(self) -> Scenario:
        """The scenario as given (its whole period), re-validated."""
        return Scenario.model_validate(self.scenario)

    def fitted_scenario(self) -> Scenario:
        """The scenario cut at the record's last day: what every run of the fit simulates.

        A scenario that ends before the record (annual totals need the whole last
        year) is run on to the record's end, as the fit always did; ``with_overrides``
        only shortens, like the command line's ``--until``, so that case sets the end
        itself.
        """
        scenario, end = self.scenario_object(), self.spec_object().end
        if end > scenario.scenario.end:
            data = scenario.model_dump(by_alias=True)
            data["scenario"]["end"] = end
            return Scenario.model_validate(data)
        return with_overrides(scenario, until=end)


@dataclass
class CalibrationResult:
    """A finished (or stopped) calibration: its generations and posterior."""

    out_dir: Path
    populations: pd.DataFrame
    posterior: pd.DataFrame
    summary: pd.DataFrame
    stopped_because: str
    wall_time_s: float
    extra_simulations: int = 0
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )


def check_calibration_dir(out_dir: Path, *, resume: bool) -> None:
    """Refuse a directory a new calibration would overwrite, or one ``resume`` cannot use."""
    out_dir = Path(out_dir)
    holds = (out_dir / SETTINGS_FILE).is_file()
    if resume:
        if not holds or not (out_dir / DATABASE).is_file():
            raise PlazasimError(
                f"out: {out_dir} holds no calibration to resume (no {SETTINGS_FILE} and {DATABASE})"
            )
        return
    if out_dir.is_symlink():
        raise PlazasimError(f"out: {out_dir} is a symbolic link; give the directory itself")
    if out_dir.exists() and not out_dir.is_dir():
        raise PlazasimError(f"out: {out_dir} exists and is not a directory")
    if holds:
        raise PlazasimError(
            f"out: {out_dir} already holds a calibration; add --resume to "
            "continue it, or choose another --out"
        )
    if out_dir.is_dir() and any(out_dir.iterdir()):
        raise PlazasimError(f"out: {out_dir} exists and is not empty; refusing to write into it")


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PlazasimError(f"{name}: must be an integer >= {minimum} (got {value!r})")
    return value


def _new_settings(
    scenario: Scenario,
    spec: SummarySpec,
    observed: Mapping[str, np.ndarray],
    blocks: Mapping[str, Block],
    particles: int,
    populations: int,
    seed: int,
    max_simulations: int | None,
    min_acceptance: float,
    transition: str,
) -> Settings:
    return Settings(
        scenario=scenario.to_dict(),
        particles=particles,
        populations=populations,
        seed=seed,
        max_simulations=max_simulations,
        min_acceptance=min_acceptance,
        spec={
            "months": list(spec.months),
            "years": list(spec.years),
            "states": list(spec.states),
            "plaza": spec.plaza,
            "members_year": spec.members_year,
        },
        observed={k: np.asarray(v, dtype=np.float64).tolist() for k, v in observed.items()},
        blocks={k: asdict(b) for k, b in blocks.items() if k in observed},
        transition=transition,
    )


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON through a temporary file and a rename (never half-written)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(
        json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8"
    )
    os.replace(tmp, path)


def _quiet_pyabc() -> None:
    """Silence pyabc's INFO log of every generation: the progress display says it."""
    for name in (
        "ABC",
        "ABC.Sampler",
        "ABC.History",
        "ABC.Epsilon",
        "ABC.Distance",
        "ABC.Adaptation",
        "ABC.Transition",
        "ABC.Acceptor",
        "ABC.Population",
    ):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class CalibrationPlan:
    """A checked calibration, ready to run: nothing has been written yet."""

    settings: Settings
    out_dir: Path
    resume: bool
    workers: int = 1
    scheduler: str | None = None


def calibrate(
    scenario: Scenario | None,
    out_dir: str | os.PathLike[str],
    *,
    progress: Callable[[Progress], None] | None = None,
    **options: Any,
) -> CalibrationResult:
    """Plan (:func:`plan_calibration`, same options) and run a calibration."""
    return run_calibration(plan_calibration(scenario, out_dir, **options), progress)


def plan_calibration(
    scenario: Scenario | None,
    out_dir: str | os.PathLike[str],
    *,
    particles: int | None = None,
    populations: int = 8,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    max_simulations: int | None = None,
    min_acceptance: float = 0.01,
    targets: tuple[SummarySpec, Mapping[str, np.ndarray]] | None = None,
    blocks: Mapping[str, Block] = DEFAULT_BLOCKS,
    resume: bool = False,
    transition: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> CalibrationPlan:
    """Check everything about an ABC-SMC calibration of ``scenario``'s priors, run nothing.

    Every mistake is a one-line :class:`~plazasim.errors.PlazasimError` here,
    before a progress display starts or a file is written.

    Generations run until ``populations`` are done, the simulations reach
    ``max_simulations``, or a generation's acceptance rate falls below
    ``min_acceptance`` (more generations would cost more than they tighten).
    ``targets`` (default: the world's record, :func:`~plazasim.calibration.
    targets.targets_for`) gives the summaries' layout and the observed values;
    the scenario is run to the layout's last day. With ``resume``, settings come
    from ``out_dir`` and only ``populations`` and ``max_simulations`` (both totals
    over the whole calibration) may change; ``scenario`` may be None.
    ``workers`` > 1 starts a local Dask cluster; ``scheduler`` joins a running one.
    ``particles`` defaults to :data:`DEFAULT_PARTICLES` (resuming: the stored number).
    ``transition`` names the perturbation kernel (:data:`TRANSITIONS`; default
    ``normal``, resuming: the stored one). ``weights`` replaces the weights of
    the named blocks of ``blocks`` (``{block: weight}``; resuming: the stored ones).
    """
    from plazasim.experiments.priors import require_priors
    from plazasim.experiments.simulate import world_of

    out_dir = Path(out_dir).absolute()
    check_calibration_dir(out_dir, resume=resume)
    _positive_int("populations", populations)
    _positive_int("workers", workers)
    if transition is not None and transition not in TRANSITIONS:
        raise PlazasimError(
            f"transition: unknown kernel {transition!r}; expected one of {', '.join(TRANSITIONS)}"
        )
    if max_simulations is not None:
        _positive_int("max-simulations", max_simulations)
    if resume:
        settings = _resumed_settings(
            out_dir, scenario, particles, seed, populations, max_simulations
        )
        if transition is not None and transition != settings.transition:
            raise PlazasimError(
                f"transition: the calibration being resumed uses {settings.transition!r} "
                f"(got {transition!r})"
            )
        stored = dict(settings.distance().blocks)
        if weights and reweighted(stored, weights) != stored:
            raise PlazasimError(
                "weight: the calibration being resumed keeps its stored block weights "
                f"({_weights_text(stored)})"
            )
    else:
        if scenario is None:
            raise PlazasimError("scenario: required unless resuming")
        particles = DEFAULT_PARTICLES if particles is None else particles
        _positive_int("particles", particles, 2)
        seed = scenario.scenario.seed if seed is None else _positive_int("seed", seed, 0)
        if not 0 <= min_acceptance < 1:
            raise PlazasimError(f"min-acceptance: must be in [0, 1) (got {min_acceptance})")
        require_priors(scenario)
        world = world_of(scenario)
        check_against_world(scenario, world)
        if targets is None:
            from plazasim.calibration.targets import targets_for

            targets = targets_for(world)
        spec, observed = targets
        compared = {name: block for name, block in blocks.items() if name in observed}
        blocks = reweighted(compared, weights or {})
        if not any(block.weight > 0 for block in blocks.values()):
            raise PlazasimError("weight: at least one compared block needs a weight > 0")
        if spec.end <= scenario.scenario.start:
            raise PlazasimError(
                f"scenario: starts {scenario.scenario.start}, after the "
                f"record's last day {spec.end}"
            )
        settings = _new_settings(
            scenario,
            spec,
            observed,
            blocks,
            particles,
            populations,
            seed,
            max_simulations,
            min_acceptance,
            transition or "normal",
        )
    return CalibrationPlan(settings, out_dir, resume, workers, scheduler)


def reweighted(blocks: Mapping[str, Block], weights: Mapping[str, float]) -> dict[str, Block]:
    """``blocks`` with the weights ``weights`` names replaced; offsets and tolerances kept.

    A calibration may weigh the record's parts otherwise than
    :data:`~plazasim.calibration.distance.DEFAULT_BLOCKS` does: the weights decide
    which errors the sampler avoids (docs/CALIBRATION.md, "The distance").
    """
    out = dict(blocks)
    for name, weight in weights.items():
        if name not in blocks:
            raise PlazasimError(
                f"weight: unknown block {name!r}; expected one of {', '.join(blocks)}"
            )
        if isinstance(weight, bool) or not (
            isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0
        ):
            raise PlazasimError(f"weight: {name} must be a finite number >= 0 (got {weight!r})")
        out[name] = replace(blocks[name], weight=float(weight))
    return out


def _weights_text(blocks: Mapping[str, Block]) -> str:
    return ", ".join(f"{name}={block.weight:g}" for name, block in blocks.items())


def _resumed_settings(
    out_dir: Path,
    scenario: Scenario | None,
    particles: int | None,
    seed: int | None,
    populations: int,
    max_simulations: int | None,
) -> Settings:
    """The stored settings with the new totals: ``populations`` and, if given, ``max_simulations``."""
    data = json.loads((out_dir / SETTINGS_FILE).read_text(encoding="utf-8"))
    settings = Settings(**data["settings"])
    if scenario is not None and scenario.to_dict() != settings.scenario:
        raise PlazasimError(
            "scenario: differs from the calibration being resumed; "
            "leave it out to resume with the stored one"
        )
    if seed is not None and seed != settings.seed:
        raise PlazasimError(
            f"seed: the calibration being resumed has seed {settings.seed} (got {seed})"
        )
    if particles is not None and particles != settings.particles:
        raise PlazasimError(
            f"particles: the calibration being resumed has "
            f"{settings.particles} particles (got {particles})"
        )
    limit = settings.max_simulations if max_simulations is None else max_simulations
    return Settings(**{**asdict(settings), "populations": populations, "max_simulations": limit})


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A Dask client (or the in-process one) and its local cluster, or None."""
    from plazasim.calibration.sampler import InlineClient

    if scheduler is not None:
        from distributed import Client

        try:
            return Client(scheduler, timeout="10s"), None
        except OSError as exc:
            raise PlazasimError(f"scheduler: cannot connect to {scheduler}: {exc}") from None
    if workers <= 1:
        return InlineClient(), None
    import dask
    from distributed import Client, LocalCluster

    no_trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set(no_trim):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.ERROR,
        )
    return Client(cluster), cluster


def run_calibration(
    plan: CalibrationPlan, progress: Callable[[Progress], None] | None = None
) -> CalibrationResult:
    """Run the planned generations; ``progress`` is called as runs finish."""
    import pyabc

    from plazasim.calibration.sampler import SeededDaskSampler
    from plazasim.experiments.priors import require_priors

    settings, out_dir = plan.settings, plan.out_dir
    _quiet_pyabc()
    scenario = settings.fitted_scenario()
    space = SearchSpace(require_priors(scenario))
    spec = settings.spec_object()
    model = CalibrationModel(scenario, space, spec)
    db = "sqlite:///" + str(out_dir / DATABASE)
    t_start = time.perf_counter()
    state: dict[str, Any] = {"t": 0, "simulations": 0, "acceptance": math.nan}
    abc: Any = None

    def report(accepted: int, evaluated: int, n: int) -> None:
        if progress is None:
            return
        try:
            eps = float(abc.eps(state["t"]))
        except Exception:  # epsilon of this generation not set yet
            eps = math.nan
        progress(
            Progress(
                population=state["t"],
                populations=settings.populations,
                accepted=accepted,
                evaluated=evaluated,
                particles=n,
                epsilon=eps,
                acceptance=state["acceptance"],
                simulations=state["simulations"] + evaluated,
                elapsed_s=time.perf_counter() - t_start,
            )
        )

    client, cluster = _client(plan.workers, plan.scheduler)
    try:
        sampler = SeededDaskSampler(client, settings.seed, progress=report)

        def fresh() -> Any:
            """A new ABCSMC object: every generation starts from what abc.db holds."""
            nonlocal abc
            abc = pyabc.ABCSMC(
                model,
                space.distribution(),
                settings.distance(),
                population_size=settings.particles,
                sampler=sampler,
                transitions=settings.transition_object(),
                eps=pyabc.QuantileEpsilon(alpha=EPSILON_QUANTILE),
            )
            return abc

        if plan.resume:
            _record_resume(out_dir, settings)
            rows = _read_populations(out_dir)
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            _write_json(out_dir / SETTINGS_FILE, {"settings": asdict(settings), **provenance()})
            fresh().new(db, settings.observed_arrays())
            rows = []
        stopped = _generations(fresh, db, sampler, settings, rows, state, out_dir)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    wall = time.perf_counter() - t_start
    return _finish(settings, out_dir, space, rows, stopped, wall, sampler.extra_evaluations)


def _record_resume(out_dir: Path, settings: Settings) -> None:
    """Store the resumed totals, and who resumed with what, beside the first run's provenance."""
    path = out_dir / SETTINGS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["settings"] = asdict(settings)
    data["resumed"] = [*data.get("resumed", []), provenance()]
    _write_json(path, data)


def _read_populations(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / POPULATIONS
    return pd.read_csv(path).to_dict("records") if path.is_file() else []


def _generations(
    fresh: Callable[[], Any],
    db: str,
    sampler: Any,
    settings: Settings,
    rows: list[dict[str, Any]],
    state: dict[str, Any],
    out_dir: Path,
) -> str:
    """Run generations one at a time until a stopping rule holds; return which one.

    Each generation gets a fresh ``ABCSMC`` loaded from ``abc.db`` (pyabc caches
    the population it starts from, so one object would keep the first epsilon),
    which makes a resumed calibration take exactly the path of an uninterrupted one.
    """
    import pyabc

    history = pyabc.History(db, _id=1)
    while True:
        done = history.max_t + 1
        simulations = int(history.total_nr_simulations) if done else 0
        state.update(t=done, simulations=simulations)
        if rows:
            state["acceptance"] = rows[-1]["acceptance_rate"]
        if done >= settings.populations:
            return f"{settings.populations} generations done"
        if settings.max_simulations is not None and simulations >= settings.max_simulations:
            return f"{simulations:,} simulations reached the limit of {settings.max_simulations:,}"
        if rows and rows[-1]["acceptance_rate"] < settings.min_acceptance:
            return (
                f"acceptance rate {rows[-1]['acceptance_rate']:.3f} fell below "
                f"{settings.min_acceptance}"
            )
        t0, extra0 = time.perf_counter(), sampler.extra_evaluations
        abc = fresh()
        abc.load(db, 1)
        history = abc.run(max_nr_populations=1)
        pops = history.get_all_populations()
        seen = {row["population"] for row in rows}
        for _, pop in pops[~pops.t.isin(seen)].sort_values("t").iterrows():
            # t = -1 is the prior sample that sets the first epsilon (no threshold).
            runs = int(pop.samples)
            rows.append(
                {
                    "population": int(pop.t),
                    "epsilon": float(pop.epsilon),
                    "particles": settings.particles,
                    "simulations": runs,
                    "extra_simulations": 0,
                    "acceptance_rate": settings.particles / runs,
                    "effective_particles": _effective_particles(history, int(pop.t)),
                    "wall_s": 0.0,
                }
            )
        rows[-1]["extra_simulations"] = sampler.extra_evaluations - extra0
        rows[-1]["wall_s"] = round(time.perf_counter() - t0, 3)
        pd.DataFrame(rows).to_csv(out_dir / f".{POPULATIONS}.tmp", index=False)
        os.replace(out_dir / f".{POPULATIONS}.tmp", out_dir / POPULATIONS)


def _effective_particles(history: Any, t: int) -> float:
    """Kish's effective sample size of generation ``t``'s weights, 1 / sum(w^2).

    Why: ABC-SMC weights are prior over proposal density; in many dimensions a few
    particles can take almost all the weight, and the posterior is then a handful
    of points however many particles were accepted. Generation -1 is unweighted.
    """
    if t < 0:
        return float("nan")
    _, weights = history.get_distribution(m=0, t=t)
    weights = np.asarray(weights, dtype=float)
    return round(float(weights.sum() ** 2 / np.square(weights).sum()), 2)


def _finish(
    settings: Settings,
    out_dir: Path,
    space: SearchSpace,
    rows: list[dict[str, Any]],
    stopped: str,
    wall: float,
    extra: int,
) -> CalibrationResult:
    from plazasim.calibration.posterior_out import write_posterior

    populations = pd.DataFrame(rows)
    posterior, summary = write_posterior(out_dir, settings, space)
    result = CalibrationResult(
        out_dir=out_dir,
        populations=populations,
        posterior=posterior,
        summary=summary,
        stopped_because=stopped,
        wall_time_s=wall,
        extra_simulations=extra,
    )
    _write_json(
        out_dir / MANIFEST,
        {
            "kind": "calibration",
            "method": "ABC-SMC (pyabc), epsilon = median of the last generation's distances, "
            f"{TRANSITIONS[settings.transition]}, jobs seeded from (seed, generation, job)",
            "settings": {
                k: v for k, v in asdict(settings).items() if k not in ("observed", "scenario")
            },
            "scenario": settings.scenario,
            "generations": len(rows),
            "simulations": int(populations["simulations"].sum()) if rows else 0,
            "stopped_because": stopped,
            "wall_time_s_this_session": round(wall, 3),
            **provenance(),
            "created": result.created,
        },
    )
    return result


@dataclass(frozen=True)
class CalibrationRecord:
    """A calibration directory read back: what the fit report and users need."""

    out_dir: Path
    settings: Settings
    populations: pd.DataFrame
    posterior: pd.DataFrame
    summary: pd.DataFrame


def read_calibration(out_dir: str | os.PathLike[str]) -> CalibrationRecord:
    """Read a finished calibration directory (one line of error if it is not one)."""
    out_dir = Path(out_dir)
    missing = [
        name
        for name in (SETTINGS_FILE, POPULATIONS, POSTERIOR, POSTERIOR_SUMMARY)
        if not (out_dir / name).is_file()
    ]
    if missing:
        raise PlazasimError(
            f"calibration: {out_dir} is not a finished calibration directory (no {missing[0]})"
        )
    data = json.loads((out_dir / SETTINGS_FILE).read_text(encoding="utf-8"))
    return CalibrationRecord(
        out_dir=out_dir,
        settings=Settings(**data["settings"]),
        populations=pd.read_csv(out_dir / POPULATIONS),
        posterior=pd.read_parquet(out_dir / POSTERIOR),
        summary=pd.read_csv(out_dir / POSTERIOR_SUMMARY),
    )
