"""Trace shortest paths out of a Dijkstra predecessor array, all paths at once.

:func:`plazasim.model.routing.compute_routes` runs one Dijkstra from a super-sink
behind the crossings, so ``pred[v]`` is the next plaza on ``v``'s cheapest way to
a crossing. A route is read by following ``pred`` from its entry plaza until the
next node is a sink. The walk's length is the path's, so it is done by pointer
jumping: one vectorised hop of every unfinished path at a time.
"""

from __future__ import annotations

import numpy as np


def trace(
    pred: np.ndarray, start: np.ndarray, offset: np.ndarray, sink_from: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Follow ``pred`` from each node of ``start`` until it points at a sink.

    Args:
        pred: predecessor of every node of the layered graph (Dijkstra's output).
        start: ``(M,)`` first node of each path (layer offset included), or -1 for a
            path not to trace (unreachable source).
        offset: ``(M,)`` layer offset of each path, subtracted to give plaza indices.
        sink_from: nodes ``>= sink_from`` are sinks (the walk ends before them).

    Returns:
        ``nodes`` (plaza indices of all paths, path by path, source first),
        ``path_of`` (path number of each element of ``nodes``) and ``exit_node``
        ((M,) last plaza of each path, -1 where not traced).

    """
    cur = start.astype(np.int64)
    active = cur >= 0
    path_ids = np.arange(cur.size)
    exit_node = np.full(cur.size, -1, dtype=np.int64)
    steps_nodes, steps_path = [], []
    while active.any():
        idx = path_ids[active]
        here = cur[idx] - offset[idx]
        steps_nodes.append(here)
        steps_path.append(idx)
        nxt = pred[cur[idx]]
        cur[idx] = nxt
        done = nxt >= sink_from
        exit_node[idx[done]] = here[done]
        active[idx[done]] = False
    if not steps_nodes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), exit_node
    nodes = np.concatenate(steps_nodes)
    path_of = np.concatenate(steps_path)
    order = np.argsort(path_of, kind="stable")
    return nodes[order].astype(np.int64), path_of[order].astype(np.int64), exit_node
