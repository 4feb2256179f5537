"""Crackdown: largest presences first, capacity respected, protected spared, violence ignored."""

from __future__ import annotations

import numpy as np
import pytest

from plazasim.policies import OP_ARRESTS, OP_TAKEDOWN, make_policy
from plazasim.policies.crackdown import Crackdown, largest_presences

from .helpers import World, ops, rng

TD, AR = OP_TAKEDOWN, OP_ARRESTS


def world(capacity: int = 50) -> World:
    w = World(cartels=3, plazas=4, capacity=capacity)
    w.put(0, 0, strength=100).put(1, 0, strength=40).put(2, 1, strength=300)
    w.put(0, 2, strength=5).put(1, 3, strength=60).put(2, 3, strength=60)
    return w


def test_targets_the_largest_presences_in_order() -> None:
    result = Crackdown().decide(world().build(), rng())
    # 6 operations: the top half (3) are takedowns; the tie 60/60 breaks by cartel slot
    assert ops(result) == [
        (1, 2, TD),
        (0, 0, TD),
        (3, 1, TD),
        (3, 2, AR),
        (0, 1, AR),
        (2, 0, AR),
    ]
    assert result.intensity == [1.0] * 6


def test_respects_capacity_and_keeps_the_largest() -> None:
    result = Crackdown().decide(world(capacity=3).build(), rng())
    assert ops(result) == [(1, 2, TD), (0, 0, TD), (3, 1, AR)]  # round(1.5) half up = 2
    assert ops(Crackdown().decide(world(capacity=0).build(), rng())) == []


def test_capacity_cut_inside_a_tie_breaks_by_plaza_then_cartel() -> None:
    w = World(cartels=3, plazas=3, capacity=2)
    for k in range(3):
        for p in range(3):
            w.put(k, p, strength=7.0)
    assert ops(Crackdown(takedown_fraction=0.0).decide(w.build(), rng())) == [
        (0, 0, AR),
        (0, 1, AR),
    ]


def test_never_targets_protected_or_dead_cartels() -> None:
    w = world().protect(2).kill(0)
    targets = {k for _, k, _ in ops(Crackdown().decide(w.build(), rng()))}
    assert targets == {1}


def test_ignores_violence() -> None:
    quiet = world()
    loud = world()
    loud.violence[:] = np.arange(12, dtype=float).reshape(3, 4) * 10
    loud.fights[:] = True
    a = Crackdown().decide(quiet.build(), rng())
    b = Crackdown().decide(loud.build(), rng())
    assert ops(a) == ops(b)


def test_absent_pairs_are_not_targets_even_with_a_strength_estimate() -> None:
    w = World(cartels=2, plazas=2).put(0, 0, strength=1.0)
    w.strength[1, 1] = 1000.0  # noise on an absent pair
    assert ops(Crackdown().decide(w.build(), rng())) == [(0, 0, TD)]


@pytest.mark.parametrize(("fraction", "n_td"), [(0.0, 0), (0.25, 2), (0.5, 3), (1.0, 6)])
def test_takedown_fraction(fraction: float, n_td: int) -> None:
    result = Crackdown(takedown_fraction=fraction, intensity=0.5).decide(world().build(), rng())
    assert result.kind == [TD] * n_td + [AR] * (6 - n_td)
    assert result.intensity == [0.5] * 6


def test_largest_presences_matches_a_full_sort_on_a_large_world() -> None:
    gen = np.random.default_rng(7)
    w = World(cartels=8, plazas=2450)
    w.present[:] = gen.random((8, 2450)) < 0.2
    w.strength[:] = np.round(gen.exponential(50.0, (8, 2450)))  # many ties
    obs = w.build()
    ks, ps = largest_presences(obs, 120)
    ks_all, ps_all = np.nonzero(obs.present)
    cand = [(-obs.strength_estimate[k, p], p, k) for k, p in zip(ks_all, ps_all, strict=True)]
    expected = sorted(cand)[:120]
    assert list(zip(ps.tolist(), ks.tolist(), strict=True)) == [(p, k) for _, p, k in expected]


@pytest.mark.parametrize(
    ("params", "prefix"),
    [
        ({"takedown_fraction": 1.5}, "crackdown.takedown_fraction: "),
        ({"takedown_fraction": "half"}, "crackdown.takedown_fraction: "),
        ({"intensity": -1.0}, "crackdown.intensity: "),
        ({"wait_weeks": 4}, "crackdown.wait_weeks: "),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(params: dict, prefix: str) -> None:
    with pytest.raises(ValueError, match=f"^{prefix}") as info:
        make_policy("crackdown", params)
    assert "\n" not in str(info.value)
