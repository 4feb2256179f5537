"""Quantities derived once per run from the world and parameters (read-only in the step)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from plazasim.model.params import Parameters
from plazasim.world.world import (
    COAST_GULF,
    COAST_LAND,
    COAST_PACIFIC,
    KIND_CROSSING,
    KIND_ENTRY,
    World,
)

MEXICO_POPULATION_2006 = 106_736_005.0  # CONAPO 2006, sum over the 2,454 municipalities


@dataclass
class Derived:
    """Arrays a run derives from its constants on first use, kept for later weeks.

    Attributes:
        layered_graph: the routing graph's CSR ``(indptr, indices)`` by number of layers
            (``model.routing``); they depend only on the map.
        edge_keys: ``edge_v * P + edge_u`` of the sorted directed links (``model.routing``).
        weekly: values computed once a week, by name: ``(week, read-only array)``
            (``model.revenue``).

    """

    layered_graph: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    edge_keys: np.ndarray | None = None
    weekly: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """Precomputed arrays every phase may read.

    Attributes:
        world, params: the run's world and parameters.
        adj: ``(P, P)`` CSR adjacency (1.0 per link).
        adj_norm: ``(P, P)`` CSR, row q divided by deg(q): spreads a plaza's
            outgoing attackers evenly over its neighbours.
        adj_norm_t: ``adj_norm.T`` as CSR: for each plaza p, the plazas q whose
            attackers can reach it (compiled kernels follow it to skip empty cells).
        entries, crossings: plaza indices of entry and crossing plazas.
        entry_tons_share: ``(len(entries),)`` share of the week's cocaine landing at each
            entry (origin mix x coast shares x entry weights; sums to 1).
        edge_u, edge_v, edge_km: directed links u -> v (both directions), km, sorted by
            ``v`` then ``u``.
        crossing_cost: ``(len(crossings),)`` km-equivalent cost of using each crossing.
        scale: the world's population relative to Mexico in 2006. National totals given
            for Mexico (initial members, cocaine per year, enforcement capacity, routine
            arrests) are multiplied by it, so a synthetic world of 500 plazas gets a
            proportionate share; for the Mexico world it is 1.
        bystander_factor: ``(P,)`` relative exposure of residents to crossfire
            (square root of population relative to the mean, clipped to [0.2, 5]).
        links_into: ``(P,)`` number of links into each plaza (``edge_v`` counts).
        cache: arrays derived on first use (:class:`Derived`); never part of the
            model's state.

    """

    world: World
    params: Parameters
    adj: sp.csr_matrix
    adj_norm: sp.csr_matrix
    adj_norm_t: sp.csr_matrix
    entries: np.ndarray
    crossings: np.ndarray
    entry_tons_share: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_km: np.ndarray
    crossing_cost: np.ndarray
    bystander_factor: np.ndarray
    scale: float
    links_into: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cache: Derived = field(default_factory=Derived, compare=False, repr=False)

    @property
    def n_plazas(self) -> int:
        """Number of plazas P."""
        return self.world.n_plazas


def entry_shares(world: World, params: Parameters, entries: np.ndarray) -> np.ndarray:
    """Share of the week's cocaine landing at each entry plaza.

    Colombian and undetermined cocaine (seed: 95.5% and 2.8%) is split over the
    coasts by the ``entry_share_*`` parameters; Peruvian cocaine (1.7%) arrives on
    the Pacific. A coast with no entry plaza passes its share to the others.
    """
    coasts = (COAST_PACIFIC, COAST_GULF, COAST_LAND)
    coast_of = world.coast[entries]
    has = np.array([np.any(coast_of == c) for c in coasts])
    north = (
        np.array([params.entry_share_pacific, params.entry_share_gulf, params.entry_share_land])
        * has
    )
    if north.sum() <= 0:
        north = has.astype(float)
    north = north / north.sum()
    origin = np.array([params.origin_colombia, params.origin_peru, params.origin_undetermined])
    origin = origin / origin.sum() if origin.sum() > 0 else np.array([1.0, 0.0, 0.0])
    peru = np.array([1.0, 0.0, 0.0]) if has[0] else north
    coast_share = (origin[0] + origin[2]) * north + origin[1] * peru
    share = np.zeros(entries.size)
    for c_idx, code in enumerate(coasts):
        members = coast_of == code
        if members.any():
            w = world.entry_weight[entries][members]
            w = w / w.sum() if w.sum() > 0 else np.full(w.size, 1.0 / w.size)
            share[members] = coast_share[c_idx] * w
    return share / share.sum()


def build_context(world: World, params: Parameters) -> Context:
    """Derive the per-run constants."""
    adj = world.adjacency()
    deg = np.asarray(adj.sum(axis=1)).ravel()
    adj_norm = sp.csr_matrix(sp.diags(1.0 / np.maximum(deg, 1.0)) @ adj)
    entries = np.flatnonzero(world.kind == KIND_ENTRY)
    crossings = np.flatnonzero(world.kind == KIND_CROSSING)
    w = world.crossing_weight[crossings]
    w_norm = w / w.max() if w.max() > 0 else np.ones_like(w)
    pop = world.population
    rel = pop / max(pop.mean(), 1.0)
    # Directed links, sorted by the plaza entered (then the one left): the rows of the
    # reversed routing graph, so routing can build its CSR matrix without sorting.
    edge_u = np.concatenate([world.edge_src, world.edge_dst]).astype(np.int64)
    edge_v = np.concatenate([world.edge_dst, world.edge_src]).astype(np.int64)
    edge_km = np.concatenate([world.edge_km, world.edge_km]).astype(np.float64)
    order = np.lexsort((edge_u, edge_v))
    return Context(
        world=world,
        params=params,
        adj=adj.tocsr(),
        adj_norm=adj_norm,
        adj_norm_t=adj_norm.T.tocsr(),
        entries=entries,
        crossings=crossings,
        entry_tons_share=entry_shares(world, params, entries),
        edge_u=edge_u[order],
        edge_v=edge_v[order],
        edge_km=edge_km[order],
        crossing_cost=params.crossing_cost_km * (1.0 - w_norm),
        bystander_factor=np.clip(np.sqrt(rel), 0.2, 5.0),
        scale=world_scale(world),
        links_into=np.bincount(edge_v[order], minlength=world.n_plazas),
    )


def world_scale(world: World) -> float:
    """Population of ``world`` relative to Mexico's in 2006 (1.0 for the Mexico world)."""
    return float(world.population.sum()) / MEXICO_POPULATION_2006


def population_now(world: World, week: int) -> np.ndarray:
    """``(P,)`` residents in week ``week``, grown at each plaza's CONAPO rate (persons)."""
    if world.population_growth is None:
        return world.population
    return world.population * np.exp(world.population_growth * (week / 52.0))
