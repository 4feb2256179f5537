"""What the state sees, what it can order, and what the model asks of a policy.

The enforcement phase (phase 7, :mod:`plazasim.model.enforcement`) builds an
:class:`Observation` each week (what the state can see, with noise), asks the policy in
force for :class:`Operations` (each on one cartel in one plaza, in priority order) and
applies them, truncated to the week's capacity. The model reads a policy only through
:class:`EnforcementPolicy`; the policies themselves live in :mod:`plazasim.policies`,
which imports this module, never the reverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "OP_ARRESTS",
    "OP_KINGPIN",
    "OP_NAMES",
    "OP_NONE",
    "OP_TAKEDOWN",
    "EnforcementPolicy",
    "NoEnforcement",
    "Observation",
    "Operations",
    "in_region",
]

#: Operation kinds (phase 7). ``OP_NAMES[kind]`` names them in the plaza table.
OP_NONE = 0
OP_ARRESTS = 1
OP_TAKEDOWN = 2
OP_KINGPIN = 3
OP_NAMES = ("none", "arrests", "takedown", "kingpin")


@dataclass(frozen=True)
class Observation:
    """What the enforcement side sees in one week. Arrays are ``(K, P)`` or ``(P,)``.

    Attributes:
        week: weeks since the start of the run.
        alive: ``(K,)`` bool, cartel slots in play.
        names: cartel name per slot.
        present: ``(K, P)`` bool, cartel k known to operate in p.
        strength_estimate: ``(K, P)`` float, estimated members (noisy).
        controller: ``(P,)`` int, cartel seen as controlling p (-1 none). A US-signalled
            cartel is reported as the controller of its plaza.
        disputed: ``(P,)`` bool, two non-allied cartels present in p.
        violence: ``(K, P)`` float, killings attributed to cartel k in p last week, with
            attribution noise (misattributed killings go to another present cartel).
        violence_total: ``(P,)`` float, cartel-related killings observed in p last week.
        fights_with_controller: ``(K, P)`` bool, k fought the controller of p last week.
        arrival_week: ``(K, P)`` int, week k was first seen in p (-1 if absent).
        first_violence_week: ``(K, P)`` int, first week k was seen violent in p (-1 none).
        relation: ``(K, K)`` int8, public alliances (1), neutrality (0), rivalry (-1).
        protected: ``(K,)`` bool, cartels under an immunity deal (never targeted).
        signal: ``(P,)`` int, cartel declared dominant in p by a US signal (-1 none).
        members: ``(K,)`` float, estimated national size of each cartel.
        capacity: operations the state can run this week.
        population: ``(P,)`` float, residents (for policies that weigh plazas by people).

    """

    week: int
    alive: np.ndarray
    names: tuple[str, ...]
    present: np.ndarray
    strength_estimate: np.ndarray
    controller: np.ndarray
    disputed: np.ndarray
    violence: np.ndarray
    violence_total: np.ndarray
    fights_with_controller: np.ndarray
    arrival_week: np.ndarray
    first_violence_week: np.ndarray
    relation: np.ndarray
    protected: np.ndarray
    signal: np.ndarray
    members: np.ndarray
    capacity: int
    population: np.ndarray


@dataclass
class Operations:
    """Operations ordered for one week, in priority order (first = most important).

    Each operation is (plaza index, cartel slot, kind, intensity). ``intensity``
    scales the effect (1.0 = one standard operation).
    """

    plaza: list[int] = field(default_factory=list)
    cartel: list[int] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    intensity: list[float] = field(default_factory=list)

    def add(self, plaza: int, cartel: int, kind: int, intensity: float = 1.0) -> None:
        """Append one operation."""
        self.plaza.append(int(plaza))
        self.cartel.append(int(cartel))
        self.kind.append(int(kind))
        self.intensity.append(float(intensity))

    def __len__(self) -> int:
        return len(self.plaza)

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The four columns as arrays (int64, int64, int64, float64)."""
        return (
            np.asarray(self.plaza, dtype=np.int64),
            np.asarray(self.cartel, dtype=np.int64),
            np.asarray(self.kind, dtype=np.int64),
            np.asarray(self.intensity, dtype=np.float64),
        )


@runtime_checkable
class EnforcementPolicy(Protocol):
    """What the model reads from a policy: observations in, operations out.

    Attributes:
        name: the policy's name, recorded in the national table's ``policy`` column.
        enforces: ``False`` for a policy that does no enforcement at all
            (``laissez_faire``): the enforcement phase then backs no US signal and runs
            no military surge aimed by it.
        announcement: credibility in [0, 1] with which the state publicly announces
            the policy's rule when it comes into force (``conditional``); 0 announces
            nothing. The engine shifts cartels' beliefs by it
            (``learning.receive_announcement``).

    :class:`plazasim.policies.base.Policy` gives every member but ``decide`` a default;
    a policy may also implement this protocol alone.

    """

    @property
    def name(self) -> str:
        """The policy's name."""
        ...

    @property
    def enforces(self) -> bool:
        """Whether the policy does any enforcement."""
        ...

    @property
    def announcement(self) -> float:
        """Credibility of the policy's public announcement (0: none)."""
        ...

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Choose this week's operations."""
        ...

    def decide_regions(
        self, obs: Observation, regions: Sequence[tuple[np.ndarray, int]], rng: np.random.Generator
    ) -> list[Operations]:
        """The operations of each region ``(plazas, capacity)``: military surges.

        Each region's list is what :meth:`decide` orders on :func:`in_region` of the
        observation; ``decide`` may then be called more than once in a week, on the
        same week, so a policy with memory must not count a week twice.
        """
        ...

    def reset(self) -> None:
        """Forget everything remembered from earlier weeks: a new run starts."""
        ...


def in_region(obs: Observation, plazas: np.ndarray, capacity: int) -> Observation:
    """What the state sees in the plazas ``plazas`` alone, with ``capacity`` operations.

    Only ``present`` is restricted: violence, control and everything else stay as
    seen nationally, so a rule that judges a cartel in a plaza judges it the same way.
    """
    mask = np.zeros(np.shape(obs.present)[1], dtype=bool)
    mask[plazas] = True
    return replace(
        obs, present=np.asarray(obs.present, dtype=bool) & mask[None, :], capacity=int(capacity)
    )


class NoEnforcement:
    """The state orders nothing: what the engine runs before a timeline's first policy.

    Named ``laissez_faire`` like the registered policy of that name
    (:mod:`plazasim.policies.laissez_faire`), which behaves the same.
    """

    name = "laissez_faire"
    enforces = False
    announcement = 0.0

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """No operations, whatever is observed."""
        return Operations()

    def decide_regions(
        self, obs: Observation, regions: Sequence[tuple[np.ndarray, int]], rng: np.random.Generator
    ) -> list[Operations]:
        """No operations in any region."""
        return [Operations() for _ in regions]

    def reset(self) -> None:
        """Nothing to forget."""
