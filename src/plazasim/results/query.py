"""DuckDB SQL over any plazasim results folder: a run, a comparison, a validation, a sweep.

The folder's kind decides its views, each reading Parquet files in place:

- every top-level ``*.parquet`` is a view named after its stem: ``national``,
  ``plazas``, ``cartels`` in a run; ``compare`` in a comparison; ``validation``
  and ``validation_seeds`` in a validation; ``prior``, ``points``,
  ``sensitivity`` and so on elsewhere;
- a sweep (``sweep.json``) adds ``runs`` (one row per finished run, read from
  ``runs/``) and, if it kept them, ``series`` (every run's national weekly
  table, with its ``run_id``) and ``national`` (the same, as a name a run's
  queries already use);
- a comparison adds ``runs``, its per-run rows (``row = 'seed'``).

:func:`folder_views` says which views a folder has; :func:`query` runs SQL;
:func:`export` writes a query's result to CSV or Parquet through a temporary
file and a rename.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from plazasim.errors import PlazasimError
from plazasim.results.store import MANIFEST

if TYPE_CHECKING:
    import duckdb

__all__ = ["export", "folder_kind", "folder_views", "query"]

_SWEEP = "sweep.json"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quote(path: Path) -> str:
    return "'" + str(path.absolute()).replace("'", "''") + "'"


def folder_kind(folder: Path) -> str:
    """``sweep``, ``run``, or the ``kind`` a manifest records (``compare``, ``validation``...)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlazasimError(f"query: {folder} is not a folder")
    if (folder / _SWEEP).is_file():
        return "sweep"
    if not (folder / MANIFEST).is_file():
        raise PlazasimError(
            f"query: {folder} is not a plazasim results folder (no {MANIFEST} or {_SWEEP})"
        )
    try:
        kind = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        kind = None
    return kind if isinstance(kind, str) else "run"


def folder_views(folder: Path) -> dict[str, str]:
    """The views of ``folder``: name -> the SQL they select (see the module doc)."""
    folder = Path(folder)
    kind = folder_kind(folder)
    views = {
        p.stem: f"SELECT * FROM read_parquet({_quote(p)})"
        for p in sorted(folder.glob("*.parquet"))
        if _IDENT.match(p.stem)
    }
    if kind == "sweep":
        pattern = "run-*.parquet"
        for sub in ("runs", "series"):
            if any((folder / sub).glob(pattern)):
                views[sub] = (
                    f"SELECT * FROM read_parquet({_quote(folder / sub / pattern)}, "
                    "union_by_name = true)"
                )
        if "series" in views:
            views.setdefault("national", views["series"])
    elif kind == "compare" and "compare" in views:
        views["runs"] = "SELECT * FROM compare WHERE row = 'seed'"
    if kind == "run":
        missing = [f"{t}.parquet" for t in ("national", "plazas", "cartels") if t not in views]
        if missing:
            raise PlazasimError(
                f"query: {folder} is not a plazasim run directory (missing {', '.join(missing)})"
            )
    return views


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    import duckdb  # imported here: ~25 MB that a simulation never needs

    con = duckdb.connect(":memory:")
    for name, select in folder_views(folder).items():
        con.execute(f'CREATE VIEW "{name}" AS {select}')
    return con


def _one_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def query(folder: str | Path, sql: str) -> pd.DataFrame:
    """Run DuckDB ``sql`` over the views of ``folder``; errors are one ``query:`` line."""
    import duckdb

    con = _connect(Path(folder))
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise PlazasimError(f"query: {_one_line(exc)}") from None
    finally:
        con.close()


def export(folder: str | Path, sql: str, target: str | Path, fmt: Literal["csv", "parquet"]) -> int:
    """Write the result of ``sql`` to ``target`` (CSV with a header, or Parquet); return rows.

    The file is written under a temporary name beside ``target`` and renamed, so
    an interrupted export never leaves a half-written file; an existing
    ``target`` is refused (never silently replaced).
    """
    target = Path(target)
    if target.exists() or target.is_symlink():
        raise PlazasimError(f"--{fmt}: {target} exists; give a new file name")
    parent = target.absolute().parent
    if not parent.is_dir():
        raise PlazasimError(f"--{fmt}: cannot write {target}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PlazasimError(f"--{fmt}: cannot write {target}: no permission in {parent}")
    frame = query(folder, sql)
    tmp = parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, engine="pyarrow", index=False)
        os.replace(tmp, target)
    except OSError as exc:
        raise PlazasimError(f"--{fmt}: cannot write {target}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return len(frame)
