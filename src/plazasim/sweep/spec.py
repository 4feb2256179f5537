"""The sweep specification: a TOML file naming a scenario, a design and the factors to vary.

Example (docs/SWEEPS.md has the reference)::

    [sweep]
    scenario = "synthetic-small"   # bundled name, or a path relative to this file
    until = "2007-06-30"           # optional: shorten every run
    design = "lhs"                 # grid | lhs | sobol | morris | random
    samples = 8
    replications = 2
    seed = 7
    outputs = ["homicides_total", "cocaine_delivered_t"]
    series = false                 # also keep each run's national weekly series
    common_seeds = false           # true: replicate r has the same seed at every point

    [parameters]
    lethality = { low = 0.01, high = 0.05 }
    recruit_rate = "range"         # the parameter's documented range (docs/SCENARIOS.md)
    attack_share = "prior"         # the scenario's [calibration] prior, through its quantiles
    policy = ["signaling", "crackdown"]   # a list is a categorical factor

Every mistake is one :class:`~plazasim.errors.ScenarioError` line naming the
field (``parameters.lethality.low: ...``), the value and the expected form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plazasim.errors import ScenarioError, from_validation_error
from plazasim.experiments.compare import METRICS
from plazasim.model.params import Parameters
from plazasim.toml_errors import toml_error

__all__ = [
    "DESIGNS",
    "Categorical",
    "Factor",
    "PriorFactor",
    "Range",
    "SweepSpec",
    "load_spec",
    "parse_spec",
    "resolve_priors",
]

#: Sampling designs; see :mod:`plazasim.sweep.design`.
DESIGNS = ("grid", "lhs", "sobol", "morris", "random")
#: The factor that is not a model parameter: the policy for the whole run.
POLICY = "policy"
#: ``name = "range"`` takes the parameter's documented plausible range.
DOCUMENTED_RANGE = "range"
#: ``name = "prior"`` takes the scenario's ``[calibration]`` prior of the parameter.
PRIOR = "prior"


@dataclass(frozen=True)
class Range:
    """A continuous factor from ``low`` to ``high``, sampled uniformly (or in log space)."""

    low: float
    high: float
    log: bool = False

    def at(self, u: float) -> float:
        """The value at ``u`` in [0, 1]: the same quantile of the factor's range."""
        if self.log:
            return float(
                math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
            )
        return float(self.low + u * (self.high - self.low))


@dataclass(frozen=True)
class Categorical:
    """A factor taking one of a list of values (policies, or chosen parameter values)."""

    values: tuple[Any, ...]

    def at(self, u: float) -> Any:
        """The value whose equal share of [0, 1) holds ``u`` (1 maps to the last)."""
        n = len(self.values)
        return self.values[min(int(u * n), n - 1)]


@dataclass(frozen=True)
class PriorFactor:
    """``name = "prior"``: the scenario's ``[calibration]`` prior, sampled through its quantiles.

    ``prior`` is None until :func:`resolve_priors` fills it from the scenario.
    """

    prior: Any = None

    def at(self, u: float) -> float | int:
        """The prior's quantile at ``u``: a uniform design point becomes a draw of the prior."""
        if self.prior is None:
            raise ValueError("a prior factor must be resolved against its scenario first")
        import numpy as np

        from plazasim.experiments.priors import prior_quantile

        value = prior_quantile(self.prior, np.array([u]))[0]
        return int(value) if self.prior.integer else float(value)


Factor = Range | Categorical | PriorFactor


