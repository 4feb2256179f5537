"""Least-cost trafficking routes from entry plazas to US crossings, one layer per cartel.

Form (after Dell 2015 AER): the cost of moving along a link into
plaza v for cartel k is ``km x (1 + heat_cost_factor x heat[v]) + toll[k, v]``,
where the toll is 0 through unheld, own or (nearly 0) allied plazas, the *piso*
through a neutral cartel's plaza and a prohibitive charge through a rival's.
Each cartel's layer is a copy of the plaza graph; one multi-source Dijkstra run
(``scipy.sparse.csgraph.dijkstra`` with ``min_only=True``) from a super-sink
behind the crossings, on the reversed graph, gives every plaza its next hop
towards the cheapest crossing. Paths are then traced once into flat arrays so
that each week's shipments, seizures and tolls are vectorised sums.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from plazasim.model.context import Context
from plazasim.model.paths import trace
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import ALLIED, RIVAL


@dataclass(frozen=True)
class Routes:
    """Traced paths from every entry plaza to a crossing, for each routed cartel.

    Attributes:
        cartels: ``(R,)`` slot of each path's cartel.
        sources: ``(R,)`` entry-plaza index where each path starts.
        nodes: ``(L,)`` plaza indices of all paths, concatenated in path order
            (source first, crossing last).
        path_of: ``(L,)`` path row of each element of ``nodes``.
        start: ``(R,)`` offset of each path in ``nodes``.
        length: ``(R,)`` number of plazas on each path.
        cost: ``(R,)`` km-equivalent cost of each path when it was planned (inf if
            unreachable).
        hop_km: ``(L,)`` km of the link into each node of a path (0 at the source).
        exit_cost: ``(R,)`` km-equivalent cost of the path's crossing.
        planned_week: ``(R,)`` week each path was planned.

    """

    cartels: np.ndarray
    sources: np.ndarray
    nodes: np.ndarray
    path_of: np.ndarray
    start: np.ndarray
    length: np.ndarray
    cost: np.ndarray
    hop_km: np.ndarray
    exit_cost: np.ndarray
    planned_week: np.ndarray

    @cached_property
    def node_cartel(self) -> np.ndarray:
        """``(L,)`` slot of the cartel whose path each element of ``nodes`` is on."""
        return self.cartels[self.path_of]


def entry_toll(state: State, ctx: Context, cartels: np.ndarray, plazas: np.ndarray) -> np.ndarray:
    """km-equivalent toll for cartel ``cartels[i]`` to enter plaza ``plazas[i]``.

    The arrays broadcast together. 0 through unheld or own plazas; through another
    cartel's, ``allied_toll_km``, ``piso_km`` (neutral) or ``rival_toll_km``.
    """
    p = ctx.params
    ctrl = state.control[plazas]
    charged = (ctrl != NO_CARTEL) & (ctrl != cartels)
    rel = state.relation[cartels, np.where(charged, ctrl, 0)]
    toll = np.where(rel == RIVAL, p.rival_toll_km, p.piso_km)
    toll = np.where(rel == ALLIED, p.allied_toll_km, toll)
    return np.where(charged, toll, 0.0)


def toll_km(state: State, ctx: Context, cartels: np.ndarray) -> np.ndarray:
    """``(len(cartels), P)`` km-equivalent toll for each cartel to enter each plaza."""
    return entry_toll(state, ctx, cartels[:, None], np.arange(ctx.n_plazas)[None, :])


def _layered_graph(ctx: Context, costs: np.ndarray) -> sp.csr_matrix:
    """The reversed routing graph of ``costs.shape[0]`` layers plus one super-sink each.

    ``costs[l, e]`` is the cost of directed link ``e`` (``ctx.edge_u -> edge_v``) in
    layer ``l``. The links are stored reversed (row ``v``, column ``u``); they are
    already sorted by ``v``, so the CSR arrays are assembled directly, without the
    sort a COO conversion would do, and the index arrays, which depend only on the
    number of layers, are built once per run. Sink ``l`` (row ``n*L + l``) links to
    layer ``l``'s crossings at ``ctx.crossing_cost``.
    """
    n = ctx.n_plazas
    n_layers = costs.shape[0]
    if n_layers not in ctx.cache.layered_graph:
        n_cross = ctx.crossings.size
        row_len = np.concatenate([np.tile(ctx.links_into, n_layers), np.full(n_layers, n_cross)])
        indptr = np.zeros(row_len.size + 1, dtype=np.int32)
        np.cumsum(row_len, out=indptr[1:])
        offsets = np.arange(n_layers, dtype=np.int32)[:, None] * n
        indices = np.concatenate(
            [
                (ctx.edge_u[None, :].astype(np.int32) + offsets).ravel(),
                (ctx.crossings[None, :].astype(np.int32) + offsets).ravel(),
            ]
        )
        ctx.cache.layered_graph[n_layers] = (indptr, indices)
    indptr, indices = ctx.cache.layered_graph[n_layers]
    data = np.empty(indices.size)
    data[: costs.size] = costs.ravel()
    data[costs.size :] = np.tile(ctx.crossing_cost, n_layers)
    data += 1e-9
    total = n * n_layers + n_layers
    return sp.csr_matrix((data, indices, indptr), shape=(total, total))


def _edge_km(ctx: Context, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Km of the links ``u -> v`` (edges are sorted by ``(v, u)`` in the context)."""
    n = ctx.n_plazas
    keys = ctx.cache.edge_keys
    if keys is None:
        keys = ctx.cache.edge_keys = ctx.edge_v * n + ctx.edge_u
    found = np.searchsorted(keys, v * n + u)
    return ctx.edge_km[np.minimum(found, keys.size - 1)]


