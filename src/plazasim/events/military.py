"""``military_operation``: an enforcement surge in a region for a while.

Sources: Dell (2015), "Trafficking Networks and the Mexican Drug War", *AER*
105(6); Espinosa & Rubin (2015); ``military_operations_valle.csv``. Each surge adds
its own operations a week in its region, on top of the national capacity, aimed
by the policy in force, or by a rule of its own (``aim``), e.g. a crackdown on one
plaza whatever the national policy (Dell's local crackdowns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from plazasim.errors import ScenarioError
from plazasim.events.base import Dated, EventSpec, Period, Resolution, WorldNames, register_event
from plazasim.model.context import Context
from plazasim.model.operations import EnforcementPolicy
from plazasim.model.state import State
from plazasim.policies import make_policy

__all__ = ["STATE_CODE", "MilitaryOperation", "MilitaryOperationEvent"]

#: A 2-digit INEGI state code.
STATE_CODE = r"^\d{2}$"


@dataclass(frozen=True)
class MilitaryOperationEvent:
    """Start (``active``) or end the surge ``op_id`` of ``ops_per_week`` in ``plazas``.

    The surge's operations are aimed by the policy in force, or by ``aim`` (a policy
    instance) when the operation follows a rule of its own.
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


@register_event
class MilitaryOperation(EventSpec, Period):
    """Enforcement surges in the named ``states`` (2-digit INEGI codes) and/or ``plazas``.

    ``ops_per_week`` overrides ``parameters.operation_ops_per_week``; ``name`` is
    the operation's name (e.g. "Operativo Conjunto Michoacan"); ``aim`` names a
    policy (default parameters) that aims this operation instead of the policy in
    force. Without an ``end`` the surge lasts ``parameters.operation_default_weeks``
    (the sources date operations' starts, rarely their ends).
    """

    state_action: ClassVar[bool] = True

    kind: Literal["military_operation"]
    name: str = ""
    aim: str | None = None
    states: list[Annotated[str, Field(pattern=STATE_CODE)]] = Field(default_factory=list)
    plazas: list[str] = Field(default_factory=list)
    ops_per_week: float | None = Field(None, gt=0.0, le=10_000.0)

    @model_validator(mode="after")
    def _somewhere(self) -> MilitaryOperation:
        if not self.states and not self.plazas:
            raise ScenarioError.at("states", "give at least one state code or plaza")
        return self

    def check(self, names: WorldNames) -> None:
        """The plazas and states must exist."""
        names.plazas("plazas", self.plazas)
        names.states("states", self.states)

    def effects(self, at: Resolution) -> list[Dated]:
        """The surge's start and its end (given, or after the default duration)."""
        region = at.region(self.states, self.plazas)
        ops = at.params.operation_ops_per_week if self.ops_per_week is None else self.ops_per_week
        end_week = at.end_week(self.end)
        if end_week is None:
            end_week = at.week + max(round(at.params.operation_default_weeks), 1)
        aim = make_policy(self.aim) if self.aim is not None else None
        return [
            (at.week, MilitaryOperationEvent(at.index, region, ops, active=True, aim=aim)),
            (end_week, MilitaryOperationEvent(at.index, region, ops, active=False)),
        ]
