"""The calibration distance: log-ratio errors, offsets, tolerance, block weights, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plazasim.calibration.distance import DEFAULT_BLOCKS, Block, BlockDistance

TWO = BlockDistance({"a": Block(offset=0.0), "b": Block(offset=0.0)})
counts = st.lists(st.floats(0, 1e5), min_size=1, max_size=20)


def test_identical_summaries_are_at_distance_zero() -> None:
    x = {"a": np.array([10.0, 200.0]), "b": np.array([3.0])}
    assert TWO(x, x) == 0.0


def test_a_factor_of_two_in_one_block_of_two_costs_its_share() -> None:
    obs = {"a": np.array([10.0, 200.0]), "b": np.array([3.0])}
    sim = {"a": obs["a"] * 2, "b": obs["b"]}
    assert TWO(sim, obs) == pytest.approx(math.sqrt(math.log(2) ** 2 / 2))
    weighted = BlockDistance({"a": Block(weight=3.0, offset=0.0), "b": Block(offset=0.0)})
    assert weighted(sim, obs) == pytest.approx(math.sqrt(3 * math.log(2) ** 2 / 4))


def test_a_block_counts_once_however_many_values_it_holds() -> None:
    obs = {"a": np.full(100, 50.0), "b": np.array([50.0])}
    one_bad = {"a": obs["a"], "b": obs["b"] * math.e}
    all_bad = {"a": obs["a"] * math.e, "b": obs["b"]}
    assert TWO(one_bad, obs) == pytest.approx(TWO(all_bad, obs))


def test_the_offset_keeps_small_counts_from_dominating() -> None:
    obs, sim = {"a": np.array([2.0])}, {"a": np.array([8.0])}
    assert BlockDistance({"a": Block(offset=0.0)})(sim, obs) == pytest.approx(math.log(4))
    assert BlockDistance({"a": Block(offset=10.0)})(sim, obs) == pytest.approx(math.log(18 / 12))


def test_errors_within_the_tolerance_cost_nothing() -> None:
    soft = BlockDistance({"m": Block(offset=0.0, tolerance=1.5)})
    obs = {"m": np.array([100_000.0])}
    assert soft({"m": np.array([140_000.0])}, obs) == 0.0
    assert soft({"m": np.array([70_000.0])}, obs) == 0.0
    assert soft({"m": np.array([300_000.0])}, obs) == pytest.approx(math.log(3) - math.log(1.5))


def test_missing_negative_or_mismatched_values_are_refused_or_infinite() -> None:
    obs = {"a": np.array([1.0, 2.0]), "b": np.array([1.0])}
    with pytest.raises(ValueError, match="summary blocks differ"):
        TWO({"a": obs["a"]}, obs)
    with pytest.raises(ValueError, match="block sizes differ"):
        TWO({"a": np.array([1.0]), "b": obs["b"]}, obs)
    with pytest.raises(ValueError, match="no distance block for 'c'"):
        TWO({**obs, "c": np.array([1.0])}, {**obs, "c": np.array([1.0])})
    assert TWO({"a": np.array([np.nan, 2.0]), "b": obs["b"]}, obs) == math.inf
    assert TWO({"a": np.array([0.0, 2.0]), "b": obs["b"]}, obs) == math.inf  # log(0)


@pytest.mark.parametrize(
    ("field", "value"), [("weight", -1.0), ("offset", math.nan), ("tolerance", 0.5)]
)
def test_block_settings_are_checked(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"{field}: must be"):
        Block(**{field: value})


@given(counts, counts, st.floats(0, 50))
def test_distance_is_non_negative_and_symmetric(a: list[float], b: list[float], c: float) -> None:
    n = min(len(a), len(b))
    x, y = {"s": np.array(a[:n])}, {"s": np.array(b[:n])}
    d = BlockDistance({"s": Block(offset=c + 1e-9)})
    assert d(x, y) >= 0
    assert d(x, y) == pytest.approx(d(y, x))


@given(counts, st.floats(1e-3, 1e3))
def test_without_offset_only_ratios_matter(a: list[float], k: float) -> None:
    x = {"s": np.array(a) + 1.0}
    y = {"s": np.array(a)[::-1] + 1.0}
    d = BlockDistance({"s": Block(offset=0.0)})
    scaled = d({"s": x["s"] * k}, {"s": y["s"] * k})
    assert scaled == pytest.approx(d(x, y), rel=1e-9, abs=1e-12)


def test_default_blocks_cover_every_summary_block() -> None:
    from plazasim.calibration.summaries import BLOCKS

    assert set(DEFAULT_BLOCKS) == set(BLOCKS)
    assert DEFAULT_BLOCKS["members"].tolerance == 1.5


def test_default_blocks_put_the_national_totals_first() -> None:
    """25% off on every national month costs more than 25% off on every state-year."""
    ones = {b: np.full(4, 1000.0) for b in DEFAULT_BLOCKS}
    d = BlockDistance(DEFAULT_BLOCKS)
    national_off = {b: v * (1.25 if b.startswith("national") else 1.0) for b, v in ones.items()}
    states_off = {b: v * (1.25 if b.startswith("state") else 1.0) for b, v in ones.items()}
    assert d(national_off, ones) > 1.2 * d(states_off, ones)


def test_state_years_take_sporadic_killings_as_noise() -> None:
    """No killings where 40 were recorded: a factor 1.8 at the state offset, 5 at the monthly one."""
    none, forty = np.array([0.0]), np.array([40.0])
    state = DEFAULT_BLOCKS["state_related"].cost(none, forty)
    assert state == pytest.approx(math.log(90 / 50) ** 2)
    assert DEFAULT_BLOCKS["national_related"].cost(none, forty) == pytest.approx(math.log(5.0) ** 2)
