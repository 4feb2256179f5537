"""Short runs shared by the figure and report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from plazasim.cli import main


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``plazasim run synthetic-small --until 2007-06-30``: 26 weeks, 200 plazas, figures."""
    out = tmp_path_factory.mktemp("runs") / "small"
    assert (
        main(["run", "synthetic-small", "--until", "2007-06-30", "--out", str(out), "--quiet"]) == 0
    )
    return out


@pytest.fixture(scope="session")
def mexico_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``plazasim run mexico-2006 --until 2007-02-28 --no-figures``: 13 weeks, 2,454 plazas."""
    out = tmp_path_factory.mktemp("runs") / "mexico"
    assert (
        main(
            [
                "run",
                "mexico-2006",
                "--until",
                "2007-02-28",
                "--out",
                str(out),
                "--quiet",
                "--no-figures",
            ]
        )
        == 0
    )
    return out


@pytest.fixture(scope="session")
def small_compare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``plazasim compare synthetic-small --policies crackdown,laissez_faire --seeds 2``."""
    out = tmp_path_factory.mktemp("runs") / "cmp"
    assert (
        main(
            [
                "compare",
                "synthetic-small",
                "--policies",
                "crackdown,laissez_faire",
                "--seeds",
                "2",
                "--until",
                "2007-02-28",
                "--workers",
                "1",
                "-q",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out
