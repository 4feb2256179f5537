"""The policy plug-in point: the :class:`Policy` base class and the registry.

A policy is the only place that decides enforcement (docs/MODEL.md, "Enforcement"). It maps an
:class:`~plazasim.model.operations.Observation` (what the state can see this week, with noise)
to :class:`~plazasim.model.operations.Operations` (a list of operations, each on one cartel in
one plaza). The enforcement phase applies them, truncated to the week's capacity in the order
the policy listed them (so a policy lists its priorities first). What the model asks of a
policy is :class:`~plazasim.model.operations.EnforcementPolicy`; :class:`Policy` gives all of
it but ``decide``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
from pydantic import BaseModel

from plazasim.model.operations import (
    OP_ARRESTS,
    OP_KINGPIN,
    OP_NAMES,
    OP_NONE,
    OP_TAKEDOWN,
    EnforcementPolicy,
    Observation,
    Operations,
    in_region,
)
from plazasim.policies.common import validate_params

__all__ = [
    "OP_ARRESTS",
    "OP_KINGPIN",
    "OP_NAMES",
    "OP_NONE",
    "OP_TAKEDOWN",
    "EnforcementPolicy",
    "Observation",
    "Operations",
    "Policy",
    "PolicyFactory",
    "in_region",
    "make_policy",
    "register",
    "registered",
]


class Policy(ABC):
    """Base class of enforcement policies: parameters, the optional behaviour, a reset hook.

    A subclass sets ``name`` and ``params_model`` (a pydantic model of its parameters,
    usually with :data:`~plazasim.policies.common.PARAMS_CONFIG`) and implements
    :meth:`decide`. The constructor validates the keyword parameters into
    ``self.params`` with one-line errors (:func:`~plazasim.policies.common.validate_params`).

    Attributes:
        enforces: ``False`` for a policy that does no enforcement at all (the engine
            then backs no US signal and runs no surge aimed by it).
        announcement: credibility in [0, 1] with which the state announces the rule
            when the policy comes into force (0: no announcement); the engine shifts
            cartels' beliefs by it.

    """

    name: ClassVar[str]
    params_model: ClassVar[type[BaseModel]]
    enforces: bool = True
    announcement: float = 0.0

    def __init__(self, **params: Any) -> None:
        self.params: Any = validate_params(self.name, self.params_model, params)

    @abstractmethod
    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Choose this week's operations."""

    def decide_regions(
        self, obs: Observation, regions: Sequence[tuple[np.ndarray, int]], rng: np.random.Generator
    ) -> list[Operations]:
        """:meth:`decide` on :func:`in_region` of ``obs``, once per region ``(plazas, capacity)``.

        Military surges run their own operations in their region by the policy in
        force. A policy may override this with a faster equivalent (one ranking for
        all regions), as ``crackdown`` and ``signaling`` do.
        """
        return [self.decide(in_region(obs, plazas, n), rng) for plazas, n in regions]

    def reset(self) -> None:  # noqa: B027 (an optional hook: most policies keep no memory)
        """Forget what earlier weeks taught: the engine calls it when a run starts."""


PolicyFactory = Callable[..., EnforcementPolicy]
F = TypeVar("F", bound=PolicyFactory)
_REGISTRY: dict[str, PolicyFactory] = {}


def register(name: str) -> Callable[[F], F]:
    """Class decorator: make a policy available to scenarios under ``name``."""

    def wrap(factory: F) -> F:
        _REGISTRY[name] = factory
        return factory

    return wrap


def registered() -> Mapping[str, PolicyFactory]:
    """All registered policies by name (built-ins are imported by ``plazasim.policies``)."""
    return dict(_REGISTRY)


_MEMBERS = ("name", "enforces", "announcement", "decide", "decide_regions", "reset")


def make_policy(name: str, params: Mapping[str, Any] | None = None) -> EnforcementPolicy:
    """Instantiate a registered policy.

    Raises ``KeyError`` for an unknown name, ``ValueError`` (naming the parameter)
    for bad policy parameters, and ``TypeError`` naming what is missing when the
    factory's object does not implement
    :class:`~plazasim.model.operations.EnforcementPolicy`.
    """
    if name not in _REGISTRY:
        raise KeyError(name)
    policy = _REGISTRY[name](**dict(params or {}))
    if not isinstance(policy, EnforcementPolicy):
        missing = [m for m in _MEMBERS if not hasattr(policy, m)]
        raise TypeError(
            f"policy {name!r} lacks {', '.join(missing)} (subclass "
            "plazasim.policies.Policy, or implement EnforcementPolicy; "
            "see docs/POLICIES.md)"
        )
    return policy
