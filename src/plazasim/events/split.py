"""``split``: a cartel splits and a breakaway organisation takes part of it.

Source: ``dto_events.csv`` (the dated splits of 2006-2012). With ``states`` the
breakaway takes ``share`` of the parent's members in every plaza of those states
(the two then share, and contest, those plazas); without, it takes a contiguous
part of the territory
(:func:`plazasim.model.splits.split_cartel`). The two are rivals; the breakaway
inherits its parent's rivals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from plazasim.errors import ScenarioError
from plazasim.events.base import (
    CartelEvent,
    Dated,
    Resolution,
    WorldNames,
    register_event,
    slot_of,
)
from plazasim.events.military import STATE_CODE
from plazasim.model.context import Context
from plazasim.model.splits import split_cartel
from plazasim.model.state import NO_CARTEL, State

__all__ = ["Split", "SplitEvent"]


@dataclass(frozen=True)
class SplitEvent:
    """``cartel`` splits and the breakaway ``new`` takes ``share`` of it (in ``plazas``)."""

    cartel: str
    new: str
    share: float
    plazas: np.ndarray | None
    label: str = "split"

    def apply(self, state: State, ctx: Context) -> bool:
        """Create the breakaway's slot and move its members, cash and stock."""
        parent = slot_of(state, self.cartel)
        if parent == NO_CARTEL:
            return False
        try:
            split_cartel(
                state, ctx, parent, None, name=self.new, share=self.share, plazas=self.plazas
            )
        except RuntimeError:
            return False  # no free slot (Parameters.max_cartels reached)
        except ValueError:
            return False  # nobody to split off (there, or at all)
        return True


@register_event
class Split(CartelEvent):
    """``cartel`` splits: a new rival organisation ``new`` takes ``share`` of it.

    With ``states`` (2-digit codes) the breakaway takes ``share`` of the parent's
    members in every plaza of those states (the two then share, and contest, those
    plazas); without, it takes the part of the territory on one side of a line,
    as the model's own splits do.
    """

    kind: Literal["split"]
    new: str = Field(min_length=1)
    share: float = Field(0.5, gt=0.0, lt=1.0)
    states: list[Annotated[str, Field(pattern=STATE_CODE)]] = Field(default_factory=list)

    def check(self, names: WorldNames) -> None:
        """The parent and states must exist; the breakaway's name must be new, then is known."""
        super().check(names)
        names.states("states", self.states)
        if self.new.casefold() in names.known:
            raise ScenarioError.at("new", f"cartel {self.new!r} already exists at {self.date}")
        names.known[self.new.casefold()] = self.new

    def effects(self, at: Resolution) -> list[Dated]:
        """One split, in the event's week."""
        region = at.region(self.states) if self.states else None
        return [(at.week, SplitEvent(self.cartel, self.new, self.share, region))]
