"""Phase 9: cartels update their beliefs about punishment from what they saw.

Form (after Magliocca et al. 2019 PNAS, NarcoLogic's risk
perception): a time-discounted Beta-Bernoulli estimate,
``belief = (punished violent acts + alpha) / (violent acts seen + alpha + beta)``,
and the same for discreet acts. An act is one cartel's posture in one plaza for
one week; it is punished when an operation hit that cartel there. Each cartel
learns from its own acts and, with weight ``social_learning``, from everyone
else's (killings and arrests are public). A consistent conditional policy opens
a gap between the two beliefs, and that gap is what deters (phase 5).
"""

from __future__ import annotations

import numpy as np

from plazasim.model.cells import present_cells
from plazasim.model.context import Context
from plazasim.model.params import Parameters
from plazasim.model.state import (
    DISCREET_PUNISHED,
    DISCREET_SEEN,
    VIOLENT_PUNISHED,
    VIOLENT_SEEN,
    State,
)


def belief(punished: np.ndarray, seen: np.ndarray, params: Parameters) -> np.ndarray:
    """Believed probability of punishment: ``(punished + alpha) / (seen + alpha + beta)``."""
    a, b = params.belief_alpha, params.belief_beta
    return (punished + a) / (seen + a + b)


def _violence_belief(state: State, params: Parameters) -> np.ndarray:
    """``(K,)`` believed probability that violence is punished."""
    return belief(state.counts[:, VIOLENT_PUNISHED], state.counts[:, VIOLENT_SEEN], params)


def _discretion_belief(state: State, params: Parameters) -> np.ndarray:
    """``(K,)`` believed probability that discretion is punished."""
    return belief(state.counts[:, DISCREET_PUNISHED], state.counts[:, DISCREET_SEEN], params)


def learn(state: State, ctx: Context) -> None:
    """Update ``counts``, ``belief`` and ``belief_discreet`` (mutates ``state``)."""
    p = ctx.params
    # Acts are the present cells of living cartels (a few percent of the map).
    rows = np.flatnonzero(state.alive)
    r, c = present_cells(state.strength, rows, p.presence_threshold)
    k = rows[r]
    violent = state.violent[k, c]
    punished = state.punished[k, c]

    def acts(which: np.ndarray) -> np.ndarray:
        return np.bincount(k[which], minlength=state.n_slots)

    own = np.zeros_like(state.counts)  # (K, 4)
    own[:, VIOLENT_PUNISHED] = acts(violent & punished)
    own[:, VIOLENT_SEEN] = acts(violent)
    own[:, DISCREET_PUNISHED] = acts(~violent & punished)
    own[:, DISCREET_SEEN] = acts(~violent)
    everyone = own[state.alive].sum(axis=0)
    seen = own + p.social_learning * (everyone[None, :] - own)
    state.counts = state.counts * p.belief_discount + np.where(state.alive[:, None], seen, 0.0)
    state.belief = _violence_belief(state, p)
    state.belief_discreet = _discretion_belief(state, p)


def receive_announcement(state: State, ctx: Context, credibility: float) -> None:
    """A public announcement that violence, and only violence, will be punished.

    Lessing (2017) stresses that conditional repression works through what cartels
    expect, so the state must announce its rule. Every living cartel adds, with
    weight ``credibility`` (a share in [0, 1], the policy's ``announcement``), as
    many punished violent acts and unpunished discreet acts as it remembers (at
    least the prior's weight), which opens the gap between ``belief`` and
    ``belief_discreet`` that deters violence in phase 5. Experience then confirms
    or erodes it (the counts are discounted like any other).
    """
    p = ctx.params
    extra = credibility * np.maximum(
        state.counts[:, [VIOLENT_SEEN, DISCREET_SEEN]].max(axis=1), p.belief_alpha + p.belief_beta
    )
    alive = state.alive
    state.counts[alive, VIOLENT_PUNISHED] += extra[alive]
    state.counts[alive, VIOLENT_SEEN] += extra[alive]
    state.counts[alive, DISCREET_SEEN] += extra[alive]
    state.belief = _violence_belief(state, p)
    state.belief_discreet = _discretion_belief(state, p)
