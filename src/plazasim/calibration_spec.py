"""The ``[calibration]`` table of a scenario: which parameters are uncertain, and their priors.

The defaults in :class:`~plazasim.model.params.Parameters` come from published
anchors and reasoning; many are uncertain by a factor of several. A scenario
says which ones by listing them here, each with a prior distribution, so that a
prior predictive check (``plazasim prior-predictive``), sensitivity analysis and
calibration all search the same space. Parameters not listed keep their
``[parameters]`` value (or default).

Two forms, which may be mixed (each parameter listed once)::

    [calibration]
    parameters = ["recruit_rate", "hold_weeks"]   # uniform over the declared range
    [calibration.priors]
    lethality = { distribution = "loguniform", low = 0.005, high = 0.1 }

A prior's ``low`` and ``high`` default to the parameter's declared plausible
range (``Parameters.describe()``, docs/SCENARIOS.md "Parameters"). Everything is
checked on load, like the rest of the scenario: the name must be a parameter,
``low < high``, both inside what the parameter accepts, ``low > 0`` for a
log-uniform prior, whole bounds for an integer parameter. Errors are one line
naming the field, e.g. ``calibration.priors.recruit_rate.low: 0.0005 is below
the smallest value parameters.recruit_rate accepts (0.001)``.

``posterior = "file.parquet"`` names the scenario's posterior sample (equally
weighted parameter draws, :mod:`plazasim.experiments.posterior`). On load only
its form is checked (a path ending in ``.parquet``); a relative path is made
absolute against the folder of the scenario file (see :data:`BASE_DIR`). The
file itself is read and checked when a posterior draw is first needed.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from plazasim.errors import ScenarioError
from plazasim.model.params import Parameters

__all__ = [
    "BASE_DIR",
    "DISTRIBUTIONS",
    "CalibrationSpec",
    "Prior",
    "ResolvedPrior",
    "accepted_bounds",
]

#: Prior distributions a ``[calibration.priors]`` entry may name.
DISTRIBUTIONS = ("uniform", "loguniform", "truncnormal")

_CLOSED = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
_EXAMPLE = '{ distribution = "uniform", low = 0.01, high = 0.1 }'
#: Key of the validation context holding the folder a relative ``posterior`` path is
#: relative to (the scenario file's folder; the scenario loader sets it).
BASE_DIR = "base_dir"


def accepted_bounds(name: str) -> tuple[float, float]:
    """The validation bounds of parameter ``name`` (``-inf``/``inf`` where it has none)."""
    lo, hi = -math.inf, math.inf
    for bound in Parameters.model_fields[name].metadata:
        lo = getattr(bound, "ge", getattr(bound, "gt", lo))
        hi = getattr(bound, "le", getattr(bound, "lt", hi))
    return float(lo), float(hi)


def _declared_range(name: str) -> tuple[float, float]:
    extra = Parameters.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    bounds = extra["range"]
    assert isinstance(bounds, list | tuple) and len(bounds) == 2
    lo, hi = bounds
    assert isinstance(lo, int | float) and isinstance(hi, int | float)
    return float(lo), float(hi)


def _is_integer(name: str) -> bool:
    return Parameters.model_fields[name].annotation is int


def _unknown(name: str) -> str:
    close = difflib.get_close_matches(name, list(Parameters.model_fields), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown parameter {name!r} ({hint}docs/SCENARIOS.md lists them)"


def _num(value: float) -> str:
    return f"{value:g}"


class Prior(BaseModel):
    """One ``[calibration.priors]`` entry; bounds left out come from the declared range.

    ``uniform`` and ``loguniform`` spread the draws evenly over ``[low, high]``,
    the second on a log scale (for rates uncertain by orders of magnitude).
    ``truncnormal`` is a normal of ``mean`` and ``sd`` cut to ``[low, high]``.
    """

    model_config = _CLOSED

    distribution: Literal["uniform", "loguniform", "truncnormal"] = "uniform"
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None

    @field_validator("distribution", mode="before")
    @classmethod
    def _known_distribution(cls, value: Any) -> Any:
        if value not in DISTRIBUTIONS:
            raise ValueError(f"unknown distribution {value!r} (known: {', '.join(DISTRIBUTIONS)})")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Prior:
        normal = self.distribution == "truncnormal"
        for key in ("mean", "sd"):
            given = getattr(self, key) is not None
            if normal and not given:
                raise ScenarioError.at(key, 'required with distribution = "truncnormal"')
            if given and not normal:
                raise ScenarioError.at(key, 'only allowed with distribution = "truncnormal"')
        if self.sd is not None and self.sd <= 0:
            raise ScenarioError.at("sd", f"must be > 0 (got {_num(self.sd)})")
        return self


@dataclass(frozen=True)
class ResolvedPrior:
    """A prior in full: defaults filled in and checked against the parameter.

    ``integer`` parameters (e.g. ``hold_weeks``, in weeks) are drawn on
    ``[low - 1/2, high + 1/2]`` and rounded, so that under a uniform prior every
    whole value in ``[low, high]`` is equally likely.
    """

    name: str
    distribution: str
    low: float
    high: float
    integer: bool = False
    mean: float | None = None
    sd: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The prior as JSON-ready data (the manifest stores it)."""
        data = asdict(self)
        del data["name"]
        return {k: v for k, v in data.items() if v is not None}


