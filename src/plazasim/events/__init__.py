"""Scenario events: one module per kind, each holding its schema, world check and effect.

Importing this package registers the built-in kinds (:func:`event_kinds`), from
which :mod:`plazasim.scenario` builds the discriminated union of a scenario's
``[[events]]``. :func:`resolve_events` turns a scenario's events into the dated
model events the engine applies (docs/SCENARIOS.md, "Events").

Kinds and sources (each module's docstring has the detail):

* ``us_signal`` (:mod:`.signal`): the seed, Stratfor email of April 2010;
* ``immunity_deal`` (:mod:`.deal`): the seed, Zambada Niebla's claim;
* ``kingpin_capture`` / ``kingpin_killed`` (:mod:`.leaders`): Calderón et al. 2015;
  Lindo & Padilla-Romo 2018;
* ``military_operation`` (:mod:`.military`): Dell 2015; military_operations_valle.csv;
* ``split`` (:mod:`.split`), ``defection`` (:mod:`.defection`), ``alliance`` /
  ``rivalry`` (:mod:`.relations`), ``absorb`` (:mod:`.absorb`), ``incursion``
  (:mod:`.incursion`): dto_events.csv;
* ``supply_shock`` / ``arms_flow`` / ``capacity`` (:mod:`.periods`): Castillo, Mejía
  & Restrepo; Dube, Dube & García-Ponce 2013; enforcement budgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from plazasim.events.absorb import Absorb, AbsorbEvent
from plazasim.events.base import (
    CartelEvent,
    Dated,
    EventSpec,
    Period,
    Resolution,
    WorldNames,
    event_kinds,
    register_event,
    slot_of,
)
from plazasim.events.deal import ImmunityDeal, ImmunityDealEvent
from plazasim.events.defection import Defection, DefectionEvent
from plazasim.events.incursion import Incursion, IncursionEvent
from plazasim.events.leaders import KingpinCapture, KingpinKilled, LeaderRemovalEvent
from plazasim.events.military import MilitaryOperation, MilitaryOperationEvent
from plazasim.events.periods import (
    MULTIPLIERS,
    ArmsFlow,
    Capacity,
    MultiplierEvent,
    SupplyShock,
)
from plazasim.events.relations import Alliance, RelationEvent, Rivalry
from plazasim.events.signal import UsSignal, UsSignalEvent
from plazasim.events.split import Split, SplitEvent
from plazasim.model.engine import week_of
from plazasim.model.params import Parameters

if TYPE_CHECKING:
    import datetime as dt

    from plazasim.world.world import World

__all__ = [
    "MULTIPLIERS",
    "Absorb",
    "AbsorbEvent",
    "Alliance",
    "ArmsFlow",
    "Capacity",
    "CartelEvent",
    "Dated",
    "Defection",
    "DefectionEvent",
    "EventSpec",
    "ImmunityDeal",
    "ImmunityDealEvent",
    "Incursion",
    "IncursionEvent",
    "KingpinCapture",
    "KingpinKilled",
    "LeaderRemovalEvent",
    "MilitaryOperation",
    "MilitaryOperationEvent",
    "MultiplierEvent",
    "Period",
    "RelationEvent",
    "Resolution",
    "Rivalry",
    "Split",
    "SplitEvent",
    "SupplyShock",
    "UsSignal",
    "UsSignalEvent",
    "WorldNames",
    "event_kinds",
    "register_event",
    "resolve_events",
    "slot_of",
]


def resolve_events(
    events: Sequence[EventSpec], world: World, *, start: dt.date, params: Parameters
) -> list[Dated]:
    """Scenario events as (week, model event), in date order, plazas turned into indices.

    An event with an ``end`` becomes two model events, its start and its end (if
    the end falls inside the run). Defaults left open in the file
    (``intelligence``, ``ops_per_week``) are filled from ``params``. Same-week
    events keep their date order, then their order in the file.
    """
    out: list[Dated] = []
    for i in sorted(range(len(events)), key=lambda i: events[i].date):
        event = events[i]
        out += event.effects(Resolution(i, week_of(start, event.date), start, world, params))
    out.sort(key=lambda item: item[0])  # stable
    return out
