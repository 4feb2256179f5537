"""The ``plazasim`` command line: run a scenario, list scenarios and policies, query a run.

Every mistake a user can make (a bad scenario, option, path or SQL) ends in one
line ``error: <field>: <problem>`` on stderr and exit code 2, never a traceback,
and never a half-written run directory. Unexpected failures (bugs) also print one
line, with exit code 1; set ``PLAZASIM_DEBUG=1`` to see their traceback.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from typer.main import get_command

from plazasim.cli_help import PlazasimTyper
from plazasim.cli_output import (
    InterruptError,
    Invocation,
    default_dir,
    interrupt_note,
    prepare_out,
    scenario_source,
    seed_range,
)
from plazasim.cli_set import SET_HELP, parse_sets
from plazasim.cli_variants import compare_variants, names, world_label
from plazasim.errors import PlazasimError, ScenarioError, from_validation_error
from plazasim.scenario import (
    Scenario,
    ScenarioWarning,
    bundled_scenarios,
    check_against_world,
    load_scenario,
    parse_date,
    with_overrides,
)

__all__ = ["app", "main"]

T = TypeVar("T")

EXIT_USER = 2
EXIT_BUG = 1
EXIT_INTERRUPT = 130
#: ``--until`` only shortens a run (docs/SCENARIOS.md, command-line overrides).
UNTIL_HELP = "Stop at this date (YYYY-MM-DD), no later than the scenario end."
#: Observed series are compared up to this year; later years are the model's forecast.
LAST_OBSERVED_YEAR = 2010
HOMICIDE_COLUMNS = (
    ("homicides_total", "Total"),
    ("homicides_related", "Related"),
    ("homicides_cartel", "Cartel"),
    ("homicides_state", "State"),
    ("homicides_baseline", "Baseline"),
)
#: Observed national series of the world (``World.observed``) shown beside the simulation.
OBSERVED_SERIES = (
    ("inegi_homicides_registration", "INEGI", "INEGI homicides by year of registration"),
    ("presidencia_org_crime_deaths", "Presid.", "Presidencia organised-crime deaths"),
)

app = PlazasimTyper(
    name="plazasim",
    help="Simulate the managed drug war: cartels, plazas, enforcement policies and money.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _print_version(value: bool) -> None:
    """``--version``: print ``plazasim X.Y.Z`` and stop, before any command runs."""
    if value:
        from plazasim import __version__

        out.print(f"plazasim {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate the managed drug war: cartels, plazas, enforcement policies and money."""


def _parse_until(value: str | None) -> dt.date | None:
    """``--until`` as a date; only the unambiguous ``YYYY-MM-DD`` form is accepted."""
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise PlazasimError(f"--until: invalid date {value!r} (expected YYYY-MM-DD)")
    return parsed


def _apply_overrides(
    scenario: Scenario, seed: int | None, until: dt.date | None, policy: str | None
) -> Scenario:
    """``with_overrides``, with its errors renamed after the options the user typed."""
    try:
        return with_overrides(scenario, seed=seed, until=until, policy=policy)
    except ScenarioError as exc:
        if exc.path in ("seed", "until", "policy"):
            raise PlazasimError(f"--{exc.path}: {exc.problem}") from None
        raise


def _as_option(exc: ScenarioError, *fields: str) -> PlazasimError:
    """``exc`` renamed after the option the user typed when its field is one of ``fields``.

    The experiment functions name their arguments (``posterior: ...``); on the
    command line the same mistake is ``--posterior: ...``.
    """
    if exc.path in fields:
        return PlazasimError(f"--{exc.path}: {exc.problem}")
    return exc


