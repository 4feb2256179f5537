"""The ``conditional`` policy: repression proportional to each cartel's violence, announced.

Source: Lessing (2015), "Logics of Violence in Criminal War",
*Journal of Conflict Resolution* 59(8), and Lessing (2017), *Making Peace in Drug
Wars: Crackdowns and Cartels in Latin America* (Cambridge University Press).
Lessing argues that cartels fight the state ("violent lobbying") when repression
falls on them whatever they do, and that *conditional* repression, where the
state's effort against each cartel rises with the violence that cartel commits,
makes discretion pay and so deters violence, provided the cartels know the rule.
Hence the two halves of this policy:

* the rule: the state remembers the violence attributed to each cartel in each
  plaza (a discounted sum), spends its capacity on cartels in proportion to the
  violence they are remembered for, and hits each cartel where it was most
  violent; discreet cartels are left alone;
* the announcement: the state says so in public, with some credibility.
  :class:`Conditional` only *exposes* that credibility (``announcement``); the
  engine reads it when the policy becomes active and shifts cartels' beliefs
  (``plazasim.model.learning``).

Unlike :mod:`plazasim.policies.signaling` (the MX1 rules, which judge last week's
behaviour plaza by plaza and side with incumbents), this policy has memory, takes
no side in a contested plaza, and sizes the response to the violence.
"""

from __future__ import annotations

from typing import Any

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
from plazasim.policies.common import PARAMS_CONFIG, largest_remainder, targetable, top_pairs

__all__ = [
    "Conditional",
    "ConditionalParams",
    "capped_allocation",
    "largest_remainder",
    "top_per_row",
]

#: Bounds of the per-operation intensity factor when ``proportional_intensity`` is on.
INTENSITY_FACTOR_RANGE = (0.25, 4.0)


class ConditionalParams(BaseModel):
    """Parameters of :class:`Conditional`; times in weeks, violence in attributed killings.

    The thresholds are rates in killings a week: they are compared with the memory
    divided by ``memory_weeks`` (v killings every week read as a rate approaching v).
    """

    model_config = PARAMS_CONFIG

    memory_weeks: float = Field(
        4.0,
        ge=1.0,
        le=520.0,
        description="time scale of the state's memory of violence: each week the memory is "
        "multiplied by 1 - 1/memory_weeks before last week's killings are added (1 = last "
        "week only; 4 = about a month, the scale of the signaling policy's waits)",
    )
    violence_threshold: float = Field(
        0.5,
        ge=0.0,
        description="remembered rate of killings in a plaza (killings/week: the memory divided "
        "by memory_weeks, so steady violence v a week reads v) at or above which a cartel "
        "there is a candidate for punishment",
    )
    takedown_threshold: float = Field(
        3.0,
        ge=0.0,
        description="remembered rate of killings (killings/week, as violence_threshold) at or "
        "above which the operation is a network takedown instead of arrests",
    )
    intensity: float = Field(
        1.0, gt=0.0, le=100.0, description="scale of every operation (1 = standard)"
    )
    proportional_intensity: bool = Field(
        False,
        description="also scale each operation's intensity by the plaza's remembered violence "
        "relative to the mean over all candidate cells, clipped to [0.25, 4]",
    )
    announcement_credibility: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="credibility (0-1) with which the state publicly announces the rule; "
        "exposed as the policy's ``announcement`` for the engine's learning phase",
    )


# --------------------------------------------------------------------------- allocation


