"""Kingpin: leaders of the largest cartels hunted in their strongholds, arrests with the rest."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.policies import OP_ARRESTS, OP_KINGPIN, Observation, make_policy, registered
from plazasim.policies.kingpin import Kingpin, KingpinParams, largest_cartels, strongholds

from .helpers import World, ops, rng

KP, AR = OP_KINGPIN, OP_ARRESTS


def world(capacity: int = 50) -> World:
    """National sizes: C3 500 > C1 390 > C0 180 > C2 60 (strength summed over plazas)."""
    w = World(cartels=4, plazas=6, capacity=capacity)
    w.put(0, 0, strength=100).put(0, 1, strength=50).put(0, 2, strength=30)
    w.put(1, 1, strength=200).put(1, 3, strength=80).put(1, 4, strength=80)
    w.put(1, 5, strength=20).put(1, 0, strength=10)
    w.put(2, 2, strength=60)
    w.put(3, 5, strength=500)
    return w


def decide(w: World | Observation, **params: object) -> list[tuple[int, int, int]]:
    obs = w.build() if isinstance(w, World) else w
    return ops(Kingpin(**params).decide(obs, rng()))


def test_is_registered() -> None:
    assert registered()["kingpin"] is Kingpin
    assert isinstance(make_policy("kingpin"), Kingpin)


def test_three_largest_cartels_hunted_in_their_strongholds_largest_first() -> None:
    assert decide(world()) == [
        (5, 3, KP),  # C3 (500) is seen in one plaza only
        (1, 1, KP),
        (3, 1, KP),
        (4, 1, KP),
        (5, 1, KP),  # C1 (390): top 4; 80/80 by plaza
        (0, 0, KP),
        (1, 0, KP),
        (2, 0, KP),  # C0 (180): its three plazas
        (0, 1, AR),  # the rest: arrests on what is left of the targets (C1 in p0)
    ]


def test_rest_of_capacity_is_arrests_on_the_targets_largest_presences() -> None:
    assert decide(world(), ops_per_target=2) == [
        (5, 3, KP),
        (1, 1, KP),
        (3, 1, KP),
        (0, 0, KP),
        (1, 0, KP),
        (4, 1, AR),
        (2, 0, AR),
        (5, 1, AR),
        (0, 1, AR),  # C2 (not a target) spared
    ]
    assert decide(world(), ops_per_target=2, arrests_with_rest=False) == [
        (5, 3, KP),
        (1, 1, KP),
        (3, 1, KP),
        (0, 0, KP),
        (1, 0, KP),
    ]


def test_capacity_is_respected_and_the_largest_cartel_keeps_its_operations() -> None:
    assert decide(world(capacity=3)) == [(5, 3, KP), (1, 1, KP), (3, 1, KP)]
    assert decide(world(capacity=6), ops_per_target=2) == [
        (5, 3, KP),
        (1, 1, KP),
        (3, 1, KP),
        (0, 0, KP),
        (1, 0, KP),
        (4, 1, AR),
    ]
    assert decide(world(capacity=0)) == []


def test_targets_parameter() -> None:
    assert decide(world(), targets=1) == [(5, 3, KP)]  # no rest: C3 has one plaza only
    four = decide(world(), targets=4, arrests_with_rest=False)
    assert four[-1] == (2, 2, KP)
    assert [k for _, k, _ in four] == [3, 1, 1, 1, 1, 0, 0, 0, 2]


def test_never_targets_protected_or_dead_cartels_the_next_largest_move_up() -> None:
    w = world().protect(3).kill(1)
    result = decide(w, arrests_with_rest=False)
    assert result == [(0, 0, KP), (1, 0, KP), (2, 0, KP), (2, 2, KP)]
    assert {k for _, k, _ in decide(w)} == {0, 2}


def test_ranks_by_estimated_national_size_ties_by_slot() -> None:
    obs = world().build()
    assert largest_cartels(obs, 4).tolist() == [3, 1, 0, 2]
    # obs.members is the estimate that counts, even where plaza strengths disagree
    members = np.array([1000.0, 390.0, 1000.0, np.nan])
    swapped = dataclasses.replace(obs, members=members)
    assert largest_cartels(swapped, 4).tolist() == [0, 2, 1, 3]
    assert decide(swapped, targets=1, ops_per_target=1) == [(0, 0, KP), (1, 0, AR), (2, 0, AR)]


def test_cartel_not_seen_anywhere_is_skipped() -> None:
    w = World(cartels=3, plazas=2)
    w.put(0, 0, strength=5).put(2, 1, strength=1)
    obs = dataclasses.replace(w.build(), members=np.array([5.0, 9000.0, 1.0]))
    assert largest_cartels(obs, 2).tolist() == [0, 2]
    assert decide(obs) == [(0, 0, KP), (1, 2, KP)]


def test_strongholds_are_present_plazas_only_strongest_first() -> None:
    w = world()
    w.strength[0, 4] = 1e6  # a strength estimate on an absent pair is noise
    obs = w.build()
    assert strongholds(obs, 0, 10).tolist() == [0, 1, 2]
    assert strongholds(obs, 1, 3).tolist() == [1, 3, 4]


def test_ignores_violence_and_uses_rng_not_at_all() -> None:
    quiet, loud = world(), world()
    loud.violence[:] = np.arange(24, dtype=float).reshape(4, 6)
    a = Kingpin().decide(quiet.build(), np.random.default_rng(1))
    b = Kingpin().decide(loud.build(), np.random.default_rng(2))
    assert ops(a) == ops(b)


def test_intensity_scales_every_operation() -> None:
    result = Kingpin(intensity=2.5, ops_per_target=1).decide(world().build(), rng())
    assert result.intensity == [2.5] * len(result)
    assert len(result) == 9  # 3 kingpin + 6 arrests


def test_defaults_and_numpy_scalars_are_accepted() -> None:
    assert Kingpin().params == KingpinParams(
        targets=3, ops_per_target=4, arrests_with_rest=True, intensity=1.0
    )
    q = Kingpin(targets=np.int64(5), intensity=np.float64(0.5), arrests_with_rest=np.bool_(False))
    assert q.params == KingpinParams(targets=5, intensity=0.5, arrests_with_rest=False)


@pytest.mark.parametrize(
    ("params", "prefix"),
    [
        ({"targets": 0}, "kingpin.targets: "),
        ({"targets": 65}, "kingpin.targets: "),
        ({"targets": 2.5}, "kingpin.targets: "),
        ({"targets": "3"}, "kingpin.targets: "),
        ({"ops_per_target": 0}, "kingpin.ops_per_target: "),
        ({"arrests_with_rest": 1}, "kingpin.arrests_with_rest: "),
        ({"intensity": 0.0}, "kingpin.intensity: "),
        ({"intensity": float("inf")}, "kingpin.intensity: "),
        ({"target": 3}, "kingpin.target: "),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(params: dict, prefix: str) -> None:
    with pytest.raises(ValueError, match=f"^{prefix}") as info:
        make_policy("kingpin", params)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) > len(prefix)


# --- invariants on random observations ----------------------------------------------------


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    n_k = draw(st.integers(1, 6))
    n_p = draw(st.integers(1, 8))
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = World(cartels=n_k, plazas=n_p, capacity=draw(st.integers(0, 30)))
    w.alive[:] = g.random(n_k) < 0.8
    w.protected[:] = g.random(n_k) < 0.3
    w.present[:] = g.random((n_k, n_p)) < 0.5
    w.strength[:] = np.round(g.exponential(20.0, (n_k, n_p)))  # noise even where absent
    obs = w.build()
    members = np.round(g.exponential(100.0, n_k))  # an estimate of its own, many ties at 0
    return dataclasses.replace(obs, members=members)


kingpin_params = st.fixed_dictionaries(
    {},
    optional={
        "targets": st.integers(1, 8),
        "ops_per_target": st.integers(1, 6),
        "arrests_with_rest": st.booleans(),
        "intensity": st.floats(0.1, 3.0),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obs=observations(), params=kingpin_params)
def test_kingpin_invariants(obs: Observation, params: dict) -> None:
    policy = Kingpin(**params)
    p = policy.params
    result = policy.decide(obs, rng())
    plaza, cartel, kind, intensity = result.as_arrays()
    assert len(result) <= max(obs.capacity, 0)
    assert len(set(zip(plaza.tolist(), cartel.tolist(), strict=True))) == len(result)
    targets = largest_cartels(obs, p.targets)
    if len(result):
        assert obs.alive[cartel].all()
        assert not obs.protected[cartel].any()
        assert obs.present[cartel, plaza].all()
        assert np.isin(cartel, targets).all()
        assert (intensity == p.intensity).all()
    n_king = int((kind == KP).sum())
    assert (kind[:n_king] == KP).all()  # kingpin operations come first, then arrests
    assert (kind[n_king:] == AR).all()
    assert p.arrests_with_rest or n_king == len(result)
    counts = np.bincount(cartel[:n_king], minlength=len(obs.alive))
    assert (counts <= p.ops_per_target).all()
    # largest cartel first: the target rank never goes back down the list
    rank = {int(k): i for i, k in enumerate(targets)}
    ranks = [rank[int(k)] for k in cartel[:n_king]]
    assert ranks == sorted(ranks)
    assert ops(Kingpin(**params).decide(obs, np.random.default_rng(7))) == ops(result)
