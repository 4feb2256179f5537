"""Shared small fixtures for the model tests: a 60-plaza synthetic world and fresh states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest

from plazasim.model.context import Context, build_context
from plazasim.model.params import Parameters
from plazasim.model.state import State, initial_state
from plazasim.world.synthetic import synthetic_world
from plazasim.world.world import World

START = dt.date(2007, 1, 1)


@pytest.fixture(scope="session")
def start() -> dt.date:
    """Start date used by every simulated run in these tests."""
    return START


@pytest.fixture(scope="session")
def world60() -> World:
    """A 60-plaza, 4-cartel synthetic world (never mutate it: it is shared)."""
    return synthetic_world(60, seed=3, n_cartels=4)


@pytest.fixture
def fresh(world60: World) -> Callable[..., tuple[State, Context]]:
    """Factory: ``fresh(**param_overrides) -> (state, ctx)`` at week 0 on ``world60``."""

    def make(world: World | None = None, **overrides: object) -> tuple[State, Context]:
        w = world60 if world is None else world
        params = Parameters(**overrides)
        return initial_state(w, params), build_context(w, params)

    return make


@pytest.fixture
def empty(fresh: Callable[..., tuple[State, Context]]) -> Callable[..., tuple[State, Context]]:
    """Factory like ``fresh`` but with every cartel's strength, control and cash zeroed,
    so a test can place members cell by cell. Cartel slots 0-3 stay alive.
    """

    def make(**overrides: object) -> tuple[State, Context]:
        state, ctx = fresh(**overrides)
        state.strength[:] = 0.0
        state.control[:] = -1
        state.contest_leader[:] = -1
        state.challenger_weeks[:] = 0
        state.arrival_week[:] = -1
        state.violent[:] = False
        return state, ctx

    return make


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator per test."""
    return np.random.default_rng(20240601)
