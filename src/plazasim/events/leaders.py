"""``kingpin_capture`` / ``kingpin_killed``: a historical leader removal.

Sources: Calderón, Robles, Díaz-Cayeros & Magaloni (2015); Lindo & Padilla-Romo
(2018). The removal is queued on the state and carried out by the enforcement
phase of the same week as a certain kingpin operation, whatever the policy or a
deal (these are historical facts, not policy choices): it cuts cohesion, and
splits, succession fights and rivals' attacks may follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from plazasim.events.base import CartelEvent, Dated, Resolution, WorldNames, register_event, slot_of
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State

__all__ = ["KingpinCapture", "KingpinKilled", "LeaderRemovalEvent"]


@dataclass(frozen=True)
class LeaderRemovalEvent:
    """A leader of ``cartel`` is captured or killed in ``plaza`` (``-1``: its stronghold).

    Accounted like a successful kingpin operation (one member removed; if
    ``killed``, one state-cartel homicide), protected or not.
    """

    cartel: str
    plaza: int
    killed: bool
    label: str = "kingpin_capture"

    def apply(self, state: State, ctx: Context) -> bool:
        """Queue the removal for this week's enforcement phase."""
        k = slot_of(state, self.cartel)
        if k == NO_CARTEL:
            return False
        state.pending_leaders.append((k, self.plaza, self.killed))
        return True


class _LeaderEvent(CartelEvent):
    """A named cartel loses a leader; ``plaza`` is where (INEGI code), if known."""

    state_action: ClassVar[bool] = True
    #: The leader is killed (one state-cartel homicide), not captured.
    killed: ClassVar[bool] = False

    plaza: str | None = None
    person: str = ""

    def check(self, names: WorldNames) -> None:
        """The cartel and, if given, the plaza must exist."""
        super().check(names)
        if self.plaza is not None:
            names.plazas("plaza", [self.plaza])

    def effects(self, at: Resolution) -> list[Dated]:
        """One removal, in the event's week."""
        plaza = at.world.plaza_index(self.plaza) if self.plaza is not None else -1
        return [(at.week, LeaderRemovalEvent(self.cartel, plaza, self.killed, label=self.tag))]


@register_event
class KingpinCapture(_LeaderEvent):
    """A leader of ``cartel`` is captured (arrested or extradited from Mexico's reach)."""

    kind: Literal["kingpin_capture"]


@register_event
class KingpinKilled(_LeaderEvent):
    """A leader of ``cartel`` is killed by state forces (one state-cartel homicide)."""

    kind: Literal["kingpin_killed"]
    killed: ClassVar[bool] = True
