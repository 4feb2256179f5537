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

Each rule is a separate function over whole ``(K, P)`` arrays so that it can be
tested alone and so a week costs a few numpy passes whatever the plaza count
(the Mexico world has ~2,450 plazas and calibration runs the policy millions of
times). :class:`Signaling` chains them and orders the result.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, Field

from plazasim.policies.base import (
    OP_ARRESTS,
    OP_NONE,
    OP_TAKEDOWN,
    Observation,
    Operations,
    register,
)
from plazasim.policies.common import PARAMS_CONFIG, targetable, top_pairs, validate_params

__all__ = [
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
        4, ge=0, le=520,
        description="weeks the state only watches after a group arrives in a contested "
        "plaza (about a month: long enough to see the incumbent's reaction)")
    let_dominant_act_weeks: int = Field(
        4, ge=0, le=520,
        description="weeks after an arrival's first violence during which the incumbent is "
        "left to answer it before both are punished")
    violence_threshold: float = Field(
        0.5, ge=0.0,
        description="killings/week attributed to a cartel in a plaza above which it counts "
        "as violent (below it, attribution noise dominates)")
    takedown_threshold: float = Field(
        3.0, ge=0.0,
        description="killings/week at or above which a violent cartel in an uncontested "
        "plaza gets a network takedown instead of arrests")
    intensity: float = Field(
        1.0, gt=0.0, le=100.0, description="scale of every operation (1 = standard)")


# --------------------------------------------------------------------------- helpers


def dominant_cartel(obs: Observation) -> np.ndarray:
    """``(P,)`` int: the cartel the state treats as dominant in each plaza (-1 none).

    A US signal names the dominant cartel outright and outranks whatever the
    controller estimate says; otherwise the seen controller is dominant. A dead
    slot cannot be dominant.
    """
    n_k = len(obs.alive)
    signal = np.asarray(obs.signal, dtype=np.int64)
    dom = np.where(signal >= 0, signal, np.asarray(obs.controller, dtype=np.int64))
    valid = (dom >= 0) & (dom < n_k)
    valid[valid] = np.asarray(obs.alive, dtype=bool)[dom[valid]]
    return np.where(valid, dom, -1)


def _present(obs: Observation) -> np.ndarray:
    """``(K, P)`` bool: cartel known to operate in the plaza and its slot alive."""
    return np.asarray(obs.present, dtype=bool) & np.asarray(obs.alive, dtype=bool)[:, None]


def _violent(obs: Observation, threshold: float) -> np.ndarray:
    """``(K, P)`` bool: attributed killings last week above the threshold."""
    return np.asarray(obs.violence, dtype=np.float64) > threshold


def _at_least_weeks_ago(obs: Observation, weeks: np.ndarray, n: int) -> np.ndarray:
    """``(K, P)`` bool: the date in ``weeks`` is ``n`` or more weeks before ``obs.week``.

    An unknown date (-1) counts as this week, so it is at least ``n`` weeks ago only
    when ``n`` is 0. Written as one comparison against a cut-off week rather than a
    subtraction over the whole array, because it runs every week on ~2,450 plazas.
    """
    weeks = np.asarray(weeks)
    if n <= 0:
        return np.ones(weeks.shape, dtype=bool)
    return (weeks >= 0) & (weeks <= obs.week - n)


# --------------------------------------------------------------------------- rules


def undisputed_rule(obs: Observation, params: SignalingParams, dom: np.ndarray) -> np.ndarray:
    """Rule for uncontested plazas: ``(K, P)`` int of operation kinds (``OP_NONE`` = none).

    A discreet cartel is left alone; a violent one is hit, with a takedown when its
    violence reaches ``takedown_threshold`` and arrests below that. Contested plazas
    with no dominant cartel are judged by this rule too: with no incumbent to
    watch, behaviour is all the state can go on.
    """
    plazas = ~np.asarray(obs.disputed, dtype=bool) | (dom < 0)
    hit = _present(obs) & _violent(obs, params.violence_threshold) & plazas[None, :]
    heavy = np.asarray(obs.violence, dtype=np.float64) >= params.takedown_threshold
    return np.where(hit, np.where(heavy, OP_TAKEDOWN, OP_ARRESTS), OP_NONE)


def challengers(obs: Observation, dom: np.ndarray) -> np.ndarray:
    """``(K, P)`` bool: cartels facing the dominant one in a contested plaza.

    The rules speak of a group arriving where a dominant cartel is; in the arrays
    that is every present cartel other than the dominant one. Newcomers (arrived
    after the dominant) are the usual case. Cartels that were there first are
    challengers too: a US signal can name a later arrival dominant (the older
    resident is then the one told to fall in line), and when control flips the
    displaced incumbent keeps fighting; leaving it unjudged would make every such
    plaza a zone of impunity. How long a challenger has been there only matters
    for the waiting rule, through its own arrival week.
    """
    n_k = len(obs.alive)
    has_dom = np.asarray(obs.disputed, dtype=bool) & (dom >= 0)
    not_dom = np.arange(n_k)[:, None] != dom[None, :]
    return _present(obs) & has_dom[None, :] & not_dom


