"""The ``plazasim calibrate`` command: its options, progress display and closing tables.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported; the
work is :func:`plazasim.calibration.abc_smc.calibrate`. Kept apart from ``cli``
so that the command line stays one short module per family of commands.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from plazasim.cli import _default_out, app, err, out
from plazasim.errors import PlazasimError
from plazasim.scenario import load_scenario

__all__ = ["calibrate"]

DEFAULT_POPULATIONS = 8


def _progress(quiet: bool) -> Progress:
    """Generation, accepted particles, epsilon, last acceptance rate, runs and time."""
    return Progress(
        TextColumn("[bold]generation {task.fields[generation]}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "accepted  eps {task.fields[epsilon]}  "
            "last acceptance {task.fields[acceptance]}  {task.fields[runs]} runs"
        ),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )


def _parse_weights(items: list[str]) -> dict[str, float]:
    """``["national_homicides=15", ...]`` as ``{block: weight}`` (checked by the plan)."""
    weights: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not name.strip() or number != number:
            raise PlazasimError(
                f"--weight: expected BLOCK=WEIGHT, e.g. national_homicides=15 (got {item!r})"
            )
        weights[name.strip()] = number
    return weights


def _fmt_rate(value: float) -> str:
    return "-" if value != value else f"{value:.1%}"  # NaN: not known yet


def _fmt_ess(row: Any) -> str:
    value = getattr(row, "effective_particles", float("nan"))
    return "-" if value != value else f"{value:,.0f}"


def _populations_table(frame: pd.DataFrame) -> Table:
    table = Table(
        title="ABC-SMC generations",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="generation -1 is the prior sample that sets the first epsilon; "
        "effective: particles the weights are worth, 1 / sum(w²)",
    )
    for name, justify in (
        ("Generation", "right"),
        ("Epsilon", "right"),
        ("Runs", "right"),
        ("Acceptance", "right"),
        ("Effective", "right"),
        ("Time, s", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in frame.itertuples():
        eps = "-" if row.epsilon == float("inf") else f"{row.epsilon:.4f}"
        table.add_row(
            str(row.population),
            eps,
            f"{row.simulations:,}",
            _fmt_rate(row.acceptance_rate),
            _fmt_ess(row),
            f"{row.wall_s:,.0f}",
        )
    return table


def _summary_table(frame: pd.DataFrame) -> Table:
    table = Table(
        title="Posterior (weighted last generation)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="share: width of the 5-95% interval over the "
        "prior's range (1: the data say nothing)",
    )
    for name in ("Parameter", "Prior", "Median [5%, 95%]", "Share"):
        table.add_column(name, justify="left" if name == "Parameter" else "right")
    for row in frame.itertuples():
        table.add_row(
            row.parameter,
            f"{row.prior_low:.4g} - {row.prior_high:.4g}",
            f"{row.median:.4g} [{row.q05:.4g}, {row.q95:.4g}]",
            f"{row.interval_share_of_prior:.2f}",
        )
    return table


@app.command()
def calibrate(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario with a \\[calibration] table (file or bundled name); "
            "leave out with --resume."
        ),
    ] = None,
    populations: Annotated[
        int, typer.Option(help="Generations to run in all (with --resume: the new total).")
    ] = DEFAULT_POPULATIONS,
    particles: Annotated[
        int | None,
        typer.Option(
            help="Particles kept per generation (default 200; with --resume: the stored number)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes on a local Dask cluster (1: in-process).")
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler (instead of "
            "--workers), e.g. tcp://10.0.0.5:8786."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the whole calibration (default: the scenario's).")
    ] = None,
    max_simulations: Annotated[
        int | None,
        typer.Option(
            help="Stop after the generation that reaches this many runs in all "
            "(with --resume: the new total; default: the stored limit)."
        ),
    ] = None,
    min_acceptance: Annotated[
        float, typer.Option(help="Stop once a generation's acceptance rate falls below this.")
    ] = 0.01,
    transition: Annotated[
        str | None,
        typer.Option(
            help="Perturbation kernel: normal (one fitted to the whole last generation), "
            "local (one per particle, fitted to its nearest quarter) or defensive "
            "(normal, each parent drawn half by weight, half uniformly). Default "
            "normal; with --resume: the stored one."
        ),
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option(
            help="BLOCK=WEIGHT: weigh a distance block otherwise than the default "
            "(repeatable), e.g. --weight national_homicides=15; the blocks: "
            "docs/CALIBRATION.md, 'The distance'. With --resume: the stored weights."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Calibration directory (default: runs/calibrate-<name>-"
            "<time>/); it keeps abc.db for --resume.",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Continue the calibration in --out from its last finished generation."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress display and no tables.")
    ] = False,
) -> None:
    """Fit the scenario's uncertain parameters to the 2006-2010 record with ABC-SMC."""
    from plazasim.calibration.abc_smc import plan_calibration, run_calibration

    if workers < 1:
        raise PlazasimError(f"--workers: must be >= 1 (got {workers})")
    if scheduler is not None and workers != 1:
        raise PlazasimError("--scheduler: give either --scheduler or --workers, not both")
    if resume and out_dir is None:
        raise PlazasimError("--resume: needs --out, the calibration directory to continue")
    if not resume and scenario is None:
        raise PlazasimError(
            "scenario: give a scenario (file or bundled name), or --resume with --out"
        )
    sc = load_scenario(scenario) if scenario is not None else None
    target = out_dir or _default_out(f"calibrate-{sc.scenario.name if sc else 'resumed'}")
    plan = plan_calibration(
        sc,
        target,
        particles=particles,
        populations=populations,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        max_simulations=max_simulations,
        min_acceptance=min_acceptance,
        resume=resume,
        transition=transition,
        weights=_parse_weights(weight or []),
    )
    with _progress(quiet) as bar:
        task = bar.add_task(
            "calibrating",
            total=plan.settings.particles,
            generation="-",
            epsilon="-",
            acceptance="-",
            runs=0,
        )

        def on_progress(p: Any) -> None:
            label = (
                "prior sample"
                if p.epsilon != p.epsilon
                else (f"{p.population + 1}/{p.populations}")
            )
            bar.update(
                task,
                completed=p.accepted,
                total=p.particles,
                generation=label,
                epsilon="-" if p.epsilon != p.epsilon else f"{p.epsilon:.4f}",
                acceptance=_fmt_rate(p.acceptance),
                runs=f"{p.simulations:,}",
            )

        result = run_calibration(plan, on_progress)
    if not quiet:
        out.print(_populations_table(result.populations))
        out.print(_summary_table(result.summary))
        runs = int(result.populations["simulations"].sum())
        out.print(
            f"stopped: {result.stopped_because}; {runs:,} runs counted "
            f"(+{result.extra_simulations:,} discarded look-ahead) in "
            f"{result.wall_time_s:,.0f} s this session"
        )
    warning = _degenerate_weights(result.populations, plan.settings.particles)
    if warning:
        err.print(warning, soft_wrap=True, markup=False)
    out.print(f"wrote {result.out_dir}", soft_wrap=True, markup=False)


#: Below this share of the particles, the last generation's weights are called degenerate.
DEGENERATE_SHARE = 0.1


def _degenerate_weights(populations: pd.DataFrame, particles: int) -> str | None:
    """A warning when the last generation's weights sit on a few particles, else None.

    Why: a posterior worth a handful of particles has no spread to carry into
    ``compare --posterior``; the usual cause is calibrating parameters that no
    summary responds to (docs/CALIBRATION.md, "Which parameters").
    """
    if "effective_particles" not in populations or populations.empty:
        return None
    ess = float(populations["effective_particles"].iloc[-1])
    if ess != ess or ess >= DEGENERATE_SHARE * particles:
        return None
    return (
        f"warning: the last generation's weights are worth {ess:.0f} of {particles} "
        f"particles; calibrate fewer parameters (docs/CALIBRATION.md, 'Which parameters')"
    )