class _Sweep(BaseModel):
    """The ``[sweep]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = Field(min_length=1)
    until: dt.date | None = None
    design: Literal["grid", "lhs", "sobol", "morris", "random"]
    samples: int = Field(ge=1, le=1_000_000)
    replications: int = Field(1, ge=1, le=10_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    outputs: tuple[str, ...] = tuple(METRICS)
    series: bool = False
    levels: int = Field(4, ge=2, le=100)
    common_seeds: bool = False

    @field_validator("outputs")
    @classmethod
    def _known_outputs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ScenarioError.at("", f"give at least one output (known: {', '.join(METRICS)})")
        for name in value:
            if name not in METRICS:
                raise ScenarioError.at("", f"unknown output {name!r} (known: {', '.join(METRICS)})")
        if len(set(value)) < len(value):
            raise ScenarioError.at("", "an output is listed more than once")
        return value


def _number(path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError.at(path, f"expected a finite number (got {value!r})")
    return float(value)


def _documented_range(name: str) -> Range:
    # Every parameter declares its documented range as a dict (never a callable).
    info = cast("dict[str, Any]", Parameters.model_fields[name].json_schema_extra)
    lo, hi = info["range"]
    return Range(float(lo), float(hi))


def _factor(name: str, value: Any) -> Factor:
    """Read one ``[parameters]`` entry; errors are anchored at ``name``."""
    if isinstance(value, list):
        if not value:
            raise ScenarioError.at(name, "an empty list; give at least one value")
        if name == POLICY:
            bad = next((v for v in value if not isinstance(v, str)), None)
            if bad is not None:
                raise ScenarioError.at(name, f"expected policy names (got {bad!r})")
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            value = [_number(f"{name}[{i}]", v) for i, v in enumerate(value)]
        elif not all(isinstance(v, str) for v in value):
            raise ScenarioError.at(
                name, f"expected a list of numbers or of strings (got {value!r})"
            )
        if len(set(value)) < len(value):
            raise ScenarioError.at(name, "a value is listed more than once")
        return Categorical(tuple(value))
    if name == POLICY:
        raise ScenarioError.at(
            name,
            f'expected a list of policy names, e.g. ["signaling", "crackdown"] (got {value!r})',
        )
    if value == PRIOR:
        return PriorFactor()
    if value == DOCUMENTED_RANGE:
        if name not in Parameters.model_fields:
            raise ScenarioError.at(
                name,
                '"range" needs a model parameter (docs/SCENARIOS.md '
                "lists them and their ranges); give { low = ..., high = ... }",
            )
        return _documented_range(name)
    if not isinstance(value, dict):
        raise ScenarioError.at(
            name,
            f'expected {{ low = ..., high = ... }}, a list of values or "range" (got {value!r})',
        )
    unknown = sorted(set(value) - {"low", "high", "scale"})
    if unknown:
        raise ScenarioError.at(f"{name}.{unknown[0]}", "unknown key (expected low, high, scale)")
    for key in ("low", "high"):
        if key not in value:
            raise ScenarioError.at(f"{name}.{key}", "required key is missing")
    low, high = _number(f"{name}.low", value["low"]), _number(f"{name}.high", value["high"])
    scale = value.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise ScenarioError.at(f"{name}.scale", f'expected "linear" or "log" (got {scale!r})')
    if not low < high:
        raise ScenarioError.at(name, f"low must be below high (got low = {low:g}, high = {high:g})")
    if scale == "log" and low <= 0:
        raise ScenarioError.at(f"{name}.low", f"a log scale needs low > 0 (got {low:g})")
    return Range(low, high, log=scale == "log")


def _flatten(prefix: str, table: dict[str, Any]) -> list[tuple[str, Any]]:
    """Dotted TOML keys (``world.plazas = [...]``) as the dotted names with_overrides takes.

    A table with ``low``, ``high`` or ``scale`` is a range; any other table nests names.
    """
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value and not {"low", "high", "scale"} & set(value):
            out += _flatten(name, value)
        else:
            out.append((name, value))
    return out


class SweepSpec(BaseModel):
    """A whole sweep file: ``[sweep]`` and ``[parameters]`` (at least one factor)."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    sweep: _Sweep
    parameters: dict[str, Any]

    @field_validator("parameters")
    @classmethod
    def _factors(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ScenarioError.at(
                "", 'give at least one factor, e.g. policy = ["signaling", "crackdown"]'
            )
        return {name: _factor(name, v) for name, v in _flatten("", value)}

    @property
    def factors(self) -> dict[str, Factor]:
        """The factors, in file order."""
        return dict(self.parameters)

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain JSON data (``sweep.json`` records it)."""
        params: dict[str, Any] = {}
        for name, factor in self.factors.items():
            if isinstance(factor, Range):
                params[name] = {
                    "low": factor.low,
                    "high": factor.high,
                    "scale": "log" if factor.log else "linear",
                }
            elif isinstance(factor, PriorFactor):
                params[name] = PRIOR
            else:
                params[name] = list(factor.values)
        sweep = self.sweep.model_dump(mode="json")
        sweep["outputs"] = list(self.sweep.outputs)
        # JSON readers may sort keys, but the factors' order makes the design: keep it.
        return {"sweep": sweep, "parameters": params, "factor_order": list(params)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepSpec:
        """Read back what :meth:`to_dict` wrote, factors in their original order."""
        params = data["parameters"]
        order = data.get("factor_order", list(params))
        return cls.model_validate(
            {"sweep": data["sweep"], "parameters": {name: params[name] for name in order}}
        )

    def digest(self) -> str:
        """SHA-256 of :meth:`to_dict`: two specs with the same digest give the same runs."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def resolve_priors(spec: SweepSpec, scenario: Any) -> SweepSpec:
    """``spec`` with every ``"prior"`` factor given the scenario's prior of that parameter."""
    wanted = [name for name, f in spec.factors.items() if isinstance(f, PriorFactor)]
    if not wanted:
        return spec
    priors = scenario.calibration.resolved() if scenario.calibration is not None else {}
    for name in wanted:
        if name not in priors:
            known = ", ".join(priors) or "none: it has no [calibration] table"
            raise ScenarioError.at(
                f"parameters.{name}",
                f'"prior" needs a [calibration] '
                f"prior of {name} in the scenario (its priors: {known})",
            )
    factors = {
        name: PriorFactor(priors[name]) if name in wanted else f for name, f in spec.factors.items()
    }
    return spec.model_copy(update={"parameters": factors})


def parse_spec(text: str, origin: str = "<string>", base_dir: Path | None = None) -> SweepSpec:
    """Parse and validate sweep TOML; a relative scenario path is resolved from ``base_dir``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        error = toml_error(exc, text, origin)
        path = "spec" if error.path == "scenario" else error.path  # toml_error's default field
        raise ScenarioError.at(path, error.problem) from None
    except RecursionError:
        raise ScenarioError.at(
            "sweep", f"malformed TOML: nested too deeply (in {origin})"
        ) from None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, fallback="sweep") from None
    scenario = spec.sweep.scenario
    if base_dir is not None and (scenario.endswith(".toml") or "/" in scenario):
        scenario_path = Path(scenario)
        if not scenario_path.is_absolute():
            resolved = str((base_dir / scenario_path).resolve())
            sweep = spec.sweep.model_copy(update={"scenario": resolved})
            spec = spec.model_copy(update={"sweep": sweep})
    return spec


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; a one-line error says what is wrong and where."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError.at("spec", f"file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError.at("spec", f"cannot read {path}: {reason}") from None
    return parse_spec(text, origin=str(path), base_dir=path.absolute().parent)