def waiting(obs: Observation, params: SignalingParams) -> np.ndarray:
    """Rule (a): ``(K, P)`` bool, arrived less than ``wait_weeks`` ago (state only watches).

    An arrival with an unknown date is taken as arriving this week.
    """
    return ~_at_least_weeks_ago(obs, obs.arrival_week, params.wait_weeks)


def allied_with_dominant(obs: Observation, dom: np.ndarray) -> np.ndarray:
    """Rule (b): ``(K, P)`` bool, cartel publicly allied with the plaza's dominant cartel."""
    relation = np.asarray(obs.relation)
    dom_safe = np.where(dom >= 0, dom, 0)
    return (relation[:, dom_safe] == 1) & (dom >= 0)[None, :]


def violent_newcomer_rule(
    obs: Observation, params: SignalingParams, judged: np.ndarray, dom: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rule (c): a newcomer that brings violence.

    ``judged`` marks challengers still subject to judgement (past the wait, not
    allied). A violent one is left to the dominant cartel for
    ``let_dominant_act_weeks`` after its first violence (unknown first violence
    counts as this week); after that both are punished.

    Returns:
        ``(K, P)`` bool of newcomers to take down, and ``(P,)`` bool of plazas
        whose dominant cartel gets arrests (only where it is itself present: a US
        signal may name a cartel the state has not seen there).

    """
    violent = judged & _violent(obs, params.violence_threshold)
    late = _at_least_weeks_ago(obs, obs.first_violence_week, params.let_dominant_act_weeks)
    punish = violent & late
    plazas = np.zeros(dom.shape, dtype=bool)
    cols = np.flatnonzero(punish.any(axis=0) & (dom >= 0))
    rows = dom[cols]
    plazas[cols] = np.asarray(obs.present, dtype=bool)[rows, cols] & np.asarray(obs.alive)[rows]
    return punish, plazas


def fought_newcomer_rule(
    obs: Observation, params: SignalingParams, judged: np.ndarray
) -> np.ndarray:
    """Rule (d): ``(K, P)`` bool, a quiet newcomer the dominant cartel fights is taken down.

    The state sides with the incumbent. A quiet newcomer nobody fights (rule e) is
    left alone: this function returns ``False`` for it.
    """
    quiet = ~_violent(obs, params.violence_threshold)
    return judged & quiet & np.asarray(obs.fights_with_controller, dtype=bool)


# --------------------------------------------------------------------------- ordering


def prioritise(obs: Observation, kinds: np.ndarray, intensity: float) -> Operations:
    """Turn a ``(K, P)`` kind matrix into operations, most violent first, capped at capacity.

    Ties are broken by plaza index then cartel slot. Untargetable slots and cartels
    not seen in the plaza are dropped here, once, so no rule can forget it.
    """
    allowed = targetable(obs)[:, None] & np.asarray(obs.present, dtype=bool)
    ks, ps = top_pairs((kinds != OP_NONE) & allowed, obs.violence, int(obs.capacity))
    return Operations(
        plaza=ps.tolist(),
        cartel=ks.tolist(),
        kind=kinds[ks, ps].tolist(),
        intensity=[float(intensity)] * int(ks.size),
    )


@register("signaling")
class Signaling:
    """Conditional enforcement by signals (MX1, April 2010): punish violence, back incumbents."""

    name: ClassVar[str] = "signaling"

    def __init__(self, **params: Any) -> None:
        self.params = validate_params(self.name, SignalingParams, params)

    def kinds(self, obs: Observation) -> np.ndarray:
        """``(K, P)`` int operation kind per cartel and plaza before targeting and capacity."""
        p = self.params
        dom = dominant_cartel(obs)
        kinds = undisputed_rule(obs, p, dom)
        judged = challengers(obs, dom) & ~waiting(obs, p) & ~allied_with_dominant(obs, dom)
        newcomers, dom_plazas = violent_newcomer_rule(obs, p, judged, dom)
        newcomers |= fought_newcomer_rule(obs, p, judged)
        kinds[newcomers] = OP_TAKEDOWN
        cols = np.flatnonzero(dom_plazas)
        kinds[dom[cols], cols] = OP_ARRESTS
        return kinds

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Apply the rules; ``rng`` is unused (the rules are deterministic)."""
        return prioritise(obs, self.kinds(obs), self.params.intensity)
