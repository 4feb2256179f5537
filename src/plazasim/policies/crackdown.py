"""The ``crackdown`` policy: unconditional repression aimed where cartels are biggest.

Capacity goes where cartel presence is largest, whatever the cartels
do. This is what Lessing (2015, 2017) calls *unconditional* repression: since a
cartel is hit whether or not it kills, it gains nothing by being discreet, which
is why such crackdowns are expected to provoke rather than deter fighting. The
policy is the counterfactual to :mod:`plazasim.policies.signaling`, which makes
punishment depend on behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

from plazasim.policies.base import (
    OP_ARRESTS,
    OP_TAKEDOWN,
    Observation,
    Operations,
    Policy,
    register,
)
from plazasim.policies.common import (
    PARAMS_CONFIG,
    ranking_scores,
    targetable,
    top_cells,
)

__all__ = [
    "DEFAULT_PARAMS",
    "Crackdown",
    "CrackdownParams",
    "crackdown_kinds",
    "largest_presences",
    "largest_presences_by_region",
    "n_takedowns",
    "presences",
]


class CrackdownParams(BaseModel):
    """Parameters of :class:`Crackdown`."""

    model_config = PARAMS_CONFIG

    takedown_fraction: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="share of the week's operations (the largest presences) run as network "
        "takedowns; the rest are arrests",
    )
    intensity: float = Field(
        1.0, gt=0.0, le=100.0, description="scale of every operation (1 = standard)"
    )


def presences(obs: Observation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The targetable presences the state sees: cartel slots, plazas, estimated members.

    Only pairs where the cartel is known to be present count (a strength estimate
    on an absent pair is noise); protected and dead slots are excluded. Cells are
    in row-major order (cartel slot, then plaza).
    """
    present = np.asarray(obs.present, dtype=bool)
    cells = np.flatnonzero(present & targetable(obs)[:, None])
    ks, ps = np.divmod(cells, present.shape[1])
    estimate = np.asarray(obs.strength_estimate, dtype=np.float64)
    return ks, ps, estimate.reshape(-1)[cells]


def largest_presences(
    obs: Observation, n: int, plazas: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Find the ``n`` largest targetable presences by estimated strength, largest first.

    The candidates are :func:`presences`. Ties are broken by plaza index then cartel
    slot. With ``plazas`` (plaza indices) only presences in those plazas count, as
    in :func:`largest_presences_by_region`. Returns cartel slots and plaza indices.
    """
    if plazas is not None:
        _, _, ks, ps = largest_presences_by_region(obs, [plazas], [n])
        return ks, ps
    ks, ps, values = presences(obs)
    return top_cells(ks, ps, values, n)


def largest_presences_by_region(
    obs: Observation, regions: Sequence[np.ndarray], counts: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``counts[i]`` largest targetable presences in each region ``regions[i]``.

    Each region (plaza indices; regions may overlap) is ranked as
    :func:`largest_presences` ranks the country: estimated strength, largest first,
    ties by plaza index then cartel slot, NaN as 0. All regions are ranked in one
    sort, so ten military surges a week cost about what one does.

    Returns:
        region index, rank in the region (0 = largest), cartel slot and plaza of
        each presence selected, region by region in the order given, each region
        largest first.

    """
    ks, ps, values = presences(obs)
    regions_of_plaza = np.zeros((np.shape(obs.present)[1], len(regions)), dtype=bool)
    for i, plazas in enumerate(regions):
        regions_of_plaza[plazas, i] = True
    cell, region = np.divmod(np.flatnonzero(regions_of_plaza[ps]), max(len(regions), 1))
    ks, ps, values = ks[cell], ps[cell], ranking_scores(values[cell])
    order = np.lexsort((ks, ps, -values, region))
    region, ks, ps = region[order], ks[order], ps[order]
    rank = np.arange(region.size) - np.searchsorted(region, region)
    keep = rank < np.asarray(counts, dtype=np.int64)[region]
    return region[keep], rank[keep], ks[keep], ps[keep]


def n_takedowns(n_ops: np.ndarray | int, takedown_fraction: float) -> np.ndarray:
    """How many of ``n_ops`` ranked operations are takedowns: the share, rounded half up."""
    return np.floor(takedown_fraction * np.asarray(n_ops) + 0.5).astype(np.int64)


def crackdown_kinds(n_ops: int, takedown_fraction: float) -> np.ndarray:
    """Kinds of ``n_ops`` ranked operations: the top share takedowns, the rest arrests.

    The number of takedowns is ``takedown_fraction x n_ops``, rounded half up
    (:func:`n_takedowns`).
    """
    return np.where(
        np.arange(n_ops) < n_takedowns(n_ops, takedown_fraction), OP_TAKEDOWN, OP_ARRESTS
    )


#: The default parameters (military surges aim like a default crackdown).
DEFAULT_PARAMS = CrackdownParams()


@register("crackdown")
class Crackdown(Policy):
    """Unconditional repression: hit the largest cartel presences, ignoring behaviour."""

    name = "crackdown"
    params_model = CrackdownParams
    params: CrackdownParams

    def decide_regions(
        self, obs: Observation, regions: Sequence[tuple[np.ndarray, int]], rng: np.random.Generator
    ) -> list[Operations]:
        """:meth:`decide` on each region ``(plazas, capacity)`` alone, ranked in one sort."""
        region, rank, ks, ps = largest_presences_by_region(
            obs, [plazas for plazas, _ in regions], [n for _, n in regions]
        )
        n_ops = np.bincount(region, minlength=len(regions))
        kind = np.where(
            rank < n_takedowns(n_ops, self.params.takedown_fraction)[region],
            OP_TAKEDOWN,
            OP_ARRESTS,
        )
        out = []
        for i in range(len(regions)):
            mine = region == i
            out.append(
                Operations(
                    plaza=ps[mine].tolist(),
                    cartel=ks[mine].tolist(),
                    kind=kind[mine].tolist(),
                    intensity=[float(self.params.intensity)] * int(mine.sum()),
                )
            )
        return out

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Rank presences by estimated strength; takedowns for the top share, then arrests.

        The number of takedowns is ``takedown_fraction`` of the operations actually
        ordered, rounded half up. ``rng`` is unused.
        """
        ks, ps = largest_presences(obs, int(obs.capacity))
        n_ops = int(ks.size)
        return Operations(
            plaza=ps.tolist(),
            cartel=ks.tolist(),
            kind=crackdown_kinds(n_ops, self.params.takedown_fraction).tolist(),
            intensity=[float(self.params.intensity)] * n_ops,
        )
