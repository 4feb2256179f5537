"""An output folder that cannot be written is refused before any simulation runs."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from plazasim.cli import main
from plazasim.experiments import parallel
from plazasim.experiments import run as run_module

COMMANDS = {
    "run": ["run", "synthetic-small", "--until", "2007-02-28"],
    "compare": ["compare", "synthetic-small", "--policies", "crackdown,kingpin", "--seeds", "2"],
    "validate": ["validate", "--seeds", "1", "--experiments", "recruitment"],
    "prior-predictive": ["prior-predictive", "mexico-2006", "--draws", "2"],
}


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything is simulated."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before refusing the output folder")

    monkeypatch.setattr(parallel, "map_tasks", refuse)
    monkeypatch.setattr(run_module, "run_scenario", refuse)
    for module in ("compare", "validate", "prior_predictive"):
        mod = __import__(f"plazasim.experiments.{module}", fromlist=["map_tasks"])
        monkeypatch.setattr(mod, "map_tasks", refuse)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_folder_in_proc_is_refused_first(
    command: str, no_simulation: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*COMMANDS[command], "-q", "--out", "/proc/plazasim-out"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(
        "error: --out: cannot write /proc/plazasim-out: /proc does not take new folders ("
    )
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_existing_folder_whose_parent_refuses_new_folders(
    command: str,
    no_simulation: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As root, permissions never refuse; a read-only mount does: made to fail here."""
    out = tmp_path / "out"
    out.mkdir()

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    code = main([*COMMANDS[command], "-q", "--out", str(out)])
    err = capsys.readouterr().err
    assert (code, err) == (
        2,
        f"error: --out: cannot write {out}: {tmp_path} does not take new "
        "folders (Read-only file system)\n",
    )
    assert list(out.iterdir()) == []
