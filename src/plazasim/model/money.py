"""Phase 3: wages, bribes (infiltration), laundering and interception.

Order of payments each week, from cash after revenue:
1. Wages: ``wage_usd_per_member_year / 52`` per member (Prieto-Curiel 2023,
   ~US$13,000/yr). Payroll comes first: an organisation that does not pay its
   gunmen loses them, so laundering and bribes are paid from what is left. What
   cannot be paid is recorded as the unpaid share, which drives desertion in
   phase 4.
2. Laundering: ``launder_share`` of the week's proceeds, revenue less wages (seed:
   UNODC 2011, 70% of criminal proceeds are available for laundering), at most the
   cash left, leaves the cash box for the financial system; ``intercept_share`` of
   it (seed: ~0.2%) is seized by anti-money-laundering controls, the rest is
   ``laundered``. What stays in the box pays for recruits and wars.
3. Bribes: ``bribe_share`` of revenue, at most the cash then left, buys
   infiltration of the state, ``phi = 1 - exp(-bribes / B0)``: the probability
   that an operation against the cartel leaks (Lessing 2017 on corruption as
   the cartels' other lever).
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
    due = state.strength.sum(axis=1) * p.wage_usd_per_member_year / 52.0
    wages = np.minimum(np.maximum(state.cash, 0.0), due)
    state.cash -= wages
    unpaid = np.where(due > 0, 1.0 - wages / np.maximum(due, 1e-12), 0.0)
    positive = np.maximum(rev, 0.0)
    proceeds = np.maximum(rev - wages, 0.0)
    outflow = np.minimum(np.maximum(state.cash, 0.0), p.launder_share * proceeds)
    intercepted = outflow * p.intercept_share
    laundered = outflow - intercepted
    state.cash -= outflow
    bribes = np.minimum(np.maximum(state.cash, 0.0), p.bribe_share * positive)
    state.cash -= bribes
    # Infiltration follows this week's bribes; it decays as soon as bribes stop.
    state.infiltration[:] = 1.0 - np.exp(-bribes / p.bribe_scale_usd_per_week)
    return MoneyRecord(
        revenue_usd=rev,
        laundered_usd=laundered,
        intercepted_usd=intercepted,
        bribes_usd=bribes,
        wages_usd=wages,
        unpaid_share=np.clip(unpaid, 0.0, 1.0),
    )
