"""Dated scenario events, applied by the engine at the start of the week they fall in.

Each event has a ``label`` (for the run's event log) and one method,
``apply(state, ctx) -> bool``, which changes the state and says whether it took
effect. Cartels are named, not numbered, because a cartel created by a ``split``
event only gets its slot when the split happens; an event naming a cartel that
has since been dissolved by the model (or absorbed) is skipped, and the log says
so. Plazas and states are resolved to plaza indices when the scenario is read.

Mechanisms and sources:

* ``us_signal`` — the seed (Stratfor email of 15 April 2010): see
  :func:`plazasim.model.learning.receive_signal` and ``enforcement.back_signals``.
* ``immunity_deal`` — the seed (Zambada Niebla's claim): the cartel is protected
  (no operation touches it) and informs on its rivals; the enforcement phase turns
  ``state.intelligence`` into stronger, less leaky operations against them.
* ``kingpin_capture`` / ``kingpin_killed`` — Calderón et al. 2015; Lindo &
  Padilla-Romo 2018: the enforcement phase removes the leader, which cuts
  cohesion (splits, succession fights, rivals' attacks follow).
* ``military_operation`` — Dell 2015 AER; military_operations_valle.csv: extra
  operations in the named region each week, run by the crackdown rule.
* ``split`` / ``alliance`` / ``rivalry`` / ``absorb`` — dto_events.csv.
* ``supply_shock`` — Castillo, Mejía & Restrepo (supply shortages and violence).
* ``arms_flow`` — Dube, Dube & García-Ponce 2013 APSR (US guns and Mexican violence).
* ``capacity`` — enforcement budget changes (e.g. the Mérida Initiative, 2008).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.context import Context
from plazasim.model.learning import receive_signal
from plazasim.model.operations import EnforcementPolicy
from plazasim.model.splits import split_cartel
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL


def slot_of(state: State, name: str) -> int:
    """Slot of the living cartel called ``name`` (case-insensitive), or ``NO_CARTEL``."""
    key = name.casefold()
    for k, known in enumerate(state.names):
        if known.casefold() == key and state.alive[k]:
            return k
    return NO_CARTEL


@dataclass(frozen=True)
class UsSignalEvent:
    """The US publicly declares ``cartel`` dominant in ``plaza`` (seed: Juárez, April 2010).

    From this week on the plaza's ``signal`` names the cartel: its challengers'
    belief that violence is punished jumps (``learning.receive_signal``), the state
    reports it as the plaza's controller, and enforcement backs it against
    non-allied challengers there (``enforcement.back_signals``).
    """

    cartel: str
    plaza: int
    label: str = "us_signal"

    def apply(self, state: State, ctx: Context) -> bool:
        """Declare the winner and update beliefs."""
        k = slot_of(state, self.cartel)
        if k == NO_CARTEL:
            return False
        receive_signal(state, ctx, k, self.plaza)
        return True


@dataclass(frozen=True)
class ImmunityDealEvent:
    """Start (``active``) or end the immunity-for-intelligence deal ``deal_id`` with ``cartel``.

    While a deal lasts the cartel is ``protected`` (operations against it are
    dropped) and supplies ``intelligence`` (a share in [0, 1]) on every cartel it
    is not allied with. Deals are kept by id, so overlapping deals with the same
    cartel compose: it stays protected until the last one ends, and its
    intelligence is the best of those in force.
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


