"""The ``mix`` policy: several policies in the same week, each on its share of capacity."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plazasim.policies import OP_KINGPIN, make_policy
from plazasim.policies.common import largest_remainder

from .helpers import World, ops, rng


def _world(capacity: int) -> World:
    w = World(cartels=3, plazas=6, capacity=capacity)
    for p in range(6):
        w.put(0, p, strength=100.0 + p, violence=5.0)
        w.put(1, p, strength=50.0 + p)
    return w


def split_capacity(capacity: int, shares: list[float]) -> list[int]:
    """How Mix.decide splits the week's capacity among its parts."""
    return largest_remainder(capacity, np.array(shares)).tolist()


def test_capacity_split_is_largest_remainder_and_adds_up() -> None:
    assert split_capacity(10, [0.7, 0.3]) == [7, 3]
    assert split_capacity(5, [0.5, 0.5]) == [3, 2]  # the tie goes to the first part
    assert split_capacity(0, [0.2, 0.8]) == [0, 0]
    assert split_capacity(7, [1 / 3] * 3) == [3, 2, 2]


@given(capacity=st.integers(0, 500), weights=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=6))
def test_capacity_split_never_loses_or_invents_operations(
    capacity: int, weights: list[float]
) -> None:
    shares = [w / sum(weights) for w in weights]
    caps = split_capacity(capacity, shares)
    assert sum(caps) == capacity and min(caps) >= 0
    assert all(abs(c - s * capacity) < 1.0 + 1e-9 for c, s in zip(caps, shares, strict=True))


def test_each_part_decides_on_its_share_in_the_order_given() -> None:
    obs = _world(capacity=10).build()
    mix = make_policy(
        "mix",
        {
            "parts": [
                {"name": "crackdown", "share": 0.6},
                {
                    "name": "kingpin",
                    "share": 0.4,
                    "params": {"targets": 1, "ops_per_target": 4, "arrests_with_rest": False},
                },
            ]
        },
    )
    got = ops(mix.decide(obs, rng()))
    crack = ops(make_policy("crackdown").decide(dataclasses.replace(obs, capacity=6), rng()))
    king = ops(
        make_policy(
            "kingpin", {"targets": 1, "ops_per_target": 4, "arrests_with_rest": False}
        ).decide(dataclasses.replace(obs, capacity=4), rng())
    )
    assert got == crack + king
    assert [kind for _, _, kind in got[6:]] == [OP_KINGPIN] * 4


def test_a_part_cannot_exceed_its_share() -> None:
    obs = _world(capacity=4).build()
    mix = make_policy(
        "mix",
        {"parts": [{"name": "crackdown", "share": 0.5}, {"name": "laissez_faire", "share": 0.5}]},
    )
    assert len(mix.decide(obs, rng())) == 2  # laissez_faire's half stays unused
    assert mix.enforces


def test_announcement_and_enforcement_come_from_the_parts() -> None:
    mix = make_policy(
        "mix",
        {
            "parts": [
                {"name": "laissez_faire", "share": 0.5},
                {"name": "conditional", "share": 0.5, "params": {"announcement_credibility": 0.8}},
            ]
        },
    )
    assert mix.announcement == 0.8 and mix.enforces
    idle = make_policy("mix", {"parts": [{"name": "laissez_faire", "share": 1.0}]})
    assert idle.announcement == 0.0 and not idle.enforces


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"parts": [{"name": "nope", "share": 1.0}]}, "mix.parts.0.name: unknown policy 'nope'"),
        (
            {"parts": [{"name": "kingpin", "share": 0.5}]},
            "mix.parts: shares must add up to 1 (they add up to 0.5)",
        ),
        (
            {"parts": [{"name": "kingpin", "share": 1.0, "params": {"targets": 0}}]},
            "mix.parts.0.params.targets: Input should be greater than or equal to 1",
        ),
        ({"parts": []}, "mix.parts: List should have at least 1 item"),
        ({"parts": [{"name": "mix", "share": 1.0}]}, "mix.parts.0.name: a mix cannot contain"),
        ({}, "mix.parts: required: the policies and their shares of the capacity"),
    ],
)
def test_bad_parts_are_one_line_errors(params: dict, message: str) -> None:
    with pytest.raises(ValueError) as info:
        make_policy("mix", params)
    text = str(info.value)
    assert "\n" not in text and text.startswith(message), text


def test_a_mix_in_a_scenario_runs_and_is_deterministic() -> None:
    from plazasim.experiments.run import run_scenario
    from plazasim.scenario import parse_scenario

    text = """
[scenario]
name = "mix"
start = 2007-01-01
end = 2007-06-30
seed = 3
[world]
kind = "synthetic"
plazas = 120
cartels = 4
[parameters]
capacity_ops_per_week = 2000.0  # a small world's share of national capacity is tiny
[[policy]]
from = 2007-01-01
name = "mix"
params = { parts = [{ name = "signaling", share = 0.7 },
                    { name = "kingpin", share = 0.3, params = { targets = 2 } }] }
"""
    a, b = (run_scenario(parse_scenario(text)) for _ in range(2))
    assert a.national.equals(b.national)
    assert (a.national.policy == "mix").all()
    assert a.national.operations.sum() > 0
    kinds = set(a.plazas.action.unique())
    assert {"kingpin", "arrests"} <= kinds  # both parts acted
    np.testing.assert_array_equal(a.cartels.members, b.cartels.members)
