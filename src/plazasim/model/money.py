"""Phase 3: wages, bribes (infiltration), laundering and interception.

Order of payments each week, from cash after revenue:
1. Laundering: ``launder_share`` of the week's revenue (seed: UNODC 2011, 70% of
   proceeds available for laundering) leaves the cash box for the financial
   system; ``intercept_share`` of it (seed: ~0.2%) is seized by anti-money-
   laundering controls, the rest is ``laundered``.
2. Bribes: ``bribe_share`` of revenue buys infiltration of the state,
   ``phi = 1 - exp(-bribes / B0)`` — the probability that an operation against the
   cartel leaks (DESIGN.md §6).
3. Wages: ``wage_usd_per_member_year / 52`` per member (Prieto-Curiel 2023,
   ~US$13,000/yr). What cannot be paid is recorded as the unpaid share, which
   drives desertion in phase 4.
Every dollar is accounted: revenue = laundered + intercepted + bribes + wages
(+ recruiting and seized cash, booked later) + change in cash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.context import Context
from plazasim.model.revenue import RevenueRecord
from plazasim.model.state import State


@dataclass(frozen=True)
class MoneyRecord:
    """Money flows this week by cartel (USD)."""

    revenue_usd: np.ndarray  # (K,) revenue credited to cash (0 for dead slots)
    laundered_usd: np.ndarray
    intercepted_usd: np.ndarray
    bribes_usd: np.ndarray
    wages_usd: np.ndarray
    unpaid_share: np.ndarray  # (K,) share of the wage bill not paid, in [0, 1]


def pay_and_launder(state: State, ctx: Context, revenue: RevenueRecord) -> MoneyRecord:
    """Move this week's money (mutates ``state.cash`` and ``state.infiltration``)."""
    p = ctx.params
    rev = np.where(state.alive, revenue.total_usd, 0.0)
    state.cash += rev
    positive = np.maximum(rev, 0.0)
    outflow = np.minimum(np.maximum(state.cash, 0.0), p.launder_share * positive)
    intercepted = outflow * p.intercept_share
    laundered = outflow - intercepted
    state.cash -= outflow
    bribes = np.minimum(np.maximum(state.cash, 0.0), p.bribe_share * positive)
    state.cash -= bribes
    # Infiltration follows this week's bribes; it decays as soon as bribes stop.
    state.infiltration[:] = 1.0 - np.exp(-bribes / p.bribe_scale_usd_per_week)
    due = state.strength.sum(axis=1) * p.wage_usd_per_member_year / 52.0
    wages = np.minimum(np.maximum(state.cash, 0.0), due)
    state.cash -= wages
    unpaid = np.where(due > 0, 1.0 - wages / np.maximum(due, 1e-12), 0.0)
    return MoneyRecord(
        revenue_usd=rev,
        laundered_usd=laundered,
        intercepted_usd=intercepted,
        bribes_usd=bribes,
        wages_usd=wages,
        unpaid_share=np.clip(unpaid, 0.0, 1.0),
    )
