"""Faults: interrupted runs, full disks, killed workers and Ctrl-C leave no damage behind.

An output folder is evidence, so whatever goes wrong a command leaves the folder
complete or absent, never half-written, and never damages the results an earlier
command left there. A failed write says why in one line; a Dask worker killed in
the middle of a ``compare`` costs time, never a run or a number; Ctrl-C ends a
many-run command with one line and exit code 130, no Dask tracebacks, no lock
files left in the temporary folder.
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import cloudpickle
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.cli import main
from plazasim.experiments import compare as cmp
from plazasim.model import engine
from plazasim.scenario import load_scenario, with_overrides

SRC = Path(__file__).resolve().parents[2] / "src"
#: A short run of the bundled synthetic scenario: 9 weeks.
UNTIL = "2007-03-01"
WEEKS = 9
FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().err


def _error(err: str) -> str:
    """The one error line of ``err``, besides the note that earlier results will be replaced."""
    lines = [line for line in err.splitlines() if not line.startswith("note: replacing")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``'s parent, hidden ones included, with its bytes."""
    return {
        str(p.relative_to(folder.parent)): p.read_bytes()
        for p in sorted(folder.parent.rglob("*"))
        if p.is_file()
    }


def _run_args(out: Path) -> list[str]:
    return ["run", "synthetic-small", "--until", UNTIL, "--out", str(out), "--quiet"]


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result of one uninterrupted run, made once; tests copy it."""
    out = tmp_path_factory.mktemp("earlier") / "run"
    assert main(_run_args(out)) == 0
    return out


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


# --------------------------------------------------------------------------- interrupted runs


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    week=st.integers(0, WEEKS - 1),
    fault=st.sampled_from([KeyboardInterrupt, RuntimeError, MemoryError]),
    with_earlier=st.booleans(),
)
def test_a_run_interrupted_at_any_week_leaves_the_folder_as_it_was(
    week: int,
    fault: type[BaseException],
    with_earlier: bool,
    earlier: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path_factory.mktemp("interrupted") / "run"
    if with_earlier:
        _copy(earlier, out)
    before = _snapshot(out)
    real = engine.step

    def step(state: Any, *args: Any) -> Any:
        if state.week == week:
            raise fault("stopped")
        return real(state, *args)

    with monkeypatch.context() as m:
        m.setattr(engine, "step", step)
        code, err = _cli(capsys, *_run_args(out))
    assert code == (130 if fault is KeyboardInterrupt else 1), err
    line = _error(err)
    assert line == "error: interrupted" if fault is KeyboardInterrupt else "internal error" in line
    assert _snapshot(out) == before  # the earlier result, byte for byte; or nothing at all


@pytest.mark.parametrize("fault", [KeyboardInterrupt, RuntimeError])
@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_run_interrupted_while_writing_keeps_the_earlier_result(
    fault: type[BaseException],
    at: int,
    earlier: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _copy(earlier, tmp_path / "run")
    before = _snapshot(out)
    real = pd.DataFrame.to_parquet
    calls: list[str] = []

    def to_parquet(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(path))
        if len(calls) == at:  # the tables before it are written already
            raise fault("stopped")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    code, err = _cli(capsys, *_run_args(out))
    assert code == (130 if fault is KeyboardInterrupt else 1), err
    _error(err)
    assert _snapshot(out) == before


# --------------------------------------------------------------------------- full disk


@pytest.mark.parametrize("where", ["parquet", "manifest"])
def test_a_full_disk_is_one_line_and_keeps_the_earlier_result(
    where: str,
    earlier: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _copy(earlier, tmp_path / "run")
    before = _snapshot(out)

    def full(*args: Any, **kwargs: Any) -> None:
        raise FULL

    if where == "parquet":
        monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    else:
        monkeypatch.setattr(Path, "write_text", full)
    code, err = _cli(capsys, *_run_args(out))
    assert code == 2
    assert _error(err) == f"error: --out: could not write {out}: No space left on device"
    assert _snapshot(out) == before


def test_a_full_disk_in_pyarrow_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pyarrow reports a full disk as an OSError of its own, without errno, over lines."""
    import pyarrow.parquet as pq

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError("Error writing bytes to file.\nDetail: [errno 28] No space left on device")

    monkeypatch.setattr(pq, "write_table", full)
    out = tmp_path / "run"
    code, err = _cli(capsys, *_run_args(out))
    assert code == 2
    assert err == (
        f"error: --out: could not write {out}: Error writing bytes to file. "
        "Detail: [errno 28] No space left on device\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_during_compare_keeps_the_earlier_comparison(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = [
        "compare",
        "synthetic-small",
        "--policies",
        "crackdown,laissez_faire",
        "--seeds",
        "2",
        "--until",
        UNTIL,
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path / "cmp"),
    ]
    assert _cli(capsys, *args)[0] == 0
    before = _snapshot(tmp_path / "cmp")

    def full(*a: Any, **k: Any) -> None:
        raise FULL

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", full)  # after the table
    code, err = _cli(capsys, *args)
    assert code == 2
    assert _error(err) == (
        f"error: --out: could not write {tmp_path / 'cmp'}: No space left on device"
    )
    assert _snapshot(tmp_path / "cmp") == before


