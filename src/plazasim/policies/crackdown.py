"""The ``crackdown`` policy: unconditional repression aimed where cartels are biggest.

DESIGN.md §3: capacity goes where cartel presence is largest, whatever the cartels
do. This is what Lessing (2015, 2017) calls *unconditional* repression: since a
cartel is hit whether or not it kills, it gains nothing by being discreet, which
is why such crackdowns are expected to provoke rather than deter fighting. The
policy is the counterfactual to :mod:`plazasim.policies.signaling`, which makes
punishment depend on behaviour.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, Field

from plazasim.policies.base import OP_ARRESTS, OP_TAKEDOWN, Observation, Operations, register
from plazasim.policies.common import PARAMS_CONFIG, targetable, top_pairs, validate_params

__all__ = ["Crackdown", "CrackdownParams", "crackdown_kinds", "largest_presences"]


class CrackdownParams(BaseModel):
    """Parameters of :class:`Crackdown`."""

    model_config = PARAMS_CONFIG

    takedown_fraction: float = Field(
        0.5, ge=0.0, le=1.0,
        description="share of the week's operations (the largest presences) run as network "
        "takedowns; the rest are arrests")
    intensity: float = Field(
        1.0, gt=0.0, le=100.0, description="scale of every operation (1 = standard)")


def largest_presences(obs: Observation, n: int,
                      plazas: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Find the ``n`` largest targetable presences by estimated strength, largest first.

    Only pairs where the cartel is known to be present count (a strength estimate
    on an absent pair is noise); protected and dead slots are excluded. Ties are
    broken by plaza index then cartel slot. With ``plazas`` (sorted indices) only
    those columns are looked at, so a regional search costs what the region costs.
    Returns cartel slots and plaza indices.
    """
    present = np.asarray(obs.present, dtype=bool)
    estimate = obs.strength_estimate
    if plazas is not None:
        present, estimate = present[:, plazas], estimate[:, plazas]
    ks, ps = top_pairs(present & targetable(obs)[:, None], estimate, n)
    return ks, (ps if plazas is None else plazas[ps])


def crackdown_kinds(n_ops: int, takedown_fraction: float) -> np.ndarray:
    """Kinds of ``n_ops`` ranked operations: the top share takedowns, the rest arrests.

    The number of takedowns is ``takedown_fraction x n_ops``, rounded half up.
    """
    n_takedown = int(np.floor(takedown_fraction * n_ops + 0.5))
    return np.where(np.arange(n_ops) < n_takedown, OP_TAKEDOWN, OP_ARRESTS)


@register("crackdown")
class Crackdown:
    """Unconditional repression: hit the largest cartel presences, ignoring behaviour."""

    name: ClassVar[str] = "crackdown"

    def __init__(self, **params: Any) -> None:
        self.params = validate_params(self.name, CrackdownParams, params)

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
