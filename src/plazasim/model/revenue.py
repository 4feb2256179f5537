"""Phase 2: revenue from exports, transit tolls and local markets.

* Export: tons delivered to the US x ``border_margin_usd_per_t`` (wholesale
  margin between Central America and the US border, UNODC WDR 2010) x the
  scarcity price index (``supply.price_index``).
* Tolls: the *piso* collected from other cartels' shipments (phase 1).
* Local: retail drug sales and extortion, ``retail_usd_per_capita_year`` per
  resident, growing with each plaza's population (docs/MODEL.md), shared among the
  cartels present in proportion to their strength; a violent posture adds
  ``violent_extortion_bonus`` (Lessing 2017: violence raises rents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from plazasim.model.cells import present_cells
from plazasim.model.context import Context, population_now
from plazasim.model.state import State
from plazasim.model.supply import SupplyRecord, price_index


@dataclass(frozen=True)
class RevenueRecord:
    """Revenue by cartel this week (USD)."""

    export_usd: np.ndarray  # (K,)
    toll_usd: np.ndarray  # (K,) net of piso paid
    local_usd: np.ndarray  # (K,)
    total_usd: np.ndarray  # (K,) export + toll income + local - piso paid (>= 0)


def population_this_week(ctx: Context, week: int) -> np.ndarray:
    """``population_now(ctx.world, week)``, computed once a week (read-only, in ``ctx.cache``)."""
    return _weekly(ctx, "population_now", week, lambda: population_now(ctx.world, week))


def local_market_usd(state: State, ctx: Context) -> np.ndarray:
    """``(P,)`` weekly retail and extortion value of each plaza (USD/week; read-only).

    Phases 2 and 5 both read it, so it is computed once a week.
    """
    return _weekly(
        ctx,
        "local_market_usd",
        state.week,
        lambda: (
            ctx.params.retail_usd_per_capita_year / 52.0 * population_this_week(ctx, state.week)
        ),
    )


def _weekly(ctx: Context, key: str, week: int, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()`` for ``week``, kept in ``ctx.cache.weekly[key]`` until the week changes."""
    cached = ctx.cache.weekly.get(key)
    if cached is None or cached[0] != week:
        value = compute().view()  # a view, so that freezing it never freezes world arrays
        value.setflags(write=False)
        cached = ctx.cache.weekly[key] = (week, value)
    return cached[1]


def collect_revenue(state: State, ctx: Context, supply: SupplyRecord) -> RevenueRecord:
    """Revenue each cartel earns this week."""
    params = ctx.params
    market = local_market_usd(state, ctx)
    # On the present cells of living cartels only (a few percent of the map).
    rows = np.flatnonzero(state.alive)
    r, c = present_cells(state.strength, rows, params.presence_threshold)
    k = rows[r]
    s = state.strength[k, c]
    tot = np.bincount(c, weights=s, minlength=ctx.n_plazas)
    share = s / np.maximum(tot[c], 1e-12)
    bonus = 1.0 + params.violent_extortion_bonus * state.violent[k, c]
    local = np.bincount(k, weights=share * bonus * market[c], minlength=state.n_slots).astype(
        np.float64
    )
    export = supply.delivered_t * params.border_margin_usd_per_t * price_index(state, params)
    gross = export + supply.toll_income_usd + local
    # Piso paid is a transfer between cartels: net it out of the payer's revenue.
    total = gross - supply.toll_paid_usd
    return RevenueRecord(
        export_usd=export,
        toll_usd=supply.toll_income_usd - supply.toll_paid_usd,
        local_usd=local,
        total_usd=total,
    )
