"""The ``signaling`` policy: the unwritten rules a CISEN officer attributed to the Mexican state.

Source: the April 2010 email of the CISEN officer Stratfor called MX1, as reported
by Narco News and reprinted in the seed article (``shared/seed/000_...txt``). In
paraphrase, the state never negotiates openly; it *signals* through what it
punishes:

* in a plaza nobody contests, a cartel that moves drugs quietly is tolerated and
  one that kills is hit (its network dismantled or its people arrested);
* in a contested plaza, when a group arrives the state first watches how the
  incumbent reacts; if the incumbent fights the arrivals, the state removes the
  arrivals; if the two are allied, nothing is done; if the arrivals start the
  killing, the state first lets the incumbent answer and then punishes both.

Each rule is a separate function over the cells where the state sees a cartel
(:class:`Seen`) so that it can be tested alone and so a week costs a few numpy
passes over ~1,700 cells rather than over whole ``(K, P)`` arrays (the Mexico
world has ~2,450 plazas and calibration runs the policy millions of times).
:class:`Signaling` chains them and orders the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from pydantic import BaseModel, Field

from plazasim.policies.base import (
    OP_ARRESTS,
    OP_NONE,
    OP_TAKEDOWN,
    Observation,
    Operations,
    Policy,
    register,
)
from plazasim.policies.common import PARAMS_CONFIG, targetable, top_order

__all__ = [
    "Seen",
    "Signaling",
    "SignalingParams",
    "allied_with_dominant",
    "challengers",
    "dominant_cartel",
    "fought_newcomer_rule",
    "prioritise",
    "undisputed_rule",
    "violent_newcomer_rule",
    "waiting",
]


class SignalingParams(BaseModel):
    """Parameters of :class:`Signaling`; times in weeks, violence in killings per week."""

    model_config = PARAMS_CONFIG

    wait_weeks: int = Field(
        4,
        ge=0,
        le=520,
        description="weeks the state only watches after a group arrives in a contested "
        "plaza (about a month: long enough to see the incumbent's reaction)",
    )
    let_dominant_act_weeks: int = Field(
        4,
        ge=0,
        le=520,
        description="weeks after an arrival's first violence during which the incumbent is "
        "left to answer it before both are punished",
    )
    violence_threshold: float = Field(
        0.5,
        ge=0.0,
        description="killings/week attributed to a cartel in a plaza above which it counts "
        "as violent (below it, attribution noise dominates)",
    )
    takedown_threshold: float = Field(
        3.0,
        ge=0.0,
        description="killings/week at or above which a violent cartel in an uncontested "
        "plaza gets a network takedown instead of arrests",
    )
    intensity: float = Field(
        1.0, gt=0.0, le=100.0, description="scale of every operation (1 = standard)"
    )


# --------------------------------------------------------------------------- helpers


def dominant_cartel(obs: Observation) -> np.ndarray:
    """``(P,)`` int: the cartel the state treats as dominant in each plaza (-1 none).

    A US signal names the dominant cartel outright and outranks whatever the
    controller estimate says; otherwise the seen controller is dominant. A dead
    slot cannot be dominant.
    """
    alive = np.asarray(obs.alive, dtype=bool)
    n_k = alive.size
    signal = np.asarray(obs.signal, dtype=np.int64)
    dom = np.where(signal >= 0, signal, np.asarray(obs.controller, dtype=np.int64))
    # Slot n_k stands for "no slot" (out of range or -1): never alive.
    slot = np.where((dom >= 0) & (dom < n_k), dom, n_k)
    return np.where(np.append(alive, False)[slot], dom, -1)


@dataclass(frozen=True)
class Seen:
    """The ``(cartel, plaza)`` cells where a living cartel is seen, and what the rules read.

    Every rule judges a cartel in a plaza where the state sees it, so the rules
    work on these cells (about 1,700 a week in the Mexico world) rather than on
    whole ``(K, P)`` arrays. Arrays are ``(C,)``, cells in row-major order (cartel
    slot, then plaza); :meth:`at` reads any ``(K, P)`` array of the observation there.
    """

    obs: Observation
    cell: np.ndarray  # flat index into (K, P)
    k: np.ndarray  # cartel slot
    p: np.ndarray  # plaza
    dom: np.ndarray  # dominant cartel of the plaza (-1 none), see dominant_cartel
    violence: np.ndarray  # killings attributed last week

    @classmethod
    def of(cls, obs: Observation) -> Seen:
        """The cells of ``obs`` where a cartel is known to operate and its slot is alive."""
        present = np.asarray(obs.present, dtype=bool)
        cell = np.flatnonzero(present & np.asarray(obs.alive, dtype=bool)[:, None])
        k, p = np.divmod(cell, present.shape[1])
        violence = np.asarray(obs.violence, dtype=np.float64).reshape(-1)[cell]
        return cls(obs, cell, k, p, dominant_cartel(obs)[p], violence)

    def at(self, array: np.ndarray) -> np.ndarray:
        """``(C,)`` the values of a ``(K, P)`` array at the seen cells."""
        return np.asarray(array).reshape(-1)[self.cell]

    def dense(self, values: np.ndarray) -> np.ndarray:
        """``(K, P)`` the ``(C,)`` values at the seen cells, zero elsewhere."""
        out = np.zeros(np.shape(self.obs.present), dtype=values.dtype)
        out.reshape(-1)[self.cell] = values
        return out


def _violent(seen: Seen, threshold: float) -> np.ndarray:
    """``(C,)`` bool: attributed killings last week above the threshold."""
    return seen.violence > threshold


def _at_least_weeks_ago(obs: Observation, weeks: np.ndarray, n: int) -> np.ndarray:
    """Bool, same shape as ``weeks``: the date is ``n`` or more weeks before ``obs.week``.

    An unknown date (-1) counts as this week, so it is at least ``n`` weeks ago only
    when ``n`` is 0. Written as one comparison against a cut-off week rather than a
    subtraction.
    """
    weeks = np.asarray(weeks)
    if n <= 0:
        return np.ones(weeks.shape, dtype=bool)
    return (weeks >= 0) & (weeks <= obs.week - n)


# --------------------------------------------------------------------------- rules


def undisputed_rule(seen: Seen, params: SignalingParams) -> np.ndarray:
    """Rule for uncontested plazas: ``(C,)`` int of operation kinds (``OP_NONE`` = none).

    A discreet cartel is left alone; a violent one is hit, with a takedown when its
    violence reaches ``takedown_threshold`` and arrests below that. Contested plazas
    with no dominant cartel are judged by this rule too: with no incumbent to
    watch, behaviour is all the state can go on.
    """
    plazas = ~np.asarray(seen.obs.disputed, dtype=bool)[seen.p] | (seen.dom < 0)
    hit = _violent(seen, params.violence_threshold) & plazas
    heavy = seen.violence >= params.takedown_threshold
    return np.where(hit, np.where(heavy, OP_TAKEDOWN, OP_ARRESTS), OP_NONE)


def challengers(seen: Seen) -> np.ndarray:
    """``(C,)`` bool: cartels facing the dominant one in a contested plaza.

    The rules speak of a group arriving where a dominant cartel is; in the arrays
    that is every present cartel other than the dominant one. Newcomers (arrived
    after the dominant) are the usual case. Cartels that were there first are
    challengers too: a US signal can name a later arrival dominant (the older
    resident is then the one told to fall in line), and when control flips the
    displaced incumbent keeps fighting; leaving it unjudged would make every such
    plaza a zone of impunity. How long a challenger has been there only matters
    for the waiting rule, through its own arrival week.
    """
    disputed = np.asarray(seen.obs.disputed, dtype=bool)[seen.p]
    return disputed & (seen.dom >= 0) & (seen.k != seen.dom)


def waiting(seen: Seen, params: SignalingParams) -> np.ndarray:
    """Rule (a): ``(C,)`` bool, arrived less than ``wait_weeks`` ago (state only watches).

    An arrival with an unknown date is taken as arriving this week.
    """
    return ~_at_least_weeks_ago(seen.obs, seen.at(seen.obs.arrival_week), params.wait_weeks)


def allied_with_dominant(seen: Seen) -> np.ndarray:
    """Rule (b): ``(C,)`` bool, cartel publicly allied with the plaza's dominant cartel."""
    relation = np.asarray(seen.obs.relation)
    dom_safe = np.where(seen.dom >= 0, seen.dom, 0)
    return (relation[seen.k, dom_safe] == 1) & (seen.dom >= 0)


