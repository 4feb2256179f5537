"""``supply_shock`` / ``arms_flow`` / ``capacity``: a period scaling one state multiplier.

Sources: Castillo, Mejía & Restrepo on cocaine shortages and violence
(``supply_shock`` scales cocaine entering, ``State.supply_mult``); Dube, Dube &
García-Ponce (2013, *APSR*) on US guns and Mexican violence (``arms_flow``
scales the lethality of fighting, ``State.lethality_mult``); enforcement budget
changes such as the Mérida Initiative of 2008 (``capacity`` scales the national
enforcement capacity, ``State.capacity_mult``).

The multiplier is the product of the factors of the periods in force, so
overlapping periods compose (a ``supply_shock`` of 0.7 inside one of 0.5 gives
0.35, then 0.5 again) and each end undoes exactly its own start, even a zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from plazasim.events.base import Dated, EventSpec, Period, Resolution, register_event
from plazasim.model.context import Context
from plazasim.model.state import State

__all__ = ["MULTIPLIERS", "ArmsFlow", "Capacity", "MultiplierEvent", "SupplyShock"]

#: The state multipliers a period event may scale.
MULTIPLIERS = ("supply_mult", "lethality_mult", "capacity_mult")


@dataclass(frozen=True)
class MultiplierEvent:
    """Start (``active``) or end the period ``period_id`` scaling one state multiplier."""

    attribute: str
    period_id: int
    factor: float
    active: bool
    label: str = "supply_shock"

    def apply(self, state: State, ctx: Context) -> bool:
        """Add or remove this period's factor and recompute the multiplier."""
        if self.attribute not in MULTIPLIERS:
            raise ValueError(f"unknown multiplier {self.attribute!r}")
        factors = state.period_factors.setdefault(self.attribute, {})
        if self.active:
            factors[self.period_id] = self.factor
        elif factors.pop(self.period_id, None) is None:
            return False
        setattr(state, self.attribute, float(np.prod(list(factors.values()))))
        return True


class _Multiplier(EventSpec, Period):
    """A period multiplying the state multiplier ``attribute`` by ``factor``."""

    attribute: ClassVar[str]

    factor: float

    def effects(self, at: Resolution) -> list[Dated]:
        """The period's start and, if it ends in the run, its end."""
        out: list[Dated] = [
            (
                at.week,
                MultiplierEvent(self.attribute, at.index, self.factor, active=True, label=self.tag),
            )
        ]
        end_week = at.end_week(self.end)
        if end_week is not None:
            out.append(
                (
                    end_week,
                    MultiplierEvent(
                        self.attribute, at.index, self.factor, active=False, label=self.tag
                    ),
                )
            )
        return out


@register_event
class SupplyShock(_Multiplier):
    """Cocaine entering Mexico is multiplied by ``factor`` from ``date`` until ``end``."""

    attribute: ClassVar[str] = "supply_mult"

    kind: Literal["supply_shock"]
    factor: float = Field(gt=0.0, le=100.0)


@register_event
class ArmsFlow(_Multiplier):
    """Lethality of cartel fighting is multiplied by ``factor`` from ``date`` until ``end``."""

    attribute: ClassVar[str] = "lethality_mult"

    kind: Literal["arms_flow"]
    factor: float = Field(gt=0.0, le=100.0)


@register_event
class Capacity(_Multiplier):
    """National enforcement capacity is multiplied by ``factor`` from ``date`` until ``end``."""

    state_action: ClassVar[bool] = True
    attribute: ClassVar[str] = "capacity_mult"

    kind: Literal["capacity"]
    factor: float = Field(ge=0.0, le=100.0)
