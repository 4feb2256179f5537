"""A short synthetic run shared by the figure and report tests (about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plazasim.cli import main


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``plazasim run synthetic-small --until 2007-06-30``: 26 weeks, 200 plazas."""
    out = tmp_path_factory.mktemp("runs") / "small"
    assert main(["run", "synthetic-small", "--until", "2007-06-30", "--out", str(out),
                 "--quiet"]) == 0
    return out