def _progress_bar(quiet: bool, verb: str, unit: str) -> Progress:
    """Build the progress bar on stderr, so stdout carries only the results."""
    return Progress(
        TextColumn(f"[bold]{verb}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        # Off without a terminal: a log file gets no bar, only the blank line it leaves.
        disable=quiet or not err.is_terminal,
    )


def _with_progress(
    quiet: bool,
    verb: str,
    unit: str,
    total: int | None,
    work: Callable[[Callable[[int, int], None]], T],
) -> T:
    """Run ``work(on_progress)`` under a progress bar of ``total`` ``unit``."""
    with _progress_bar(quiet, verb, unit) as bar:
        task = bar.add_task(verb, total=total)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return work(on_progress)


def _check_batch_options(seeds: int, first_seed: int | None, workers: int | None) -> None:
    """Refuse the options every many-run command shares, naming the option."""
    if seeds < 1:
        raise PlazasimError(f"--seeds: must be >= 1 (got {seeds})")
    if first_seed is not None and first_seed < 0:
        raise PlazasimError(f"--first-seed: must be >= 0 (got {first_seed})")
    if workers is not None and workers < 1:
        raise PlazasimError(f"--workers: must be >= 1 (got {workers})")


#: ``--set NAME=VALUE``, shared by run, compare and validate (:mod:`plazasim.cli_set`).
SetOption = Annotated[list[str] | None, typer.Option("--set", metavar="NAME=VALUE", help=SET_HELP)]


#: ``--force``, shared by every command that writes results.
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace the results of another command in the output "
        "folder (never a folder that is not plazasim results).",
    ),
]


#: ``--no-figures``, for the commands that draw PNGs of their results (docs/FIGURES.md).
NoFigures = Annotated[
    bool, typer.Option("--no-figures", help="Do not draw the PNG figures (faster).")
]