def violent_newcomer_rule(
    seen: Seen, params: SignalingParams, judged: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rule (c): a newcomer that brings violence.

    ``judged`` marks challengers still subject to judgement (past the wait, not
    allied). A violent one is left to the dominant cartel for
    ``let_dominant_act_weeks`` after its first violence (unknown first violence
    counts as this week); after that both are punished.

    Returns:
        ``(C,)`` bool of newcomers to take down, and ``(C,)`` bool of dominant
        cartels that get arrests (one per plaza, and only where the dominant cartel
        is itself seen: a US signal may name a cartel the state has not seen there).

    """
    violent = judged & _violent(seen, params.violence_threshold)
    late = _at_least_weeks_ago(
        seen.obs, seen.at(seen.obs.first_violence_week), params.let_dominant_act_weeks
    )
    punish = violent & late
    plazas = np.zeros(np.shape(seen.obs.present)[1], dtype=bool)
    plazas[seen.p[punish]] = True
    return punish, plazas[seen.p] & (seen.k == seen.dom)


def fought_newcomer_rule(seen: Seen, params: SignalingParams, judged: np.ndarray) -> np.ndarray:
    """Rule (d): ``(C,)`` bool, a quiet newcomer the dominant cartel fights is taken down.

    The state sides with the incumbent. A quiet newcomer nobody fights (rule e) is
    left alone: this function returns ``False`` for it.
    """
    quiet = ~_violent(seen, params.violence_threshold)
    return judged & quiet & seen.at(np.asarray(seen.obs.fights_with_controller, dtype=bool))


# --------------------------------------------------------------------------- ordering


def prioritise(seen: Seen, kinds: np.ndarray, intensity: float) -> Operations:
    """Turn ``(C,)`` kinds into operations, most violent first, capped at capacity.

    Ties are broken by plaza index then cartel slot. Untargetable slots are dropped
    here, once, so no rule can forget it (cartels not seen in a plaza are not among
    the cells).
    """
    chosen = np.flatnonzero((kinds != OP_NONE) & targetable(seen.obs)[seen.k])
    best = chosen[
        top_order(seen.k[chosen], seen.p[chosen], seen.violence[chosen], int(seen.obs.capacity))
    ]
    return Operations(
        plaza=seen.p[best].tolist(),
        cartel=seen.k[best].tolist(),
        kind=kinds[best].tolist(),
        intensity=[float(intensity)] * int(best.size),
    )


@register("signaling")
class Signaling(Policy):
    """Conditional enforcement by signals (MX1, April 2010): punish violence, back incumbents."""

    name = "signaling"
    params_model = SignalingParams
    params: SignalingParams

    def seen_kinds(self, seen: Seen) -> np.ndarray:
        """``(C,)`` int operation kind per seen cell before targeting and capacity."""
        p = self.params
        kinds = undisputed_rule(seen, p)
        judged = challengers(seen) & ~waiting(seen, p) & ~allied_with_dominant(seen)
        newcomers, dominants = violent_newcomer_rule(seen, p, judged)
        newcomers |= fought_newcomer_rule(seen, p, judged)
        kinds[newcomers] = OP_TAKEDOWN
        kinds[dominants] = OP_ARRESTS
        return kinds

    def kinds(self, obs: Observation) -> np.ndarray:
        """``(K, P)`` int operation kind per cartel and plaza before targeting and capacity."""
        seen = Seen.of(obs)
        return seen.dense(self.seen_kinds(seen))

    def decide_regions(
        self, obs: Observation, regions: Sequence[tuple[np.ndarray, int]], rng: np.random.Generator
    ) -> list[Operations]:
        """:meth:`decide` on each region ``(plazas, capacity)`` alone, judging every cell once.

        The rules judge a cartel in a plaza by what is seen in that plaza, so the kinds
        of a region's cells are the same whether the state looks at the region or the
        country; only the ranking is per region.
        """
        seen = Seen.of(obs)
        kinds = self.seen_kinds(seen)
        out = []
        inside = np.zeros(np.shape(obs.present)[1], dtype=bool)
        for plazas, capacity in regions:
            inside[:] = False
            inside[plazas] = True
            cells = np.flatnonzero(inside[seen.p])
            local = Seen(
                replace(obs, capacity=int(capacity)),
                seen.cell[cells],
                seen.k[cells],
                seen.p[cells],
                seen.dom[cells],
                seen.violence[cells],
            )
            out.append(prioritise(local, kinds[cells], self.params.intensity))
        return out

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Apply the rules; ``rng`` is unused (the rules are deterministic)."""
        seen = Seen.of(obs)
        return prioritise(seen, self.seen_kinds(seen), self.params.intensity)
