"""The run store: one directory per run, three Parquet tables and a JSON manifest.

Layout of a run directory (columns and units in ``docs/OUTPUTS.md``)::

    national.parquet   one row per week
    plazas.parquet     one row per plaza per week
    cartels.parquet    one row per cartel per week
    manifest.json      the resolved scenario, seed, version, wall time, world notes

A run directory is written whole or not at all: the files go to a temporary
directory beside the target, which is then renamed into place. A crash, an
exception or Ctrl-C while writing leaves the previous contents (or nothing), never
a half-written run that a sweep would mistake for a finished one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plazasim.errors import PlazasimError

__all__ = [
    "MANIFEST",
    "TABLES",
    "RunTables",
    "check_out_dir",
    "manifest_text",
    "query",
    "read_run",
    "write_directory",
    "write_run",
]

#: The table names, also the Parquet file stems and the DuckDB view names.
TABLES = ("national", "plazas", "cartels")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RunTables:
    """The contents of a run directory, as :func:`write_run` writes them.

    :func:`read_run` reads them back; ``experiments.run.RunResult`` extends this
    with the world the run used.
    """

    national: pd.DataFrame
    plazas: pd.DataFrame
    cartels: pd.DataFrame
    manifest: dict[str, Any]


def _json_default(value: Any) -> Any:
    """Serialise the few non-JSON types a manifest may reasonably contain."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"manifest: {type(value).__name__} is not JSON serialisable")


def check_out_dir(out_dir: Path, marker: str | None = None, kind: str = "") -> None:
    """Refuse an output path that :func:`write_run` (or another writer) must not replace.

    An existing directory is replaced only if it is empty or is a previous run
    (has a ``manifest.json``); anything else (``--out .``, ``--out ~``, a file)
    would be deleted by the swap, so it is an error. With ``marker`` (a file name)
    an existing non-empty directory must also hold that file, so that one kind of
    result (``kind``, e.g. "compare directory") never replaces another. The CLI
    calls this before simulating so a long run is not wasted on an unusable path.
    """
    out_dir = Path(out_dir)
    if not out_dir.exists() and not out_dir.is_symlink():
        _check_creatable(out_dir)
        return
    _check_writable(out_dir.absolute().parent, out_dir)
    if out_dir.is_symlink():
        raise PlazasimError(f"out: {out_dir} is a symbolic link; give the directory itself")
    if not out_dir.is_dir():
        raise PlazasimError(f"out: {out_dir} exists and is not a directory")
    if any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
        raise PlazasimError(
            f"out: {out_dir} exists and is not a plazasim run directory (no {MANIFEST}); "
            "refusing to replace it"
        )
    if marker is not None and any(out_dir.iterdir()) and not (out_dir / marker).is_file():
        raise PlazasimError(
            f"out: {out_dir} holds other plazasim results, not a {kind} (no {marker}); "
            "refusing to replace it"
        )


def _check_creatable(out_dir: Path) -> None:
    """Refuse a new ``out_dir`` whose nearest existing ancestor cannot hold it.

    ``mkdir`` would say only "File exists" for ``/dev/null/x`` (its parent is a
    file) and fail after the simulation; say what is wrong, and before.
    """
    ancestor = next((p for p in out_dir.absolute().parents if p.exists()), None)
    if ancestor is None:
        return
    if not ancestor.is_dir():
        raise PlazasimError(f"out: cannot create {out_dir}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise PlazasimError(f"out: cannot create {out_dir}: no permission to write in {ancestor}")
    _check_writable(ancestor, out_dir)


def _check_writable(folder: Path, out_dir: Path) -> None:
    """Refuse ``out_dir`` if ``folder``, where :func:`write_directory` works, takes no folder.

    Permissions do not tell (``root`` passes every check, ``/proc`` and read-only
    mounts refuse anyway), so a hidden folder is made and removed, as the writer
    will do beside ``out_dir``.
    """
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{out_dir.name}.probe-", dir=folder))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlazasimError(
            f"out: cannot write {out_dir}: {folder} does not take new folders ({reason})"
        ) from None


def _missing_parents(path: Path) -> list[Path]:
    """Ancestors of ``path`` that do not exist yet, outermost first."""
    missing = []
    for parent in path.parents:
        if parent.exists():
            break
        missing.append(parent)
    return missing[::-1]


