"""``incursion``: a cartel carries a war into plazas where the sources say it did.

Source: ``dto_events.csv`` (e.g. Sinaloa into Ciudad Juárez, 2008). The event only
gives the order: the plazas become standing objectives of the cartel
(``State.orders``), which phase 5b treats as fronts, so how many it sends, how long
the war lasts and how many die come from the model. The order lapses when the
cartel controls the plaza or gives the front up. Whoever holds the plazas, unless
an ally, becomes a rival in an open war with the cartel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field

from plazasim.events.base import CartelEvent, Dated, Resolution, WorldNames, register_event, slot_of
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import ALLIED, RIVAL

__all__ = ["Incursion", "IncursionEvent"]


@dataclass(frozen=True)
class IncursionEvent:
    """``cartel`` opens a front in plaza indices ``plazas``."""

    cartel: str
    plazas: np.ndarray
    label: str = "incursion"

    def apply(self, state: State, ctx: Context) -> bool:
        """Give the standing order."""
        k = slot_of(state, self.cartel)
        if k == NO_CARTEL:
            return False
        state.orders[k, self.plazas] = True
        # The incursion is a war on whoever holds the plazas, unless they are allies.
        held = state.control[self.plazas]
        for j in np.unique(held[(held != NO_CARTEL) & (held != k)]):
            if state.relation[k, j] != ALLIED:
                state.relation[k, j] = state.relation[j, k] = RIVAL
                state.war[k, j] = state.war[j, k] = True
                state.routes_dirty.update((k, int(j)))
        return True


@register_event
class Incursion(CartelEvent):
    """``cartel`` carries a war into ``plazas`` (INEGI codes) where the sources say it did.

    The event gives the order only; the forces sent, the duration of the war and
    its deaths come from the model (phase 5b).
    """

    kind: Literal["incursion"]
    plazas: list[str] = Field(min_length=1)

    def check(self, names: WorldNames) -> None:
        """The cartel and the plazas must exist."""
        super().check(names)
        names.plazas("plazas", self.plazas)

    def effects(self, at: Resolution) -> list[Dated]:
        """One order, in the event's week."""
        plazas = np.array(sorted(at.world.plaza_index(code) for code in self.plazas))
        return [(at.week, IncursionEvent(self.cartel, plazas))]
