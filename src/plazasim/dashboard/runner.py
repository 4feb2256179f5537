"""Background runs: one worker thread simulates, the page polls the progress.

The page must stay responsive while a scenario runs, so a run is a job on a
single worker thread; the engine reports each finished week through
``run_scenario(progress=...)``, and the page reads the job's state every half
second (a ``dcc.Interval``). One worker because a run already uses the machine's
BLAS threads; at most ``MAX_PENDING`` jobs wait, so a page (or anyone who can reach
the server) cannot queue unbounded work. Each finished run is written with the
project's writer, as a normal run folder.
"""

from __future__ import annotations

import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from plazasim.dashboard.runstore import RunStore
from plazasim.errors import PlazasimError
from plazasim.scenario import Scenario

__all__ = ["MAX_PENDING", "Job", "JobSpec", "Runner"]

#: Jobs queued or running at once; the next one is refused with a message.
MAX_PENDING = 3
#: Finished jobs remembered for the page to read (the oldest are forgotten).
MAX_KEPT = 50

log = logging.getLogger("plazasim.dashboard")
Status = Literal["queued", "running", "done", "failed"]


@dataclass(frozen=True)
class JobSpec:
    """One run of a job: the scenario to run, a label (the policy), and where it came from."""

    scenario: Scenario
    label: str
    source: str


@dataclass(frozen=True)
class Job:
    """What the page shows about a job: status, weeks done over all its runs, the folders."""

    id: str
    status: Status = "queued"
    done_weeks: int = 0
    total_weeks: int = 0
    runs: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    message: str = ""

    @property
    def fraction(self) -> float:
        """Share of the job's weeks simulated, 0 to 1."""
        return self.done_weeks / self.total_weeks if self.total_weeks else 0.0


@dataclass
class Runner:
    """Run jobs of one or more scenarios in the background and write them to ``store``."""

    store: RunStore
    _jobs: dict[str, Job] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="plazasim")
    )

    def submit(self, specs: list[JobSpec]) -> Job:
        """Queue a job; raises :class:`PlazasimError` when too many jobs are waiting."""
        from plazasim.model.engine import weeks_between

        total = sum(
            weeks_between(s.scenario.scenario.start, s.scenario.scenario.end) for s in specs
        )
        with self._lock:
            pending = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if pending >= MAX_PENDING:
                raise PlazasimError(
                    f"run: {pending} runs are already queued or running; wait for one to finish"
                )
            job = Job(
                id=secrets.token_hex(8), total_weeks=total, labels=tuple(s.label for s in specs)
            )
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
            for key in finished[: max(len(finished) - MAX_KEPT, 0)]:
                del self._jobs[key]
        self._pool.submit(self._work, job.id, specs)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job's current state, or None for an unknown id."""
        with self._lock:
            return self._jobs.get(job_id)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _work(self, job_id: str, specs: list[JobSpec]) -> None:
        """Simulate and write each run of the job in turn; errors become the job's message."""
        from plazasim.dashboard.errors import one_line
        from plazasim.experiments.run import run_scenario
        from plazasim.results.store import write_run

        offset = 0
        written: list[str] = []
        try:
            for spec in specs:
                self._update(job_id, status="running")
                base = offset

                def progress(done: int, total: int, base: int = base) -> None:
                    self._update(job_id, done_weeks=base + done)

                result = run_scenario(spec.scenario, progress=progress)
                meta = spec.scenario.scenario
                name = self.store.new_name(meta.name, str(meta.seed), spec.label)
                write_run(result, self.store.root / name, invocation=_invocation(spec))
                written.append(name)
                offset += int(result.manifest["weeks"])
                self._update(job_id, runs=tuple(written), done_weeks=offset)
            self._update(job_id, status="done", message=f"wrote {', '.join(written)}")
        except Exception as exc:
            message = one_line(exc)
            if message is None:
                log.exception("dashboard run failed")
                message = f"internal error ({type(exc).__name__}: {exc})"
            self._update(
                job_id,
                status="failed",
                runs=tuple(written),
                message=" ".join(f"error: {message}".split()),
            )

    def shutdown(self) -> None:
        """Stop taking jobs; a run in progress finishes first."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _invocation(spec: JobSpec) -> dict[str, Any]:
    """The manifest's ``invocation``: the dashboard made it, from this scenario source.

    The scenario may have been edited in the page, so no command line repeats it;
    the manifest's ``scenario`` is exactly what ran (``plazasim run`` on that scenario,
    written back to a file, gives the same numbers).
    """
    meta = spec.scenario.scenario
    return {
        "command": "dashboard",
        "args": {
            "scenario": spec.source,
            "seed": meta.seed,
            "until": str(meta.end),
            "policy": spec.label,
        },
        "line": f"plazasim dashboard (scenario {spec.source}, edited in the page; "
        "the manifest's scenario is what ran)",
    }
