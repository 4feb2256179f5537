"""Least-cost trafficking routes from entry plazas to US crossings, one layer per cartel.

Form (DESIGN.md §6, after Dell 2015 AER): the cost of moving along a link into
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

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from plazasim.model.context import Context
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
        cost: ``(R,)`` km-equivalent cost of each path (inf if unreachable).

    """

    cartels: np.ndarray
    sources: np.ndarray
    nodes: np.ndarray
    path_of: np.ndarray
    start: np.ndarray
    length: np.ndarray
    cost: np.ndarray


def toll_km(state: State, ctx: Context, cartels: np.ndarray) -> np.ndarray:
    """``(len(cartels), P)`` km-equivalent toll for each cartel to enter each plaza."""
    p = ctx.params
    ctrl = state.control
    held = ctrl != NO_CARTEL
    rel = state.relation[np.ix_(cartels, np.where(held, ctrl, 0))]
    toll = np.where(rel == RIVAL, p.rival_toll_km, p.piso_km)
    toll = np.where(rel == ALLIED, p.allied_toll_km, toll)
    own = ctrl[None, :] == cartels[:, None]
    return np.where(held[None, :] & ~own, toll, 0.0)


def compute_routes(state: State, ctx: Context) -> Routes:
    """Least-cost paths for every alive cartel from every entry plaza (DESIGN.md §2 step 1)."""
    params = ctx.params
    n = ctx.n_plazas
    cartels = np.flatnonzero(state.alive)
    n_layers = cartels.size
    tolls = toll_km(state, ctx, cartels)
    heat_mult = 1.0 + params.heat_cost_factor * state.heat
    # Reversed graph: an original link u->v (cost of entering v) becomes v->u.
    base = ctx.edge_km * heat_mult[ctx.edge_v]
    layer_off = (np.arange(n_layers) * n)[:, None]
    rows = (ctx.edge_v[None, :] + layer_off).ravel()
    cols = (ctx.edge_u[None, :] + layer_off).ravel()
    data = (base[None, :] + tolls[:, ctx.edge_v]).ravel()
    # Super-sink per layer, linked to that layer's crossings (the toll of the crossing
    # plaza is paid on the link into it; using the crossing costs crossing_cost).
    sink = n * n_layers + np.arange(n_layers)
    n_cross = ctx.crossings.size
    s_rows = np.repeat(sink, n_cross)
    s_cols = (ctx.crossings[None, :] + layer_off).ravel()
    s_data = np.tile(ctx.crossing_cost, n_layers)
    total = n * n_layers + n_layers
    graph = sp.csr_matrix(
        (np.concatenate([data, s_data]) + 1e-9, (np.concatenate([rows, s_rows]),
                                                  np.concatenate([cols, s_cols]))),
        shape=(total, total),
    )
    dist, pred, _ = dijkstra(graph, directed=True, indices=sink, min_only=True,
                             return_predecessors=True)
    # Trace every (cartel, entry) path by pointer jumping, all paths at once.
    src_layer = np.repeat(np.arange(n_layers), ctx.entries.size)
    src_node = np.tile(ctx.entries, n_layers)
    cur = src_node + src_layer * n
    reach = np.isfinite(dist[cur])
    steps_nodes, steps_path = [], []
    path_ids = np.arange(cur.size)
    active = reach.copy()
    while active.any():
        idx = path_ids[active]
        steps_nodes.append(cur[idx] - src_layer[idx] * n)
        steps_path.append(idx)
        nxt = pred[cur[idx]]
        cur[idx] = nxt
        done = nxt >= n * n_layers  # reached the super-sink
        active[idx[done]] = False
    if steps_nodes:
        nodes = np.concatenate(steps_nodes)
        path_of = np.concatenate(steps_path)
        order = np.argsort(path_of, kind="stable")
        nodes, path_of = nodes[order], path_of[order]
    else:
        nodes = np.zeros(0, dtype=np.int64)
        path_of = np.zeros(0, dtype=np.int64)
    length = np.bincount(path_of, minlength=cur.size)
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    return Routes(
        cartels=cartels[src_layer],
        sources=src_node,
        nodes=nodes.astype(np.int64),
        path_of=path_of.astype(np.int64),
        start=start.astype(np.int64),
        length=length.astype(np.int64),
        cost=np.where(reach, dist[src_node + src_layer * n], np.inf),
    )
