"""The policy plug-in point: what the government sees, what it can order, and a registry.

A policy is the only place that decides enforcement (docs/MODEL.md, "Enforcement"). It maps an
:class:`Observation` (what the state can see this week, with noise) to
:class:`Operations` (a list of operations, each on one cartel in one plaza).
The enforcement phase applies them, truncated to the week's capacity in the
order the policy listed them (so a policy lists its priorities first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

#: Operation kinds (phase 7).
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
class Policy(Protocol):
    """An enforcement policy: observations in, operations out.

    A policy may set ``enforces = False`` (as ``laissez_faire`` does) to say it
    does no enforcement at all; the engine then does not back US signals either.

    A policy may also expose a float ``announcement`` in [0, 1] (as ``conditional``
    does): the credibility with which the state publicly announces its rule. The
    engine reads ``getattr(policy, "announcement", 0.0)`` when the policy becomes
    active and shifts cartels' beliefs by it; a policy without the attribute
    announces nothing.
    """

    name: ClassVar[str]

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Choose this week's operations."""
        ...


def in_region(obs: Observation, plazas: np.ndarray, capacity: int) -> Observation:
    """What the state sees in the plazas ``plazas`` alone, with ``capacity`` operations.

    Only ``present`` is restricted: violence, control and everything else stay as
    seen nationally, so a rule that judges a cartel in a plaza judges it the same way.
    """
    mask = np.zeros(np.shape(obs.present)[1], dtype=bool)
    mask[plazas] = True
    return replace(obs, present=np.asarray(obs.present, dtype=bool) & mask[None, :],
                   capacity=int(capacity))


def decide_in_regions(policy: Policy, obs: Observation,
                      regions: Sequence[tuple[np.ndarray, int]],
                      rng: np.random.Generator) -> list[Operations]:
    """The operations of each region ``(plazas, capacity)``, aimed by ``policy``.

    Military operations run their own operations in their region by the policy in
    force: this is ``policy.decide`` on :func:`in_region` of the observation, once per
    region. A policy may define ``decide_regions(obs, regions, rng)`` returning the
    same lists faster (one ranking for all regions); ``crackdown`` and ``signaling``
    do. ``decide`` is then called more than once in a week, on the same week: a
    policy with memory must not count a week twice (``conditional`` does not).
    """
    fast = getattr(policy, "decide_regions", None)
    if fast is not None:
        return list(fast(obs, regions, rng))
    return [policy.decide(in_region(obs, plazas, n), rng) for plazas, n in regions]


PolicyFactory = Callable[..., Policy]
_REGISTRY: dict[str, PolicyFactory] = {}


def register(name: str) -> Callable[[PolicyFactory], PolicyFactory]:
    """Class decorator: make a policy available to scenarios under ``name``."""

    def wrap(factory: PolicyFactory) -> PolicyFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def registered() -> Mapping[str, PolicyFactory]:
    """All registered policies by name (built-ins are imported by ``plazasim.policies``)."""
    return dict(_REGISTRY)


def make_policy(name: str, params: Mapping[str, Any] | None = None) -> Policy:
    """Instantiate a registered policy.

    Raises ``KeyError`` for an unknown name and ``ValueError`` (naming the
    parameter) for bad policy parameters.
    """
    if name not in _REGISTRY:
        raise KeyError(name)
    return _REGISTRY[name](**dict(params or {}))
