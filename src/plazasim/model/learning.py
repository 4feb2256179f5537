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
from plazasim.model.state import State
from plazasim.world.world import ALLIED


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

    own = np.stack([
        acts(violent & punished),
        acts(violent),
        acts(~violent & punished),
        acts(~violent),
    ], axis=1).astype(float)  # (K, 4)
    everyone = own[state.alive].sum(axis=0)
    seen = own + p.social_learning * (everyone[None, :] - own)
    state.counts = state.counts * p.belief_discount + np.where(state.alive[:, None], seen, 0.0)
    a, b = p.belief_alpha, p.belief_beta
    state.belief = (state.counts[:, 0] + a) / (state.counts[:, 1] + a + b)
    state.belief_discreet = (state.counts[:, 2] + a) / (state.counts[:, 3] + a + b)


def receive_signal(state: State, ctx: Context, winner: int, plaza: int) -> None:
    """A public US declaration that ``winner`` dominates ``plaza`` (seed, April 2010).

    Its challengers read it as an ultimatum: each non-allied cartel adds, with
    weight ``signal_credibility``, as many punished violent acts as the violent
    acts it remembers, pulling its belief that violence is punished towards 1.
    """
    p = ctx.params
    state.signal[plaza] = winner
    challengers = state.alive & (state.relation[:, winner] != ALLIED)
    challengers[winner] = False
    extra = p.signal_credibility * np.maximum(state.counts[:, 1], p.belief_alpha + p.belief_beta)
    state.counts[challengers, 0] += extra[challengers]
    state.counts[challengers, 1] += extra[challengers]
    a, b = p.belief_alpha, p.belief_beta
    state.belief = (state.counts[:, 0] + a) / (state.counts[:, 1] + a + b)


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
    extra = credibility * np.maximum(state.counts[:, [1, 3]].max(axis=1),
                                     p.belief_alpha + p.belief_beta)
    alive = state.alive
    state.counts[alive, 0] += extra[alive]
    state.counts[alive, 1] += extra[alive]
    state.counts[alive, 3] += extra[alive]
    a, b = p.belief_alpha, p.belief_beta
    state.belief = (state.counts[:, 0] + a) / (state.counts[:, 1] + a + b)
    state.belief_discreet = (state.counts[:, 2] + a) / (state.counts[:, 3] + a + b)
