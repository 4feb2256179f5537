"""Which PNGs each command writes, and the functions that write them.

* ``plazasim run``: ``homicides.png``, ``flows.png``, ``control_map.png``
  (:func:`run_figures`, called inside the run's atomic write);
* ``plazasim compare``: ``compare.png`` (:func:`plazasim.experiments.compare.plot_compare`);
* ``plazasim validate``: ``validation.png`` (:func:`validation_png`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from plazasim.figures.common import save_png
from plazasim.results.store import RunTables

__all__ = ["RUN_FIGURES", "VALIDATION_PLOT", "run_figures", "validation_png", "write_run_figures"]

#: PNGs of a run directory.
RUN_FIGURES = ("homicides.png", "flows.png", "control_map.png")
#: PNG of a validation directory.
VALIDATION_PLOT = "validation.png"


def write_run_figures(
    tables: RunTables, out_dir: Path, map_dates: Sequence[Any] | None = None
) -> list[Path]:
    """Draw a run's three figures into ``out_dir`` (see :data:`RUN_FIGURES`)."""
    from plazasim.figures.maps import control_map_figure
    from plazasim.figures.series import flows_figure, homicides_figure

    out_dir = Path(out_dir)
    makers = (homicides_figure, flows_figure, lambda t: control_map_figure(t, map_dates))
    return [
        save_png(make(tables), out_dir / name)
        for name, make in zip(RUN_FIGURES, makers, strict=True)
    ]


def run_figures(
    result: Any, invocation: dict[str, Any] | None = None, map_dates: Sequence[Any] | None = None
) -> Callable[[Path], None]:
    """Return ``extra(tmp)`` for :func:`plazasim.results.store.write_run` that draws the figures.

    ``result`` is what the engine returned (tables and manifest); ``invocation``
    is added to the manifest the figures read, as ``write_run`` adds it to the file.
    """
    manifest = dict(result.manifest)
    if invocation is not None:
        manifest["invocation"] = invocation
    tables = RunTables(
        national=result.national, plazas=result.plazas, cartels=result.cartels, manifest=manifest
    )

    def extra(tmp: Path) -> None:
        _guarded(
            lambda: write_run_figures(tables, tmp, map_dates), [tmp / name for name in RUN_FIGURES]
        )

    return extra


def validation_png(table: pd.DataFrame, manifest: dict[str, Any], path: Path) -> None:
    """Draw the validation table (measured vs published, per fact) to ``path``."""
    from plazasim.figures.validate import validation_figure

    _guarded(lambda: save_png(validation_figure(table, manifest), path), [path])


def _guarded(draw: Callable[[], object], paths: list[Path]) -> None:
    """Draw, but never lose the results to a figure that fails to draw.

    A failed write (a full disk: ``OSError``) and Ctrl-C propagate, so the results
    folder is written whole or not at all; any other failure is a bug in a figure:
    its files are removed, one ``note:`` line says so on stderr, and the tables are
    written without them.
    """
    try:
        draw()
    except (OSError, KeyboardInterrupt):
        raise
    except Exception as exc:
        for path in paths:
            path.unlink(missing_ok=True)
        sys.stderr.write(
            f"note: figures not drawn ({type(exc).__name__}: {exc}); the results are complete\n"
        )
        if os.environ.get("PLAZASIM_DEBUG"):
            raise
