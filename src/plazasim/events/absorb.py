"""``absorb``: one cartel absorbs another (members, cash, stock and held plazas).

Source: ``dto_events.csv``. The absorbed cartel's slot is switched off; the absorber re-plans its
routes, since it now holds the other's plazas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from plazasim.events.base import Dated, Resolution, register_event, slot_of
from plazasim.events.relations import PairEvent
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import ALLIED, NEUTRAL

__all__ = ["Absorb", "AbsorbEvent"]


@dataclass(frozen=True)
class AbsorbEvent:
    """``cartel`` absorbs ``other``: members, cash, stock and held plazas pass to it."""

    cartel: str
    other: str
    label: str = "absorb"

    def apply(self, state: State, ctx: Context) -> bool:
        """Merge ``other`` into ``cartel`` and switch ``other``'s slot off."""
        a, b = slot_of(state, self.cartel), slot_of(state, self.other)
        if NO_CARTEL in (a, b):
            return False
        state.strength[a] += state.strength[b]
        state.strength[b] = 0.0
        state.fighters[a] += state.fighters[b]
        state.fighters[b] = 0.0
        for arr in (state.cash, state.stock):
            arr[a] += arr[b]
            arr[b] = 0.0
        state.control[state.control == b] = a
        state.signal[state.signal == b] = a
        present = state.strength[a] >= ctx.params.presence_threshold
        state.arrival_week[a] = np.where(
            present & (state.arrival_week[a] < 0), state.week, state.arrival_week[a]
        )
        state.arrival_week[b] = -1
        state.first_violence_week[b] = -1
        state.alive[b] = False
        state.protected[b] = False
        state.intelligence[b] = 0.0
        state.relation[b, :] = NEUTRAL
        state.relation[:, b] = NEUTRAL
        state.relation[b, b] = ALLIED
        state.war[b, :] = False
        state.war[:, b] = False
        state.routes_dirty.add(a)  # it now holds b's plazas; b's paths are dropped
        return True


@register_event
class Absorb(PairEvent):
    """``cartel`` absorbs ``other``: members, cash, stock and plazas pass to it."""

    kind: Literal["absorb"]

    def effects(self, at: Resolution) -> list[Dated]:
        """One merger, in the event's week."""
        return [(at.week, AbsorbEvent(self.cartel, self.other))]
