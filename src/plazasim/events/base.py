"""What every scenario event kind is made of, and the registry of kinds.

An event kind is one class (a subclass of :class:`EventSpec`) that holds, side by
side, the three things the kind means:

* its scenario schema: the pydantic fields of its ``[[events]]`` entry, with a
  ``Literal`` ``kind`` tag (docs/SCENARIOS.md);
* its check against the built world, :meth:`EventSpec.check` (names of cartels,
  plazas and states, which only the world knows);
* its effect, :meth:`EventSpec.effects`: the dated model events (objects with an
  ``apply(state, ctx)`` method, :class:`plazasim.model.engine.Event`) the engine
  applies at the start of their week.

:func:`register_event` adds a kind to the registry; the scenario's discriminated
union of events (:data:`plazasim.scenario.Event`) is built from it, so a new kind
is one module in this package (docs/SCENARIOS.md, "Adding an event kind").
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from plazasim.errors import ScenarioError
from plazasim.model.engine import Event, week_of
from plazasim.model.params import Parameters
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import World

__all__ = [
    "CLOSED",
    "CartelEvent",
    "Dated",
    "EventSpec",
    "Period",
    "Resolution",
    "WorldNames",
    "event_kinds",
    "register_event",
    "slot_of",
]

#: The configuration of every event's schema: unknown keys, NaN and infinities are errors.
CLOSED = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

#: A model event and the week it is applied in.
Dated = tuple[int, Event]


def slot_of(state: State, name: str) -> int:
    """Slot of the living cartel called ``name`` (case-insensitive), or ``NO_CARTEL``.

    Model events name cartels rather than slots because a cartel created by a
    ``split`` only gets its slot when the split happens; an event naming a cartel
    the model has since dissolved or absorbed is skipped, and the run's log says so.
    """
    key = name.casefold()
    for k, known in enumerate(state.names):
        if known.casefold() == key and state.alive[k]:
            return k
    return NO_CARTEL


@dataclass
class WorldNames:
    """The names a scenario's events may use in a built world, as events are walked in date order.

    ``known`` grows as ``split`` events create cartels, so a later event may name
    the breakaway. Every check raises :class:`ScenarioError` for the field it checks
    (``cartel``, ``plazas``...); :func:`plazasim.scenario.check_against_world` puts
    the event's place in the file in front.
    """

    world: World
    known: dict[str, str] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, world: World) -> WorldNames:
        """The cartels and state codes of ``world``."""
        codes = set(np.unique(world.state).tolist()) if world.n_plazas else set()
        return cls(world, {name.casefold(): name for name in world.cartel_names}, codes)

    def cartel(self, fieldname: str, name: str) -> None:
        """``name`` is a cartel of the world or created by an earlier split."""
        if name.casefold() not in self.known:
            shown = ", ".join(self.known.values())
            raise ScenarioError.at(fieldname, f"unknown cartel {name!r} (known: {shown})")

    def plazas(self, fieldname: str, codes: Iterable[str]) -> None:
        """Every code is a plaza of the world."""
        for code in codes:
            try:
                self.world.plaza_index(code)
            except KeyError:
                raise ScenarioError.at(fieldname, f"unknown plaza {code!r}") from None

    def states(self, fieldname: str, codes: Iterable[str]) -> None:
        """Every 2-digit code is the state of at least one plaza of the world."""
        for code in codes:
            if code not in self.codes:
                raise ScenarioError.at(fieldname, f"no plaza of the world is in state {code!r}")


@dataclass(frozen=True)
class Resolution:
    """Where one scenario event lands in a run: what :meth:`EventSpec.effects` reads.

    Attributes:
        index: the event's position in the scenario's ``events`` (ids of periods,
            deals and operations, so an end undoes exactly its own start).
        week: the week the event's date falls in.
        start: the scenario's first day.
        world: the built world (plaza codes become indices).
        params: the scenario's parameters (defaults the file left open).

    """

    index: int
    week: int
    start: dt.date
    world: World
    params: Parameters

    def end_week(self, end: dt.date | None) -> int | None:
        """The week a period ending on ``end`` is undone: at least one week after its start."""
        return None if end is None else max(week_of(self.start, end), self.week + 1)

    def region(self, states: Iterable[str], plazas: Iterable[str] = ()) -> np.ndarray:
        """Plaza indices in the given 2-digit state codes plus the given plazas, sorted."""
        chosen = np.isin(self.world.state, list(states))
        for code in plazas:
            chosen[self.world.plaza_index(code)] = True
        return np.flatnonzero(chosen)


class EventSpec(BaseModel):
    """One ``[[events]]`` entry: its ``kind`` (the union tag), its ``date`` and a ``note``.

    ``note`` is free text (a source, a reason); it is kept in the run manifest so a
    result says which historical record each event came from. Subclasses add a
    ``kind: Literal["..."]`` field, their own fields, :meth:`check` and
    :meth:`effects`.
    """

    model_config = CLOSED

    #: State action (what the government's enforcement did): a policy given on the
    #: command line replaces all state action, so these events are dropped with the
    #: scenario's own timeline. Every other kind is a condition of the world and stays.
    state_action: ClassVar[bool] = False
    #: The ``kind`` tag, set by :func:`register_event`.
    tag: ClassVar[str]

    date: dt.date
    note: str = ""

    def check(self, names: WorldNames) -> None:
        """Check the names this event uses against the world (no names: nothing to check)."""

    @abstractmethod
    def effects(self, at: Resolution) -> list[Dated]:
        """The model events this entry becomes, with their weeks.

        Abstract: pydantic's model metaclass is an ``ABCMeta``, so a kind that
        forgets its effects cannot be built.
        """


class CartelEvent(EventSpec):
    """An event about one named cartel."""

    cartel: str

    def check(self, names: WorldNames) -> None:
        """``cartel`` must be known."""
        names.cartel("cartel", self.cartel)


class Period(BaseModel):
    """Mixin for events that last from ``date`` until an optional ``end``."""

    end: dt.date | None = None

    @model_validator(mode="after")
    def _end_after_date(self) -> Period:
        date = getattr(self, "date", None)  # the mixin comes before EventSpec's fields
        if self.end is not None and date is not None and self.end <= date:
            raise ScenarioError.at("end", f"{self.end} must be after date ({date})")
        return self


E = TypeVar("E", bound=EventSpec)
_KINDS: dict[str, type[EventSpec]] = {}


def register_event(cls: type[E]) -> type[E]:
    """Class decorator: make an event kind available to scenarios under its ``kind`` tag."""
    (tag,) = get_args(cls.model_fields["kind"].annotation)
    if tag in _KINDS and _KINDS[tag] is not cls:
        raise ValueError(f"event kind {tag!r} is registered twice")
    _KINDS[tag] = cls
    cls.tag = tag
    return cls


def event_kinds() -> dict[str, type[EventSpec]]:
    """Every registered event kind by tag, in registration order."""
    return dict(_KINDS)
