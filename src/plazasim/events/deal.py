"""``immunity_deal``: a cartel is protected from enforcement and informs on its rivals.

Source: the seed (Zambada Niebla's claim of a deal with US agencies). While a deal
lasts the cartel is ``protected`` (no operation touches it) and supplies
``intelligence`` (a share in [0, 1]) on every cartel it is not allied with; the
enforcement phase turns it into stronger, less leaky operations against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from plazasim.events.base import CartelEvent, Dated, Period, Resolution, register_event, slot_of
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State

__all__ = ["ImmunityDeal", "ImmunityDealEvent"]


@dataclass(frozen=True)
class ImmunityDealEvent:
    """Start (``active``) or end the immunity-for-intelligence deal ``deal_id`` with ``cartel``.

    Deals are kept by id, so overlapping deals with the same cartel compose: it
    stays protected until the last one ends, and its intelligence is the best of
    those in force.
    """

    deal_id: int
    cartel: str
    intelligence: float
    active: bool
    label: str = "immunity_deal"

    def apply(self, state: State, ctx: Context) -> bool:
        """Add or remove the deal, then recompute who is protected."""
        if self.active:
            if slot_of(state, self.cartel) == NO_CARTEL:
                return False
            state.deals[self.deal_id] = (self.cartel, self.intelligence)
        elif state.deals.pop(self.deal_id, None) is None:
            return False
        state.protected[:] = False
        state.intelligence[:] = 0.0
        for name, gain in state.deals.values():
            k = slot_of(state, name)
            if k != NO_CARTEL:
                state.protected[k] = True
                state.intelligence[k] = max(state.intelligence[k], gain)
        return True


@register_event
class ImmunityDeal(CartelEvent, Period):
    """``cartel`` is protected from enforcement and informs on its rivals (seed).

    ``intelligence`` overrides ``parameters.deal_intelligence`` for this deal.
    """

    kind: Literal["immunity_deal"]
    intelligence: float | None = Field(None, ge=0.0, le=1.0)

    def effects(self, at: Resolution) -> list[Dated]:
        """The deal's start and, if it has an end in the run, its end."""
        gain = at.params.deal_intelligence if self.intelligence is None else self.intelligence
        out: list[Dated] = [(at.week, ImmunityDealEvent(at.index, self.cartel, gain, active=True))]
        end_week = at.end_week(self.end)
        if end_week is not None:
            out.append((end_week, ImmunityDealEvent(at.index, self.cartel, gain, active=False)))
        return out
