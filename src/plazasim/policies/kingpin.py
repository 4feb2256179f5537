"""The ``kingpin`` policy: capacity goes to capturing the leaders of the largest cartels.

This is the "leadership" or decapitation strategy of the Calderón
offensive: in March 2009 the Mexican government published a list of the 37 most
wanted traffickers, and 25 of them had been killed or arrested by October 2012
(AP, 9 Oct 2012; ``shared/data/cartels_2006_2012/README.md``). Its effect on
violence is the subject of Calderón, Robles, Díaz-Cayeros & Magaloni (2015), "The
Beheading of Criminal Organizations and the Dynamics of Violence in Mexico",
*Journal of Conflict Resolution* 59(8), and Phillips (2015), "How Does Leadership
Decapitation Affect Violence? The Case of Drug Trafficking Organizations in
Mexico", *Journal of Politics* 77(2): both find that removing leaders tends to
fragment cartels and raise violence afterwards. In the model a kingpin operation
lowers a cartel's cohesion when it succeeds (``plazasim.model.enforcement``) and
the splits phase may then break the cartel up, so this policy is the one that
lets those findings show (or not) in a run.

Like :mod:`plazasim.policies.crackdown` it ignores behaviour: who is hit depends
on size alone, which in Lessing's (2015, 2017) terms makes it unconditional.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from plazasim.policies.base import (
    OP_ARRESTS,
    OP_KINGPIN,
    Observation,
    Operations,
    Policy,
    register,
)
from plazasim.policies.common import PARAMS_CONFIG, targetable, top_pairs

__all__ = ["Kingpin", "KingpinParams", "largest_cartels", "strongholds"]


class KingpinParams(BaseModel):
    """Parameters of :class:`Kingpin`; operations are counted per week."""

    model_config = PARAMS_CONFIG

    targets: int = Field(
        3,
        ge=1,
        le=64,
        description="number of cartels whose leaders are hunted, the largest by estimated "
        "national size (the 2006 map had 4-7 major organisations; the offensive went after "
        "the top few first)",
    )
    ops_per_target: int = Field(
        4,
        ge=1,
        description="kingpin operations per targeted cartel per week, one in each of its "
        "strongest plazas (where leaders are most likely to be: a leader's whereabouts are "
        "uncertain, so the search is spread over a few strongholds)",
    )
    arrests_with_rest: bool = Field(
        True,
        description="spend capacity left after the kingpin operations on arrests in the "
        "targeted cartels' largest presences (False: leave it unused)",
    )
    intensity: float = Field(
        1.0, gt=0.0, le=100.0, description="scale of every operation (1 = standard)"
    )


def largest_cartels(obs: Observation, n: int) -> np.ndarray:
    """The ``n`` largest targetable cartels by estimated national size, largest first.

    Size is ``obs.members`` (NaN counts as 0); ties are broken by slot. A cartel not
    seen in any plaza is skipped: there is nowhere to look for its leaders, and the
    next largest takes its place. Returns ``int64`` slots.
    """
    seen = np.asarray(obs.present, dtype=bool).any(axis=1)
    ok = targetable(obs) & seen
    members = np.asarray(obs.members, dtype=np.float64)
    ks, _ = top_pairs(ok[:, None], members[:, None], n)
    return ks


def strongholds(obs: Observation, k: int, n: int) -> np.ndarray:
    """The ``n`` plazas where cartel ``k`` is estimated strongest, strongest first.

    Only plazas where ``k`` is seen count; ties are broken by plaza index.
    Returns ``int64`` plaza indices.
    """
    row = np.asarray(obs.present, dtype=bool)[k : k + 1]
    score = np.asarray(obs.strength_estimate, dtype=np.float64)[k : k + 1]
    _, ps = top_pairs(row, score, n)
    return ps


@register("kingpin")
class Kingpin(Policy):
    """Leadership targeting: hunt the leaders of the largest cartels in their strongholds."""

    name = "kingpin"
    params_model = KingpinParams
    params: KingpinParams

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Kingpin operations on the largest cartels, then (optionally) arrests with the rest.

        Listed in priority order: the largest cartel's kingpin operations (its
        strongest plaza first), then the next cartel's, and so on; then arrests on
        the targeted cartels' largest remaining presences (largest first; ties by
        plaza then slot), never in a cell that already has a kingpin operation. At
        most ``obs.capacity`` operations, so when capacity is short the largest
        cartels keep theirs. ``rng`` is unused.
        """
        p = self.params
        capacity = max(int(obs.capacity), 0)
        out = Operations()
        if capacity == 0:
            return out
        targets = largest_cartels(obs, p.targets)
        ks_parts: list[np.ndarray] = []
        ps_parts: list[np.ndarray] = []
        for k in targets.tolist():  # at most `targets` (<= 64) cartels
            ps = strongholds(obs, k, p.ops_per_target)
            ks_parts.append(np.full(ps.size, k, dtype=np.int64))
            ps_parts.append(ps)
        king_k = np.concatenate([np.empty(0, dtype=np.int64), *ks_parts])[:capacity]
        king_p = np.concatenate([np.empty(0, dtype=np.int64), *ps_parts])[:capacity]
        rest = capacity - king_k.size
        arr_k = arr_p = np.empty(0, dtype=np.int64)
        if p.arrests_with_rest and rest > 0 and targets.size:
            mask = np.asarray(obs.present, dtype=bool).copy()
            chosen = np.zeros(mask.shape[0], dtype=bool)
            chosen[targets] = True
            mask &= chosen[:, None]
            mask[king_k, king_p] = False
            arr_k, arr_p = top_pairs(mask, obs.strength_estimate, rest)
        n_king, n_arr = int(king_k.size), int(arr_k.size)
        return Operations(
            plaza=king_p.tolist() + arr_p.tolist(),
            cartel=king_k.tolist() + arr_k.tolist(),
            kind=[OP_KINGPIN] * n_king + [OP_ARRESTS] * n_arr,
            intensity=[float(p.intensity)] * (n_king + n_arr),
        )
