"""The variants of ``plazasim compare``: which scenarios to pair, checked before any run.

A comparison is only as good as its pairing: every variant must run the same
weeks on the same world with the same seeds. This module turns ``--policies`` or
``--scenarios`` into labelled scenarios and refuses, with one line naming the
option, anything that could not be paired.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from plazasim.errors import PlazasimError, ScenarioError
from plazasim.scenario import Scenario, load_scenario, with_overrides

__all__ = ["compare_variants", "names", "world_label"]


def names(option: str, value: str) -> list[str]:
    """Split a comma-separated option value; refuse empty and repeated names."""
    names = [part.strip() for part in value.split(",")]
    if any(not name for name in names):
        raise PlazasimError(f"{option}: empty name in {value!r} (expected a comma-separated list)")
    for i, name in enumerate(names):
        if name in names[:i]:
            raise PlazasimError(f"{option}: {name!r} is listed twice")
    return names


def _override(scenario: Scenario, option: str, until: dt.date | None, **kw: Any) -> Scenario:
    """``with_overrides`` with its errors named after the option (``--until``, ``option``)."""
    try:
        return with_overrides(scenario, until=until, **kw)
    except ScenarioError as exc:
        if exc.path in ("until", "policy"):
            raise PlazasimError(
                f"{'--until' if exc.path == 'until' else option}: {exc.problem}"
            ) from None
        raise PlazasimError(f"{option}: {exc}") from None


def compare_variants(
    scenario: str | None, policies: str | None, scenarios: str | None, until: dt.date | None
) -> tuple[dict[str, Scenario], str]:
    """Resolve the variants to compare (label -> scenario) and a name for the output."""
    if policies is not None and scenarios is not None:
        raise PlazasimError("--policies: give either --policies or --scenarios, not both")
    if policies is None and scenarios is None:
        raise PlazasimError(
            "--policies: say what to compare: --policies a,b,... or --scenarios x,y,..."
        )
    if policies is not None:
        base = load_scenario(scenario or "mexico-2006")
        chosen = names("--policies", policies)
        _at_least_two("--policies", "policies", chosen)
        variants = {name: _override(base, "--policies", until, policy=name) for name in chosen}
        return variants, base.scenario.name
    if scenario is not None:
        raise PlazasimError(
            f"--scenarios: list every scenario there; the SCENARIO argument ({scenario!r}) "
            "is only used with --policies"
        )
    variants = {}
    given: dict[str, str] = {}
    for token in names("--scenarios", scenarios or ""):
        try:
            sc = load_scenario(token)
        except ScenarioError as exc:
            problem = exc.problem if exc.path == "scenario" else f"{token}: {exc}"
            raise PlazasimError(f"--scenarios: {problem}") from None
        label = sc.scenario.name
        if label in variants:
            raise PlazasimError(
                f"--scenarios: {given[label]!r} and {token!r} are both named {label!r}; "
                "variants need distinct [scenario] names"
            )
        variants[label], given[label] = _override(sc, "--scenarios", until), token
    _at_least_two("--scenarios", "scenarios", list(given.values()))
    _check_pairable(variants)
    return variants, "-vs-".join(variants)


def _at_least_two(option: str, what: str, names: list[str]) -> None:
    """Refuse a comparison of one variant: there is nothing to pair it with."""
    if len(names) < 2:
        raise PlazasimError(
            f"{option}: give at least two {what} to compare, comma-separated "
            f"(got only {names[0]!r})"
        )


def _check_pairable(variants: dict[str, Scenario]) -> None:
    """Refuse scenarios that cannot be paired week by week and plaza by plaza.

    Paired differences compare the same weeks on the same map with the same seeds;
    variants that start or end on other dates, or run on another world, would be
    compared silently on different things.
    """
    (first, ref), *rest = variants.items()
    for label, sc in rest:
        for what, mine, theirs in (
            ("start", ref.scenario.start, sc.scenario.start),
            ("end", ref.scenario.end, sc.scenario.end),
            ("world", world_label(ref), world_label(sc)),
        ):
            if mine != theirs:
                raise PlazasimError(
                    f"--scenarios: {first} and {label} differ in {what} ({mine} vs {theirs}); "
                    "variants are paired week by week on one world, so they need the same "
                    "start, end and world"
                    + (" (--until can align the ends)" if what == "end" else "")
                )


def world_label(scenario: Scenario) -> str:
    """The world a scenario runs on, in words (``mexico``, ``synthetic 200 plazas ...``)."""
    w = scenario.world
    if w.kind == "mexico":
        return "mexico"
    return f"synthetic: {w.plazas} plazas, {w.cartels} cartels, seed {w.seed}"
