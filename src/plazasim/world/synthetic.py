"""A seeded synthetic world of any size, for tests and scaling benchmarks.

Plazas are random points in a square whose side grows with sqrt(P) so that
the density of plazas matches Mexico's (~2,450 municipalities over ~1.96M km²,
i.e. one plaza per ~800 km²). Links are the Delaunay triangulation of the
points (a planar, connected graph with mean degree just under 6, like adjacent
municipalities) with the longest 10% of links pruned where that keeps the graph
connected. Cocaine enters along the southern edge and leaves along the northern
edge, as it does in Mexico. Cartels get weighted-Voronoi territories around
random anchors, the same rule the Mexico builder uses.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import Delaunay

from plazasim.world.world import (
    ALLIED,
    COAST_GULF,
    COAST_LAND,
    COAST_PACIFIC,
    KIND_CROSSING,
    KIND_ENTRY,
    KIND_MARKET,
    NEUTRAL,
    RIVAL,
    World,
)

KM2_PER_PLAZA = 800.0  # Mexico: ~1.96M km² / 2,454 municipalities (INEGI)
MEAN_POPULATION = 43_500.0  # Mexico 2006: 106.7M residents / 2,454 (CONAPO)
YOUTH_SHARE = 0.275  # Mexico 2006: 29.3M aged 15-29 / 106.7M (CONAPO)
BASELINE_RATE = 9.5  # homicides per 100k per year, Mexico 2000-2006 (INEGI)


def synthetic_world(n_plazas: int, seed: int = 0, n_cartels: int = 6) -> World:
    """Build a connected synthetic world with ``n_plazas`` plazas and ``n_cartels`` cartels.

    The same ``(n_plazas, seed, n_cartels)`` always gives the same world.
    """
    if n_plazas < 10:
        raise ValueError("world.plazas: need at least 10 plazas")
    if not 1 <= n_cartels <= n_plazas // 2:
        raise ValueError("world.cartels: must be between 1 and plazas/2")
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(n_plazas * KM2_PER_PLAZA))
    xy = rng.uniform(0.0, side, size=(n_plazas, 2))
    src, dst, km = _delaunay_links(xy)

    population = rng.lognormal(mean=np.log(MEAN_POPULATION) - 1.1, sigma=1.5, size=n_plazas)
    youth = population * YOUTH_SHARE
    baseline = rng.lognormal(mean=np.log(BASELINE_RATE) - 0.18, sigma=0.6, size=n_plazas)

    kind = np.full(n_plazas, KIND_MARKET, dtype=np.int8)
    coast = np.zeros(n_plazas, dtype=np.int8)
    n_gate = max(2, round(float(np.sqrt(n_plazas)) / 3))
    south = np.argsort(xy[:, 1])[:n_gate]
    north = np.argsort(-xy[:, 1])[:n_gate]
    kind[south] = KIND_ENTRY
    kind[north] = KIND_CROSSING
    # Western third of the southern entries is the "pacific" coast, east the "gulf",
    # the middle is the land border — so every coast has at least one entry.
    order = south[np.argsort(xy[south, 0])]
    thirds = np.array_split(order, 3)
    for group, code in zip(thirds, (COAST_PACIFIC, COAST_LAND, COAST_GULF), strict=True):
        coast[group] = code
    entry_weight = np.zeros(n_plazas)
    for code in (COAST_PACIFIC, COAST_LAND, COAST_GULF):
        members = np.flatnonzero(coast == code)
        if members.size:
            w = population[members]
            entry_weight[members] = w / w.sum()
    crossing_weight = np.zeros(n_plazas)
    crossing_weight[north] = population[north] / population[north].sum()

    strength, relation = _territories(xy, population, kind, n_cartels, rng)
    width = len(str(n_plazas - 1))
    return World(
        name=f"synthetic-{n_plazas}-s{seed}",
        plaza_id=np.array([f"S{i:0{width}d}" for i in range(n_plazas)]),
        plaza_name=np.array([f"Plaza {i}" for i in range(n_plazas)]),
        state=np.array([f"{int(4 * x // side) * 4 + int(4 * y // side) + 1:02d}" for x, y in xy]),
        lon=xy[:, 0],
        lat=xy[:, 1],
        population=population,
        youth=youth,
        kind=kind,
        coast=coast,
        entry_weight=entry_weight,
        crossing_weight=crossing_weight,
        baseline_rate=baseline,
        edge_src=src,
        edge_dst=dst,
        edge_km=km,
        cartel_names=tuple(
            f"Cartel {chr(ord('A') + i)}" if i < 26 else f"Cartel {i}" for i in range(n_cartels)
        ),
        initial_strength=strength,
        initial_relation=relation,
        population_growth=np.full(n_plazas, 0.012),  # Mexico 2006-2012 mean (CONAPO)
        notes=(f"synthetic world: {n_plazas} plazas, {n_cartels} cartels, seed {seed}",),
    )


def _delaunay_links(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delaunay links, longest 10% pruned while the graph stays connected."""
    import networkx as nx  # imported here: ~20 MB that running the Mexico world never needs

    tri = Delaunay(xy)
    s = tri.simplices
    pairs = np.concatenate([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    pairs.sort(axis=1)
    pairs = np.unique(pairs, axis=0)
    km = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(len(xy)))
    graph.add_weighted_edges_from(
        (int(a), int(b), float(d)) for (a, b), d in zip(pairs, km, strict=True)
    )
    cutoff = np.quantile(km, 0.9)
    for idx in np.argsort(-km):
        if km[idx] <= cutoff:
            break
        a, b = (int(v) for v in pairs[idx])
        graph.remove_edge(a, b)
        if not nx.has_path(graph, a, b):
            graph.add_edge(a, b, weight=float(km[idx]))
    edges = np.array(sorted((min(a, b), max(a, b)) for a, b in graph.edges()), dtype=np.int32)
    dist = np.maximum(np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T) * 1.25, 1.0)
    return edges[:, 0].copy(), edges[:, 1].copy(), dist


def _territories(
    xy: np.ndarray,
    population: np.ndarray,
    kind: np.ndarray,
    n_cartels: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted-Voronoi territories and a random alliance/rivalry pattern."""
    n = len(xy)
    anchors = rng.choice(n, size=n_cartels, replace=False)
    weight = rng.uniform(1.0, 2.0, size=n_cartels)
    delta = xy[:, None, :] - xy[anchors][None, :, :]
    dist = np.hypot(delta[..., 0], delta[..., 1])
    owner = np.argmin(dist / weight[None, :], axis=1)
    gate = np.where(kind != KIND_MARKET, 3.0, 1.0)
    base = np.sqrt(population) * gate
    held = (population >= 5000) | (kind != KIND_MARKET)
    strength = np.zeros((n_cartels, n))
    strength[owner[held], np.flatnonzero(held)] = base[held]
    relation = np.full((n_cartels, n_cartels), NEUTRAL, dtype=np.int8)
    for i in range(n_cartels):
        for j in range(i + 1, n_cartels):
            r = rng.uniform()
            code = RIVAL if r < 0.4 else (ALLIED if r > 0.85 else NEUTRAL)
            relation[i, j] = relation[j, i] = code
    np.fill_diagonal(relation, ALLIED)
    return strength, relation