def capped_allocation(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Split ``total`` units in proportion to ``weights`` with at most ``caps[i]`` each.

    An entry whose proportional share reaches its cap gets the cap, and what is
    left is shared among the others in proportion to their weights, again by
    largest remainders; repeated until no share exceeds its cap (at most one round
    per entry). If the caps add up to less than ``total``, every entry gets its cap.
    Returns ``int64``.
    """
    w = np.asarray(weights, dtype=np.float64)
    caps = np.asarray(caps, dtype=np.int64)
    alloc = np.zeros(w.shape, dtype=np.int64)
    active = (np.nan_to_num(w, nan=0.0) > 0) & (caps > 0)
    remaining = min(int(total), int(caps[active].sum()))
    while remaining > 0 and active.any():  # one round per entry at most
        share = np.zeros_like(alloc)
        share[active] = largest_remainder(remaining, w[active])
        full = active & (share >= caps)
        if not full.any():
            alloc += share
            break
        alloc[full] = caps[full]
        remaining -= int(caps[full].sum())
        active &= ~full
    return alloc


def top_per_row(mask: np.ndarray, score: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``(K, P)`` bool: in each row k, the ``n[k]`` highest-scoring cells of ``mask``.

    Ties are broken by plaza index (column), as :func:`~plazasim.policies.common.top_pairs`
    does. One sort over the masked cells, no loop over rows.
    """
    ks, ps = np.nonzero(mask)
    values = np.nan_to_num(np.asarray(score, dtype=np.float64)[ks, ps], nan=0.0)
    order = np.lexsort((ps, -values, ks))
    ks, ps = ks[order], ps[order]
    rank = np.arange(ks.size) - np.searchsorted(ks, ks, side="left")
    keep = rank < np.asarray(n, dtype=np.int64)[ks]
    out = np.zeros(np.shape(mask), dtype=bool)
    out[ks[keep], ps[keep]] = True
    return out


# --------------------------------------------------------------------------- policy


@register("conditional")
class Conditional(Policy):
    """Lessing's conditional repression: punish each cartel in proportion to its violence.

    ``announcement`` (the parameter ``announcement_credibility``, in [0, 1]) is the
    credibility with which the state publicly announces the rule. The policy itself
    does nothing with it: the engine shifts cartels' beliefs by it when the policy
    comes into force.

    The memory of violence lives in the instance; :meth:`reset` (called by the engine
    when a run starts) empties it. A repeated call for the same week recomputes that
    week rather than counting its violence twice; skipped weeks (the policy inactive
    in between) decay the memory once per week elapsed.
    """

    name = "conditional"
    params_model = ConditionalParams
    params: ConditionalParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.announcement = float(self.params.announcement_credibility)
        self.reset()

    def reset(self) -> None:
        """Forget all remembered violence (a new run starts)."""
        self._week: int | None = None
        self._before: np.ndarray | None = None  # this week's memory before its violence
        self._memory: np.ndarray | None = None

    @property
    def decay(self) -> float:
        """Weekly retention of remembered violence, ``1 - 1/memory_weeks``."""
        return 1.0 - 1.0 / self.params.memory_weeks

    @property
    def memory(self) -> np.ndarray | None:
        """``(K, P)`` remembered violence after the last call (a copy; ``None`` before any)."""
        return None if self._memory is None else self._memory.copy()

    def remember(self, obs: Observation) -> np.ndarray:
        """Fold last week's attributed violence into the memory and return it.

        ``memory = decay ** weeks_elapsed * memory + violence``, with
        ``weeks_elapsed = 1`` in a normal run. Non-finite or negative attributed
        violence counts as none. A week before the last one seen, or arrays of
        another shape, belong to another run: a ``ValueError`` asks for :meth:`reset`.
        """
        v = np.asarray(obs.violence, dtype=np.float64)
        v = np.maximum(np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0), 0.0)
        week = int(obs.week)
        if (
            self._memory is not None
            and self._week is not None
            and (self._memory.shape != v.shape or week < self._week)
        ):
            raise ValueError(
                f"conditional: week {week} (shape {v.shape}) after week "
                f"{self._week} (shape {self._memory.shape}): call reset() "
                "before a new run"
            )
        if self._memory is None or self._week is None:
            before = np.zeros_like(v)
        elif week == self._week and self._before is not None:
            before = self._before
        else:
            before = self._memory * self.decay ** (week - self._week)
        self._week, self._before, self._memory = week, before, before + v
        return self._memory

    def candidates(self, obs: Observation, memory: np.ndarray) -> np.ndarray:
        """``(K, P)`` bool: targetable cartels seen in a plaza where they are remembered violent."""
        p = self.params
        violent = (memory > 0.0) & (memory / p.memory_weeks >= p.violence_threshold)
        return violent & np.asarray(obs.present, dtype=bool) & targetable(obs)[:, None]

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Allocate capacity across cartels by remembered violence, then order by violence.

        Cartel k's weight is its remembered violence summed over its candidate cells;
        it gets ``capped_allocation`` of ``obs.capacity`` (at most one operation per
        candidate cell) and spends it on its most violent cells. The chosen cells are
        listed most violent first (ties: plaza, then slot). ``rng`` is unused.
        """
        p = self.params
        memory = self.remember(obs)
        cand = self.candidates(obs, memory)
        capacity = max(int(obs.capacity), 0)
        if capacity == 0 or not cand.any():
            return Operations()
        cand_memory = np.where(cand, memory, 0.0)
        alloc = capped_allocation(capacity, cand_memory.sum(axis=1), cand.sum(axis=1))
        chosen = top_per_row(cand, memory, alloc)
        ks, ps = top_pairs(chosen, memory, capacity)
        cell = memory[ks, ps]
        kinds = np.where(cell / p.memory_weeks >= p.takedown_threshold, OP_TAKEDOWN, OP_ARRESTS)
        intensity = np.full(ks.size, float(p.intensity))
        if p.proportional_intensity:
            mean = float(memory[cand].mean())
            intensity *= np.clip(cell / mean, *INTENSITY_FACTOR_RANGE)
        return Operations(
            plaza=ps.tolist(),
            cartel=ks.tolist(),
            kind=kinds.tolist(),
            intensity=intensity.tolist(),
        )
