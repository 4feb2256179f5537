"""A run limits BLAS to one thread while it steps, and gives the threads back after."""

from __future__ import annotations

import datetime as dt

from threadpoolctl import threadpool_info

from plazasim.model.engine import simulate
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.world.world import World


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_runs_on_one_thread_during_a_run_only(world60: World, start: dt.date) -> None:
    before = _blas_threads()
    seen: list[list[int]] = []
    for _ in range(2):  # the second run reuses the controller found by the first
        simulate(
            world60,
            Parameters(),
            start=start,
            n_weeks=3,
            policies=[(0, make_policy("signaling"))],
            seed=1,
            progress=lambda done, total: seen.append(_blas_threads()),
        )
    assert len(seen) == 6
    assert all(threads == [1] * len(before) for threads in seen)
    assert _blas_threads() == before
