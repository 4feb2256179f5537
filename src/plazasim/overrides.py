"""Parameter overrides by name: change one value of a scenario, validated like the file.

Researchers run many variations of one scenario; each changes a few values.
:func:`set_values` writes such changes into a scenario's data (the dict form of
the TOML file), after which the scenario is validated again as a whole, exactly
like a file with those values would be. Names address what a scenario file holds:

* ``lethality`` (a bare name) is a model parameter, ``[parameters] lethality``;
* ``parameters.lethality``, ``scenario.description``, ``world.plazas`` name a key
  of that table;
* ``policy.signaling.wait_weeks`` sets ``wait_weeks`` in the ``params`` of every
  ``[[policy]]`` entry of the timeline that runs ``signaling``.

An unknown name is refused with the closest known one suggested; a refused value
is reported by the scenario's own validation (field, value and expected form).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from plazasim.errors import ScenarioError
from plazasim.model.params import Parameters

__all__ = ["TABLES", "canonical", "known_names", "owner", "set_values"]

#: Tables of a scenario whose keys a dotted name may set, and the fields they have.
TABLES = ("parameters", "scenario", "world")


def _fields(table: str) -> list[str]:
    """The keys of a scenario table, as written in a file (``from``, not ``from_``)."""
    from plazasim.scenario import ScenarioMeta, WorldSpec

    models: dict[str, type[BaseModel]] = {
        "parameters": Parameters,
        "scenario": ScenarioMeta,
        "world": WorldSpec,
    }
    model = models[table]
    return [f.alias or name for name, f in model.model_fields.items()]


def known_names() -> list[str]:
    """Every name :func:`set_values` accepts but policy parameters: bare, then ``table.key``."""
    names = _fields("parameters")
    for table in TABLES[1:]:
        names += [f"{table}.{key}" for key in _fields(table)]
    return names


def _unknown(
    name: str, candidates: Iterable[str], what: str = "parameter", prefix: str = ""
) -> ScenarioError:
    """The error for an unknown ``name``, naming the closest of ``candidates`` if any.

    ``prefix`` (a table, ``world.``) is left out of the comparison, so that the
    suggestion is the closest key, not any key of the same table.
    """
    close = difflib.get_close_matches(name.removeprefix(prefix), list(candidates), n=1, cutoff=0.6)
    hint = f"did you mean {prefix + close[0]!r}? " if close else ""
    return ScenarioError.at(name, f"unknown {what} ({hint}docs/SCENARIOS.md lists the names)")


def canonical(name: str) -> str:
    """The scenario field ``name`` sets: ``lethality`` -> ``parameters.lethality``.

    This is the path a scenario error about it carries. Refuses names that are not
    known, suggesting the closest one.
    """
    if not isinstance(name, str) or not name:
        raise ScenarioError.at("parameters", f"a name must be a non-empty string (got {name!r})")
    parts = name.split(".")
    if len(parts) == 1:
        if name not in _fields("parameters"):
            raise _unknown(name, known_names())
        return f"parameters.{name}"
    if parts[0] == "policy":
        if len(parts) != 3 or not all(parts):
            raise ScenarioError.at(
                name,
                "a policy parameter is named policy.<policy>.<parameter>, "
                "e.g. policy.signaling.wait_weeks",
            )
        return name
    if parts[0] in TABLES and len(parts) == 2:
        if parts[1] not in _fields(parts[0]):
            raise _unknown(name, _fields(parts[0]), "key", prefix=f"{parts[0]}.")
        return name
    if parts[0] in TABLES:
        raise ScenarioError.at(
            name,
            f"the [{parts[0]}] table has no nested tables; "
            f"name one key, e.g. {parts[0]}.{_fields(parts[0])[0]}",
        )
    raise _unknown(name, known_names(), "name")


def set_values(data: dict[str, Any], values: Mapping[str, object]) -> dict[str, Any]:
    """Write ``values`` (name -> value) into scenario ``data`` in place and return it.

    ``data`` is a scenario's dict form (``Scenario.model_dump(by_alias=True)``);
    the caller validates it afterwards. Values are not converted here, so the
    scenario's validation treats them as it treats the same values in a file.
    """
    if not isinstance(values, Mapping):
        raise ScenarioError.at(
            "parameters", f"expected a mapping of name -> value (got {type(values).__name__})"
        )
    for name, value in values.items():
        path = canonical(name)
        table, _, rest = path.partition(".")
        if table != "policy":
            data.setdefault(table, {})[rest] = value
            continue
        policy, _, key = rest.partition(".")
        entries = [e for e in data.get("policy", []) if e["name"] == policy]
        if not entries:
            running = ", ".join(dict.fromkeys(e["name"] for e in data.get("policy", [])))
            raise ScenarioError.at(
                name,
                f"the policy timeline has no {policy!r} entry "
                f"(it runs: {running or 'none; give [[policy]] entries'})",
            )
        for entry in entries:
            entry["params"] = {**entry.get("params", {}), key: value}
    return data


def owner(path: str, names: Iterable[str], data: Mapping[str, Any]) -> str | None:
    """Which of the override ``names`` an error at scenario field ``path`` is about, if any.

    ``path`` is a :class:`ScenarioError` path such as ``parameters.lethality`` or
    ``policy[1].params.wait_weeks``.
    """
    for name in names:
        target = canonical(name)
        if path == target or path.startswith(target + "."):
            return name
        if target.startswith("policy."):
            _, policy, key = target.split(".")
            for i, entry in enumerate(data.get("policy", [])):
                if entry["name"] == policy and path == f"policy[{i}].params.{key}":
                    return name
    return None