@dataclass(frozen=True)
class LeaderRemovalEvent:
    """A leader of ``cartel`` is captured or killed in ``plaza`` (``-1``: its stronghold).

    The removal is queued on the state and carried out by the enforcement phase of
    the same week, so it is accounted like a successful kingpin operation (one
    member removed; if ``killed``, one state-cartel homicide). It applies whether or
    not the cartel is protected: these are historical facts, not policy choices.
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


@dataclass(frozen=True)
class MilitaryOperationEvent:
    """Start (``active``) or end the surge ``op_id`` of ``ops_per_week`` in ``plazas``.

    The surge's operations are aimed by the policy in force, or by ``aim`` (a policy
    instance) when the operation follows a rule of its own, e.g. a crackdown on one
    plaza whatever the national policy (Dell 2015's local crackdowns).
    """

    op_id: int
    plazas: np.ndarray
    ops_per_week: float
    active: bool
    aim: EnforcementPolicy | None = None
    label: str = "military_operation"

    def apply(self, state: State, ctx: Context) -> bool:
        """Register or remove the surge."""
        if self.active:
            state.surges[self.op_id] = (self.plazas, self.ops_per_week)
            if self.aim is not None:
                state.surge_aims[self.op_id] = self.aim
            return True
        state.surge_aims.pop(self.op_id, None)
        return state.surges.pop(self.op_id, None) is not None


@dataclass(frozen=True)
class SplitEvent:
    """``cartel`` splits and the breakaway ``new`` takes ``share`` of it (dto_events.csv).

    With ``plazas`` the breakaway takes ``share`` of the parent's members in each of
    those plazas; with none it takes a contiguous part of the territory
    (``splits.split_cartel``). The two are rivals; the breakaway inherits its
    parent's rivals.
    """

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
            split_cartel(state, ctx, parent, None, name=self.new, share=self.share,
                         plazas=self.plazas)
        except RuntimeError:
            return False  # no free slot (Parameters.max_cartels reached)
        except ValueError:
            return False  # nobody to split off (there, or at all)
        return True


@dataclass(frozen=True)
class RelationEvent:
    """``cartel`` and ``other`` become allied, neutral or rivals (dto_events.csv)."""

    cartel: str
    other: str
    relation: int
    label: str = "alliance"

    def apply(self, state: State, ctx: Context) -> bool:
        """Set the (symmetric) relation; both re-plan their routes, since tolls change.

        A rivalry opens a war (``State.war``): the two fight wherever they meet,
        truce or not; any other relation ends it.
        """
        a, b = slot_of(state, self.cartel), slot_of(state, self.other)
        if NO_CARTEL in (a, b):
            return False
        state.relation[a, b] = state.relation[b, a] = self.relation
        state.war[a, b] = state.war[b, a] = self.relation == RIVAL
        state.routes_dirty.update((a, b))
        return True


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
        state.arrival_week[a] = np.where(present & (state.arrival_week[a] < 0), state.week,
                                         state.arrival_week[a])
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


@dataclass(frozen=True)
class IncursionEvent:
    """``cartel`` opens a front in ``plazas``: it will send forces there (dto_events.csv).

    The sources document where some wars were carried into another cartel's
    territory (Sinaloa into Ciudad Juárez, 2008). The event only gives the order:
    the plazas become standing objectives of the cartel (``State.orders``), which
    phase 5b treats as fronts, so how many it sends, how long the war lasts and how
    many die come from the model. The order lapses when
    the cartel controls the plaza or gives the front up. Whoever holds the plazas,
    unless an ally, becomes a rival in an open war with the cartel.
    """

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


#: The state multipliers a period event may scale.
MULTIPLIERS = ("supply_mult", "lethality_mult", "capacity_mult")


@dataclass(frozen=True)
class MultiplierEvent:
    """Start (``active``) or end the period ``period_id`` scaling one state multiplier.

    The multiplier is the product of the factors of the periods in force, so
    overlapping periods compose (a ``supply_shock`` of 0.7 inside one of 0.5 gives
    0.35, then 0.5 again) and each end undoes exactly its own start, even a zero.
    """

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


__all__ = [
    "MULTIPLIERS",
    "AbsorbEvent",
    "ImmunityDealEvent",
    "IncursionEvent",
    "LeaderRemovalEvent",
    "MilitaryOperationEvent",
    "MultiplierEvent",
    "RelationEvent",
    "SplitEvent",
    "UsSignalEvent",
    "slot_of",
]