def write_directory(out_dir: Path, fill: Callable[[Path], None]) -> Path:
    """Create ``out_dir`` atomically: ``fill(tmp)`` writes the files, then a rename.

    The files go to ``.{name}.tmp-<pid>`` beside ``out_dir``; an existing
    ``out_dir`` is renamed to ``.{name}.old-<pid>``, the new one renamed into place
    and the old one removed. On any failure the temporary directory (and any parent
    directories this call created) is removed and ``out_dir`` is left as it was,
    so a reader never sees a half-written result. Callers check first that
    ``out_dir`` may be replaced (:func:`check_out_dir`).
    """
    out_dir = Path(out_dir).absolute()
    pid = os.getpid()
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{pid}"
    old = out_dir.parent / f".{out_dir.name}.old-{pid}"
    created = _missing_parents(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        for stale in (tmp, old):  # left by an earlier crash of a process with our pid
            if stale.exists():
                shutil.rmtree(stale)
        tmp.mkdir()
        fill(tmp)
        if out_dir.exists():
            out_dir.rename(old)
            try:
                tmp.rename(out_dir)
            except BaseException:
                old.rename(out_dir)  # put the previous result back
                raise
        else:
            tmp.rename(out_dir)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        for parent in reversed(created):
            try:
                parent.rmdir()  # only if still empty: never remove someone else's files
            except OSError:
                break
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise PlazasimError(f"out: could not write {out_dir}: {reason}") from exc
        raise
    shutil.rmtree(old, ignore_errors=True)
    return out_dir


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as the JSON text every result directory stores (sorted, no NaN)."""
    return (
        json.dumps(manifest, indent=2, sort_keys=True, default=_json_default, allow_nan=False)
        + "\n"
    )


def write_run(
    result: RunTables,
    out_dir: Path,
    *,
    invocation: dict[str, Any] | None = None,
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``result`` into ``out_dir`` atomically (:func:`write_directory`).

    Three Parquet tables (zstd) and ``manifest.json``; returns the directory.
    ``invocation`` (the command that asked for the run) is added to the manifest,
    so a later command can tell its own results from another's. ``extra(tmp)``
    (e.g. the figures) writes more files into the same temporary directory, so
    they appear together with the tables or not at all.
    """
    out_dir = Path(out_dir).absolute()
    check_out_dir(out_dir)
    frames = {}
    for name in TABLES:
        frame = getattr(result, name, None)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"write_run: result.{name} must be a pandas DataFrame")
        frames[name] = frame
    manifest = getattr(result, "manifest", None)
    if not isinstance(manifest, dict):
        raise TypeError("write_run: result.manifest must be a dict")
    if invocation is not None:
        manifest = {**manifest, "invocation": invocation}

    def fill(tmp: Path) -> None:
        for name, frame in frames.items():
            frame.to_parquet(
                tmp / f"{name}.parquet", engine="pyarrow", compression="zstd", index=False
            )
        (tmp / MANIFEST).write_text(manifest_text(manifest), encoding="utf-8")
        if extra is not None:
            extra(tmp)

    return write_directory(out_dir, fill)


def _require_run(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    missing = [f"{t}.parquet" for t in TABLES if not (out_dir / f"{t}.parquet").is_file()]
    if not (out_dir / MANIFEST).is_file():
        missing.append(MANIFEST)
    if missing:
        raise PlazasimError(
            f"run: {out_dir} is not a plazasim run directory (missing {', '.join(missing)})"
        )
    return out_dir


def read_run(out_dir: Path) -> RunTables:
    """Read a run directory written by :func:`write_run`."""
    out_dir = _require_run(out_dir)
    tables = {t: pd.read_parquet(out_dir / f"{t}.parquet", engine="pyarrow") for t in TABLES}
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    return RunTables(manifest=manifest, **tables)


def query(out_dir: Path, sql: str) -> pd.DataFrame:
    """Run DuckDB ``sql`` over a run; ``national``, ``plazas`` and ``cartels`` are views.

    The views read the Parquet files in place, so a query over a large
    ``plazas`` table does not load it into pandas first.
    """
    from plazasim.results.query import query as query_folder

    return query_folder(_require_run(out_dir), sql)
