"""``--set NAME=VALUE``: change one value of a scenario on the command line.

Each ``--set`` (repeatable) names a value the way :mod:`plazasim.overrides` does
(``lethality``, ``world.plazas``, ``policy.signaling.wait_weeks``) and gives it
as a TOML value: ``0.03``, ``true``, ``2009-12-31``, ``"text"``, ``[1, 2]``; a
bare word that is not TOML (``--set scenario.description=test``) is taken as a
string. The scenario is then validated as a file holding those values would be,
and every mistake is one line naming the ``--set`` as typed, e.g.
``--set lethality=-5: Input should be greater than or equal to 0.0005 (got -5)``.

With posterior draws (``--posterior-draw``, ``--posterior``) each draw sets the
calibrated parameters; a ``--set`` of one of those would be overwritten by every
draw, so it is refused (:meth:`Sets.check_posterior`). Other ``--set`` values apply
under every draw.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from plazasim.errors import PlazasimError, ScenarioError
from plazasim.overrides import canonical
from plazasim.scenario import Scenario, with_overrides

__all__ = ["SET_HELP", "Sets", "parse_sets", "toml_value"]

SET_HELP = (
    "Change one value: a model parameter (lethality=0.03), a table key "
    "(world.plazas=300) or a policy's parameter (policy.signaling.wait_weeks=8); "
    "the value is TOML. Repeatable; docs/SCENARIOS.md lists the names."
)
_FORM = "a TOML value: a number, true or false, a date YYYY-MM-DD, a quoted string or a [list]"
_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/ -]*")


def toml_value(value: Any) -> str:
    """``value`` written as TOML (the inverse of how ``--set`` reads it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    text = str(value)
    # A TOML basic string: quotes and backslashes escaped, control characters as \uXXXX.
    return (
        '"'
        + "".join(
            "\\" + ch
            if ch in '"\\'
            else f"\\u{ord(ch):04X}"
            if ord(ch) < 0x20 or ord(ch) == 0x7F
            else ch
            for ch in text
        )
        + '"'
    )


def _value(token: str, text: str) -> Any:
    """Read the VALUE of ``--set NAME=VALUE`` as TOML (a bare word as a string)."""
    try:
        parsed = tomllib.loads(f"value = {text}")
    except tomllib.TOMLDecodeError:
        if _BARE_WORD.fullmatch(text.strip()) and text.strip():
            return text.strip()
        raise PlazasimError(f"--set {token}: {text!r} is not {_FORM}") from None
    if list(parsed) != ["value"]:  # a newline in the value would set other keys
        raise PlazasimError(f"--set {token}: {text!r} is not {_FORM}")
    return parsed["value"]


@dataclass(frozen=True)
class Sets:
    """The ``--set`` options of one command: values by name, and each as typed."""

    values: dict[str, Any] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """True when at least one ``--set`` was given."""
        return bool(self.values)

    def record(self) -> dict[str, str] | None:
        """What the invocation record keeps: name -> value as TOML (None when empty)."""
        return {k: toml_value(v) for k, v in self.values.items()} or None

    def folder_part(self) -> str | None:
        """The part of a default output folder name that says what was set."""
        if not self:
            return None
        return "set-" + "-".join(
            f"{k}-{v if isinstance(v, str) else toml_value(v)}" for k, v in self.values.items()
        )

    def _error(self, exc: ScenarioError, where: str = "") -> PlazasimError:
        """``exc`` renamed after the ``--set`` it is about, if it is about one."""
        for name, token in self.typed.items():
            if exc.path in (name, canonical(name)):
                return PlazasimError(f"--set {token}: {where}{exc.problem}")
        return PlazasimError(f"--set: {where}{exc}")

    def apply(self, scenario: Scenario, *, where: str = "") -> Scenario:
        """``scenario`` with these values; errors name the ``--set`` (``where``: a variant)."""
        if not self:
            return scenario
        try:
            return with_overrides(scenario, parameters=self.values)
        except ScenarioError as exc:
            raise self._error(exc, where) from None

    def apply_all(self, variants: dict[str, Scenario]) -> dict[str, Scenario]:
        """Apply to every variant of a comparison.

        A policy's parameter (``policy.signaling.wait_weeks``) changes the variants
        that run that policy, and is refused only if none does.
        """
        if not self:
            return variants
        general = {k: v for k, v in self.values.items() if not k.startswith("policy.")}
        out = {}
        for label, sc in variants.items():
            running = {p.name for p in sc.policy}
            mine = {
                k: v for k, v in self.values.items() if k in general or k.split(".")[1] in running
            }
            out[label] = Sets(mine, self.typed).apply(sc, where=f"variant {label}: ")
        for name in self.values:
            if name.startswith("policy.") and not any(
                name.split(".")[1] in {p.name for p in sc.policy} for sc in variants.values()
            ):
                raise PlazasimError(
                    f"--set {self.typed[name]}: no variant runs policy "
                    f"{name.split('.')[1]!r} (variants: {', '.join(variants)})"
                )
        return out

    def args(self, args: dict[str, Any]) -> dict[str, Any]:
        """A command's invocation ``args`` with these values as ``set`` (none: unchanged)."""
        return {**args, "set": self.record()} if self else args

    def check_posterior(self, scenario: Scenario, option: str) -> None:
        """Refuse a ``--set`` of a parameter that every posterior draw sets.

        ``option`` asks for draws of ``scenario``'s posterior (``--posterior-draw``,
        ``--posterior``); its own errors (no posterior, an unreadable file) are
        named after it.
        """
        from plazasim.experiments.posterior import read_posterior

        if not self:
            return
        try:
            calibrated = set(read_posterior(scenario, option=option[2:]).parameters)
        except ScenarioError as exc:
            raise PlazasimError(
                f"{option}: {exc.problem}" if exc.path == option[2:] else str(exc)
            ) from None
        for name, token in self.typed.items():
            param = canonical(name).removeprefix("parameters.")
            if param in calibrated:
                raise PlazasimError(
                    f"--set {token}: {param} is calibrated, and every draw of {option} sets "
                    f"it; drop this --set or {option} (draws keep --set of other parameters)"
                )


def parse_sets(tokens: Sequence[str] | None) -> Sets:
    """Read the ``--set`` options; refuse a malformed or repeated one in one line."""
    values: dict[str, Any] = {}
    typed: dict[str, str] = {}
    for token in tokens or ():
        name, sep, text = token.partition("=")
        name = name.strip()
        if not sep or not name:
            raise PlazasimError(f"--set {token}: expected NAME=VALUE, e.g. --set lethality=0.03")
        try:
            path = canonical(name)
        except ScenarioError as exc:
            raise PlazasimError(f"--set {token}: {exc.problem}") from None
        twice = [typed[other] for other in values if canonical(other) == path]
        if twice:
            raise PlazasimError(f"--set {token}: {path} is already set by --set {twice[0]}")
        values[name], typed[name] = _value(token, text), token
    return Sets(values, typed)