def _resolve(name: str, prior: Prior, where: str) -> ResolvedPrior:
    """Fill ``prior``'s defaults from parameter ``name`` and check it; ``where`` names it."""
    range_lo, range_hi = _declared_range(name)
    low = range_lo if prior.low is None else prior.low
    high = range_hi if prior.high is None else prior.high
    # Name the key the user wrote, or the entry itself when the bound is a default.
    at = {
        "low": f"{where}.low" if prior.low is not None else where,
        "high": f"{where}.high" if prior.high is not None else where,
    }
    if not low < high:
        raise ScenarioError.at(
            at["high"], f"high ({_num(high)}) must be greater than low ({_num(low)})"
        )
    min_ok, max_ok = accepted_bounds(name)
    if low < min_ok:
        raise ScenarioError.at(
            at["low"],
            f"{_num(low)} is below the smallest value parameters.{name} accepts ({_num(min_ok)})",
        )
    if high > max_ok:
        raise ScenarioError.at(
            at["high"],
            f"{_num(high)} is above the largest value parameters.{name} accepts ({_num(max_ok)})",
        )
    if prior.distribution == "loguniform" and low <= 0:
        origin = "" if prior.low is not None else " from the parameter's declared range; give low"
        raise ScenarioError.at(at["low"], f"loguniform needs low > 0 (got {_num(low)}{origin})")
    integer = _is_integer(name)
    if integer:
        for key, value in (("low", low), ("high", high)):
            if not float(value).is_integer():
                raise ScenarioError.at(
                    at[key],
                    f"{_num(value)} must be a whole number: parameters.{name} is an integer",
                )
    return ResolvedPrior(
        name=name,
        distribution=prior.distribution,
        low=float(low),
        high=float(high),
        integer=integer,
        mean=prior.mean,
        sd=prior.sd,
    )


class CalibrationSpec(BaseModel):
    """The ``[calibration]`` table: the uncertain parameters and their priors.

    ``parameters`` lists parameters with a uniform prior over their declared
    range; ``priors`` gives a :class:`Prior` per parameter. :meth:`resolved`
    returns both, merged and checked.
    """

    model_config = _CLOSED

    parameters: list[str] = Field(default_factory=list)
    priors: dict[str, Prior] = Field(default_factory=dict)
    posterior: str | None = None  # a Parquet file of posterior draws; absolute once loaded

    @field_validator("posterior", mode="before")
    @classmethod
    def _a_parquet_path(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not value.lower().endswith(".parquet"):
            raise ValueError(
                f'expected the path of a .parquet file, e.g. "posterior.parquet" (got {value!r})'
            )
        base = (info.context or {}).get(BASE_DIR)
        path = Path(value).expanduser()
        if base is not None and not path.is_absolute():
            path = Path(base) / path
        return os.path.abspath(path) if base is not None or path.is_absolute() else value

    @field_validator("parameters", mode="before")
    @classmethod
    def _a_list_of_names(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(
                f'expected a list of parameter names, e.g. ["lethality"] (got {value!r})'
            )
        return value

    @field_validator("priors", mode="before")
    @classmethod
    def _a_table_per_parameter(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError(f"expected a table of parameter = {{ ... }} entries (got {value!r})")
        for name, entry in value.items():
            if not isinstance(entry, dict | Prior):
                raise ScenarioError.at(name, f"expected a table like {_EXAMPLE} (got {entry!r})")
        return value

    @model_validator(mode="after")
    def _check(self) -> CalibrationSpec:
        self.resolved()  # raises ScenarioError naming the field
        return self

    def resolved(self) -> dict[str, ResolvedPrior]:
        """Every uncertain parameter with its prior in full, in ``Parameters`` order.

        The order is the parameters' declaration order, not the file's, so that
        reordering the table never changes the draws.
        """
        known = Parameters.model_fields
        out: dict[str, ResolvedPrior] = {}
        for i, name in enumerate(self.parameters):
            where = f"parameters[{i}]"
            if name not in known:
                raise ScenarioError.at(where, _unknown(name))
            if name in out:
                raise ScenarioError.at(where, f"{name!r} is listed twice")
            if name in self.priors:
                raise ScenarioError.at(
                    where, f"{name!r} also has an entry in calibration.priors; list it once"
                )
            out[name] = _resolve(name, Prior(), where)
        for name, prior in self.priors.items():
            where = f"priors.{name}"
            if name not in known:
                raise ScenarioError.at(where, _unknown(name))
            out[name] = _resolve(name, prior, where)
        if not out:
            raise ScenarioError.at(
                "",
                "list at least one parameter (parameters = [...] or a [calibration.priors] entry)",
            )
        return {name: out[name] for name in known if name in out}
