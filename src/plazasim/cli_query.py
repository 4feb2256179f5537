"""The ``plazasim query`` command: DuckDB SQL over a run, compare, validate or sweep folder.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported; the
views each kind of folder has are in :mod:`plazasim.results.query`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from plazasim.cli import app, err, out
from plazasim.errors import PlazasimError

__all__ = ["query"]


@app.command()
def query(
    folder: Annotated[
        Path,
        typer.Argument(help="A results folder: run, compare, validate, sweep, prior-predictive..."),
    ],
    sql: Annotated[
        str,
        typer.Argument(
            help="DuckDB SQL over the folder's views (run: national, "
            "plazas, cartels; sweep: runs, points, series; "
            "compare: compare, runs)."
        ),
    ],
    max_rows: Annotated[int, typer.Option(min=1, help="Show at most this many rows.")] = 100,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the result to this new CSV file.")
    ] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Write the result to this new Parquet file.")
    ] = None,
) -> None:
    """Query a results folder with DuckDB SQL; print a table or export it."""
    from plazasim.results.query import export, folder_views
    from plazasim.results.query import query as run_query

    if csv is not None and parquet is not None:
        raise PlazasimError("--csv: give either --csv or --parquet, not both")
    if csv is not None or parquet is not None:
        fmt, target = ("csv", csv) if csv is not None else ("parquet", parquet)
        assert target is not None
        rows = export(folder, sql, target, fmt)  # type: ignore[arg-type]
        out.print(f"wrote {rows} rows to {target}", soft_wrap=True, markup=False)
        return
    frame = run_query(folder, sql)
    if frame.columns.empty:
        views = ", ".join(folder_views(folder))
        out.print(f"(no result; views: {views})", soft_wrap=True, markup=False)
        return
    table = Table()
    for col in frame.columns:
        table.add_column(
            str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
        )
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*(Text("" if pd.isna(v) else str(v)) for v in row))
    out.print(table)
    if len(frame) > max_rows:
        err.print(f"({len(frame) - max_rows} more rows not shown; see --max-rows)")
