"""Hand-made observations for policy tests: a few plazas, 2-4 cartels, set cell by cell."""

from __future__ import annotations

import numpy as np

from plazasim.policies import Observation, Operations

RNG_SEED = 12345


class World:
    """Mutable builder of an :class:`Observation`.

    Everything starts empty: no cartel present anywhere, all neutral, nobody
    protected, no signals. ``disputed`` is derived (two non-allied cartels present)
    unless set explicitly with :meth:`dispute`.
    """

    def __init__(self, cartels: int = 3, plazas: int = 3, week: int = 20, capacity: int = 50):
        k, p = cartels, plazas
        self.week = week
        self.capacity = capacity
        self.alive = np.ones(k, dtype=bool)
        self.present = np.zeros((k, p), dtype=bool)
        self.strength = np.zeros((k, p))
        self.controller = np.full(p, -1, dtype=np.int64)
        self.violence = np.zeros((k, p))
        self.fights = np.zeros((k, p), dtype=bool)
        self.arrival = np.full((k, p), -1, dtype=np.int64)
        self.first_violence = np.full((k, p), -1, dtype=np.int64)
        self.relation = np.zeros((k, k), dtype=np.int8)
        self.protected = np.zeros(k, dtype=bool)
        self.signal = np.full(p, -1, dtype=np.int64)
        self.population = np.full(p, 100_000.0)
        self._disputed: dict[int, bool] = {}

    def put(
        self,
        k: int,
        p: int,
        *,
        arrival: int = 0,
        strength: float = 10.0,
        violence: float = 0.0,
        first_violence: int | None = None,
        fights: bool = False,
    ) -> World:
        """Place cartel k in plaza p. ``first_violence`` defaults to -1 if quiet, else this week."""
        self.present[k, p] = True
        self.strength[k, p] = strength
        self.arrival[k, p] = arrival
        self.violence[k, p] = violence
        if first_violence is None:
            first_violence = self.week if violence > 0 else -1
        self.first_violence[k, p] = first_violence
        self.fights[k, p] = fights
        return self

    def control(self, p: int, k: int) -> World:
        self.controller[p] = k
        return self

    def ally(self, a: int, b: int) -> World:
        self.relation[a, b] = self.relation[b, a] = 1
        return self

    def rival(self, a: int, b: int) -> World:
        self.relation[a, b] = self.relation[b, a] = -1
        return self

    def protect(self, k: int) -> World:
        self.protected[k] = True
        return self

    def kill(self, k: int) -> World:
        self.alive[k] = False
        return self

    def dispute(self, p: int, flag: bool = True) -> World:
        self._disputed[p] = flag
        return self

    def build(self) -> Observation:
        n_p = self.present.shape[1]
        disputed = np.zeros(n_p, dtype=bool)
        for p in range(n_p):
            ks = np.flatnonzero(self.present[:, p])
            disputed[p] = any(
                self.relation[a, b] != 1 for i, a in enumerate(ks) for b in ks[i + 1 :]
            )
            disputed[p] = self._disputed.get(p, disputed[p])
        k = len(self.alive)
        return Observation(
            week=self.week,
            alive=self.alive.copy(),
            names=tuple(f"C{i}" for i in range(k)),
            present=self.present.copy(),
            strength_estimate=self.strength.copy(),
            controller=self.controller.copy(),
            disputed=disputed,
            violence=self.violence.copy(),
            violence_total=self.violence.sum(axis=0),
            fights_with_controller=self.fights.copy(),
            arrival_week=self.arrival.copy(),
            first_violence_week=self.first_violence.copy(),
            relation=self.relation.copy(),
            protected=self.protected.copy(),
            signal=self.signal.copy(),
            members=self.strength.sum(axis=1),
            capacity=self.capacity,
            population=self.population.copy(),
        )


def ops(result: Operations) -> list[tuple[int, int, int]]:
    """Operations as (plaza, cartel, kind) tuples, in priority order."""
    return list(zip(result.plaza, result.cartel, result.kind, strict=True))


def rng() -> np.random.Generator:
    return np.random.default_rng(RNG_SEED)