def _default_out(prefix: str) -> Path:
    """``runs/<prefix>-<YYYYmmdd-HHMMSS>``: where a many-run command writes by default."""
    return Path("runs") / f"{prefix}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _fmt(value: Any) -> str:
    """Format a table cell: integers with thousands separators, blanks for missing values."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)


def _homicide_table(national: pd.DataFrame, observed: dict[str, dict[int, float]]) -> Table:
    """Tabulate simulated homicides per calendar year beside the observed national series."""
    years = pd.to_datetime(national["date"]).dt.year
    related = ("homicides_cartel", "homicides_state", "homicides_bystander")
    if all(c in national.columns for c in related):  # Presidencia's concept: compare to it
        national = national.assign(homicides_related=national[list(related)].sum(axis=1))
    present = [c for c, _ in HOMICIDE_COLUMNS if c in national.columns]
    by_year = national[present].groupby(years).sum()
    weeks = years.value_counts()
    shown = [(key, label, what) for key, label, what in OBSERVED_SERIES if observed.get(key)]
    caption = "; ".join(
        ["Related: cartel + state + bystander (killed in the crossfire)"]
        + [f"{label}: {what}" for _, label, what in shown]
    )
    # Nine columns must fit an 80-column terminal without "…": no outer edge, one
    # space between columns, and cells that fold rather than truncate if ever too wide.
    table = Table(
        title="Homicides per year, simulated" + (" vs observed" if shown else ""),
        caption=caption or None,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Year", overflow="fold")
    for col, label in HOMICIDE_COLUMNS:
        if col in present:
            table.add_column(label, justify="right", overflow="fold")
    for _, label, _ in shown:
        table.add_column(label, justify="right", style="cyan", overflow="fold")
    table.add_column("Note", overflow="fold")
    for year, row in by_year.iterrows():
        year = int(year)
        notes = []
        if weeks[year] < 52:
            notes.append(f"{weeks[year]} wk")
        if year > LAST_OBSERVED_YEAR:
            notes.append("forecast")
        cells = [_fmt(float(row[c])) for c in present]
        cells += [_fmt(observed[key].get(year)) for key, _, _ in shown]
        table.add_row(str(year), *cells, ", ".join(notes))
    return table


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="Scenario file, or the name of a bundled scenario.")
    ] = "mexico-2006",
    seed: Annotated[int | None, typer.Option(help="Override the scenario seed (>= 0).")] = None,
    until: Annotated[str | None, typer.Option(help=UNTIL_HELP)] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            help="Use this policy for the whole run (see `policies`); a mix gives "
            "its parts and shares: mix:signaling=0.7+kingpin=0.3."
        ),
    ] = None,
    posterior_draw: Annotated[
        int | None,
        typer.Option(
            help="Use the parameters of this draw (0, 1, ...) of the scenario's "
            "posterior sample (\\[calibration] posterior)."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output directory (default: runs/<scenario>-<seed>/, "
            "with -<policy>, -until-<date>, -draw<K> for those options).",
        ),
    ] = None,
    set_: SetOption = None,
    force: Force = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary table.")
    ] = False,
    no_figures: NoFigures = False,
    map_dates: Annotated[
        str | None,
        typer.Option(
            help="Dates of the control_map.png panels, comma-separated YYYY-MM-DD "
            "(default: 4 weeks evenly over the run)."
        ),
    ] = None,
) -> None:
    """Run one seeded simulation of a scenario and write its tables and figures."""
    from plazasim.cli_report import parse_dates
    from plazasim.results.store import check_out_dir, write_run

    panel_dates = parse_dates("--map-dates", map_dates)
    until_date = _parse_until(until)
    sets = parse_sets(set_)
    sc = sets.apply(_apply_overrides(load_scenario(scenario), seed, until_date, policy))
    if posterior_draw is not None:
        sets.check_posterior(sc, "--posterior-draw")
    header = _posterior_header(sc, posterior_draw) if posterior_draw is not None else None
    invocation = Invocation(
        "run",
        sets.args(
            {
                "scenario": scenario_source(scenario),
                "seed": sc.scenario.seed,
                "until": until_date,
                "policy": policy,
                "posterior_draw": posterior_draw,
            }
        ),
    )
    target = out_dir or default_dir(
        sc.scenario.name,
        str(sc.scenario.seed),
        policy,
        until_date and f"until-{until_date}",
        None if posterior_draw is None else f"draw{posterior_draw}",
        sets.folder_part(),
    )
    # before simulating, so a long run is not wasted
    prepare_out(target, invocation, force=force, check=check_out_dir)

    from plazasim.world import build_world

    try:
        world = build_world(sc.world)
    except ValueError as exc:  # world builders report "world.<field>: problem"
        raise PlazasimError(str(exc)) from None
    check_against_world(sc, world)
    run_scenario = _engine()

    result = _with_progress(
        quiet,
        "simulating",
        "weeks",
        None,
        lambda on_progress: run_scenario(
            sc, progress=on_progress, world=world, posterior_draw=posterior_draw
        ),
    )
    extra = None
    if not no_figures:
        from plazasim.figures.outputs import run_figures

        extra = run_figures(result, invocation.record(), panel_dates)
    path = write_run(result, target, invocation=invocation.record(), extra=extra)
    if header is None and sc.calibration is not None and sc.calibration.posterior:
        header = _calibrated_header(sc)
    if header is not None and not quiet:
        out.print(header, soft_wrap=True, markup=False)
    if not quiet:
        observed = getattr(getattr(result, "world", None), "observed", None) or world.observed
        out.print(_homicide_table(result.national, observed))
    out.print(f"wrote {path}", soft_wrap=True, markup=False)


def _calibrated_header(scenario: Scenario) -> str:
    """Say that the scenario has a posterior sample, and how to run one of its draws."""
    from plazasim.experiments.posterior import posterior_size

    assert scenario.calibration is not None
    name = Path(str(scenario.calibration.posterior)).name
    try:
        size = posterior_size(scenario)
    except ScenarioError as exc:  # only draws need the file: say so, and run anyway
        return f"calibrated scenario, but its posterior cannot be read ({exc})"
    return (
        f"calibrated scenario: its [parameters], with a posterior of {size} draws beside "
        f"it ({name}); --posterior-draw K runs one draw, compare --posterior N many"
    )


def _posterior_header(scenario: Scenario, k: int) -> str:
    """Say which posterior draw a run uses, and its values; check ``k`` first."""
    from plazasim.experiments.posterior import posterior_record, with_posterior_draw

    try:
        with_posterior_draw(scenario, k)  # every check, before the world is built
        record = posterior_record(scenario, [k])
    except ScenarioError as exc:
        raise _as_option(exc, "posterior-draw") from None
    values = ", ".join(f"{name} = {value:g}" for name, value in record["values"].items())
    return (
        f"posterior draw {k} of {record['size']} ({record['path']}, sha256 "
        f"{record['sha256'][:12]}): {values}"
    )


def _engine() -> Callable[..., Any]:
    """Import the engine's ``run_scenario`` late, so the other commands stay fast."""
    from plazasim.experiments.run import run_scenario

    return run_scenario


@app.command()
def scenarios() -> None:
    """List the scenarios shipped with plazasim."""
    table = Table(title="Bundled scenarios")
    table.add_column("Name", no_wrap=True)
    table.add_column("Dates", no_wrap=True)
    table.add_column("World")
    table.add_column("Description", ratio=1)
    for name, path in bundled_scenarios().items():
        try:
            sc = load_scenario(path)
        except PlazasimError as exc:
            table.add_row(name, "", "", Text(f"invalid: {exc}", style="red"))
            continue
        dates = f"{sc.scenario.start}\nto {sc.scenario.end}"
        table.add_row(name, dates, world_label(sc), Text(sc.scenario.description))
    out.print(table)


