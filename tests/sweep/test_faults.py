"""A sweep killed at any moment completes on resume with every run once and the same numbers.

The client is SIGKILLed part-way (no chance to clean up), a worker process is
killed mid-sweep, and Ctrl-C reaches the whole process group as from a
terminal; each time the folder ends with every run id exactly once, equal to an
uninterrupted in-process sweep, and no scratch files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from plazasim.sweep import load_spec, plan_sweep, read_runs, run_sweep
from plazasim.sweep.store import finished_runs

from .conftest import SMALL, write_spec

pytestmark = [
    pytest.mark.dask,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
]

SRC = Path(__file__).resolve().parents[2] / "src"
#: 5 policies x 4 replications, 22 weeks each: long enough to be caught part-way.
LONGER = (
    SMALL.replace('until = "2007-03-31"', 'until = "2007-05-31"')
    .replace("replications = 2", "replications = 4")
    .replace('"laissez_faire"]', '"laissez_faire", "kingpin", "conditional"]')
)
TOTAL = 20


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("clean")
    run_sweep(plan_sweep(load_spec(write_spec(folder, LONGER))), folder / "out")
    runs = read_runs(folder / "out")
    assert len(runs) == TOTAL
    return runs


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _is_worker(pid: int) -> bool:
    """A spawned process that ignores SIGINT: a Dask worker (not the resource tracker)."""
    try:
        if b"spawn_main" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")), "0"
    )
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


def _start(spec: Path, out: Path, scratch: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(scratch)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plazasim",
            "sweep",
            str(spec),
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # Ctrl-C handled as in a terminal, whatever this test process inherited.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_runs(proc: subprocess.Popen[str], out: Path, n: int) -> int:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").is_dir() and len(finished_runs(out)) >= n:
            break
        time.sleep(0.05)
    return len(finished_runs(out)) if (out / "runs").is_dir() else 0


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def test_sigkill_of_the_client_then_resume(clean: pd.DataFrame, tmp_path: Path) -> None:
    spec, out = write_spec(tmp_path, LONGER), tmp_path / "out"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = _start(spec, out, scratch)
    try:
        before = _wait_for_runs(proc, out, 4)
        os.kill(proc.pid, signal.SIGKILL)  # the client only: no handler, no clean-up
        proc.wait()
    finally:
        _stop(proc)  # then its orphaned workers
    assert 0 < before < TOTAL, f"the client was not caught part-way ({before} runs)"
    result = run_sweep(plan_sweep(load_spec(spec)), out)  # resume, in-process
    assert result.skipped >= before and result.skipped + result.ran == TOTAL
    resumed = read_runs(out)
    assert resumed["run_id"].tolist() == list(range(TOTAL))  # every run once
    pd.testing.assert_frame_equal(resumed, clean)
    assert [p.name for p in out.rglob(".*")] == []


def test_a_killed_worker_costs_no_run(clean: pd.DataFrame, tmp_path: Path) -> None:
    plan = plan_sweep(load_spec(write_spec(tmp_path, LONGER)))
    killed: list[int] = []
    seen: list[int] = []

    def kill_one_worker(done: int, total: int) -> None:
        seen.append(done)
        if done >= 3 and not killed:
            workers = [pid for pid in _children(os.getpid()) if _is_worker(pid)]
            assert workers, "no worker process found"
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    result = run_sweep(plan, tmp_path / "out", workers=2, progress=kill_one_worker)
    assert killed, "no worker was killed: the test exercised nothing"
    assert seen == list(range(TOTAL + 1))  # each run stored once
    assert result.ran == TOTAL
    pd.testing.assert_frame_equal(read_runs(tmp_path / "out"), clean)


def test_ctrl_c_is_one_line_and_keeps_finished_runs(clean: pd.DataFrame, tmp_path: Path) -> None:
    spec, out = write_spec(tmp_path, LONGER), tmp_path / "out"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = _start(spec, out, scratch)
    try:
        before = _wait_for_runs(proc, out, 3)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        _stop(proc)
    assert 0 < before < TOTAL, f"Ctrl-C did not come part-way ({before} runs)"
    assert proc.returncode == 130, err
    kept = read_runs(out)
    assert err == (
        f"error: interrupted; {out} keeps {len(kept)} of {TOTAL} runs; the same "
        "command resumes the sweep\n"
    )
    assert [p.name for p in out.rglob(".*")] == []
    assert [p.name for p in scratch.rglob("*")] == []  # no Dask scratch space left
    pd.testing.assert_frame_equal(
        kept, clean[clean["run_id"].isin(kept["run_id"])].reset_index(drop=True)
    )


def test_a_running_scheduler_gives_the_same_numbers(tmp_path: Path) -> None:
    """``--scheduler``: runs go to a cluster this sweep did not start, and come out the same."""
    from distributed import LocalCluster

    plan = plan_sweep(load_spec(write_spec(tmp_path)))
    run_sweep(plan, tmp_path / "alone")
    # Workers as threads of this process: the scheduler path without process start-up.
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        result = run_sweep(plan, tmp_path / "out", scheduler=cluster.scheduler_address)
        assert result.workers == 2
    pd.testing.assert_frame_equal(read_runs(tmp_path / "out"), read_runs(tmp_path / "alone"))
