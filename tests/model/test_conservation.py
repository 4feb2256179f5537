"""The books balance every week: cocaine, money and members; nothing goes negative.

Random synthetic worlds, the built-in policies and parameters drawn within their
documented ranges: a few chosen ones in the first property test, every one of them
at once, over its whole declared range and for hundreds of weeks, in the second.
Splits are forced by a custom event that drops every cartel's cohesion to 0. Every
week the state must also be well-formed: every plaza's controller is a living
cartel, and allies are never at war and never fight each other.

``PLAZASIM_FUZZ=1`` (``make fuzz``) draws many more examples.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.model import conflict
from plazasim.model.context import Context
from plazasim.model.engine import Simulation, simulate
from plazasim.model.params import Parameters
from plazasim.model.state import NO_CARTEL, State
from plazasim.policies import make_policy
from plazasim.world.synthetic import synthetic_world
from plazasim.world.world import ALLIED

START = dt.date(2007, 1, 1)
REL = 1e-9
FUZZ = os.environ.get("PLAZASIM_FUZZ") == "1"
HOMICIDES = ("homicides_cartel", "homicides_state", "homicides_bystander", "homicides_baseline")


@dataclass
class Fracture:
    """Event: every alive cartel loses its leadership to the policy, so splits can happen."""

    label = "fracture"

    def apply(self, state: State, ctx: Context) -> None:
        state.cohesion[state.alive] = 0.0
        state.fracture[state.alive] = 1.0


class Dwindle:
    """Event: the smallest living cartel shrinks to 8 members, so phase 8 dissolves it.

    Applied before the week's books are opened, so the ledgers see only the step.
    """

    label = "dwindle"

    def apply(self, state: State, ctx: Context) -> None:
        alive = np.flatnonzero(state.alive)
        k = alive[np.argmin(state.strength[alive].sum(axis=1))]
        state.strength[k] *= 8.0 / state.strength[k].sum()
        state.fighters[k] = np.minimum(state.fighters[k], state.strength[k])


@dataclass
class Inspector:
    """Event applied at the start of every week: snapshots the state the last step left."""

    label = "inspector"

    rows: list[dict[str, float]] = field(default_factory=list)

    def apply(self, state: State, ctx: Context) -> None:
        self.rows.append(snapshot(state))


def snapshot(state: State) -> dict[str, float]:
    alive_cash = state.cash[state.alive]
    held = state.control[state.control != NO_CARTEL]
    allied = state.relation == ALLIED
    return {
        "dead_controllers": float((~state.alive[held]).sum()),
        "allies_at_war": float((state.war & allied).sum()),
        "week": float(state.week),
        "min_strength": float(state.strength.min()),
        "min_fighters": float(state.fighters.min()),
        "fighters_over_members": float((state.fighters - state.strength).max()),
        "min_stock": float(state.stock.min()),
        "min_cash": float(alive_cash.min()) if alive_cash.size else 0.0,
        "cash_scale": float(np.abs(state.cash).max()),
        "finite": float(
            np.isfinite(state.strength).all()
            and np.isfinite(state.cash).all()
            and np.isfinite(state.stock).all()
        ),
    }


def run(
    n_plazas: int,
    seed: int,
    n_cartels: int,
    policy: str,
    n_weeks: int,
    params: Parameters,
    fracture_week: int | None = None,
    dwindle_week: int | None = None,
) -> tuple[Simulation, Inspector]:
    world = synthetic_world(n_plazas, seed=seed, n_cartels=n_cartels)
    inspector = Inspector()
    events: list[tuple[int, object]] = [(t, inspector) for t in range(1, n_weeks)]
    if fracture_week is not None:
        events.insert(0, (fracture_week, Fracture()))
    if dwindle_week is not None:
        events.insert(0, (dwindle_week, Dwindle()))
    sim = simulate(
        world,
        params,
        start=START,
        n_weeks=n_weeks,
        policies=[(0, make_policy(policy))],
        events=events,
        seed=seed,
    )
    return sim, inspector


def assert_balanced(lhs: pd.Series, rhs: pd.Series, scale: pd.Series, what: str) -> None:
    """``lhs == rhs`` week by week, to ``REL`` relative to the size of the flows."""
    gap = (lhs - rhs).abs()
    tol = REL * np.maximum(scale.abs(), 1.0)
    bad = np.flatnonzero(gap.to_numpy() > tol.to_numpy())
    assert bad.size == 0, (
        f"{what} does not balance in weeks {bad[:10].tolist()}: "
        f"lhs={lhs.iloc[bad[0]]!r} rhs={rhs.iloc[bad[0]]!r} gap={gap.iloc[bad[0]]!r}"
    )


def check_books(sim: Simulation, inspector: Inspector, params: Parameters) -> None:
    nat = sim.recorder.national_frame(sim.dates)
    numeric = nat.drop(columns=["date", "policy"])
    assert np.isfinite(numeric.to_numpy(dtype=float)).all(), "NaN or inf in the national table"

    # Cocaine: entered = delivered + seized + change in stock.
    shipped = nat.cocaine_delivered_t + nat.cocaine_seized_t + nat.cocaine_stock_change_t
    assert_balanced(
        nat.cocaine_entered_t, shipped, nat.cocaine_entered_t + nat.cocaine_stock_t, "cocaine"
    )
    # Cocaine enters while any cartel is left to buy it (alive when the week starts), only then.
    buyers = nat.active_cartels.shift(1, fill_value=1) > 0
    np.testing.assert_array_equal(nat.cocaine_entered_t > 0, buyers)
    assert (nat.cocaine_delivered_t >= 0).all() and (nat.cocaine_seized_t >= 0).all()

    # Money: revenue = every use of cash + change in cash.
    uses = (
        nat.wages_usd
        + nat.bribes_usd
        + nat.recruiting_usd
        + nat.deployment_usd
        + nat.cash_seized_usd
        + nat.laundered_usd
        + nat.intercepted_usd
    )
    assert_balanced(
        nat.revenue_usd,
        uses + nat.cash_change_usd,
        nat.revenue_usd.abs() + uses + nat.cash_usd,
        "money",
    )
    for col in (
        "wages_usd",
        "bribes_usd",
        "recruiting_usd",
        "deployment_usd",
        "cash_seized_usd",
        "laundered_usd",
        "intercepted_usd",
    ):
        assert (nat[col] >= 0).all(), col

    # Members: change = recruits - out (routine arrests, attrition, fighting deaths,
    # enforcement removals) - dispersed by dissolution.
    flows = nat.recruits - nat.members_out - nat.members_dispersed
    assert_balanced(
        nat.members_change,
        flows,
        nat.members + nat.recruits + nat.members_out + nat.members_dispersed,
        "members",
    )
    assert (nat.recruits >= 0).all() and (nat.members_out >= 0).all()
    assert (nat.members_dispersed >= 0).all()

    # Laundering: a fixed share of what leaves for the financial system is intercepted.
    s = params.intercept_share
    pos = nat.laundered_usd > 0
    ratio = nat.intercepted_usd[pos] / nat.laundered_usd[pos]
    np.testing.assert_allclose(ratio, s / (1.0 - s), rtol=1e-9, atol=0.0)
    np.testing.assert_allclose(
        nat.intercepted_usd, s * (nat.laundered_usd + nat.intercepted_usd), rtol=1e-9, atol=1e-9
    )

    # Homicides: non-negative Poisson counts, and the total is the sum of the types.
    for col in HOMICIDES:
        values = nat[col].to_numpy()
        assert (values >= 0).all(), col
        frac = np.flatnonzero(values != np.round(values))
        assert frac.size == 0, (
            f"{col} not a whole number in weeks {frac[:5].tolist()}: {values[frac[:5]].tolist()}"
        )
    np.testing.assert_allclose(nat.homicides_total, nat[list(HOMICIDES)].sum(axis=1), rtol=1e-12)
    plaza_hom = sim.recorder.homicides
    assert (plaza_hom >= 0).all()
    np.testing.assert_allclose(plaza_hom.sum(axis=1), nat.homicides_total, rtol=1e-5)

    # States between weeks, and the final state.
    rows = [*inspector.rows, snapshot(sim.state)]
    assert len(rows) == len(nat)
    for row in rows:
        assert row["finite"] == 1.0, row
        assert row["min_strength"] >= 0.0, row
        assert row["min_fighters"] >= 0.0, row
        assert row["fighters_over_members"] <= 1e-9, row
        assert row["min_stock"] >= 0.0, row
        assert row["min_cash"] >= -(1e-6 + 1e-12 * row["cash_scale"]), row
        assert row["dead_controllers"] == 0.0, row
        assert row["allies_at_war"] == 0.0, row
    assert (sim.state.heat >= 0).all()
    assert (sim.recorder.cartel["members"] >= 0).all()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    n_plazas=st.integers(40, 250),
    seed=st.integers(0, 2**16),
    n_cartels=st.integers(2, 6),
    policy=st.sampled_from(["signaling", "crackdown", "laissez_faire"]),
    n_weeks=st.integers(20, 60),
    lethality=st.floats(0.0005, 0.05),
    capacity=st.floats(0.0, 200.0),
    takedown_share=st.floats(0.005, 0.3),
    split_rate=st.floats(0.05, 0.3),
    intercept_share=st.floats(0.0, 0.01),
    state_clash_deaths=st.floats(0.0, 0.5),
    war=st.fixed_dictionaries(
        {
            "mobilisation_rate": st.floats(0.001, 0.1),
            "war_recruitment": st.floats(0.0, 0.2),
            "commit_ratio": st.floats(1.0, 4.0),
            "truce_fragility": st.floats(0.005, 0.5),
            "truce_intensity": st.floats(0.0, 0.5),
            "war_spending_share": st.floats(0.1, 10.0),
            "launder_share": st.floats(0.5, 0.9),
            "bribe_share": st.floats(0.0, 0.3),
        }
    ),
    fracture=st.booleans(),
    data=st.data(),
)
def test_books_balance_every_week(
    n_plazas: int,
    seed: int,
    n_cartels: int,
    policy: str,
    n_weeks: int,
    lethality: float,
    capacity: float,
    takedown_share: float,
    split_rate: float,
    intercept_share: float,
    state_clash_deaths: float,
    war: dict[str, float],
    fracture: bool,
    data: st.DataObject,
) -> None:
    params = Parameters(
        lethality=lethality,
        capacity_ops_per_week=capacity,
        takedown_share=takedown_share,
        split_rate=split_rate,
        intercept_share=intercept_share,
        state_clash_deaths=state_clash_deaths,
        **war,
    )
    fracture_week = data.draw(st.integers(0, n_weeks - 1)) if fracture else None
    sim, inspector = run(n_plazas, seed, n_cartels, policy, n_weeks, params, fracture_week)
    check_books(sim, inspector, params)


# --- every parameter at once, over its whole declared range ---------------------------


def declared(name: str) -> st.SearchStrategy[float | int]:
    """Values of parameter ``name`` over its declared range, inside what validation accepts."""
    info = Parameters.model_fields[name]
    lo, hi = (info.json_schema_extra or {})["range"]  # type: ignore[index]
    for bound in info.metadata:
        lo = max(lo, getattr(bound, "ge", lo))
        hi = min(hi, getattr(bound, "le", hi))
    if info.annotation is int:
        return st.integers(int(lo), int(hi))
    return st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)


ANY_PARAMETERS = st.fixed_dictionaries({name: declared(name) for name in Parameters.model_fields})


@contextmanager
def allies_never_fight() -> Iterator[list[int]]:
    """Check every pair phase 6 lets fight: never two allies. Yields the pairs seen, per week."""
    real = conflict.encounters
    seen: list[int] = []

    def spy(
        state: State,
        ctx: Context,
        s: np.ndarray,
        f: np.ndarray,
        r: np.ndarray,
        k: np.ndarray,
        c: np.ndarray,
        pair_i: np.ndarray,
        pair_j: np.ndarray,
        *args: object,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        allied = state.relation[k[pair_i], k[pair_j]] == ALLIED
        assert not allied.any(), f"allies fight in week {state.week}"
        assert (c[pair_i] == c[pair_j]).all(), "a pair fights across plazas"
        seen.append(int(pair_i.size))
        return real(state, ctx, s, f, r, k, c, pair_i, pair_j, *args)

    conflict.encounters = spy
    try:
        yield seen
    finally:
        conflict.encounters = real


@settings(
    max_examples=200 if FUZZ else 20,
    deadline=None,
    derandomize=not FUZZ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    values=ANY_PARAMETERS,
    n_plazas=st.integers(30, 90),
    seed=st.integers(0, 2**16),
    n_cartels=st.integers(2, 6),
    policy=st.sampled_from(["signaling", "crackdown", "kingpin", "conditional", "laissez_faire"]),
    n_weeks=st.integers(150, 320),
    fracture_week=st.none() | st.integers(0, 100),
)
def test_books_balance_under_any_parameters(
    values: dict[str, float | int],
    n_plazas: int,
    seed: int,
    n_cartels: int,
    policy: str,
    n_weeks: int,
    fracture_week: int | None,
) -> None:
    """Every parameter drawn at once, anywhere in its declared range: the step stays sound."""
    params = Parameters(**values)
    with allies_never_fight():
        sim, inspector = run(n_plazas, seed, n_cartels, policy, n_weeks, params, fracture_week)
    check_books(sim, inspector, params)


@pytest.mark.parametrize("policy", ["signaling", "crackdown", "laissez_faire"])
def test_books_balance_through_splits_and_dissolutions(policy: str) -> None:
    """Deterministic companion of the property test: splits and dissolutions do happen."""
    params = Parameters(split_rate=0.3, lethality=0.05, capacity_ops_per_week=200.0)
    sim, inspector = run(150, 4, 4, policy, 60, params, fracture_week=5, dwindle_week=30)
    check_books(sim, inspector, params)
    nat = sim.recorder.national_frame(sim.dates)
    assert nat.active_cartels.max() > 4, "no split happened: the test exercises nothing"
    assert nat.members_dispersed.sum() > 0, "no cartel dissolved"
    if policy != "laissez_faire":
        assert nat.operations.sum() > 0
        assert nat.cash_seized_usd.sum() > 0 or policy == "signaling"


def test_interception_is_the_seed_share_by_default() -> None:
    params = Parameters()
    assert params.intercept_share == pytest.approx(0.002)
    sim, inspector = run(80, 11, 3, "crackdown", 20, params)
    nat = sim.recorder.national_frame(sim.dates)
    assert (nat.laundered_usd > 0).all()
    np.testing.assert_allclose(
        nat.intercepted_usd, 0.002 * (nat.laundered_usd + nat.intercepted_usd), rtol=1e-9
    )
    # 70% of positive revenue leaves for laundering while cash allows (seed).
    out = nat.laundered_usd + nat.intercepted_usd
    assert (out <= 0.7 * nat.revenue_usd * (1 + 1e-9)).all()
    check_books(sim, inspector, params)


def test_final_state_has_no_negative_strength_after_heavy_enforcement() -> None:
    params = Parameters(
        capacity_ops_per_week=200.0, takedown_share=0.9, takedown_neighbour_share=0.5, lethality=0.2
    )
    sim, inspector = run(60, 2, 3, "crackdown", 40, params)
    assert sim.recorder.national_frame(sim.dates).operations.sum() > 40
    assert (sim.state.strength >= 0).all()
    check_books(sim, inspector, params)


# --- the piso can never exceed what a shipment earns ----------------------------------
TOLL_HEAVY = {"piso_usd_per_t": 1.0e6, "border_margin_usd_per_t": 5.0e6}  # both in range


def test_revenue_and_cash_stay_non_negative_when_tolls_are_heavy() -> None:
    params = Parameters(**TOLL_HEAVY)
    sim, _ = run(120, 4, 6, "laissez_faire", 30, params)
    rec = sim.recorder
    # The money books still balance: the piso is a transfer between cartels.
    nat = rec.national_frame(sim.dates)
    uses = (
        nat.wages_usd
        + nat.bribes_usd
        + nat.recruiting_usd
        + nat.deployment_usd
        + nat.cash_seized_usd
        + nat.laundered_usd
        + nat.intercepted_usd
    )
    assert_balanced(
        nat.revenue_usd,
        uses + nat.cash_change_usd,
        nat.revenue_usd.abs() + uses + nat.cash_usd,
        "money",
    )
    assert rec.cartel["revenue_usd"][rec.alive].min() >= 0.0
    assert rec.cartel["cash_usd"][rec.alive].min() >= -1e-6
