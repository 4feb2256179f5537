"""Conditional repression: memory of violence, proportional allocation, the announcement."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.policies import OP_ARRESTS, OP_TAKEDOWN, Observation, make_policy, registered
from plazasim.policies.conditional import (
    Conditional,
    ConditionalParams,
    capped_allocation,
    largest_remainder,
    top_per_row,
)

from .helpers import World, ops, rng

TD, AR = OP_TAKEDOWN, OP_ARRESTS


def violent(
    cells: dict[tuple[int, int], float],
    cartels: int = 3,
    plazas: int = 8,
    week: int = 20,
    capacity: int = 50,
) -> World:
    """A world where cartel k is present in plaza p with ``cells[k, p]`` killings last week."""
    w = World(cartels=cartels, plazas=plazas, week=week, capacity=capacity)
    for (k, p), v in cells.items():
        w.put(k, p, violence=v)
    return w


def decide(w: World, **params: object) -> list[tuple[int, int, int]]:
    return ops(Conditional(**params).decide(w.build(), rng()))


#: A first week with the default memory_weeks = 4, so each cell reads a quarter of its
#: killings a week (thresholds 0.5 and 3.0 a week are memories of 2.0 and 12.0).
#: C0 remembered for 24.0 killings in 5 plazas, C1 for 12.0 in 3 (1.6 in p5, 0.4 a week, is
#: under the threshold), C2 for 4.0 in 1 (1.2 in p7, 0.3 a week, under it).
PROPORTIONAL = {
    (0, 0): 8.0,
    (0, 1): 4.0,
    (0, 2): 6.0,
    (0, 3): 2.0,
    (0, 4): 4.0,
    (1, 0): 4.8,
    (1, 2): 3.2,
    (1, 3): 4.0,
    (1, 5): 1.6,
    (2, 6): 4.0,
    (2, 7): 1.2,
}


def test_is_registered() -> None:
    assert registered()["conditional"] is Conditional
    assert isinstance(make_policy("conditional"), Conditional)


# --- allocation ---------------------------------------------------------------------------


def test_capacity_split_in_proportion_to_remembered_violence() -> None:
    # quotas 7 x (24, 12, 4) / 40 = 4.2, 2.1, 0.7 -> floors 4, 2, 0; the spare unit goes to
    # the largest remainder (C2's 0.7). Inside each cartel, its most violent plazas first;
    # the list is ordered by violence, then plaza, then cartel.
    result = decide(violent(PROPORTIONAL, capacity=7))
    assert result == [
        (0, 0, AR),
        (2, 0, AR),
        (0, 1, AR),  # 8.0, 6.0, 4.8 (2.0, 1.5, 1.2 a week)
        (1, 0, AR),
        (3, 1, AR),
        (4, 0, AR),
        (6, 2, AR),  # the 4.0s
    ]
    assert np.bincount([k for _, k, _ in result]).tolist() == [4, 2, 1]


def test_enough_capacity_punishes_every_candidate_cell_once() -> None:
    result = decide(violent(PROPORTIONAL))
    assert sorted((k, p) for p, k, _ in result) == sorted(
        (k, p) for (k, p), v in PROPORTIONAL.items() if v / 4 >= 0.5
    )


def test_a_cartel_violent_in_few_plazas_leaves_its_share_to_the_others() -> None:
    cells = {(0, 0): 40.0} | {(1, p): 4.0 for p in range(1, 6)}  # 10 and 1 a week
    # C0's share (4 x 40/60 = 2.7) is capped at its single cell; C1 gets the other 3
    assert decide(violent(cells, cartels=2, plazas=6, capacity=4)) == [
        (0, 0, TD),
        (1, 1, AR),
        (2, 1, AR),
        (3, 1, AR),
    ]


def test_largest_remainder_numbers() -> None:
    assert largest_remainder(7, np.array([6.0, 3.0, 1.0])).tolist() == [4, 2, 1]
    assert largest_remainder(10, np.array([1.0, 1.0, 1.0])).tolist() == [4, 3, 3]
    assert largest_remainder(5, np.array([0.0, 1.0, 0.0])).tolist() == [0, 5, 0]
    assert largest_remainder(1, np.array([0.0, 0.0])).tolist() == [0, 0]
    assert largest_remainder(0, np.array([1.0, 2.0])).tolist() == [0, 0]
    assert largest_remainder(2, np.array([np.nan, 1.0, 1.0, 1.0])).tolist() == [0, 1, 1, 0]


def test_capped_allocation_numbers() -> None:
    assert capped_allocation(4, np.array([10.0, 5.0]), np.array([1, 5])).tolist() == [1, 3]
    assert capped_allocation(10, np.array([1.0, 1.0]), np.array([2, 3])).tolist() == [2, 3]
    # round 1: (4, 2, 0) of 6, C0 capped at 1; round 2: 5 split 3:1 -> (4, 1)
    assert capped_allocation(6, np.array([6.0, 3.0, 1.0]), np.array([1, 5, 5])).tolist() == [
        1,
        4,
        1,
    ]
    assert capped_allocation(3, np.array([0.0, 2.0]), np.array([4, 0])).tolist() == [0, 0]


def test_top_per_row() -> None:
    mask = np.array([[True, True, True], [True, False, True]])
    score = np.array([[1.0, 3.0, 3.0], [5.0, 9.0, 1.0]])
    assert top_per_row(mask, score, np.array([2, 1])).tolist() == [
        [False, True, True],
        [True, False, False],
    ]


# --- who is targeted ----------------------------------------------------------------------


def test_discreet_cartels_are_never_targeted() -> None:
    w = violent({(0, 0): 0.0, (1, 1): 1.96, (2, 2): 2.0})  # 0, 0.49 and 0.5 a week
    assert decide(w) == [(2, 2, AR)]
    assert decide(w, violence_threshold=0.0) == [(2, 2, AR), (1, 1, AR)]


def test_protected_and_dead_are_never_targeted_their_share_goes_to_others() -> None:
    cells = {(0, 0): 36.0, (1, 1): 32.0, (2, 2): 4.0, (2, 3): 4.0}
    w = violent(cells, plazas=4, capacity=2).protect(0).kill(1)
    assert decide(w) == [(2, 2, AR), (3, 2, AR)]


def test_absent_cartel_is_not_targeted_where_it_is_remembered() -> None:
    policy = Conditional()
    w = violent({(0, 0): 16.0, (1, 1): 4.0}, week=20)  # 4 and 1 a week
    assert ops(policy.decide(w.build(), rng())) == [(0, 0, TD), (1, 1, AR)]
    w.week = 21
    w.present[0, 0] = False  # C0 has left p0; its memory there is 12.0, but nowhere to act
    w.violence[:] = 0.0
    assert ops(policy.decide(w.build(), rng())) == [(1, 1, AR)]  # C1's 3.0 (0.75/week) counts


def test_takedown_at_or_above_threshold_else_arrests() -> None:
    w = violent({(0, 0): 12.0, (1, 1): 11.96, (2, 2): 28.0})  # 3.0, 2.99 and 7.0 a week
    assert decide(w) == [(2, 2, TD), (0, 0, TD), (1, 1, AR)]
    assert decide(w, takedown_threshold=8.0) == [(2, 2, AR), (0, 0, AR), (1, 1, AR)]


# --- memory -------------------------------------------------------------------------------


def run_weeks(policy: Conditional, weekly: list[float], start: int = 20) -> list[list]:
    """One cartel in one plaza killing ``weekly[i]`` in week ``start + i``."""
    out = []
    for i, v in enumerate(weekly):
        w = violent({(0, 0): v}, cartels=1, plazas=1, week=start + i)
        out.append(ops(policy.decide(w.build(), rng())))
    return out


def test_memory_decays_by_one_minus_one_over_memory_weeks() -> None:
    policy = Conditional()  # memory_weeks = 4: decay 0.75
    weeks = run_weeks(policy, [8.0, 0.0, 0.0, 0.0, 0.0])
    memory = policy.memory
    assert memory is not None
    assert memory[0, 0] == pytest.approx(8.0 * 0.75**4)  # 2.53, 0.633 a week: still >= 0.5
    assert weeks == [[(0, 0, AR)]] * 5
    run_weeks(policy, [0.0], start=25)
    assert policy.memory[0, 0] == pytest.approx(8.0 * 0.75**5)  # type: ignore[index]
    assert run_weeks(policy, [0.0], start=26) == [[]]  # 0.356 a week: forgiven


def test_memory_accumulates_so_sustained_violence_escalates_to_takedown() -> None:
    # after n weeks of v a week the memory reads v (1 - 0.75**n) a week: 4.0 a week reads
    # 1.0, 1.75, 2.31, 2.73 (arrests), then 3.05 >= 3.0 in week 5, a takedown
    assert run_weeks(Conditional(), [4.0] * 5) == [[(0, 0, AR)]] * 4 + [[(0, 0, TD)]]
    # a steady 2.0 a week only approaches 2.0 a week: arrests for ever, never a takedown
    assert run_weeks(Conditional(), [2.0] * 52) == [[(0, 0, AR)]] * 52


def test_memory_weeks_one_is_last_week_only() -> None:
    policy = Conditional(memory_weeks=1)
    assert policy.decay == 0.0
    hit = [(0, 0, AR)]
    # forgotten after a quiet week, and 2.0 a week never builds up to a takedown
    assert run_weeks(policy, [2.0, 0.0, 2.0, 2.0]) == [hit, [], hit, hit]


def test_skipped_weeks_decay_once_per_week() -> None:
    policy = Conditional(memory_weeks=2)
    run_weeks(policy, [4.0], start=20)
    run_weeks(policy, [0.0], start=23)
    assert policy.memory[0, 0] == pytest.approx(4.0 * 0.5**3)  # type: ignore[index]


def test_reset_forgets_and_a_new_run_without_it_is_refused() -> None:
    policy = Conditional()
    run_weeks(policy, [4.0], start=20)
    with pytest.raises(ValueError, match=r"call reset\(\)"):
        run_weeks(policy, [0.0], start=3)  # time went back: another run
    bigger = violent({(1, 1): 4.0}, cartels=2, plazas=2, week=21)
    with pytest.raises(ValueError, match=r"call reset\(\)"):
        policy.decide(bigger.build(), rng())  # other shapes: another world
    policy.reset()
    assert policy.memory is None
    assert run_weeks(policy, [0.0], start=3) == [[]]  # a new run: nothing remembered
    policy.reset()
    assert ops(policy.decide(bigger.build(), rng())) == [(1, 1, AR)]
    assert policy.memory.tolist() == [[0.0, 0.0], [0.0, 4.0]]  # type: ignore[union-attr]


def test_the_engine_resets_a_policy_reused_for_a_second_run() -> None:
    from plazasim.model.engine import simulate
    from plazasim.model.params import Parameters
    from plazasim.world.synthetic import synthetic_world

    world = synthetic_world(n_plazas=40, n_cartels=3, seed=2)
    policy = Conditional()

    def homicides() -> list[float]:
        sim = simulate(
            world,
            Parameters(),
            start=dt.date(2007, 1, 1),
            n_weeks=8,
            policies=[(0, policy)],
            seed=5,
            record_plazas=False,
        )
        return sim.recorder.national_frame(sim.dates)["homicides_total"].tolist()

    assert homicides() == homicides()


def test_same_week_twice_does_not_count_its_violence_twice() -> None:
    policy = Conditional()
    run_weeks(policy, [8.0], start=19)
    w = violent({(0, 0): 8.0}, cartels=1, plazas=1, week=20)
    first = policy.decide(w.build(), rng())
    again = policy.decide(w.build(), rng())
    assert ops(first) == ops(again) == [(0, 0, TD)]
    assert policy.memory[0, 0] == pytest.approx(14.0)  # 3.5 a week; twice would be 22.0


# --- intensity, announcement, determinism -------------------------------------------------


def test_intensity_fixed_or_proportional_to_violence() -> None:
    w = violent({(0, 0): 16.0, (1, 1): 4.0, (2, 2): 4.0})
    assert Conditional(intensity=1.5).decide(w.build(), rng()).intensity == [1.5] * 3
    # mean candidate memory 8.0: factors 2, 0.5, 0.5
    prop = Conditional(intensity=1.5, proportional_intensity=True).decide(w.build(), rng())
    assert prop.intensity == pytest.approx([3.0, 0.75, 0.75])


def test_proportional_intensity_is_clipped() -> None:
    cells = {(0, 0): 80.0} | {(1, p): 2.0 for p in range(1, 5)}  # 20 and 0.5 a week
    result = Conditional(proportional_intensity=True).decide(
        violent(cells, cartels=2, plazas=5).build(), rng()
    )
    assert result.intensity == pytest.approx([4.0, 0.25, 0.25, 0.25, 0.25])  # 4.5 and 0.11


def test_announcement_is_the_credibility_parameter() -> None:
    assert Conditional().announcement == 0.5
    policy = make_policy("conditional", {"announcement_credibility": 0.9})
    assert policy.announcement == 0.9
    assert isinstance(Conditional(announcement_credibility=1).announcement, float)
    assert make_policy("crackdown").announcement == 0.0


def test_decide_is_deterministic_and_ignores_rng() -> None:
    obs = violent(PROPORTIONAL, capacity=5).build()
    a = Conditional().decide(obs, np.random.default_rng(1))
    b = Conditional().decide(obs, np.random.default_rng(2))
    assert ops(a) == ops(b)
    assert a.intensity == b.intensity


def test_defaults() -> None:
    assert Conditional().params == ConditionalParams(
        memory_weeks=4.0,
        violence_threshold=0.5,
        takedown_threshold=3.0,
        intensity=1.0,
        proportional_intensity=False,
        announcement_credibility=0.5,
    )
    assert Conditional().decay == 0.75
    assert Conditional(memory_weeks=np.int64(2)).decay == 0.5


@pytest.mark.parametrize(
    ("params", "prefix"),
    [
        ({"memory_weeks": 0.5}, "conditional.memory_weeks: "),
        ({"memory_weeks": "4"}, "conditional.memory_weeks: "),
        ({"violence_threshold": -1.0}, "conditional.violence_threshold: "),
        ({"takedown_threshold": float("nan")}, "conditional.takedown_threshold: "),
        ({"intensity": 0.0}, "conditional.intensity: "),
        ({"proportional_intensity": "yes"}, "conditional.proportional_intensity: "),
        ({"announcement_credibility": 1.5}, "conditional.announcement_credibility: "),
        ({"announcement": 0.5}, "conditional.announcement: "),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(params: dict, prefix: str) -> None:
    with pytest.raises(ValueError, match=f"^{prefix}") as info:
        make_policy("conditional", params)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) > len(prefix)


# --- invariants over random runs ----------------------------------------------------------


@st.composite
def weekly_observations(draw: st.DrawFn) -> list[Observation]:
    n_k = draw(st.integers(1, 5))
    n_p = draw(st.integers(1, 8))
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = World(cartels=n_k, plazas=n_p, week=0)
    w.alive[:] = g.random(n_k) < 0.8
    w.protected[:] = g.random(n_k) < 0.3
    out = []
    for _ in range(draw(st.integers(1, 5))):
        w.week += int(g.integers(1, 3))  # a skipped week now and then
        w.capacity = int(g.integers(0, 12))
        w.present[:] = g.random((n_k, n_p)) < 0.6
        w.violence[:] = np.where(
            w.present, np.round(g.exponential(1.5, (n_k, n_p)) * (g.random() < 0.9), 1), 0.0
        )
        out.append(w.build())
    return out


conditional_params = st.fixed_dictionaries(
    {},
    optional={
        "memory_weeks": st.floats(1.0, 8.0),
        "violence_threshold": st.floats(0.0, 3.0),
        "takedown_threshold": st.floats(0.0, 6.0),
        "intensity": st.floats(0.1, 3.0),
        "proportional_intensity": st.booleans(),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run=weekly_observations(), params=conditional_params)
def test_conditional_invariants(run: list[Observation], params: dict) -> None:
    policy, twin = Conditional(**params), Conditional(**params)
    p = policy.params
    for obs in run:
        result = policy.decide(obs, rng())
        memory = policy.memory
        assert memory is not None
        plaza, cartel, kind, intensity = result.as_arrays()
        assert len(result) <= obs.capacity
        assert len(set(zip(plaza.tolist(), cartel.tolist(), strict=True))) == len(result)
        if len(result):
            assert obs.alive[cartel].all()
            assert not obs.protected[cartel].any()
            assert obs.present[cartel, plaza].all()
            cell = memory[cartel, plaza]
            assert (cell > 0).all()
            assert (cell / p.memory_weeks >= p.violence_threshold).all()
            assert ((kind == TD) == (cell / p.memory_weeks >= p.takedown_threshold)).all()
            assert np.isin(kind, [AR, TD]).all()
            assert (intensity > 0).all()
            assert (np.diff(cell) <= 0).all()  # most violent first
        # capacity is used up unless every candidate cell is already punished
        cand = policy.candidates(obs, memory)
        assert len(result) == min(obs.capacity, int(cand.sum()))
        assert ops(twin.decide(obs, np.random.default_rng(3))) == ops(result)