@app.command()
def policies() -> None:
    """List the registered enforcement policies, built-in and plug-in (docs/POLICIES.md)."""
    from plazasim.policies import load_plugins_once, plugin_policies
    from plazasim.policies.base import registered

    try:
        load_plugins_once()
    except ScenarioError as exc:  # a plug-in that does not load: say which, list the rest
        err.print(f"warning: {exc.problem}", markup=False, soft_wrap=True)
    plugins = plugin_policies()
    table = Table(title="Registered policies")
    table.add_column("Name")
    table.add_column("Source")
    table.add_column("Description")
    for name, factory in sorted(registered().items()):
        doc = inspect.getdoc(factory) or ""
        plugin = plugins.get(name)
        source = (
            f"plug-in: {plugin.package or plugin.value}"
            if plugin is not None
            else "built-in"
            if factory.__module__.startswith("plazasim.")
            else factory.__module__
        )
        table.add_row(
            Text(name), Text(source), Text(doc.strip().splitlines()[0] if doc.strip() else "")
        )
    out.print(table)


# --------------------------------------------------------------------------- compare

#: Seeds per variant when ``--seeds`` is not given.
DEFAULT_COMPARE_SEEDS = 20


def _stat(value: float) -> str:
    """Format a statistic compactly: 3 significant digits, whole numbers from 1,000, M/bn."""
    mag = abs(value)
    if mag >= 1e9:
        return f"{value / 1e9:.3g} bn"
    if mag >= 1e6:
        return f"{value / 1e6:.3g} M"
    return f"{value:,.0f}" if mag >= 1e3 else f"{value:.3g}"


def _compare_title(variants: list[str], n_draws: int, n_seeds: int, diff: bool) -> str:
    """What a compare table's statistics are over: seeds, or (draw, seed) pairs."""
    if not n_draws:
        return (
            f"Paired difference vs {variants[0]}, per seed: median [5%, 95%] over {n_seeds} seeds"
            if diff
            else f"Median [5%, 95%] over {n_seeds} seeds (same seeds for every variant)"
        )
    pairs = f"{n_draws * n_seeds} {'pairs' if diff else 'runs'}"
    what = f"{n_draws} posterior draws x {n_seeds} seeds"
    return (
        f"Paired difference vs {variants[0]}, per (draw, seed): median [5%, 95%] over "
        f"{pairs} ({what})"
        if diff
        else f"Median [5%, 95%] over {pairs} ({what}; the same pairs for every variant)"
    )


def _compare_table(
    summary: pd.DataFrame, variants: list[str], n_draws: int, n_seeds: int, diff: bool = False
) -> Table:
    """Metrics × variants, each cell ``median [lo, hi]`` (of paired differences if ``diff``).

    ``n_draws`` posterior draws (0: none) x ``n_seeds`` seeds per variant.
    """
    from plazasim.experiments.compare import METRICS

    cols = ("diff_median", "diff_lo", "diff_hi") if diff else ("median", "lo", "hi")
    shown = variants[1:] if diff else variants
    title = _compare_title(variants, n_draws, n_seeds, diff)
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Metric", no_wrap=True)
    for label in shown:
        table.add_column(label, justify="right")
    by = summary.set_index(["policy", "metric"])
    for metric in METRICS:
        cells = []
        for label in shown:
            med, lo, hi = (float(by.loc[(label, metric), c]) for c in cols)
            cells.append(f"{_stat(med)} [{_stat(lo)}, {_stat(hi)}]")
        table.add_row(metric, *cells)
    return table


