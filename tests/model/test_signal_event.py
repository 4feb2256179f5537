"""The US signal (seed: Juárez, April 2010): the declared cartel is backed in its plaza."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pytest

from plazasim.events import UsSignalEvent
from plazasim.model.context import Context, build_context
from plazasim.model.decisions import decide
from plazasim.model.engine import Simulation, simulate
from plazasim.model.params import Parameters
from plazasim.model.state import NO_CARTEL, State, initial_state
from plazasim.policies import (
    OP_TAKEDOWN,
    EnforcementPolicy,
    Observation,
    Operations,
    Policy,
    make_policy,
)
from plazasim.world.synthetic import synthetic_world
from plazasim.world.world import ALLIED, RIVAL, World

START = dt.date(2010, 4, 5)
WEEKS = 30
WINNER = 0


@dataclass(frozen=True)
class Invade:
    """Event: ``cartel`` moves half as many members as the incumbent has into ``plaza``."""

    cartel: int
    plaza: int
    incumbent: int
    label: str = "invade"

    def apply(self, state: State, ctx: Context) -> None:
        state.strength[self.cartel, self.plaza] = 0.5 * state.strength[self.incumbent, self.plaza]
        state.relation[self.cartel, self.incumbent] = RIVAL
        state.relation[self.incumbent, self.cartel] = RIVAL


@pytest.fixture(scope="module")
def world() -> World:
    return synthetic_world(200, seed=12, n_cartels=4)


@pytest.fixture(scope="module")
def setup(world: World) -> tuple[int, int]:
    """(plaza, challenger): the winner's biggest plaza and a non-allied cartel."""
    plaza = int(np.argmax(world.initial_strength[WINNER]))
    challenger = next(
        j
        for j in range(world.n_cartels)
        if j != WINNER and world.initial_relation[j, WINNER] != ALLIED
    )
    return plaza, challenger


class Spy(Policy):
    """Wraps a policy and keeps every observation it was shown."""

    def __init__(self, inner: EnforcementPolicy) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[misc]  # recorded as the policy it wraps
        self.enforces = inner.enforces
        self.seen: list[Observation] = []

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        self.seen.append(obs)
        return self.inner.decide(obs, rng)


def run(
    world: World, plaza: int, challenger: int, policy: str, *, signal: bool, spy: Spy | None = None
) -> Simulation:
    params = Parameters(capacity_ops_per_week=200.0)
    events: list[tuple[int, object]] = [(0, Invade(challenger, plaza, WINNER))]
    if signal:
        events.append((0, UsSignalEvent(cartel=world.cartel_names[WINNER], plaza=plaza)))
    chosen = spy if spy is not None else make_policy(policy)
    return simulate(
        world, params, start=START, n_weeks=WEEKS, policies=[(0, chosen)], events=events, seed=5
    )


def ops_on(sim: Simulation, plaza: int, cartel: int) -> list[list[int]]:
    """Kinds of the operations on ``cartel`` in ``plaza``, week by week."""
    return [
        [int(k) for pl, c, k in zip(*week, strict=True) if pl == plaza and c == cartel]
        for week in sim.recorder.ops
    ]


def test_signal_sets_the_plaza_and_leaves_beliefs_alone(world: World) -> None:
    """The declaration is about one plaza: it is recorded there, and no belief moves."""
    params = Parameters()
    state, ctx = initial_state(world, params), build_context(world, params)
    state.relation[2, WINNER] = state.relation[WINNER, 2] = RIVAL
    state.counts[:] = 3.0  # some remembered acts, so a belief shift would show
    before = state.copy()
    plaza = int(np.argmax(world.initial_strength[WINNER]))
    assert UsSignalEvent(cartel=world.cartel_names[WINNER], plaza=plaza).apply(state, ctx)
    assert state.signal[plaza] == WINNER
    assert (state.signal[np.arange(ctx.n_plazas) != plaza] == NO_CARTEL).all()
    np.testing.assert_array_equal(state.counts, before.counts)
    np.testing.assert_array_equal(state.belief, before.belief)
    np.testing.assert_array_equal(state.belief_discreet, before.belief_discreet)