# --------------------------------------------------------------------------- killed worker


def _dies_once(marker: str, scenario: Any) -> dict[str, float]:
    """Run one compare task; the first task to find no ``marker`` kills its own worker."""
    from plazasim.experiments.compare import run_metrics

    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return run_metrics(scenario)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.mark.dask
def test_compare_survives_a_killed_worker(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers; one is killed by its first task. Every run still counts exactly once."""
    base = with_overrides(load_scenario("synthetic-small"), until=UNTIL)
    variants = {p: with_overrides(base, policy=p) for p in ("crackdown", "laissez_faire")}
    seeds = [1, 2, 3]
    calm = cmp.compare(variants, seeds, workers=1)

    marker = tmp_path / "killed"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    monkeypatch.setattr(cmp, "run_metrics", functools.partial(_dies_once, str(marker)))
    done: list[int] = []
    try:
        t0 = time.perf_counter()
        hit = cmp.compare(variants, seeds, workers=2, progress=lambda n, total: done.append(n))
        took = time.perf_counter() - t0
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists(), "no worker was killed: the test exercised nothing"
    assert done == list(range(1, len(seeds) * len(variants) + 1))  # each run once
    pd.testing.assert_frame_equal(hit.runs, calm.runs)
    pd.testing.assert_frame_equal(hit.summary, calm.summary)
    assert took < 60, took


# --------------------------------------------------------------------------- Ctrl-C


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


def _ignores_ctrl_c(pid: int) -> bool:
    """Whether ``pid`` is a spawned (worker) process that ignores SIGINT (/proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        if b"spawn_main" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False  # e.g. multiprocessing's resource tracker, which always ignores it
    except OSError:
        return False
    mask = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")), "0"
    )
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


@pytest.mark.dask
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    "command",
    [
        ["compare", "synthetic-small", "--policies", "crackdown,laissez_faire", "--seeds", "6"],
        ["validate", "--seeds", "2", "--experiments", "recruitment"],
    ],
)
def test_ctrl_c_during_a_parallel_command_is_one_line(command: list[str], tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group, as from a terminal, once the workers run.

    It is sent once both workers have started (they ignore SIGINT from then on); a
    Ctrl-C in the second or two while they import may still let one print a traceback.
    """
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(scratch)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plazasim",
            *command,
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # Ctrl-C handled as in a terminal, whatever this test process inherited.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 45

        def started() -> bool:
            return sum(map(_ignores_ctrl_c, _children(proc.pid))) >= 2

        while not started() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert started(), "the workers never started"
        time.sleep(0.5)  # into the runs
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert err == f"error: interrupted; nothing written to {tmp_path / 'out'}\n"
    assert not (tmp_path / "out").exists()
    assert [p.name for p in scratch.rglob("*")] == []  # no scratch space, no lock files