@app.command()
def compare(
    scenario: Annotated[
        str | None,
        typer.Argument(help="Scenario for --policies (file or bundled name; default mexico-2006)."),
    ] = None,
    policies: Annotated[
        str | None,
        typer.Option(
            help="Policies to compare, comma-separated (e.g. a,b,c; a mix is "
            "mix:signaling=0.7+kingpin=0.3)."
        ),
    ] = None,
    scenarios: Annotated[
        str | None,
        typer.Option(help="Or: scenarios to compare, comma-separated (names or .toml files)."),
    ] = None,
    seeds: Annotated[
        int, typer.Option(help="Seeds per variant; every variant runs on the same seeds.")
    ] = DEFAULT_COMPARE_SEEDS,
    first_seed: Annotated[
        int | None, typer.Option(help="First seed (default: the scenario's seed).")
    ] = None,
    until: Annotated[str | None, typer.Option(help=UNTIL_HELP)] = None,
    posterior: Annotated[
        int | None,
        typer.Option(
            help="Run every variant on the first N draws of the scenarios' "
            "posterior sample, each with every seed (N x seeds runs per variant)."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output directory (default: runs/compare-<variants>-"
            "seeds<a>-<b>/, with -until-<date>, -posterior<N> for those options).",
        ),
    ] = None,
    set_: SetOption = None,
    force: Force = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: min(CPUs, runs); 1 runs in-process)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary tables.")
    ] = False,
) -> None:
    """Compare policies (or scenarios) over many seeds: medians, 90% intervals, paired diffs."""
    _check_batch_options(seeds, first_seed, workers)
    _check_posterior_option(posterior)
    until_date = _parse_until(until)
    sets = parse_sets(set_)
    variants, name = compare_variants(scenario, policies, scenarios, until_date)
    variants = sets.apply_all(variants)
    from plazasim.experiments import compare as cmp

    if posterior is not None:
        sets.check_posterior(next(iter(variants.values())), "--posterior")
    draws = _posterior_draws(variants, posterior)
    first = first_seed if first_seed is not None else next(iter(variants.values())).scenario.seed
    seed_list = list(range(first, first + seeds))
    n_runs = len(variants) * seeds * max(len(draws or ()), 1)
    n_workers = workers if workers is not None else cmp.default_workers(n_runs)
    invocation = Invocation(
        "compare",
        sets.args(
            {
                "scenario": scenario_source(scenario or "mexico-2006") if policies else None,
                "policies": policies and list(variants),
                "scenarios": scenarios
                and [scenario_source(t) for t in names("--scenarios", scenarios)],
                "seeds": seeds,
                "first_seed": first,
                "until": until_date,
                "posterior": posterior,
            }
        ),
    )
    target = out_dir or default_dir(
        "compare",
        name,
        "-vs-".join(variants) if policies else None,
        seed_range(first, seeds),
        until_date and f"until-{until_date}",
        posterior and f"posterior{posterior}",
        sets.folder_part(),
    )
    # before simulating, so the runs are not wasted
    prepare_out(target, invocation, force=force, check=cmp.check_compare_dir)
    with interrupt_note(target):
        result = _with_progress(
            quiet,
            "comparing",
            "runs",
            n_runs,
            lambda on_progress: cmp.compare(
                variants, seed_list, workers=n_workers, progress=on_progress, draws=draws
            ),
        )
        path = cmp.write_compare(result, target, invocation=invocation.record())
    if not quiet:
        labels = result.variants
        n_draws = len(draws or ())
        out.print(_compare_table(result.summary, labels, n_draws, seeds))
        if len(labels) > 1:
            out.print(_compare_table(result.summary, labels, n_draws, seeds, diff=True))
            if draws and len(draws) > 1 and seeds > 1:
                out.print(_between_draws_table(result.summary, labels))
        out.print(f"{n_runs} runs on {result.workers} worker(s) in {result.wall_time_s:.1f} s")
    out.print(f"wrote {path}", soft_wrap=True, markup=False)


def _check_posterior_option(posterior: int | None) -> None:
    """Refuse ``--posterior`` below 1 before anything is loaded."""
    if posterior is not None and posterior < 1:
        raise PlazasimError(f"--posterior: must be >= 1 (got {posterior})")


def _posterior_draws(variants: dict[str, Scenario], n: int | None) -> list[int] | None:
    """The draws ``--posterior N`` asks for, checked against every variant's posterior."""
    if n is None:
        return None
    from plazasim.experiments.compare import common_posterior
    from plazasim.experiments.posterior import posterior_draws

    try:
        draws = posterior_draws(next(iter(variants.values())), n)
        common_posterior(variants, draws)
    except ScenarioError as exc:
        raise _as_option(exc, "posterior") from None
    return draws