def path_costs(state: State, ctx: Context, routes: Routes) -> np.ndarray:
    """``(R,)`` cost of each planned path under today's heat, control and relations.

    The same cost the planner minimised: for each hop, ``km x (1 + heat_cost_factor x
    heat)`` of the plaza entered plus the toll to enter it (:func:`entry_toll`, per
    hop), and the crossing's cost.
    """
    heat_mult = 1.0 + ctx.params.heat_cost_factor * state.heat
    toll = entry_toll(state, ctx, routes.node_cartel, routes.nodes)
    first = np.zeros(routes.nodes.size, dtype=bool)
    first[routes.start[routes.length > 0]] = True
    hop = np.where(first, 0.0, routes.hop_km * heat_mult[routes.nodes] + toll)
    total = np.bincount(routes.path_of, weights=hop, minlength=routes.cartels.size)
    return np.where(routes.length > 0, total + routes.exit_cost, np.inf)


def compute_routes(state: State, ctx: Context, cartels: np.ndarray | None = None) -> Routes:
    """Least-cost paths from every entry plaza (phase 1, docs/MODEL.md).

    For every alive cartel, or only for ``cartels`` (sorted slots) when given.
    """
    params = ctx.params
    n = ctx.n_plazas
    cartels = np.flatnonzero(state.alive) if cartels is None else np.asarray(cartels)
    n_layers = cartels.size
    tolls = toll_km(state, ctx, cartels)
    heat_mult = 1.0 + params.heat_cost_factor * state.heat
    # Cost of each directed link u -> v: entering v (stored reversed, v -> u).
    base = ctx.edge_km * heat_mult[ctx.edge_v]
    # Links are sorted by the plaza entered, so each plaza's toll repeats over its links.
    graph = _layered_graph(ctx, base[None, :] + np.repeat(tolls, ctx.links_into, axis=1))
    sink = n * n_layers + np.arange(n_layers)
    dist, pred, _ = dijkstra(
        graph, directed=True, indices=sink, min_only=True, return_predecessors=True
    )
    # Trace every (cartel, entry) path back to its crossing.
    src_layer = np.repeat(np.arange(n_layers), ctx.entries.size)
    src_node = np.tile(ctx.entries, n_layers)
    first = src_node + src_layer * n
    first = np.where(np.isfinite(dist[first]), first, -1)
    nodes, path_of, exit_node = trace(pred, first, src_layer * n, n * n_layers)
    length = np.bincount(path_of, minlength=first.size)
    start = np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64)
    prev = np.concatenate([[0], nodes[:-1]])
    hop_km = _edge_km(ctx, prev, nodes)
    hop_km[start[length > 0]] = 0.0
    cross_pos = np.searchsorted(ctx.crossings, np.maximum(exit_node, 0))
    cross_pos = np.minimum(cross_pos, ctx.crossings.size - 1)
    exit_cost = np.where(exit_node >= 0, ctx.crossing_cost[cross_pos], 0.0)
    routes = Routes(
        cartels=cartels[src_layer],
        sources=src_node,
        nodes=nodes,
        path_of=path_of,
        start=start,
        length=length.astype(np.int64),
        cost=np.zeros(first.size),
        hop_km=hop_km,
        exit_cost=exit_cost,
        planned_week=np.full(first.size, state.week, dtype=np.int64),
    )
    return replace(routes, cost=path_costs(state, ctx, routes))


#: Routes fields with one entry per path, and with one entry per node of a path.
_PER_PATH = ("cartels", "sources", "cost", "exit_cost", "planned_week")
_PER_NODE = ("nodes", "hop_km")


def _assemble(
    per_path: dict[str, np.ndarray], per_node: dict[str, np.ndarray], path_of: np.ndarray
) -> Routes:
    """Routes from per-path and per-node columns, paths in (cartel, entry) order.

    ``path_of`` numbers each node's path in the order of ``per_path``; paths are
    re-sorted as :func:`compute_routes` orders them and nodes follow their paths.
    """
    order = np.lexsort((per_path["sources"], per_path["cartels"]))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    final = rank[path_of]
    node_order = np.argsort(final, kind="stable")
    length = np.bincount(final, minlength=order.size).astype(np.int64)
    return Routes(
        **{name: col[order] for name, col in per_path.items()},
        **{name: col[node_order] for name, col in per_node.items()},
        path_of=final[node_order],
        start=np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64),
        length=length,
    )