def test_signal_deters_challengers_in_its_plaza_only(world: World) -> None:
    """Phase 5: a challenger turns discreet where the signal names another cartel, not elsewhere.

    With violence nearly certain by itself and a heavy punishment weight, only the
    signal term can make a present challenger discreet.
    """
    params = Parameters(
        violence_bias=20.0, attack_bias=-20.0, punishment_weight=100.0, signal_credibility=1.0
    )
    state, ctx = initial_state(world, params), build_context(world, params)
    challenger = 2
    state.relation[challenger, WINNER] = state.relation[WINNER, challenger] = RIVAL
    present = np.flatnonzero(state.strength[challenger] > params.presence_threshold)
    plaza = int(present[0])
    UsSignalEvent(cartel=world.cartel_names[WINNER], plaza=plaza).apply(state, ctx)
    decide(state, ctx, np.zeros(ctx.n_plazas), np.random.default_rng(0))
    assert not state.violent[challenger, plaza]
    assert state.violent[challenger, present[1:]].all()


def test_signal_for_a_dead_cartel_does_nothing(world: World) -> None:
    params = Parameters()
    state, ctx = initial_state(world, params), build_context(world, params)
    dead = int(np.flatnonzero(~state.alive)[0])
    before = state.copy()
    UsSignalEvent(cartel=state.names[dead], plaza=0).apply(state, ctx)
    assert (state.signal == NO_CARTEL).all()
    np.testing.assert_array_equal(state.belief, before.belief)


@pytest.mark.parametrize("policy", ["crackdown", "signaling"])
def test_enforcing_policy_backs_the_signalled_cartel(
    world: World, setup: tuple[int, int], policy: str
) -> None:
    plaza, challenger = setup
    spy = Spy(make_policy(policy))
    sim = run(world, plaza, challenger, policy, signal=True, spy=spy)
    assert sim.state.signal[plaza] == WINNER or not sim.state.alive[WINNER]
    on_winner = ops_on(sim, plaza, WINNER)
    assert all(kinds == [] for kinds in on_winner), "the signalled cartel was targeted"
    on_challenger = ops_on(sim, plaza, challenger)
    # The challenger is present in week 0 (the invasion) and is taken down first.
    assert OP_TAKEDOWN in on_challenger[0]
    first = sim.recorder.ops[0]
    assert (int(first[0][0]), int(first[1][0]), int(first[2][0])) == (
        plaza,
        challenger,
        OP_TAKEDOWN,
    )
    # Every week the state sees the challenger there, it is taken down.
    seen_there = [bool(obs.present[challenger, plaza]) for obs in spy.seen]
    assert len(seen_there) == WEEKS and sum(seen_there) >= 2
    for week, (there, kinds) in enumerate(zip(seen_there, on_challenger, strict=True)):
        assert (OP_TAKEDOWN in kinds) == there, f"week {week}: present={there}, ops={kinds}"
    # The final week's operations are the ones that punished.
    plazas, cartels, _ = sim.recorder.ops[-1]
    assert sim.state.punished[cartels, plazas].all()
    assert sim.state.punished.sum() == len(set(zip(cartels.tolist(), plazas.tolist(), strict=True)))


def test_crackdown_without_signal_would_hit_the_incumbent(
    world: World, setup: tuple[int, int]
) -> None:
    """Control for the test above: the signal is what spares the incumbent."""
    plaza, challenger = setup
    sim = run(world, plaza, challenger, "crackdown", signal=False)
    assert any(kinds for kinds in ops_on(sim, plaza, WINNER))
    assert (sim.state.signal == NO_CARTEL).all()


def test_laissez_faire_does_not_back_the_signal(world: World, setup: tuple[int, int]) -> None:
    plaza, challenger = setup
    sim = run(world, plaza, challenger, "laissez_faire", signal=True)
    assert all(week[0].size == 0 for week in sim.recorder.ops)
    nat = sim.recorder.national_frame(sim.dates)
    assert (nat.operations == 0).all() and (nat.homicides_state == 0).all()
    assert (sim.state.heat == 0).all()
    # The declaration itself still happened, only enforcement is absent.
    assert sim.state.signal[plaza] == WINNER or not sim.state.alive[WINNER]
