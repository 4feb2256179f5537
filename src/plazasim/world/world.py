"""The immutable world: plazas (graph nodes), links (graph edges) and the initial cartel map.

A :class:`World` holds everything that does not change during a run. Mutable
quantities (strength, control, cash, ...) live in :class:`plazasim.model.state.State`.
All per-plaza arrays have shape ``(P,)`` and are indexed by plaza position;
``plaza_id`` gives the external code (the 5-digit INEGI ``cvegeo`` for Mexico).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

#: Plaza kinds. ``entry`` receives cocaine, ``crossing`` ships it to the US.
KIND_MARKET = 0
KIND_ENTRY = 1
KIND_CROSSING = 2
KIND_NAMES = ("market", "entry", "crossing")

#: Relation codes in ``relation[c, c']``.
RIVAL = -1
NEUTRAL = 0
ALLIED = 1

#: Entry coasts: which origin can arrive where (phase 1).
COAST_NONE = 0
COAST_PACIFIC = 1
COAST_GULF = 2  # Gulf of Mexico and Caribbean
COAST_LAND = 3  # Guatemala/Belize land border
COAST_NAMES = ("none", "pacific", "gulf", "land")


@dataclass(frozen=True)
class World:
    """Static description of the plaza graph and the initial cartel map.

    Attributes:
        name: World name, e.g. ``"mexico"`` or ``"synthetic-500-s1"``.
        plaza_id: ``(P,)`` str, external plaza codes (INEGI cvegeo for Mexico).
        plaza_name: ``(P,)`` str, human-readable names.
        state: ``(P,)`` str, 2-digit state code used for aggregation.
        lon, lat: ``(P,)`` float64, degrees (WGS84) of the municipal seat.
        population: ``(P,)`` float64, residents at the start year (persons).
        youth: ``(P,)`` float64, residents aged 15-29 (persons), the recruitment pool
            (Prieto-Curiel et al. 2023 use this age band).
        kind: ``(P,)`` int8, one of ``KIND_MARKET``, ``KIND_ENTRY``, ``KIND_CROSSING``.
        coast: ``(P,)`` int8, ``COAST_*`` code of an entry plaza (0 elsewhere).
        entry_weight: ``(P,)`` float64, share of arriving cocaine landing at each entry
            plaza *within its coast*; sums to 1 over each coast's entries.
        crossing_weight: ``(P,)`` float64, share of border crossing traffic (trucks and
            personal vehicles) through each crossing plaza; sums to 1 over crossings.
        baseline_rate: ``(P,)`` float64, non-cartel homicides per 100,000 residents per
            year (INEGI 2000-2006 mean for Mexico).
        baseline_age_years: years from the middle of the period ``baseline_rate``
            averages to the world's start (mid-2003 to 1 Dec 2006, 3.4, for Mexico; 0
            when the rate describes the start itself). The baseline's national trend
            runs from that middle, so a rate averaged over a falling period starts the
            run at the level the trend has reached.
        edge_src, edge_dst: ``(E,)`` int32, undirected links stored once (src < dst).
        edge_km: ``(E,)`` float64, travel cost of each link in km.
        cartel_names: initial cartel names, length ``C0``.
        initial_strength: ``(C0, P)`` float64, armed members of each cartel per plaza.
        initial_relation: ``(C0, C0)`` int8, ``RIVAL``/``NEUTRAL``/``ALLIED``, symmetric,
            diagonal ``ALLIED``.
        population_growth: ``(P,)`` float64 or None, annual growth rate of population (1/yr);
            local retail demand grows with it (CONAPO 2006-2012 for Mexico).
        state_names: mapping of state code to state name.
        observed: observed national series for comparison, ``{series: {year: value}}``.
        notes: provenance lines for the manifest.

    """

    name: str
    plaza_id: np.ndarray
    plaza_name: np.ndarray
    state: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    population: np.ndarray
    youth: np.ndarray
    kind: np.ndarray
    coast: np.ndarray
    entry_weight: np.ndarray
    crossing_weight: np.ndarray
    baseline_rate: np.ndarray
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_km: np.ndarray
    cartel_names: tuple[str, ...]
    initial_strength: np.ndarray
    initial_relation: np.ndarray
    population_growth: np.ndarray | None = None
    baseline_age_years: float = 0.0
    state_names: dict[str, str] = field(default_factory=dict)
    observed: dict[str, dict[int, float]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Check shapes and basic invariants once, so the step can trust them."""
        p = self.n_plazas
        for name in (
            "plaza_name",
            "state",
            "lon",
            "lat",
            "population",
            "youth",
            "kind",
            "coast",
            "entry_weight",
            "crossing_weight",
            "baseline_rate",
        ):
            arr = getattr(self, name)
            if arr.shape != (p,):
                raise ValueError(f"world.{name}: shape {arr.shape}, expected ({p},)")
        e = self.edge_src.shape[0]
        if self.edge_dst.shape != (e,) or self.edge_km.shape != (e,):
            raise ValueError("world edges: edge_src, edge_dst and edge_km differ in length")
        if e and (self.edge_src.min() < 0 or self.edge_dst.max() >= p):
            raise ValueError("world edges: node index out of range")
        c = len(self.cartel_names)
        if self.initial_strength.shape != (c, p):
            raise ValueError(
                f"world.initial_strength: shape {self.initial_strength.shape}, expected ({c}, {p})"
            )
        if self.initial_relation.shape != (c, c):
            raise ValueError("world.initial_relation: shape must be (C, C)")
        if not np.any(self.kind == KIND_ENTRY):
            raise ValueError("world.kind: no entry plaza")
        if not np.any(self.kind == KIND_CROSSING):
            raise ValueError("world.kind: no crossing plaza")
        if np.any(self.population < 0) or np.any(self.initial_strength < 0):
            raise ValueError("world: negative population or strength")

    @property
    def n_plazas(self) -> int:
        """Number of plazas P."""
        return int(self.plaza_id.shape[0])

    @property
    def n_cartels(self) -> int:
        """Number of initial cartels C0."""
        return len(self.cartel_names)

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric ``(P, P)`` sparse adjacency (1.0 where a link exists)."""
        p = self.n_plazas
        ones = np.ones(2 * len(self.edge_src))
        rows = np.concatenate([self.edge_src, self.edge_dst])
        cols = np.concatenate([self.edge_dst, self.edge_src])
        return sp.csr_matrix((ones, (rows, cols)), shape=(p, p))

    def plaza_index(self, plaza_id: str) -> int:
        """Position of a plaza given its external id; ``KeyError`` if unknown."""
        hits = np.flatnonzero(self.plaza_id == plaza_id)
        if hits.size == 0:
            raise KeyError(plaza_id)
        return int(hits[0])

    def cartel_index(self, name: str) -> int:
        """Position of an initial cartel by name (case-insensitive); ``KeyError`` if unknown."""
        lowered = [n.lower() for n in self.cartel_names]
        try:
            return lowered.index(name.lower())
        except ValueError:
            raise KeyError(name) from None
