"""The ``mix`` policy: several policies at once, each with a share of the capacity.

Policies compose. A timeline composes them in time (one
after another); ``mix`` composes them in the same week, as real governments do
(a kingpin strategy run by the federal police while the army cracks down in a
few states). Each part gets ``share`` of the week's operations (largest
remainder rounding, so the parts always add up to the capacity), decides on the
same observation, and its operations are listed in the order of the parts, so
earlier parts keep their operations if the enforcement phase must cut.

Example (scenario TOML)::

    [[policy]]
    from = 2006-12-11
    name = "mix"
    params = { parts = [
        { name = "signaling", share = 0.7 },
        { name = "kingpin", share = 0.3, params = { targets = 2 } },
    ] }

The mix is announced with the strongest announcement among its parts, and it
enforces if any part does.

On the command line (``--policy``, ``compare --policies``) a mix is written
``mix:signaling=0.7+kingpin=0.3``: parts joined by ``+`` (a comma already
separates the variants of ``--policies``), each ``NAME=SHARE``, each part with
its default parameters (:func:`mix_option_params`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from plazasim.model.operations import EnforcementPolicy
from plazasim.policies.base import (
    Observation,
    Operations,
    Policy,
    make_policy,
    register,
    registered,
)
from plazasim.policies.common import largest_remainder

__all__ = ["MIX_OPTION_EXAMPLE", "Mix", "MixParams", "MixPart", "mix_option_params"]

#: The command-line form of a mix, as error messages and help show it.
MIX_OPTION_EXAMPLE = "mix:signaling=0.7+kingpin=0.3"


class MixPart(BaseModel):
    """One part of a mix: a registered policy, its parameters and its capacity share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    share: float = Field(gt=0.0, le=1.0, allow_inf_nan=False)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in registered():
            raise ValueError(f"unknown policy {value!r} (known: {', '.join(sorted(registered()))})")
        if value == "mix":
            raise ValueError("a mix cannot contain another mix")
        return value


class MixParams(BaseModel):
    """Parameters of :class:`Mix`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parts: list[MixPart] = Field(min_length=1, description="the policies and their shares")

    @field_validator("parts")
    @classmethod
    def _shares_sum_to_one(cls, parts: list[MixPart]) -> list[MixPart]:
        total = sum(part.share for part in parts)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares must add up to 1 (they add up to {total:g})")
        return parts


def mix_option_params(parts: str) -> dict[str, Any]:
    """The ``params`` of a mix written on the command line, ``a=0.7+b=0.3`` (after ``mix:``).

    There is no sensible default mix (which policies, in what shares, is the whole
    question a mix asks), so the parts are required. Each part runs with its
    default parameters; parameters of parts belong in a scenario's ``[[policy]]``
    entry. Raises a one-line ``ValueError`` naming the part that is wrong.
    """
    form = f"e.g. {MIX_OPTION_EXAMPLE}, shares adding up to 1"
    if not parts.strip():
        raise ValueError(f"mix needs its parts and their shares of the capacity ({form})")
    out: list[dict[str, Any]] = []
    for part in parts.split("+"):
        name, sep, share_text = (s.strip() for s in part.partition("="))
        if not sep or not name:
            raise ValueError(f"mix part {part!r} must be NAME=SHARE ({form})")
        try:
            share = float(share_text)
        except ValueError:
            share = float("nan")
        if not 0.0 < share <= 1.0:  # also refuses nan
            raise ValueError(
                f"mix part {part!r}: the share must be a number in (0, 1] (got {share_text!r})"
            )
        if name == "mix":
            raise ValueError(f"mix part {part!r}: a mix cannot contain another mix")
        if name not in registered():
            known = ", ".join(n for n in sorted(registered()) if n != "mix")
            raise ValueError(f"mix part {part!r}: unknown policy {name!r} (known: {known})")
        if any(p["name"] == name for p in out):
            raise ValueError(f"mix part {name!r} is listed twice")
        out.append({"name": name, "share": share})
    total = sum(p["share"] for p in out)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"mix shares must add up to 1 (they add up to {total:g}; {form})")
    return {"parts": out}


@register("mix")
class Mix(Policy):
    """Run several policies in the same week, each on its share of the capacity."""

    name = "mix"
    params_model = MixParams
    params: MixParams

    def __init__(self, **params: Any) -> None:
        if "parts" not in params:  # pydantic would say only "Field required (got {})"
            raise ValueError(
                "mix.parts: required: the policies and their shares of the capacity, e.g. "
                'parts = [{ name = "signaling", share = 0.7 }, { name = "kingpin", share = 0.3 }]'
            )
        super().__init__(**params)
        self.parts: list[EnforcementPolicy] = []
        for i, part in enumerate(self.params.parts):
            try:
                self.parts.append(make_policy(part.name, part.params))
            except ValueError as exc:
                # "<policy>.<param>: problem" -> "mix.parts[i].params.<param>: problem"
                field, sep, problem = str(exc).partition(": ")
                where = field.partition(".")[2] if sep else ""
                raise ValueError(
                    f"mix.parts.{i}.params{'.' + where if where else ''}: {problem or exc}"
                ) from None
        self.enforces = any(p.enforces for p in self.parts)
        self.announcement = max(float(p.announcement) for p in self.parts)

    def reset(self) -> None:
        """Reset every part."""
        for part in self.parts:
            part.reset()

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Each part decides on its share of ``obs.capacity``; their lists are concatenated."""
        caps = largest_remainder(
            max(int(obs.capacity), 0), np.array([part.share for part in self.params.parts])
        ).tolist()
        out = Operations()
        for policy, cap in zip(self.parts, caps, strict=True):
            ops = policy.decide(replace(obs, capacity=cap), rng)
            n = min(len(ops), cap)
            out.plaza += ops.plaza[:n]
            out.cartel += ops.cartel[:n]
            out.kind += ops.kind[:n]
            out.intensity += ops.intensity[:n]
        return out
