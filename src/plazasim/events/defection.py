"""``defection``: part of a cartel's members in named states go over to another cartel.

Source: ``dto_events.csv``, the splits between two organisations that are both on the
2006 map (docs/DATA.md, rule T3): the Beltrán Leyva brothers broke with the Sinaloa
federation in January 2008 and fought it in Culiacán, where both had lived as one
organisation; the Zetas, the Gulf cartel's armed wing inside its plazas, broke with it
in February 2010 across Tamaulipas, Nuevo León and Veracruz. A ``rivalry`` alone
would leave the two apart on the map, each in its own plazas, where they rarely meet;
the members who defect stay where they live, so the two now share, and fight over,
those plazas (:func:`plazasim.model.splits.defect`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from plazasim.errors import ScenarioError
from plazasim.events.base import Dated, Resolution, WorldNames, register_event, slot_of
from plazasim.events.military import STATE_CODE
from plazasim.events.relations import PairEvent
from plazasim.model.context import Context
from plazasim.model.splits import defect
from plazasim.model.state import NO_CARTEL, State

__all__ = ["Defection", "DefectionEvent"]


@dataclass(frozen=True)
class DefectionEvent:
    """``share`` of ``cartel``'s members in ``plazas`` go over to ``other``; the two go to war."""

    cartel: str
    other: str
    share: float
    plazas: np.ndarray
    label: str = "defection"

    def apply(self, state: State, ctx: Context) -> bool:
        """Move the defectors; False when either cartel is gone or none are there."""
        a, b = slot_of(state, self.cartel), slot_of(state, self.other)
        if NO_CARTEL in (a, b):
            return False
        return defect(state, ctx, a, b, self.share, self.plazas) > 0


@register_event
class Defection(PairEvent):
    """``share`` of ``cartel``'s members in ``states`` defect to ``other`` (an existing cartel).

    The two become rivals at war from the event's week, as with ``rivalry``.
    """

    kind: Literal["defection"]
    share: float = Field(gt=0.0, lt=1.0)
    states: list[Annotated[str, Field(pattern=STATE_CODE)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _somewhere(self) -> Defection:
        if not self.states:
            raise ScenarioError.at("states", "give at least one state code")
        return self

    def check(self, names: WorldNames) -> None:
        """Both cartels and the states must exist."""
        super().check(names)
        names.states("states", self.states)
        if len(set(self.states)) != len(self.states):
            raise ScenarioError.at("states", f"{self.states} names a state twice")

    def effects(self, at: Resolution) -> list[Dated]:
        """One defection, in the event's week."""
        plazas = at.region(self.states)
        return [(at.week, DefectionEvent(self.cartel, self.other, self.share, plazas, self.tag))]