def _between_draws_table(summary: pd.DataFrame, variants: list[str]) -> Table:
    """Metrics × variants: the share of each paired difference's variance between draws."""
    from plazasim.experiments.compare import METRICS

    table = Table(
        title=f"Share of the variance of the paired difference vs {variants[0]} "
        "that lies between posterior draws (the rest: between seeds)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Metric", no_wrap=True)
    for label in variants[1:]:
        table.add_column(label, justify="right")
    by = summary.set_index(["policy", "metric"])
    for metric in METRICS:
        shares = (float(by.loc[(label, metric), "diff_between_draws"]) for label in variants[1:])
        table.add_row(metric, *("—" if pd.isna(v) else f"{v:.0%}" for v in shares))
    return table


DEFAULT_VALIDATE_SEEDS = 10


#: Below this terminal width the validation table leaves out the published findings.
WIDE_TABLE = 110


def _validation_table(
    table: pd.DataFrame, posterior: bool = False, width: int = WIDE_TABLE
) -> Table:
    """One row per fact: measured effect [90% interval] beside the published one.

    In a terminal narrower than :data:`WIDE_TABLE` the published findings would
    wrap a word per line, so they are left to ``validation.parquet`` (with each
    fact's source and criterion) and docs/EXPERIMENTS.md.
    """
    wide = width >= WIDE_TABLE
    over = "(draw, seed) pairs" if posterior else "seeds"
    view = Table(
        title=f"Stylized facts: measured (pooled over {over}) vs published",
        caption="holds: the 90% interval meets the fact's criterion; "
        + ("" if wide else "published findings, ")
        + "sources and criteria: validation.parquet",
        box=box.SIMPLE_HEAD,
    )
    view.add_column("fact", no_wrap=True)
    view.add_column("measured [90% CI]", justify="right", no_wrap=True)
    view.add_column("holds", justify="center", no_wrap=True)
    if wide:
        view.add_column("published", overflow="fold")
    for row in table.itertuples():
        cells: list[str | Text] = [
            row.fact,
            f"{row.measured:+.0%} [{row.lo:+.0%}, {row.hi:+.0%}]",
            Text("yes", style="green") if row.holds else Text("NO", style="bold red"),
        ]
        view.add_row(*cells, *([str(row.published)] if wide else []))
    return view


@app.command()
def validate(
    seeds: Annotated[
        int, typer.Option(help="Seeds per experiment (common to all arms).")
    ] = DEFAULT_VALIDATE_SEEDS,
    first_seed: Annotated[int, typer.Option(help="First seed.")] = 1,
    experiments: Annotated[
        str | None, typer.Option(help="Experiments to run, comma-separated (default: all).")
    ] = None,
    posterior: Annotated[
        int | None,
        typer.Option(
            help="Run every experiment on the first N draws of mexico-2006's "
            "posterior sample, each with every seed."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output directory (default: runs/validation-seeds<a>-<b>/, "
            "with the experiments and -posterior<N> when given).",
        ),
    ] = None,
    set_: SetOption = None,
    force: Force = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: min(CPUs, runs); 1 runs in-process)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")
    ] = False,
    no_figures: NoFigures = False,
) -> None:
    """Reproduce published findings: kingpin, crackdown, balloon, shortage, Lessing, recruitment."""
    from plazasim.experiments import validate as val
    from plazasim.experiments.parallel import default_workers

    _check_batch_options(seeds, first_seed, workers)
    _check_posterior_option(posterior)
    chosen = list(val.EXPERIMENTS) if experiments is None else names("--experiments", experiments)
    unknown = [e for e in chosen if e not in val.EXPERIMENTS]
    if unknown:
        raise PlazasimError(
            f"--experiments: unknown {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(val.EXPERIMENTS)})"
        )
    sets = parse_sets(set_)
    base = sets.apply(val.base_scenario())
    if posterior is not None:
        sets.check_posterior(base, "--posterior")
    draws = _posterior_draws({"mexico-2006": base}, posterior)
    seed_list = list(range(first_seed, first_seed + seeds))
    n_runs = len(chosen) * seeds * max(len(draws or ()), 1)
    n_workers = workers if workers is not None else default_workers(n_runs)
    invocation = Invocation(
        "validate",
        sets.args(
            {
                "experiments": chosen,
                "seeds": seeds,
                "first_seed": first_seed,
                "posterior": posterior,
            }
        ),
    )
    target = out_dir or default_dir(
        "validation",
        seed_range(first_seed, seeds),
        experiments and "-".join(chosen),
        posterior and f"posterior{posterior}",
        sets.folder_part(),
    )
    # before simulating, so the runs are not wasted
    prepare_out(target, invocation, force=force, check=val.check_validation_dir)
    with interrupt_note(target):
        result = _with_progress(
            quiet,
            "validating",
            "experiment-runs",
            n_runs,
            lambda on_progress: val.validate(
                seed_list,
                workers=n_workers,
                experiments=chosen,
                progress=on_progress,
                draws=draws,
                scenario=base if sets else None,
            ),
        )
        path = val.write_validation(
            result, target, invocation=invocation.record(), figures=not no_figures
        )
    if not quiet:
        out.print(_validation_table(result.table, posterior=bool(draws), width=out.width))
        held = int(result.table.holds.sum())
        on = f"seeds {seed_list[0]}-{seed_list[-1]}"
        if draws:
            on = f"posterior draws {draws[0]}-{draws[-1]} x {on}"
        out.print(
            f"{held} of {len(result.table)} facts hold on {on} "
            f"({result.wall_time_s:.0f} s on {result.workers} worker(s)); "
            "a fact that does not hold is a finding about the model, not an error."
        )
    out.print(f"wrote {path}", soft_wrap=True, markup=False)


