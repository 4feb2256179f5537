"""Dated scenario events, resolved to slots and plaza indices, applied by the engine.

Each event class has one method, ``apply(state, ctx)``, called at the start of
the week that contains the event's date.
"""

from __future__ import annotations

from dataclasses import dataclass

from plazasim.model.context import Context
from plazasim.model.learning import receive_signal
from plazasim.model.state import State


@dataclass(frozen=True)
class UsSignalEvent:
    """The US publicly declares ``cartel`` dominant in ``plaza`` (seed: Juárez, April 2010).

    From this week on the plaza's ``signal`` names the cartel: its challengers'
    belief that violence is punished jumps (``learning.receive_signal``), the state
    reports it as the plaza's controller, and enforcement backs it against
    non-allied challengers there (``enforcement.back_signals``).
    """

    cartel: int
    plaza: int

    def apply(self, state: State, ctx: Context) -> None:
        """Declare the winner and update beliefs."""
        if state.alive[self.cartel]:
            receive_signal(state, ctx, self.cartel, self.plaza)
