"""Summary statistics: weeks shared among months and years by days, blocks, the Mexico record."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plazasim.calibration.summaries import (
    MEMBERS_TARGET,
    SummarySpec,
    month_labels,
    month_weights,
    simulated_summaries,
    year_weights,
)
from plazasim.calibration.targets import mexico_spec, observed_summaries, targets_for
from plazasim.errors import PlazasimError
from plazasim.world.mexico import load_mexico
from plazasim.world.synthetic import synthetic_world


def test_month_labels_cross_the_year_and_refuse_bad_input() -> None:
    assert month_labels("2006-11", "2007-02") == ["2006-11", "2006-12", "2007-01", "2007-02"]
    with pytest.raises(PlazasimError, match="first: '2006-13' is not a month"):
        month_labels("2006-13", "2007-01")
    with pytest.raises(PlazasimError, match="2007-02 is after 2007-01"):
        month_labels("2007-02", "2007-01")


def test_a_week_is_shared_among_months_by_its_days() -> None:
    # 28 Dec 2006 - 3 Jan 2007: four days in December, three in January.
    w = month_weights([dt.date(2006, 12, 28)], ["2006-12", "2007-01"])
    np.testing.assert_allclose(w, [[4 / 7, 3 / 7]])
    # Days outside the months count nowhere.
    np.testing.assert_allclose(month_weights([dt.date(2006, 12, 28)], ["2007-01"]), [[3 / 7]])
    np.testing.assert_allclose(
        year_weights([dt.date(2006, 12, 28)], [2006, 2007]), [[4 / 7, 3 / 7]]
    )


@given(st.dates(dt.date(2000, 1, 1), dt.date(2020, 1, 1)), st.integers(1, 120))
def test_weeks_inside_the_months_are_counted_whole(first: dt.date, n: int) -> None:
    dates = [first + dt.timedelta(weeks=i) for i in range(n)]
    last = dates[-1] + dt.timedelta(days=6)
    months = month_labels(f"{first.year}-{first.month:02d}", f"{last.year}-{last.month:02d}")
    np.testing.assert_allclose(month_weights(dates, months).sum(axis=1), 1.0)
    years = list(range(first.year, last.year + 1))
    np.testing.assert_allclose(year_weights(dates, years).sum(axis=1), 1.0)


def _fake_run(world, dates, per_week_plaza: dict[str, float], members: list[float]):
    shape = (len(dates), world.n_plazas)
    by_type = {k: np.full(shape, v, dtype=np.float32) for k, v in per_week_plaza.items()}
    return SimpleNamespace(
        record_plazas=True, homicides_by_type=by_type, national={"members": np.asarray(members)}
    )


def test_blocks_add_up_by_kind_month_state_and_plaza() -> None:
    world = synthetic_world(50, seed=1, n_cartels=3)
    dates = [dt.date(2007, 1, 1) + dt.timedelta(weeks=i) for i in range(104)]  # 2007-2008
    run = _fake_run(
        world,
        dates,
        {"cartel": 1.0, "state": 0.5, "bystander": 0.25, "baseline": 2.0},
        members=list(range(104)),
    )
    states = tuple(sorted(set(world.state.tolist())))
    spec = SummarySpec(
        months=tuple(month_labels("2007-01", "2007-12")),
        years=(2007, 2008),
        states=states,
        plaza=str(world.plaza_id[3]),
        members_year=2007,
    )
    out = simulated_summaries(run, dates, world, spec)
    assert set(out) == set(spec.sizes())
    assert {k: v.size for k, v in out.items()} == spec.sizes()
    # January 2007 has 31 days: 31/7 weeks of 1.75 related per plaza and week.
    np.testing.assert_allclose(out["national_related"][0], 1.75 * world.n_plazas * 31 / 7)
    np.testing.assert_allclose(out["national_homicides"][0], 3.75 * world.n_plazas * 31 / 7)
    np.testing.assert_allclose(out["plaza_homicides"][1], 3.75 * 28 / 7)  # February
    # State-major, then year; 2008 is cut at 30 Dec (the last simulated day).
    per_state = np.bincount(np.searchsorted(states, world.state), minlength=len(states))
    state_2007 = out["state_related"].reshape(len(states), 2)[:, 0]
    np.testing.assert_allclose(state_2007, 1.75 * per_state * 365 / 7)
    assert out["members"].tolist() == [52.0]  # week 52 starts on 31 December 2007


def test_summaries_refuse_runs_without_plaza_records_and_unknown_places() -> None:
    world = synthetic_world(50, seed=1, n_cartels=3)
    dates = [dt.date(2007, 1, 1)]
    spec = SummarySpec(months=("2007-01",), years=(2007,), states=("99",))
    with pytest.raises(ValueError, match="record_plazas=True"):
        simulated_summaries(SimpleNamespace(record_plazas=False), dates, world, spec)
    run = _fake_run(
        world, dates, dict.fromkeys(("cartel", "state", "bystander", "baseline"), 0.0), [0.0]
    )
    with pytest.raises(PlazasimError, match="states: '99' is not a state"):
        simulated_summaries(run, dates, world, spec)


def test_the_mexico_record_is_the_published_one() -> None:
    spec = mexico_spec()
    assert spec.months[0] == "2006-12" and spec.months[-1] == "2010-12" and len(spec.months) == 49
    assert spec.years == (2007, 2008, 2009, 2010) and len(spec.states) == 32
    assert spec.end == dt.date(2010, 12, 31)
    obs = observed_summaries(spec)
    assert obs["national_related"].sum() == 34_612  # Presidencia, Dec 2006 - Dec 2010
    assert obs["national_related"][0] == 62  # December 2006
    inegi_years = obs["national_homicides"][1:].reshape(4, 12).sum(axis=1)
    assert inegi_years.tolist() == [8_837, 14_229, 19_800, 26_046]
    juarez_years = obs["plaza_homicides"][1:].reshape(4, 12).sum(axis=1)
    assert juarez_years.tolist() == [200, 1_620, 2_399, 3_747]
    chihuahua = spec.states.index("08")
    assert obs["state_related"].reshape(32, 4)[chihuahua, 1:].sum() == 9_890  # 2008-2010
    assert obs["members"].tolist() == [MEMBERS_TARGET]
    assert 100_000 < MEMBERS_TARGET < 110_000
    spec2, obs2 = targets_for(load_mexico())
    assert spec2 == spec and all(np.array_equal(obs[k], obs2[k]) for k in obs)


def test_only_the_mexico_world_has_a_record() -> None:
    with pytest.raises(PlazasimError, match="has no observed record"):
        targets_for(synthetic_world(50, seed=1, n_cartels=3))
