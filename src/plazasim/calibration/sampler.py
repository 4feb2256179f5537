"""pyabc's Dask sampler, made repeatable: the same seed gives the same calibration.

pyabc's ``DaskDistributedSampler`` keeps jobs in submission order and accepts the
first ``n`` accepted particles *by job number*, not by finishing time, so fast
simulations are not favoured. But every job reseeds NumPy from the operating
system, so two calibrations never agree, and a resumed one cannot reproduce the
rest of an interrupted one. :class:`SeededDaskSampler` keeps that scheme and
seeds job ``i`` of generation ``t`` from ``(seed, t, i)``
(``numpy.random.SeedSequence``). The particles a generation keeps, and
therefore the whole calibration, are then a function of the seed alone: the
same on one worker or many, in one go or resumed (tests/calibration).

The jobs that ran past the ``n``-th acceptance (look-ahead, to keep every worker
busy) are cancelled or discarded; they count in :attr:`extra_evaluations`, not
in pyabc's evaluation count, which would otherwise depend on timing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import DaskDistributedSampler

__all__ = ["InlineClient", "SeededDaskSampler", "job_seed"]


def job_seed(seed: int, generation: int, job: int) -> int:
    """The 32-bit NumPy seed of ``job`` in ``generation`` (pyabc's ``t``, from -1)."""
    return int(np.random.SeedSequence([seed, generation + 1, job]).generate_state(1)[0])


def _run_job(
    simulate_one_pickle: bytes, seeds: list[int], ids: list[int]
) -> list[tuple[Any, bool, int]]:
    """Evaluate one particle per seed: ``(particle, accepted, id)`` each."""
    simulate_one = cloudpickle.loads(simulate_one_pickle)
    out = []
    for seed, job_id in zip(seeds, ids, strict=True):
        np.random.seed(seed)
        random.seed(seed)
        particle = simulate_one()
        out.append((particle, bool(particle.accepted), job_id))
    return out


class _DoneFuture:
    """A finished job of :class:`InlineClient`."""

    def __init__(self, value: Any):
        self._value = value

    def done(self) -> bool:
        return True

    def result(self) -> Any:
        return self._value

    def cancel(self) -> None:
        """Nothing to cancel: the job ran when it was submitted."""


class InlineClient:
    """A stand-in for a Dask client that runs each job in this process, at once."""

    def submit(self, fn: Callable[..., Any], *args: Any, **_: Any) -> _DoneFuture:
        """Run ``fn(*args)`` now."""
        return _DoneFuture(fn(*args))

    def ncores(self) -> dict[str, int]:
        """One core."""
        return {"inline": 1}

    def close(self) -> None:
        """Nothing to close."""


class SeededDaskSampler(DaskDistributedSampler):
    """``DaskDistributedSampler`` with jobs seeded from ``(seed, generation, job)``.

    ``client`` is a ``distributed.Client`` or an :class:`InlineClient`.
    ``progress(accepted, evaluated, n)`` is called whenever jobs finish (accepted:
    among the contiguous finished jobs).
    """

    def __init__(
        self, client: Any, seed: int, *, progress: Callable[[int, int, int], None] | None = None
    ):
        super().__init__(dask_client=client, batch_size=1)
        self.seed = int(seed)
        self.progress = progress
        self.extra_evaluations = 0

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("progress", None)
        return state

    def sample_until_n_accepted(  # noqa: D102
        self,
        n,
        simulate_one,
        t,
        *,
        max_eval=np.inf,
        all_accepted=False,
        ana_vars=None,
    ):
        payload = cloudpickle.dumps(simulate_one)
        done: dict[int, tuple[Any, bool]] = {}
        running: dict[int, Any] = {}
        next_id = 0
        prefix = 0  # jobs 0..prefix-1 have all finished
        accepted = 0  # acceptances among them
        last = -1  # id of the n-th acceptance, once known
        cores = max(1, int(self.client_cores()))
        while last < 0:
            while len(running) < cores:
                running[next_id] = self.client.submit(
                    _run_job, payload, [job_seed(self.seed, t, next_id)], [next_id], pure=False
                )
                next_id += 1
            self._wait(running)
            for job_id in [j for j, future in running.items() if future.done()]:
                for particle, ok, i in running.pop(job_id).result():
                    done[i] = (particle, ok)
            while prefix in done and last < 0:
                accepted += done[prefix][1]
                if accepted == n:
                    last = prefix
                prefix += 1
            if self.progress is not None:
                self.progress(accepted, prefix, n)
        for future in running.values():
            future.cancel()
        self.extra_evaluations += len(done) + len(running) - (last + 1)
        sample = self._create_empty_sample()
        for i in range(last + 1):
            sample.append(done[i][0])
        self.nr_evaluations_ = last + 1
        return sample

    def _wait(self, running: dict[int, Any]) -> None:
        """Block until at least one running job has finished."""
        if any(future.done() for future in running.values()):
            return
        from distributed import wait

        wait(list(running.values()), return_when="FIRST_COMPLETED")
