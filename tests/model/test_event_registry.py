"""Every event kind is one registered class: schema, world check and effect together."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import pytest

from plazasim.errors import ScenarioError
from plazasim.events import (
    EventSpec,
    Resolution,
    WorldNames,
    event_kinds,
    register_event,
    resolve_events,
)
from plazasim.events.base import CartelEvent
from plazasim.model.params import Parameters
from plazasim.scenario import STATE_ACTION_EVENTS, _event_kinds, check_against_world, parse_scenario
from plazasim.world.synthetic import synthetic_world

WORLD = synthetic_world(60, seed=3, n_cartels=4)
START = dt.date(2007, 1, 1)

#: One valid entry of every built-in kind on the synthetic world.
ENTRIES = {
    "us_signal": 'cartel = "Cartel A"\nplaza = "S03"',
    "immunity_deal": 'cartel = "Cartel B"\nend = 2007-06-01',
    "kingpin_capture": 'cartel = "Cartel C"',
    "kingpin_killed": 'cartel = "Cartel C"\nplaza = "S10"',
    "military_operation": 'plazas = ["S01", "S02"]',
    "split": 'cartel = "Cartel D"\nnew = "Los Nuevos"',
    "defection": 'cartel = "Cartel B"\nother = "Cartel A"\nshare = 0.3\nstates = ["15"]',
    "alliance": 'cartel = "Cartel A"\nother = "Cartel B"',
    "rivalry": 'cartel = "Cartel A"\nother = "Cartel C"',
    "absorb": 'cartel = "Cartel A"\nother = "Los Nuevos"',
    "incursion": 'cartel = "Cartel B"\nplazas = ["S20"]',
    "supply_shock": "factor = 0.5\nend = 2007-05-01",
    "arms_flow": "factor = 1.5",
    "capacity": "factor = 2.0",
}


def _scenario_text(entries: dict[str, str]) -> str:
    events = "".join(
        f'\n[[events]]\nkind = "{kind}"\ndate = 2007-02-{5 + i:02d}\n{body}\n'
        for i, (kind, body) in enumerate(entries.items())
    )
    return (
        '[scenario]\nname = "t"\nstart = 2007-01-01\nend = 2007-12-31\n'
        '[world]\nkind = "synthetic"\nplazas = 60\ncartels = 4\nseed = 3\n' + events
    )


def test_the_union_is_the_registry() -> None:
    assert sorted(event_kinds()) == _event_kinds() == sorted(ENTRIES)
    assert all(cls.tag == tag for tag, cls in event_kinds().items())
    assert {
        "military_operation",
        "kingpin_capture",
        "kingpin_killed",
        "capacity",
    } == STATE_ACTION_EVENTS


def test_every_kind_loads_checks_and_resolves_to_labelled_model_events() -> None:
    sc = parse_scenario(_scenario_text(ENTRIES))
    assert [type(e).tag for e in sc.events] == list(ENTRIES)
    check_against_world(sc, WORLD)
    resolved = resolve_events(sc.events, WORLD, start=START, params=sc.parameters)
    weeks = [week for week, _ in resolved]
    assert weeks == sorted(weeks)
    labels = {event.label for _, event in resolved}
    assert labels == set(ENTRIES)
    # periods with an end and operations (a default duration) also resolve to their end
    assert len(resolved) == len(ENTRIES) + 3


@pytest.mark.parametrize(
    ("kind", "body", "where"),
    [
        ("us_signal", 'cartel = "Nobody"\nplaza = "S03"', "events[0].cartel: unknown cartel"),
        ("us_signal", 'cartel = "Cartel A"\nplaza = "X99"', "events[0].plaza: unknown plaza"),
        ("military_operation", 'states = ["99"]', "events[0].states: no plaza"),
        (
            "split",
            'cartel = "Cartel A"\nnew = "cartel b"',
            "events[0].new: cartel 'cartel b' already",
        ),
        ("rivalry", 'cartel = "Cartel A"\nother = "cartel a"', "events[0].other: must differ"),
    ],
)
def test_each_kind_checks_its_own_names(kind: str, body: str, where: str) -> None:
    sc = parse_scenario(_scenario_text({kind: body}))
    with pytest.raises(ScenarioError, match=f"^{re.escape(where)}"):
        check_against_world(sc, WORLD)


def test_a_tag_cannot_be_registered_twice() -> None:
    class Again(CartelEvent):
        kind: Literal["us_signal"]

    with pytest.raises(ValueError, match="'us_signal' is registered twice"):
        register_event(Again)


def test_resolution_helpers() -> None:
    at = Resolution(index=4, week=3, start=START, world=WORLD, params=Parameters())
    assert at.end_week(None) is None
    assert at.end_week(START + dt.timedelta(days=7 * 3 + 2)) == 4  # at least a week
    assert at.end_week(START + dt.timedelta(days=7 * 10)) == 10
    codes = sorted(set(WORLD.state.tolist()))[:1]
    region = at.region(codes, ["S00"])
    assert 0 in region.tolist() and (WORLD.state[region] == codes[0]).sum() >= 1


def test_world_names_know_splits_made_earlier() -> None:
    names = WorldNames.of(WORLD)
    with pytest.raises(ScenarioError, match=r"^cartel: unknown cartel 'Los Nuevos'"):
        names.cartel("cartel", "Los Nuevos")
    names.known["los nuevos"] = "Los Nuevos"
    names.cartel("cartel", "los NUEVOS")
    assert issubclass(event_kinds()["split"], EventSpec)
