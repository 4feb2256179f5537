"""The ``plazasim sweep`` and ``plazasim sensitivity`` commands.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported; the
work is in :mod:`plazasim.sweep`. docs/SWEEPS.md is the reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from plazasim.cli import app, err, out
from plazasim.cli_output import InterruptError
from plazasim.errors import PlazasimError

__all__ = ["sensitivity", "sweep"]


class _Rate(ProgressColumn):
    """Runs per second over the last half minute (this session's runs only)."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("- runs/s" if not speed else f"{speed:.2f} runs/s")


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]sweeping[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
        speed_estimate_period=30,
    )


def _summary_table(runs: pd.DataFrame, outputs: tuple[str, ...]) -> Table:
    from plazasim.experiments.compare import METRICS

    table = Table(title=f"Outputs over {len(runs)} runs", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("Output", "Unit", "Min", "Median", "Max"):
        table.add_column(name, justify="left" if name in ("Output", "Unit") else "right")
    for name in outputs:
        lo, med, hi = runs[name].quantile([0.0, 0.5, 1.0])
        table.add_row(name, METRICS[name][0], f"{lo:,.4g}", f"{med:,.4g}", f"{hi:,.4g}")
    return table


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep specification (TOML, docs/SWEEPS.md).")],
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes on a local Dask cluster (default: "
            "min(CPUs, runs); 1 runs in-process)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler (instead of "
            "--workers), e.g. tcp://10.0.0.5:8786."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Sweep folder (default: runs/sweep-<spec name>/). The same "
            "command into the same folder resumes the sweep.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")
    ] = False,
) -> None:
    """Run a parameter sweep (grid, lhs, sobol, morris, random); resumable."""
    from plazasim.experiments.parallel import default_workers
    from plazasim.sweep import load_spec, plan_sweep, read_runs, run_sweep
    from plazasim.sweep.runner import prepare_sweep_dir
    from plazasim.sweep.store import finished_runs

    if workers is not None and workers < 1:
        raise PlazasimError(f"--workers: must be >= 1 (got {workers})")
    if scheduler is not None and workers is not None:
        raise PlazasimError("--scheduler: give either --scheduler or --workers, not both")
    plan = plan_sweep(load_spec(spec))
    target = out_dir or Path("runs") / f"sweep-{spec.stem}"
    n_workers = workers if workers is not None else default_workers(len(plan.tasks))
    resumed = prepare_sweep_dir(plan, target)  # before the progress bar and any run
    with _progress(quiet) as bar:
        task = bar.add_task("sweep", total=len(plan.tasks))

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = run_sweep(
                plan, target, workers=n_workers, scheduler=scheduler, progress=on_progress
            )
        except PlazasimError as exc:
            text = str(exc)
            if text.startswith("scheduler: "):  # the option the user typed
                raise PlazasimError("--" + text) from None
            raise
        except KeyboardInterrupt:
            done = len(finished_runs(target))
            raise InterruptError(
                f"interrupted; {target} keeps {done} of {len(plan.tasks)} "
                "runs; the same command resumes the sweep"
            ) from None
    if not quiet:
        out.print(_summary_table(read_runs(result.out_dir), plan.spec.sweep.outputs))
        earlier = f", {result.skipped} finished earlier" if resumed else ""
        out.print(
            f"{result.total} runs ({result.ran} now{earlier}) on {result.workers} "
            f"worker(s) in {result.wall_time_s:.1f} s"
        )
    out.print(f"wrote {result.out_dir}", soft_wrap=True, markup=False)


@app.command()
def sensitivity(
    sweep_dir: Annotated[
        Path, typer.Argument(help="A finished sweep folder (design sobol or morris).")
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No table.")] = False,
) -> None:
    """Sobol' (S1, ST) or Morris (mu*, sigma) indices of a sweep; writes sensitivity.parquet."""
    from plazasim.sweep.sensitivity import write_sensitivity

    table, path = write_sensitivity(sweep_dir)
    if not quiet:
        view = Table(title="Sensitivity (95% intervals)", box=box.SIMPLE_HEAD, pad_edge=False)
        cols = [c for c in table.columns if c not in ("output", "parameter")]
        view.add_column("output")
        view.add_column("parameter")
        for col in cols:
            view.add_column(col, justify="right")
        for row in table.itertuples(index=False):
            view.add_row(row.output, row.parameter, *(f"{getattr(row, c):.3g}" for c in cols))
        out.print(view)
    out.print(f"wrote {path}", soft_wrap=True, markup=False)
