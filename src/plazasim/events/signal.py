"""``us_signal``: the US publicly declares a cartel dominant in a plaza.

Source: the seed (Stratfor email of 15 April 2010, Ciudad Juárez), which reads the
declaration as an ultimatum to the challengers in that city. From the event's week
on, the plaza's ``signal`` names the cartel: its non-allied challengers there weigh
``punishment_weight x signal_credibility`` against attacking and against violence
(phase 5), the state reports it as the plaza's controller, and enforcement backs it
against them there (``enforcement.back_signals``). The declaration concerns one
plaza, so it acts in that plaza only; beliefs, which are per cartel, are left to
experience, since shifting them would carry it to every plaza a challenger holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plazasim.events.base import CartelEvent, Dated, Resolution, WorldNames, register_event, slot_of
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State

__all__ = ["UsSignal", "UsSignalEvent"]


@dataclass(frozen=True)
class UsSignalEvent:
    """The model event: declare ``cartel`` the winner of plaza index ``plaza``."""

    cartel: str
    plaza: int
    label: str = "us_signal"

    def apply(self, state: State, ctx: Context) -> bool:
        """Declare the winner in the plaza."""
        k = slot_of(state, self.cartel)
        if k == NO_CARTEL:
            return False
        state.signal[self.plaza] = k
        return True


@register_event
class UsSignal(CartelEvent):
    """The US publicly declares ``cartel`` dominant in ``plaza`` (an INEGI code)."""

    kind: Literal["us_signal"]
    plaza: str

    def check(self, names: WorldNames) -> None:
        """The cartel and the plaza must exist."""
        super().check(names)
        names.plazas("plaza", [self.plaza])

    def effects(self, at: Resolution) -> list[Dated]:
        """One declaration, in the event's week."""
        return [(at.week, UsSignalEvent(self.cartel, at.world.plaza_index(self.plaza)))]
