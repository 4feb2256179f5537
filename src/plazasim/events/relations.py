"""``alliance`` / ``rivalry``: two cartels become allies, neutral, or open rivals.

Source: ``dto_events.csv`` (dated alliances and wars of 2006-2012). The relation is
symmetric; both cartels re-plan their routes, since tolls change. A rivalry opens
a war (``State.war``): the two fight wherever they meet, truce or not; any other
relation ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plazasim.errors import ScenarioError
from plazasim.events.base import CartelEvent, Dated, Resolution, WorldNames, register_event, slot_of
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL

__all__ = ["Alliance", "PairEvent", "RelationEvent", "Rivalry"]


@dataclass(frozen=True)
class RelationEvent:
    """``cartel`` and ``other`` become allied, neutral or rivals."""

    cartel: str
    other: str
    relation: int
    label: str = "alliance"

    def apply(self, state: State, ctx: Context) -> bool:
        """Set the (symmetric) relation and the war flag; both re-plan their routes."""
        a, b = slot_of(state, self.cartel), slot_of(state, self.other)
        if NO_CARTEL in (a, b):
            return False
        state.relation[a, b] = state.relation[b, a] = self.relation
        state.war[a, b] = state.war[b, a] = self.relation == RIVAL
        state.routes_dirty.update((a, b))
        return True


class PairEvent(CartelEvent):
    """An event about two different named cartels, ``cartel`` and ``other``."""

    other: str

    def check(self, names: WorldNames) -> None:
        """Both cartels must be known, and differ."""
        super().check(names)
        names.cartel("other", self.other)
        if self.other.casefold() == self.cartel.casefold():
            raise ScenarioError.at("other", "must differ from cartel")


@register_event
class Alliance(PairEvent):
    """``cartel`` and ``other`` become allies (or, with ``broken = true``, stop being)."""

    kind: Literal["alliance"]
    broken: bool = False

    def effects(self, at: Resolution) -> list[Dated]:
        """Allied (or neutral when broken) from the event's week."""
        relation = NEUTRAL if self.broken else ALLIED
        return [(at.week, RelationEvent(self.cartel, self.other, relation, label=self.tag))]


@register_event
class Rivalry(PairEvent):
    """``cartel`` and ``other`` become open rivals (a war starts)."""

    kind: Literal["rivalry"]

    def effects(self, at: Resolution) -> list[Dated]:
        """Rivals at war from the event's week."""
        return [(at.week, RelationEvent(self.cartel, self.other, RIVAL, label=self.tag))]
