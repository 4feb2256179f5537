"""Phase 4: recruitment and attrition of armed members.

Form (Prieto-Curiel, Campedelli & Hope 2023, Science): per cartel,
``dC/dt = C (rho - eta / sum C - theta sum_j K_ij C_j - omega C)``. The conflict
term lives in phase 6 (fights where rivals meet) and the state's operations in
phase 7; this phase applies the rest at the level of the cartel, then places the
members in its plazas:

* recruitment ``rho x C``: recruits join where the cartel already is, in
  proportion to its members there, slowed as a plaza's members approach
  ``youth_pool_share`` of its residents aged 15-29 (CONAPO), and bounded by the
  cash to pay ``recruit_cost_usd`` each. Wars add their own hiring at the fronts
  (phase 5b, ``model.war``);
* routine incapacitation: ``eta`` members/week nationally (ordinary policing and
  courts, outside the policy's operations), shared in proportion to size;
* saturation ``omega x C``, with Prieto-Curiel's ``omega`` per member of a group:
  a cartel of the model is a federation of groups of about
  ``saturation_group_size`` members (their 150 groups), so its rate is
  ``omega x min(C, saturation_group_size)``;
* desertion of ``unpaid_desertion`` of the members whose wages went unpaid.
Members are conserved: next = now + recruits - arrested - saturated - deserted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.context import Context
from plazasim.model.money import MoneyRecord
from plazasim.model.state import State


@dataclass(frozen=True)
class MembersRecord:
    """Member flows this week (members per cartel) and the money spent recruiting."""

    recruits: np.ndarray
    routine_arrests: np.ndarray
    attrition: np.ndarray  # saturation and desertion
    recruiting_usd: np.ndarray


def recruit_and_attrit(state: State, ctx: Context, money: MoneyRecord) -> MembersRecord:
    """Grow and shrink cartel membership (mutates ``state.strength`` and ``state.cash``).

    Works on the rows of living cartels (dead slots have no members).
    """
    p = ctx.params
    k_slots = state.n_slots
    rows = np.flatnonzero(state.alive)
    s = state.strength[rows]
    members = s.sum(axis=1)
    total_local = s.sum(axis=0)
    cap = p.youth_pool_share * ctx.world.youth
    room = np.clip(1.0 - total_local / np.maximum(cap, 1e-9), 0.0, 1.0)
    # (A, P) work is done in place: each new temporary of this size costs more than the
    # arithmetic on it.
    want = s * p.recruit_rate
    want *= room[None, :]
    want_k = want.sum(axis=1)
    cost = want_k * p.recruit_cost_usd
    cash = np.maximum(state.cash[rows], 0.0)
    afford = np.where(cost > 0, np.clip(cash / np.maximum(cost, 1e-12), 0.0, 1.0), 1.0)
    recruits = want
    recruits *= afford[:, None]
    recruits_k = recruits.sum(axis=1)
    recruiting = recruits_k * p.recruit_cost_usd
    state.cash[rows] -= recruiting

    national = members.sum()
    routine = s / np.maximum(national, 1e-12)  # each cell's share of the national members
    routine *= p.routine_arrests_per_week * ctx.scale
    np.minimum(routine, 0.5 * s, out=routine)
    sat_rate = np.clip(p.saturation * np.minimum(members, p.saturation_group_size), 0.0, 0.5)
    desert_rate = p.unpaid_desertion * money.unpaid_share[rows]
    leave_rate = np.clip(sat_rate + desert_rate, 0.0, 1.0)
    leave = s - routine
    leave *= leave_rate[:, None]
    change = recruits  # recruits - routine - leave, then the new strength
    change -= routine
    change -= leave
    np.add(s, change, out=change)
    state.strength[rows] = np.maximum(change, 0.0, out=change)
    # Losses fall on the garrison first; fighters never outnumber members.
    state.fighters[rows] = np.minimum(state.fighters[rows], state.strength[rows])

    def per_slot(values: np.ndarray) -> np.ndarray:
        out = np.zeros(k_slots)
        out[rows] = values
        return out

    return MembersRecord(
        recruits=per_slot(recruits_k),
        routine_arrests=per_slot(routine.sum(axis=1)),
        attrition=per_slot(leave.sum(axis=1)),
        recruiting_usd=per_slot(recruiting),
    )