# --------------------------------------------------------------------------- prior predictive

#: Parameter draws when ``--draws`` is not given.
DEFAULT_PRIOR_DRAWS = 100


def _coverage_table(report: dict[str, Any]) -> Table:
    """One row per (observed series, year): observed, the draws' band, inside it or not."""
    from plazasim.experiments.coverage import COMPARED

    lo, hi = report["band_percentiles"]
    shown = dict.fromkeys(row["series"] for row in report["rows"])
    caption = "; ".join(
        f"{COMPARED[key][1]}: {COMPARED[key][2]} vs simulated {COMPARED[key][0]}" for key in shown
    )
    table = Table(
        title=f"Observed vs {report['draws']} prior draws (persons per year)",
        caption=caption,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Observed", no_wrap=True)
    table.add_column("Year")
    table.add_column("Value", justify="right")
    table.add_column(f"Draws: median [{lo:g}%, {hi:g}%]", justify="right", no_wrap=True)
    table.add_column("Inside", justify="center")
    for row in report["rows"]:
        band = f"{_stat(row['median'])} [{_stat(row['lo'])}, {_stat(row['hi'])}]"
        inside = Text("yes", style="green") if row["inside"] else Text("no", style="bold red")
        table.add_row(
            COMPARED[row["series"]][1], str(row["year"]), _fmt(row["observed"]), band, inside
        )
    return table


@app.command("prior-predictive")
def prior_predictive(
    scenario: Annotated[
        str, typer.Argument(help="Scenario with a \\[calibration] table (file or bundled name).")
    ] = "mexico-2006",
    draws: Annotated[
        int, typer.Option(help="Parameter sets drawn from the priors; one run each.")
    ] = DEFAULT_PRIOR_DRAWS,
    until: Annotated[str | None, typer.Option(help=UNTIL_HELP)] = None,
    seed: Annotated[
        int | None,
        typer.Option(help="Seed of the draws; draw i runs with seed+i (default: the scenario's)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: min(CPUs, draws); 1 runs in-process)."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output directory (default: runs/prior-<scenario>-"
            "draws<N>-seed<S>/, with -until-<date> when given).",
        ),
    ] = None,
    force: Force = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no coverage table.")
    ] = False,
) -> None:
    """Prior predictive check: run the scenario on parameter sets drawn from its priors."""
    from plazasim.experiments import prior_predictive as pp
    from plazasim.experiments.parallel import default_workers
    from plazasim.experiments.priors import require_priors

    if draws < 1:
        raise PlazasimError(f"--draws: must be >= 1 (got {draws})")
    _check_batch_options(1, None, workers)
    until_date = _parse_until(until)
    sc = _apply_overrides(load_scenario(scenario), seed, until_date, None)
    require_priors(sc)
    n_workers = workers if workers is not None else default_workers(draws)
    invocation = Invocation(
        "prior-predictive",
        {
            "scenario": scenario_source(scenario),
            "draws": draws,
            "seed": sc.scenario.seed,
            "until": until_date,
        },
    )
    target = out_dir or default_dir(
        "prior",
        sc.scenario.name,
        f"draws{draws}",
        f"seed{sc.scenario.seed}",
        until_date and f"until-{until_date}",
    )
    # before simulating, so the runs are not wasted
    prepare_out(target, invocation, force=force, check=pp.check_prior_dir)
    with interrupt_note(target):
        result = _with_progress(
            quiet,
            "drawing",
            "runs",
            draws,
            lambda on_progress: pp.prior_predictive(
                sc, draws, seed=sc.scenario.seed, workers=n_workers, progress=on_progress
            ),
        )
        path = pp.write_prior(result, target, invocation=invocation.record())
    if not quiet:
        report = result.coverage()
        if report["rows"]:
            out.print(_coverage_table(report))
            out.print(
                f"{report['inside']} of {report['compared']} observed values lie inside "
                f"the draws' {report['band_percentiles'][0]:g}-"
                f"{report['band_percentiles'][1]:g}% band."
            )
        else:
            out.print("No observed series for this world and period: nothing to compare.")
        rising = report["related_rises_every_year"]
        if rising["share"] is not None:
            years = rising["years"]
            seen = {True: "rose", False: "did not rise"}.get(rising["observed"])
            out.print(
                f"related rises every year from {years[0]} to {years[-1]} in "
                f"{rising['share']:.0%} of draws"
                + (f" (observed organised-crime deaths {seen} every year)." if seen else ".")
            )
        out.print(f"{draws} runs on {result.workers} worker(s) in {result.wall_time_s:.1f} s")
    out.print(f"wrote {path}", soft_wrap=True, markup=False)


# Commands defined in their own modules register themselves on ``app``.
from plazasim import (  # noqa: E402, F401
    cli_calibration,
    cli_dashboard,
    cli_fit_report,
    cli_query,
    cli_report,
    cli_sweep,
)

# --------------------------------------------------------------------------- entry point


def _error(message: str) -> None:
    """Print ``error: <message>`` as exactly one plain line (no markup, no wrapping)."""
    sys.stderr.write(f"error: {' '.join(str(message).split())}\n")
    sys.stderr.flush()


def _user_message(exc: BaseException) -> str | None:
    """Return the message for an error caused by user input, or None for a bug."""
    if isinstance(exc, typer.TyperException):  # usage errors from the option parser
        return exc.format_message()
    if isinstance(exc, PlazasimError):
        # The writers are library functions and call the folder ``out``; on the command
        # line every message names the option the user typed, as ``--until:`` does.
        text = str(exc)
        return "--out: " + text.removeprefix("out: ") if text.startswith("out: ") else text
    if isinstance(exc, ValidationError):
        return str(from_validation_error(exc, fallback="input"))
    if isinstance(exc, FileNotFoundError):
        return f"file not found: {exc.filename or exc}"
    return None  # anything else, a KeyError included, is a bug and says so


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (the console script's entry point).

    A :class:`~plazasim.scenario.ScenarioWarning` prints as one ``warning: ...``
    line on stderr; other warnings as Python prints them.
    """
    with warnings.catch_warnings():
        python_way = warnings.showwarning

        def show(
            message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any
        ) -> None:
            if issubclass(category, ScenarioWarning):
                sys.stderr.write(f"warning: {' '.join(str(message).split())}\n")
                sys.stderr.flush()
            else:
                python_way(message, category, *args, **kwargs)

        warnings.showwarning = show
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    """:func:`main` without the warnings setup."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = get_command(app)
    try:
        code = command.main(args=args or ["--help"], prog_name="plazasim", standalone_mode=False)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPT
    except InterruptError as exc:  # Ctrl-C, and what the output folder holds
        _error(str(exc))
        return EXIT_INTERRUPT
    except Exception as exc:
        message = _user_message(exc)
        if message is not None:
            _error(message)
            return EXIT_USER
        if os.environ.get("PLAZASIM_DEBUG"):
            traceback.print_exc()
        else:
            _error(
                f"internal error ({type(exc).__name__}: {exc}); "
                "rerun with PLAZASIM_DEBUG=1 for details"
            )
        return EXIT_BUG
    if code == EXIT_INTERRUPT:  # typer turns Ctrl-C into Exit(130) before we see it
        _error("interrupted")
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
