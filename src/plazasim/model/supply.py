"""Phase 1: cocaine enters, is bought by cartels and shipped along their routes.

Supply: ``cocaine_tons_per_year / 52`` tons arrive each week
(GAO-07-1018: ~275 t/yr), scaled by supply shocks, and land at entry plazas by
origin and coast (seed: 95.5% Colombia, 1.7% Peru, 2.8% undetermined). The
tons landing at a plaza go to the cartels present there in proportion to their
strength, or, where no cartel is present, to all cartels by national size (the
suppliers sell to whoever can pay; Castillo, Mejía & Restrepo).

Shipping: each cartel ships its whole stock this week, split over the entry
plazas where it took delivery (else where it is strongest among entries), along
the cached least-cost paths (``model.routing``). At every plaza on a path a share
``base_seizure_per_plaza + seizure_per_heat x heat`` is seized (Dell 2015:
enforcement raises interdiction); a share ``us_border_seizure`` is seized at the
US border; the rest is delivered. Transit through a neutral or allied plaza pays
the controller a toll (the *piso*). Stock of a cartel with no route stays in
stock. Books: entered = delivered + seized + change in stock, to rounding.

Scarcity (Castillo, Mejía & Restrepo 2020, REStat): when a supply shock cuts
the cocaine entering, the price per ton rises along the US demand curve,
``price index = supply_mult ^ (-1 / demand_elasticity)`` (capped at
``MAX_PRICE_INDEX``), and scales the border margin and the *piso* alike: each ton
is worth more, so routes and plazas are worth fighting for even as volumes fall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.context import Context
from plazasim.model.params import Parameters
from plazasim.model.routing import Routes, update_routes
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import ALLIED, NEUTRAL

#: Upper bound of the price index, so a supply shock towards zero stays finite.
MAX_PRICE_INDEX = 10.0


def price_index(state: State, params: Parameters) -> float:
    """Price per ton relative to the pre-shock level, from the supply multiplier.

    Constant-elasticity demand: quantity ``q`` sells at ``q^(-1/e)`` times the old
    price (DEA STRIDE, Dec 2008: +89% per pure gram during the 2007-08 shortage).
    """
    q = float(state.supply_mult)
    if q == 1.0:
        return 1.0
    if q <= 0.0:
        return MAX_PRICE_INDEX
    return float(min(q ** (-1.0 / params.demand_elasticity), MAX_PRICE_INDEX))


MAX_SEIZURE_PER_PLAZA = 0.5  # no single plaza seizes more than half of a load


@dataclass(frozen=True)
class SupplyRecord:
    """What phase 1 did this week (tons, USD)."""

    entered_t: float
    delivered_t: np.ndarray  # (K,) tons delivered to the US per cartel
    seized_route_t: float
    seized_border_t: float
    flow_t: np.ndarray  # (P,) tons transiting each plaza
    toll_income_usd: np.ndarray  # (K,) piso collected by each controller
    toll_paid_usd: np.ndarray  # (K,) piso paid by each shipper


def supply_and_route(state: State, ctx: Context) -> SupplyRecord:
    """Bring this week's cocaine in and ship every cartel's stock (mutates ``state``)."""
    params = ctx.params
    k_slots, n = state.strength.shape
    entered = params.cocaine_tons_per_year / 52.0 * state.supply_mult * ctx.scale
    landing = entered * ctx.entry_tons_share  # (E,)
    alive = state.alive
    s_entry = np.where(alive[:, None], state.strength[:, ctx.entries], 0.0)  # (K, E)
    present = s_entry >= params.presence_threshold
    local = np.where(present, s_entry, 0.0)
    local_tot = local.sum(axis=0)
    members = np.where(alive, state.strength.sum(axis=1), 0.0)
    national = members / members.sum() if members.sum() > 0 else alive / max(alive.sum(), 1)
    take_share = np.where(
        local_tot[None, :] > 0, local / np.maximum(local_tot, 1e-12), national[:, None]
    )
    received = take_share * landing[None, :]  # (K, E)
    state.stock += received.sum(axis=1)

    update_routes(state, ctx)
    routes = state.routes
    assert isinstance(routes, Routes)

    # Where each cartel ships from: where it took delivery, else its strongest entry.
    fallback = np.zeros_like(received)
    if ctx.entries.size:
        fallback[np.arange(k_slots), np.argmax(s_entry, axis=1)] = 1.0
    rec_tot = received.sum(axis=1, keepdims=True)
    from_share = np.where(rec_tot > 0, received / np.maximum(rec_tot, 1e-300), fallback)
    entry_pos = np.searchsorted(ctx.entries, routes.sources)
    volume0 = state.stock[routes.cartels] * from_share[routes.cartels, entry_pos]
    volume0 = np.where(np.isfinite(routes.cost) & (routes.length > 0), volume0, 0.0)

    seize = np.minimum(
        params.base_seizure_per_plaza + params.seizure_per_heat * state.heat, MAX_SEIZURE_PER_PLAZA
    )
    keep_log = np.log1p(-seize)[routes.nodes]
    csum = np.cumsum(keep_log)
    if csum.size:
        first = np.minimum(routes.start, csum.size - 1)
        seg_start = np.where(routes.length > 0, csum[first] - keep_log[first], 0.0)
        last = np.clip(routes.start + routes.length - 1, 0, csum.size - 1)
        arrive = np.where(routes.length > 0, volume0 * np.exp(csum[last] - seg_start), 0.0)
        before = csum - keep_log - np.repeat(seg_start, routes.length)  # log survival
        vol_in = volume0[routes.path_of] * np.exp(before)
    else:
        arrive = np.zeros(routes.start.size)
        vol_in = np.zeros(0)
    flow = np.bincount(routes.nodes, weights=vol_in, minlength=n)
    shipped = np.bincount(routes.cartels, weights=volume0, minlength=k_slots)
    arrived_k = np.bincount(routes.cartels, weights=arrive, minlength=k_slots)
    seized_route = float(shipped.sum() - arrived_k.sum())
    delivered = arrived_k * (1.0 - params.us_border_seizure)
    seized_border = float(arrived_k.sum() - delivered.sum())
    state.stock -= shipped
    np.maximum(state.stock, 0.0, out=state.stock)

    # Piso: shippers pay the controller of each neutral or allied plaza they cross. Only
    # the hops that pay are listed (a fee of 0 adds nothing to the sums below).
    shipper = routes.node_cartel
    ctrl = state.control[routes.nodes]
    rel = state.relation
    rate_of = np.where(
        rel == NEUTRAL,
        1.0,
        np.where(rel == ALLIED, params.allied_toll_km / max(params.piso_km, 1e-9), 0.0),
    )  # (K, K)
    paying = np.flatnonzero((ctrl != NO_CARTEL) & (ctrl != shipper))
    payer, payee = shipper[paying], ctrl[paying]
    price = price_index(state, params)
    fee = vol_in[paying] * rate_of[payer, payee] * params.piso_usd_per_t * price
    # A shipper cannot pay more piso than its shipments earn at the border: scale its
    # fees down (the controllers it pays receive the same reduced amounts).
    owed = np.bincount(payer, weights=fee, minlength=k_slots)
    earned = delivered * params.border_margin_usd_per_t * price
    payable = np.where(owed > earned, earned / np.maximum(owed, 1e-300), 1.0)
    fee = fee * payable[payer]
    income = np.bincount(payee, weights=fee, minlength=k_slots)
    paid = np.bincount(payer, weights=fee, minlength=k_slots)
    # With no cartel left to buy it (all dissolved), nothing enters: the books would
    # otherwise record cocaine that nobody holds, ships or loses.
    bought = alive.any() and ctx.entries.size > 0
    return SupplyRecord(
        entered_t=float(entered) if bought else 0.0,
        delivered_t=delivered,
        seized_route_t=seized_route,
        seized_border_t=seized_border,
        flow_t=flow,
        toll_income_usd=income,
        toll_paid_usd=paid,
    )
