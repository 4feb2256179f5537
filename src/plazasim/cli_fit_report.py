"""The ``plazasim fit-report`` command: a calibration's posterior predictive against the record.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported; the
work is :func:`plazasim.calibration.fit_report.fit_report` and
:func:`~plazasim.calibration.fit_report.write_fit_report`. Every input is checked
before the first run, so a bad option costs nothing and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from plazasim.cli import _with_progress, app, out
from plazasim.errors import PlazasimError

if TYPE_CHECKING:
    from plazasim.calibration.fit_stats import Check

__all__ = ["fit_report"]


def _checks_table(checks: list[Check]) -> Table:
    """One row per headline check: what, measured, criterion, pass/fail."""
    table = Table(
        title="Headline checks of the fit",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="relative error: (simulated median - observed) / observed; "
        "no data: the record lacks what the check needs",
    )
    table.add_column("Check")
    table.add_column("Measured", justify="right", no_wrap=True)
    table.add_column("Criterion", no_wrap=True)
    table.add_column("Result", justify="center")
    style = {"pass": "green", "fail": "bold red", "no data": "dim"}
    for check in checks:
        table.add_row(
            check.description,
            check.measured_text(),
            check.criterion,
            Text(check.result, style=style[check.result]),
        )
    return table


@app.command("fit-report")
def fit_report(
    calibration_dir: Annotated[
        Path, typer.Argument(help="A finished calibration directory (plazasim calibrate).")
    ],
    draws: Annotated[
        int | None,
        typer.Option(
            help="Posterior draws to run, rows 0..N-1 of posterior.parquet (default: min(50, all))."
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(help="Simulation seeds per draw.")] = 2,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: min(CPUs, runs); 1 runs in-process)."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Report directory (default: CALIBRATION_DIR/fit-report/)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")
    ] = False,
) -> None:
    """Observed vs simulated over the calibration's posterior: figures, tables, checks."""
    from plazasim.calibration import fit_report as fr
    from plazasim.calibration.abc_smc import read_calibration
    from plazasim.calibration.predictive import DEFAULT_DRAWS, SEED_STRIDE
    from plazasim.experiments.parallel import default_workers

    record = read_calibration(calibration_dir)
    size = len(record.posterior)
    if draws is not None and not 1 <= draws <= size:
        raise PlazasimError(
            f"--draws: must be between 1 and {size}, the posterior's size (got {draws})"
        )
    if not 1 <= seeds <= SEED_STRIDE:
        raise PlazasimError(f"--seeds: must be between 1 and {SEED_STRIDE} (got {seeds})")
    if workers is not None and workers < 1:
        raise PlazasimError(f"--workers: must be >= 1 (got {workers})")
    n_draws = min(DEFAULT_DRAWS, size) if draws is None else draws
    runs = n_draws * seeds
    n_workers = workers if workers is not None else default_workers(runs)
    target = out_dir if out_dir is not None else Path(calibration_dir) / fr.DEFAULT_OUT
    fr.check_fit_report_dir(target)  # before the runs, so they are not wasted
    report = _with_progress(
        quiet,
        "simulating",
        "runs",
        runs,
        lambda on_progress: fr.fit_report(
            calibration_dir, draws=n_draws, seeds=seeds, workers=n_workers, progress=on_progress
        ),
    )
    path = fr.write_fit_report(report, target)
    if not quiet:
        out.print(_checks_table(report.checks))
        judged = [c for c in report.checks if c.passed is not None]
        out.print(
            f"{sum(bool(c.passed) for c in judged)} of {len(judged)} checks pass; "
            f"{report.runs} runs ({report.draws} draws x {report.seeds} seeds) on "
            f"{report.workers} worker(s) in {report.wall_time_s:.1f} s"
        )
    out.print(f"wrote {path}", soft_wrap=True, markup=False)
