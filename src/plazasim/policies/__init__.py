"""Enforcement policies: the plug-in interface, the built-in policies and third-party ones.

Importing this package registers the built-ins (``signaling``, ``crackdown``,
``kingpin``, ``conditional``, ``laissez_faire``, and ``mix``, which runs several
of them in the same week). Policies shipped by other
packages are declared in their ``pyproject.toml`` under the entry-point group
``plazasim.policies`` and are registered by :func:`load_entry_point_policies`
(see docs/POLICIES.md), so a user can add a policy without touching this package.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass

from plazasim.policies import conditional, crackdown, kingpin, laissez_faire, mix, signaling
from plazasim.policies.base import (
    OP_ARRESTS,
    OP_KINGPIN,
    OP_NAMES,
    OP_NONE,
    OP_TAKEDOWN,
    Observation,
    Operations,
    Policy,
    PolicyFactory,
    make_policy,
    register,
    registered,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "OP_ARRESTS",
    "OP_KINGPIN",
    "OP_NAMES",
    "OP_NONE",
    "OP_TAKEDOWN",
    "Observation",
    "Operations",
    "PluginPolicy",
    "Policy",
    "PolicyFactory",
    "conditional",
    "crackdown",
    "ensure_plugins",
    "kingpin",
    "laissez_faire",
    "load_entry_point_policies",
    "load_plugins_once",
    "make_policy",
    "mix",
    "plugin_policies",
    "register",
    "registered",
    "signaling",
]

#: Entry-point group under which other packages declare their policies.
ENTRY_POINT_GROUP = "plazasim.policies"


@dataclass(frozen=True)
class PluginPolicy:
    """A policy registered from an entry point: its ``name``, ``module:attr`` and package.

    Small and picklable, so that the processes of a parallel run can register the
    same policies as the one that started them (:func:`ensure_plugins`).
    """

    name: str
    value: str
    package: str = ""


#: Plug-in policies registered in this process, by name.
_PLUGINS: dict[str, PluginPolicy] = {}


def plugin_policies() -> dict[str, PluginPolicy]:
    """The policies entry points registered in this process, by name (sorted)."""
    return dict(sorted(_PLUGINS.items()))


def ensure_plugins(plugins: Iterable[PluginPolicy]) -> None:
    """Register ``plugins`` here unless already registered (in a worker process).

    A worker's environment may not list the same entry points as the process that
    sent it work (a plug-in found on a path added at run time), so each plug-in
    is imported from its ``module:attr``, not looked up again.
    """
    for plugin in plugins:
        if plugin.name in registered():
            continue
        entry = importlib.metadata.EntryPoint(plugin.name, plugin.value, ENTRY_POINT_GROUP)
        register(plugin.name)(entry.load())
        _PLUGINS[plugin.name] = plugin


def load_entry_point_policies() -> list[str]:
    """Register every policy declared in the ``plazasim.policies`` entry-point group.

    Each entry point's object (a policy class or any factory taking the policy's
    parameters as keywords) is registered under the entry point's name. Loading
    is idempotent. A plug-in may not silently replace a different policy already
    registered under the same name (a built-in, or another plug-in): that would
    change what a scenario means depending on what happens to be installed, so it
    is a ``ValueError``. A plug-in that fails to import raises ``ImportError``
    naming the entry point.

    Returns:
        the names registered, in the (sorted) order they were loaded.

    """
    eps = sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    loaded: list[str] = []
    for ep in eps:
        try:
            factory = ep.load()
        except Exception as exc:
            raise ImportError(
                f"policy entry point {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from exc
        if not callable(factory):
            raise TypeError(f"policy entry point {ep.name!r} ({ep.value}) is not callable")
        existing = registered().get(ep.name)
        if existing is not None and existing is not factory:
            raise ValueError(
                f"policy entry point {ep.name!r} ({ep.value}) clashes with the policy "
                "already registered under that name"
            )
        register(ep.name)(factory)
        dist = getattr(ep, "dist", None)
        _PLUGINS[ep.name] = PluginPolicy(ep.name, ep.value, getattr(dist, "name", "") or "")
        loaded.append(ep.name)
    return loaded


_PLUGINS_LOADED = False


def load_plugins_once() -> None:
    """Load entry-point policies the first time a scenario needs the registry.

    A plug-in that fails to load is reported as a scenario error naming it (one
    line), not a traceback.
    """
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    try:
        load_entry_point_policies()
    except (ImportError, TypeError, ValueError) as exc:
        from plazasim.errors import ScenarioError

        raise ScenarioError.at("policy", str(exc)) from exc