def _parts(routes: Routes, keep: np.ndarray) -> tuple[dict, dict, np.ndarray]:
    """The columns of the paths ``keep`` selects, with their nodes' path numbers."""
    renumber = np.cumsum(keep) - 1
    on = keep[routes.path_of]
    return (
        {name: getattr(routes, name)[keep] for name in _PER_PATH},
        {name: getattr(routes, name)[on] for name in _PER_NODE},
        renumber[routes.path_of[on]],
    )


def merge_routes(old: Routes, new: Routes) -> Routes:
    """``old`` with the paths of ``new``'s cartels replaced by ``new``'s paths.

    Paths are ordered by (cartel, entry plaza), as :func:`compute_routes` orders them,
    so a partial re-plan gives the same arrays as a full one would for those cartels.
    """
    path_a, node_a, of_a = _parts(old, ~np.isin(old.cartels, np.unique(new.cartels)))
    path_b, node_b, of_b = _parts(new, np.ones(new.cartels.size, dtype=bool))
    n_a = path_a["cartels"].size
    return _assemble(
        {k: np.concatenate([path_a[k], path_b[k]]) for k in _PER_PATH},
        {k: np.concatenate([node_a[k], node_b[k]]) for k in _PER_NODE},
        np.concatenate([of_a, of_b + n_a]),
    )


def drop_cartels(routes: Routes, gone: np.ndarray) -> Routes:
    """``routes`` without the paths of the cartels ``gone``."""
    keep = ~np.isin(routes.cartels, gone)
    return routes if keep.all() else _assemble(*_parts(routes, keep))


def stale_cartels(state: State, ctx: Context) -> np.ndarray | None:
    """Which living cartels must (re-)plan their routes this week (``None``: all of them).

    Traffickers re-plan when something material changes, not every week (Dell 2015:
    a crackdown that makes a route dearer diverts traffic): a cartel with no plan
    yet (the first week, a new faction) at once; and, on review weeks (every
    ``route_update_weeks``), a cartel whose relations changed since the last review
    (``state.routes_dirty``), whose plan is ``route_max_age_weeks`` old (to find paths
    that got cheaper), or whose plan is at least ``route_update_weeks`` old with
    planned paths that now cost, in total, more than ``1 + route_cost_tolerance``
    times what they cost when planned (heat from operations on the way, a new
    controller, a dissolved neighbour's plazas changing hands). Returns an empty
    array when nobody needs to.
    """
    routes = state.routes
    if not isinstance(routes, Routes):
        return None
    p = ctx.params
    unplanned = state.alive.copy()
    unplanned[routes.cartels] = False
    stale = set(np.flatnonzero(unplanned).tolist())
    # Plans are reviewed on a fixed cadence (every route_update_weeks weeks), not weekly,
    # so the re-plans of a review week are computed together, in one Dijkstra call.
    if state.week % p.route_update_weeks != 0:
        return np.array(sorted(k for k in stale if state.alive[k]), dtype=np.int64)
    stale |= {k for k in state.routes_dirty if state.alive[k]}
    age = state.week - routes.planned_week
    stale |= set(routes.cartels[age >= p.route_max_age_weeks].tolist())
    due = (age >= p.route_update_weeks) & np.isfinite(routes.cost)
    if due.any():
        now = path_costs(state, ctx, routes)
        k = routes.cartels[due]
        then = np.bincount(k, weights=routes.cost[due], minlength=state.n_slots)
        later = np.bincount(k, weights=now[due], minlength=state.n_slots)
        dearer = later > then * (1.0 + p.route_cost_tolerance) + 1e-6
        stale |= set(np.flatnonzero(dearer).tolist())
    return np.array(sorted(k for k in stale if state.alive[k]), dtype=np.int64)


def update_routes(state: State, ctx: Context) -> None:
    """Drop the routes of dissolved cartels and (re-)plan those :func:`stale_cartels` names."""
    if isinstance(state.routes, Routes):
        dead = ~state.alive[state.routes.cartels]
        if dead.any():
            state.routes = drop_cartels(state.routes, np.unique(state.routes.cartels[dead]))
    stale = stale_cartels(state, ctx)
    if stale is None:
        state.routes = compute_routes(state, ctx)
    elif stale.size:
        assert isinstance(state.routes, Routes)
        state.routes = merge_routes(state.routes, compute_routes(state, ctx, stale))
    if stale is None or state.week % ctx.params.route_update_weeks == 0:
        state.routes_dirty.clear()  # reviewed: their new relations are in the plans
