"""The ``plazasim report`` command: one self-contained HTML page of a results folder.

Registered on :data:`plazasim.cli.app` when :mod:`plazasim.cli` is imported; the work
is :func:`plazasim.report.html.write_report`. The page opens offline (plotly.js
inlined, no tiles); docs/FIGURES.md says what it shows for each kind of folder.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from plazasim.cli import app, err, out
from plazasim.errors import PlazasimError

__all__ = ["parse_dates", "report"]

#: Slider steps of the control map.
EVERY = ("week", "month", "quarter")


def parse_dates(option: str, text: str | None) -> list[dt.date] | None:
    """Parse ``2007-01-01,2010-12-31`` into dates, or one line naming ``option`` and the value."""
    if text is None:
        return None
    dates = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
                raise ValueError
            dates.append(dt.date.fromisoformat(part))
        except ValueError:
            raise PlazasimError(
                f"{option}: invalid date {part!r} (expected YYYY-MM-DD, comma-separated)"
            ) from None
    return dates


@app.command("report")
def report(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="A run, compare, validate or sweep folder.")
    ],
    every: Annotated[
        str,
        typer.Option(
            help="Map slider step: week, month or quarter (a weekly slider "
            "makes the page about twice as large)."
        ),
    ] = "month",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of DIR/report.html.")
    ] = None,
) -> None:
    """Write DIR/report.html: maps, series and tables in one page that opens offline."""
    from plazasim.report.html import REPORT_NAME, write_report
    from plazasim.report.sections import folder_kind

    if every not in EVERY:
        raise PlazasimError(f"--every: {every!r} is not one of {', '.join(EVERY)}")
    folder_kind(folder)  # a one-line error before any work
    target = out_file or folder / REPORT_NAME
    if target.is_dir():
        raise PlazasimError(f"--out: {target} is a folder (expected a file name)")
    if target.exists():
        err.print(f"note: replacing {target}", soft_wrap=True, markup=False)
    path = write_report(folder, target, every=every)
    size = path.stat().st_size / 1e6
    out.print(f"wrote {path} ({size:.1f} MB)", soft_wrap=True, markup=False)
