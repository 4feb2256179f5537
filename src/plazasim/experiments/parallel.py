"""Run many independent simulation tasks, in-process or on a Dask LocalCluster.

Every experiment that needs many runs (``compare``, ``validate``, later sweeps)
sends pure, picklable tasks through :func:`map_tasks`, which returns results in
task order whatever the number of workers, so a table never depends on how it
was computed. Workers are processes with one thread each: the step is NumPy on
small arrays, where threads would only contend for the GIL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["dask_setup", "default_workers", "local_client", "map_tasks"]


def dask_setup(worker: object) -> None:
    """Dask preload hook, run in each worker process: ignore Ctrl-C there.

    A Ctrl-C in the terminal reaches every process of the group. Workers belong to
    the command that started them, which stops them when it is interrupted; left to
    themselves they would each print a traceback over its one-line "interrupted".
    """
    with contextlib.suppress(ValueError):  # not the main thread: nothing to do there
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers(runs: int) -> int:
    """``min(CPUs available to this process, runs)``, at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, runs))


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A ``distributed.Client`` on a LocalCluster of ``workers`` single-threaded processes.

    Workers keep their scratch and lock files in a private temporary folder that is
    removed on the way out, Ctrl-C included; the scheduler serves no dashboard.
    """
    import dask
    from distributed import Client, LocalCluster

    # Dask sets MALLOC_TRIM_THRESHOLD_ in workers, which turns off glibc's adaptive mmap
    # threshold: every large numpy temporary is then mmapped and page-faulted afresh,
    # and a run took 2-3x longer (mostly system time) than in-process. Unset it.
    no_trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    # No dashboard; the scheduler's HTTP server takes a free port, not the shared 8787.
    with tempfile.TemporaryDirectory(prefix="plazasim-dask-",
                                     ignore_cleanup_errors=True) as scratch, \
            dask.config.set({**no_trim, "temporary-directory": scratch}), LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True,
        dashboard_address=":0", scheduler_kwargs={"dashboard": False},
        silence_logs=logging.CRITICAL, local_directory=scratch, preload=[__name__],
    ) as cluster, Client(cluster) as client:
        yield client


def map_tasks(fn: Callable[[T], R], tasks: Sequence[T], workers: int, *,
              progress: Callable[[int, int], None] | None = None,
              name: str = "plazasim") -> list[R]:
    """Apply ``fn`` to every task; results in task order.

    With ``workers <= 1`` (or a single task) everything runs in this process;
    otherwise on a ``dask.distributed`` LocalCluster of ``workers`` processes,
    created for this call and closed after it. ``progress(done, total)`` is called
    as tasks finish. Tasks must not return None. A script calling this with
    ``workers > 1`` needs an ``if __name__ == "__main__":`` guard, since worker
    processes are spawned and import the main module.

    A worker that dies (killed, out of memory) is restarted by its nanny and its tasks
    run again elsewhere; since tasks are pure, every result is the same and is kept
    once. Workers keep their scratch files and lock files in a private temporary
    folder removed on the way out, Ctrl-C included, never in the shared temp dir.
    """
    total = len(tasks)
    if workers <= 1 or total <= 1:
        results = []
        for i, task in enumerate(tasks):
            results.append(fn(task))
            if progress is not None:
                progress(i + 1, total)
        return results
    from distributed import as_completed

    out: list[R | None] = [None] * total
    with local_client(min(workers, total)) as client:
        keys = [f"{name}-{i}" for i in range(total)]
        futures = client.map(fn, list(tasks), key=keys)
        where = {key: i for i, key in enumerate(keys)}
        for done, future in enumerate(as_completed(futures), start=1):
            out[where[future.key]] = future.result()
            if progress is not None:
                progress(done, total)
    missing = [i for i, r in enumerate(out) if r is None]
    if missing:  # pragma: no cover - as_completed yields every future or raises
        raise RuntimeError(f"tasks {missing} returned no result")
    return out  # type: ignore[return-value]
