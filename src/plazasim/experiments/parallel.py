"""Run many independent simulation tasks, in-process or on a Dask LocalCluster.

Every experiment that needs many runs (``compare``, ``validate``, later sweeps)
sends pure, picklable tasks through :func:`map_tasks`, which returns results in
task order whatever the number of workers, so a table never depends on how it
was computed. Workers are processes with one thread each: the step is NumPy on
small arrays, where threads would only contend for the GIL.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing.spawn
import os
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = [
    "dask_setup",
    "default_workers",
    "deferred_ctrl_c",
    "local_client",
    "map_tasks",
    "plugin_call",
    "watched_ctrl_c",
]


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
def deferred_ctrl_c() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) back until the block is done, then raise it.

    Starting and stopping a Dask cluster must not be cut short: a cluster half
    started has worker processes no one will stop, and one half stopped leaves
    lock files behind. Within the block a Ctrl-C is only recorded; on the way out
    the earlier handler comes back and a recorded Ctrl-C is raised as
    ``KeyboardInterrupt``, also in place of an error the block raised after it (a
    worker that was starting may have died of the same Ctrl-C). Outside the main
    thread (where signals cannot be handled) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pressed:
            raise KeyboardInterrupt from None


@contextlib.contextmanager
def watched_ctrl_c() -> Iterator[Callable[[], None]]:
    """Raise Ctrl-C as usual, and remember it, so a loop can raise one that got lost.

    Python runs a signal handler between any two bytecodes, also inside a garbage
    collector callback or a ``__del__`` (Dask's client runs such callbacks); a
    ``KeyboardInterrupt`` raised there is printed as "Exception ignored" and
    dropped, and the run would go on to the end as if no one had pressed Ctrl-C.
    Here the handler records the press before it raises, and the block gets a
    ``check()`` that raises ``KeyboardInterrupt`` once a press was recorded: a loop
    that calls it after each finished task stops at the next one. Such a dropped
    ``KeyboardInterrupt`` is not printed either (``sys.unraisablehook``), since
    ``check`` raises it again; the promise is one line on Ctrl-C, not a traceback.
    Outside the main thread (where signals cannot be handled) ``check`` does
    nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    pressed: list[int] = []

    def on_ctrl_c(signum: int, frame: object) -> None:
        pressed.append(signum)
        raise KeyboardInterrupt

    def check() -> None:
        if pressed:
            raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    def drop_recorded_ctrl_c(unraisable: sys.UnraisableHookArgs) -> None:
        if pressed and isinstance(unraisable.exc_value, KeyboardInterrupt):
            return
        previous_hook(unraisable)

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    sys.unraisablehook = drop_recorded_ctrl_c
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook


def _launcher_ignoring_ctrl_c(folder: str) -> str | None:
    """A launcher in ``folder`` that starts this Python with Ctrl-C ignored, or None.

    A worker process that imports while Ctrl-C arrives would print a traceback
    before its preload (:func:`dask_setup`) could ignore it; started by this
    launcher (POSIX ``sh``: ``trap '' INT``, then ``exec`` Python) it ignores
    Ctrl-C from its first instruction, since an ignored signal stays ignored
    across ``exec``.
    """
    if os.name != "posix" or not os.access("/bin/sh", os.X_OK):
        return None
    path = os.path.join(folder, "python-ignoring-ctrl-c")
    with open(path, "w", encoding="utf-8") as script:
        script.write(f"#!/bin/sh\ntrap '' INT\nexec {shlex.quote(sys.executable)} \"$@\"\n")
    os.chmod(path, 0o700)
    return path if os.access(path, os.X_OK) else None


def _with_plugins(fn: Callable[[T], R], plugins: tuple[Any, ...], task: T) -> R:
    """Run ``fn(task)`` in a worker once the parent's plug-in policies are registered there."""
    from plazasim.policies import ensure_plugins

    ensure_plugins(plugins)
    return fn(task)


def plugin_call(fn: Callable[[T], R]) -> Callable[[T], R]:
    """``fn``, wrapped so that a worker first registers this process's plug-in policies.

    Policies that plug-ins registered here (:func:`plazasim.policies.plugin_policies`)
    are registered on every worker before its first task, so a scenario runs the
    same everywhere; without plug-ins ``fn`` is returned as it is.
    """
    from plazasim.policies import load_plugins_once, plugin_policies

    load_plugins_once()
    plugins = tuple(plugin_policies().values())
    return functools.partial(_with_plugins, fn, plugins) if plugins else fn


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A ``distributed.Client`` on a LocalCluster of ``workers`` single-threaded processes.

    Workers keep their scratch and lock files in a private temporary folder removed
    on the way out, Ctrl-C included, and ignore Ctrl-C from birth; starting and
    stopping the cluster is never cut short by Ctrl-C (:func:`deferred_ctrl_c`),
    which is raised as ``KeyboardInterrupt`` once the cluster is down.
    """
    import dask
    from distributed import Client, LocalCluster

    # Dask sets MALLOC_TRIM_THRESHOLD_ in workers, which turns off glibc's adaptive mmap
    # threshold: every large numpy temporary is then mmapped and page-faulted afresh,
    # and a run took 2-3x longer (mostly system time) than in-process. Unset it.
    no_trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    scratch = tempfile.mkdtemp(prefix="plazasim-dask-")
    python = multiprocessing.spawn.get_executable()
    launcher = _launcher_ignoring_ctrl_c(scratch)
    cluster = client = None
    try:
        if launcher is not None:  # workers (and their restarts) ignore Ctrl-C from birth
            multiprocessing.spawn.set_executable(launcher)
        with dask.config.set({**no_trim, "temporary-directory": scratch}):
            with deferred_ctrl_c():
                # No dashboard; the scheduler's HTTP server takes a free port, not 8787.
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    scheduler_kwargs={"dashboard": False},
                    silence_logs=logging.CRITICAL,
                    local_directory=scratch,
                    preload=[__name__],
                )
                client = Client(cluster)
            yield client
    finally:
        with deferred_ctrl_c():  # a second Ctrl-C does not cut the clean-up short
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
            multiprocessing.spawn.set_executable(python)
            shutil.rmtree(scratch, ignore_errors=True)


def map_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    workers: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    name: str = "plazasim",
) -> list[R]:
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
    Ctrl-C raises ``KeyboardInterrupt`` here once the cluster is closed
    (:func:`deferred_ctrl_c`), even one a finalizer swallowed
    (:func:`watched_ctrl_c`); workers ignore it. Policies that plug-ins registered
    in this process (:func:`plazasim.policies.plugin_policies`) are registered on
    every worker before its first task, so a scenario runs the same everywhere.
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

    call = plugin_call(fn)
    out: list[R | None] = [None] * total
    with local_client(min(workers, total)) as client, watched_ctrl_c() as check:
        keys = [f"{name}-{i}" for i in range(total)]
        futures = client.map(call, list(tasks), key=keys)
        where = {key: i for i, key in enumerate(keys)}
        for done, future in enumerate(as_completed(futures), start=1):
            check()
            out[where[future.key]] = future.result()
            if progress is not None:
                progress(done, total)
    missing = [i for i, r in enumerate(out) if r is None]
    if missing:  # pragma: no cover - as_completed yields every future or raises
        raise RuntimeError(f"tasks {missing} returned no result")
    return out  # type: ignore[return-value]
