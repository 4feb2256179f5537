"""The run loop: weeks, the policy timeline, dated events, and the recorder.

The engine knows nothing about TOML or files: it takes a world, parameters, a
start date, a number of weeks, a policy timeline ``[(first_week, Policy)]`` and
dated events ``[(week, Event)]``, and one seed. Every random draw comes from
generators seeded by (seed, week, phase) (:class:`~plazasim.model.step.WeekStreams`),
so the same inputs give the same numbers bit for bit, and runs compared on the
same seed share their random numbers wherever their states agree.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from threadpoolctl import ThreadpoolController

from plazasim.model.context import Context, build_context
from plazasim.model.learning import receive_announcement
from plazasim.model.operations import EnforcementPolicy, NoEnforcement
from plazasim.model.params import Parameters
from plazasim.model.recorder import Recorder
from plazasim.model.state import State, initial_state
from plazasim.model.step import WeekStreams, step
from plazasim.world.world import World


class Event(Protocol):
    """A dated change to the state (a US signal, an immunity deal, a capture...).

    ``apply`` may return ``False`` to say the event could not take effect (e.g. it
    names a cartel that no longer exists); the run's event log records it, under
    the event's ``label`` (its kind, e.g. ``"us_signal"``).
    """

    @property
    def label(self) -> str:
        """The event's name in the run's event log."""
        ...

    def apply(self, state: State, ctx: Context) -> bool | None:
        """Change ``state`` at the start of the event's week."""
        ...


@dataclass(frozen=True)
class EventLogEntry:
    """One event as it happened in a run: its week, label, and whether it took effect."""

    week: int
    label: str
    applied: bool


@dataclass(frozen=True)
class Simulation:
    """The result of :func:`simulate`: final state, context and the weekly records."""

    state: State
    ctx: Context
    recorder: Recorder
    dates: list[dt.date]
    event_log: list[EventLogEntry]


def week_dates(start: dt.date, n_weeks: int) -> list[dt.date]:
    """Start date of each simulated week."""
    return [start + dt.timedelta(days=7 * t) for t in range(n_weeks)]


def weeks_between(start: dt.date, end: dt.date) -> int:
    """Number of weeks whose start date falls in [start, end]."""
    return (end - start).days // 7 + 1


def week_of(start: dt.date, when: dt.date) -> int:
    """Index of the week containing ``when``."""
    return (when - start).days // 7


@functools.cache
def _blas_threads() -> ThreadpoolController:
    """The process's thread-pool controller, found once.

    Finding the loaded BLAS libraries scans the process's shared objects (about
    1,400 ``lstat`` calls, 0.8 ms); sweeps of short runs need not repeat it.
    """
    return ThreadpoolController()


def simulate(
    world: World,
    params: Parameters,
    *,
    start: dt.date,
    n_weeks: int,
    policies: Sequence[tuple[int, EnforcementPolicy]],
    events: Sequence[tuple[int, Event]] = (),
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    record_plazas: bool = True,
    draws: Callable[[int], WeekStreams | np.random.Generator] | None = None,
) -> Simulation:
    """Run ``n_weeks`` weekly steps and record them.

    Every policy of the timeline is :meth:`~EnforcementPolicy.reset` first, so a
    policy with memory starts the run with none. Before the first policy of the
    timeline, no enforcement happens (:class:`NoEnforcement`). Events of a week are
    applied, in the order given, before that week's step. A policy with a positive
    ``announcement`` (a credibility in [0, 1], e.g. ``conditional``) is announced
    publicly when it comes into force, and cartels update their beliefs
    (``learning.receive_announcement``).
    ``draws(week)`` replaces the week's random streams (default
    ``WeekStreams.of(seed, week)``): benchmarks use it to fix every draw.
    """
    ctx = build_context(world, params)
    state = initial_state(world, params)
    timeline = sorted(policies, key=lambda item: item[0])
    by_week: dict[int, list[Event]] = {}
    for week, event in events:
        by_week.setdefault(week, []).append(event)
    for _, entry in timeline:
        entry.reset()
    policy: EnforcementPolicy = NoEnforcement()
    recorder = Recorder(n_weeks, world, params.max_cartels, record_plazas=record_plazas)
    log: list[EventLogEntry] = []
    nxt = 0
    # The step's matrix products are small (cartels x cartels x plazas): BLAS threads
    # only spin and contend there (a full Mexico run took twice the CPU time with
    # OpenBLAS's default threads on 2 cores), so the run uses one.
    with _blas_threads().limit(limits=1, user_api="blas"):
        for t in range(n_weeks):
            while nxt < len(timeline) and timeline[nxt][0] <= t:
                policy = timeline[nxt][1]
                nxt += 1
                if policy.announcement > 0:
                    receive_announcement(state, ctx, float(policy.announcement))
            for event in by_week.get(t, ()):
                applied = event.apply(state, ctx)
                log.append(EventLogEntry(week=t, label=event.label, applied=applied is not False))
            stock_before = float(state.stock.sum())
            cash_before = float(state.cash.sum())
            members_before = float(state.strength.sum())
            rec = step(state, ctx, policy, WeekStreams.of(seed, t) if draws is None else draws(t))
            recorder.record(
                t,
                state,
                rec,
                policy_name=policy.name,
                stock_before=stock_before,
                cash_before=cash_before,
                members_before=members_before,
            )
            if progress is not None:
                progress(t + 1, n_weeks)
    return Simulation(
        state=state, ctx=ctx, recorder=recorder, dates=week_dates(start, n_weeks), event_log=log
    )
