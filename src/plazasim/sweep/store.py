"""The sweep folder: one Parquet file per finished run, written by an atomic rename.

Layout (docs/SWEEPS.md, "Results store")::

    sweep.json              the spec, its digest, the scenario's digest, the counts
    points.parquet          the design: point_id and one column per factor
    runs/run-00000042.parquet     one row: run_id, point_id, replicate, seed,
                                  the factors, the outputs
    series/run-00000042.parquet   (spec series = true) the run's national weekly table

A run file is written under a hidden temporary name in the same folder and
renamed into place, so it is either absent or whole: a sweep killed at any moment
(Ctrl-C, SIGKILL, a lost node) leaves only finished runs, and running it again
skips them. Temporary files a killed process left are removed when the folder is
opened again. The series file is renamed into place before the run file, so a
run file always has its series.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

import plazasim
from plazasim.errors import PlazasimError
from plazasim.results.store import manifest_text

__all__ = [
    "POINTS",
    "RUNS",
    "SERIES",
    "SWEEP_JSON",
    "finished_runs",
    "open_sweep_dir",
    "read_runs",
    "run_file",
    "write_run_file",
]

SWEEP_JSON = "sweep.json"
POINTS = "points.parquet"
RUNS = "runs"
SERIES = "series"
_TMP = ".tmp-"


def run_file(out_dir: Path, run_id: int, folder: str = RUNS) -> Path:
    """Path of run ``run_id``'s file in ``folder`` (``runs`` or ``series``)."""
    return Path(out_dir) / folder / f"run-{run_id:08d}.parquet"


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` through a hidden temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}{_TMP}{os.getpid()}")
    try:
        frame.to_parquet(tmp, engine="pyarrow", compression="zstd", index=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_run_file(
    out_dir: Path, run_id: int, row: dict[str, Any], series: pd.DataFrame | None = None
) -> None:
    """Store one finished run: its series (if any), then its one-row run file."""
    try:
        if series is not None:
            _write_atomic(series, run_file(out_dir, run_id, SERIES))
        _write_atomic(pd.DataFrame([row]), run_file(out_dir, run_id))
    except OSError as exc:  # a full disk, a folder gone: say so; earlier runs stay
        raise PlazasimError(
            f"out: could not write run {run_id} in {out_dir}: {exc.strerror or exc}"
        ) from None


def _remove_scratch(out_dir: Path) -> None:
    """Remove temporary files a killed writer left (never a finished run file)."""
    for folder in (RUNS, SERIES):
        for path in (out_dir / folder).glob(f".run-*.parquet{_TMP}*"):
            with contextlib.suppress(OSError):
                path.unlink()


def finished_runs(out_dir: Path) -> set[int]:
    """Run ids whose run file is in ``runs/`` (and readable; an unreadable one is removed)."""
    import pyarrow.parquet as pq

    done: set[int] = set()
    for path in (Path(out_dir) / RUNS).glob("run-*.parquet"):
        try:
            run_id = int(path.stem.removeprefix("run-"))
            if pq.read_metadata(path).num_rows == 1:
                done.add(run_id)
                continue
        except (ValueError, OSError):
            pass
        with contextlib.suppress(OSError):  # not ours, or damaged outside plazasim: redo it
            path.unlink()
    return done


def read_runs(out_dir: Path) -> pd.DataFrame:
    """All finished runs, one row each, sorted by ``run_id``."""
    files = sorted((Path(out_dir) / RUNS).glob("run-*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def _record(identity: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "sweep",
        **identity,
        **extra,
        "plazasim_version": plazasim.__version__,
        "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _check_writable(folder: Path) -> None:
    """Refuse ``folder`` unless a file can be made in it, as every run's writer will.

    Permissions do not tell (``root`` passes every check; read-only mounts and
    ``/proc`` refuse anyway), so a hidden file is made and removed.
    """
    try:
        handle, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise PlazasimError(f"out: cannot write in {folder}: {exc.strerror or exc}") from None


def open_sweep_dir(
    out_dir: Path,
    identity: dict[str, Any],
    extra: dict[str, Any],
    points: pd.DataFrame,
    folders: Iterable[str],
) -> bool:
    """Create the sweep folder, or reopen the same sweep's; True if it already existed.

    ``identity`` (spec and scenario digests) must equal the recorded one: a folder
    holding another sweep, other plazasim results or anything else is refused, as
    is a folder that cannot be written, all before any simulation runs.
    """
    out_dir = Path(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise PlazasimError(f"out: {out_dir} exists and is not a directory")
    resumed = (out_dir / SWEEP_JSON).is_file()
    if resumed:
        try:
            recorded = json.loads((out_dir / SWEEP_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PlazasimError(f"out: cannot read {out_dir / SWEEP_JSON}: {exc}") from None
        differs = [
            key.removesuffix("_sha256") for key in identity if recorded.get(key) != identity[key]
        ]
        if differs:
            verb = "differs" if len(differs) == 1 else "differ"
            raise PlazasimError(
                f"out: {out_dir} holds another sweep (its {' and '.join(differs)} {verb}); "
                "give another folder with --out, or the spec that made it to resume it"
            )
    elif out_dir.exists() and any(out_dir.iterdir()):
        raise PlazasimError(
            f"out: {out_dir} is not empty and holds no {SWEEP_JSON}; "
            "refusing to write a sweep into it"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _check_writable(out_dir)
        for folder in folders:
            (out_dir / folder).mkdir(exist_ok=True)
            _check_writable(out_dir / folder)
        if not resumed:
            _write_atomic(points, out_dir / POINTS)
            tmp = out_dir / f".{SWEEP_JSON}{_TMP}{os.getpid()}"
            tmp.write_text(manifest_text(_record(identity, extra)), encoding="utf-8")
            os.replace(tmp, out_dir / SWEEP_JSON)
    except OSError as exc:
        raise PlazasimError(f"out: cannot write {out_dir}: {exc.strerror or exc}") from None
    _remove_scratch(out_dir)
    return resumed
