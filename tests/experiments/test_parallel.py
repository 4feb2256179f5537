"""The parallel layer: plug-in policies on every worker, Ctrl-C, and worker-count independence.

The plug-in here is real: a package and its ``.dist-info`` (with an
``entry_points.txt`` in the ``plazasim.policies`` group) written to a temporary
folder on ``PYTHONPATH``, as ``pip install`` would leave them.
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

from plazasim.experiments.parallel import deferred_ctrl_c, watched_ctrl_c

SRC = Path(__file__).resolve().parents[2] / "src"
UNTIL = "2007-02-28"

PLUGIN = '''
"""A test plug-in: arrests in the plazas with the most cartel killings last week."""

from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from plazasim.policies import OP_ARRESTS, Observation, Operations, Policy


class HotSpotsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plazas: int = 5


class HotSpots(Policy):
    """Hot spots: arrest every cartel present in the most violent plazas."""

    name: ClassVar[str] = "hot_spots"
    params_model = HotSpotsParams

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        out = Operations()
        for p in np.argsort(-obs.violence_total, kind="stable")[: self.params.plazas]:
            for k in np.flatnonzero(obs.present[:, p] & obs.alive):
                out.add(p, k, OP_ARRESTS)
        return out
'''


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed plug-in ``hotspots-plazasim`` (package and dist-info)."""
    root = tmp_path_factory.mktemp("site")
    (root / "hotspots_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = root / "hotspots_plazasim-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hotspots-plazasim\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[plazasim.policies]\nhot_spots = hotspots_plugin:HotSpots\n", encoding="utf-8"
    )
    return root


def _env(*paths: Path, tmpdir: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (SRC, *paths)))}
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return env


def _plazasim(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plazasim", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
        check=False,
    )


def test_policies_lists_a_plug_in_with_its_package(plugin_path: Path) -> None:
    done = _plazasim("policies", env=_env(plugin_path))
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "hot_spots" in line)
    assert "plug-in: hotspots-plazasim" in row and "Hot spots" in row
    assert "built-in" in next(line for line in done.stdout.splitlines() if "crackdown" in line)


@pytest.mark.dask
def test_a_plug_in_runs_on_two_workers_as_in_process(plugin_path: Path, tmp_path: Path) -> None:
    """The same numbers from 1 and from 2 workers (seeds are the run's, not the worker's)."""
    tables = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        done = _plazasim(
            "compare",
            "synthetic-small",
            "--policies",
            "hot_spots,crackdown",
            "--seeds",
            "2",
            "--until",
            UNTIL,
            "--workers",
            str(workers),
            "-q",
            "--out",
            str(out),
            env=_env(plugin_path),
        )
        assert done.returncode == 0, done.stderr
        tables[workers] = pd.read_parquet(out / "compare.parquet")
    pd.testing.assert_frame_equal(tables[1], tables[2])
    hot = tables[2][tables[2].policy == "hot_spots"]
    crack = tables[2][tables[2].policy == "crackdown"]
    assert len(hot) and not hot.reset_index(drop=True).equals(crack.reset_index(drop=True))


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start a command in its own process group with Ctrl-C handled (as in a terminal)."""
    return subprocess.Popen(
        [sys.executable, "-m", "plazasim", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _spawned(pid: int) -> list[int]:
    """Worker processes (multiprocessing spawn) whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


@pytest.mark.dask
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_while_the_workers_start_is_one_line(tmp_path: Path) -> None:
    """Ctrl-C to the whole group as soon as a worker process exists (it is still importing).

    One line, exit code 130, no output folder, no scratch or lock files left.
    ``tests/experiments/test_faults.py`` sends it once the workers run.
    """
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    proc = _start(
        [
            "compare",
            "synthetic-small",
            "--policies",
            "crackdown,laissez_faire",
            "--seeds",
            "8",
            "--workers",
            "2",
            "-q",
            "--out",
            str(out),
        ],
        _env(tmpdir=scratch),
    )
    try:
        deadline = time.monotonic() + 60
        while not _spawned(proc.pid) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert _spawned(proc.pid), "no worker process was started"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert err == f"error: interrupted; nothing written to {out}\n"
    assert not out.exists()
    assert [p.name for p in scratch.rglob("*")] == []


def test_deferred_ctrl_c_raises_after_the_block() -> None:
    order = []
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), deferred_ctrl_c():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        order.append("block finished")
    assert order == ["block finished"]
    with deferred_ctrl_c():  # nothing pressed: nothing raised, the handler is back
        pass
    with pytest.raises(KeyboardInterrupt), deferred_ctrl_c():  # it replaces a later error
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        raise RuntimeError("a worker died of the same Ctrl-C")
    assert signal.getsignal(signal.SIGINT) is before


class _PressesCtrlCWhenCollected:
    """An object whose finalizer receives a Ctrl-C, as a Dask client's GC callback can."""

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)


class _FailsWhenCollected:
    """An object whose finalizer fails otherwise: that error is still reported."""

    def __del__(self) -> None:
        raise ValueError("a finalizer's own error")


def test_a_ctrl_c_a_finalizer_swallowed_still_stops_the_loop(monkeypatch) -> None:
    lost: list[type[BaseException]] = []

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        lost.append(unraisable.exc_type)

    monkeypatch.setattr(sys, "unraisablehook", hook)
    before = signal.getsignal(signal.SIGINT)
    with watched_ctrl_c() as check:
        check()  # nothing pressed: nothing raised
        _FailsWhenCollected()  # reported as before
        assert lost == [ValueError]
        _PressesCtrlCWhenCollected()  # collected at once; its KeyboardInterrupt is lost
        assert lost == [ValueError]  # and not printed: check() raises it again
        with pytest.raises(KeyboardInterrupt):
            check()
    assert signal.getsignal(signal.SIGINT) is before
    assert sys.unraisablehook is hook
    with pytest.raises(KeyboardInterrupt), watched_ctrl_c():  # a plain press raises at once
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
