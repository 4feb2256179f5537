"""EMA Workbench adapter: a scenario as an exploratory model (``pip install plazasim[ema]``).

The EMA Workbench (Kwakkel 2017, *Environmental Modelling & Software* 96:239-250)
runs a model over many sampled *uncertainties* and *levers* and then looks for the
conditions under which outcomes are bad (scenario discovery with PRIM, Friedman &
Fisher 1999; Bryant & Lempert 2010). :func:`scenario_model` wraps a plazasim
scenario as such a model:

- **uncertainties**: model parameters, each over its documented range
  (``Parameters`` in :mod:`plazasim.model.params`, docs/SCENARIOS.md) or a range
  you give, or the ``Range`` factors of a sweep spec (:func:`spec_model`);
- **levers**: ``enforcement``, the policy for the whole run
  (``with_overrides(policy=...)``; EMA's own ``policy`` column names the lever setting);
- **outcomes**: sums over the run, as :data:`plazasim.experiments.compare.METRICS`
  defines them.

Every experiment runs with the scenario's seed (common random numbers), so an
outcome differs between experiments only through the parameters and the policy.
docs/SWEEPS.md, "EMA Workbench", has an example with a PRIM step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from plazasim.errors import PlazasimError
from plazasim.experiments.compare import METRICS
from plazasim.model.params import Parameters
from plazasim.scenario import Scenario, load_scenario, with_overrides
from plazasim.sweep.runner import RunTask, point_scenario, run_task
from plazasim.sweep.spec import POLICY, Categorical, Range, SweepSpec

__all__ = ["LEVER", "ScenarioFunction", "scenario_model", "spec_model"]

#: The lever's name: EMA keeps ``policy`` for its own column naming each lever setting.
LEVER = "enforcement"
#: Outcomes when none are named.
DEFAULT_OUTCOMES = ("homicides_total", "cocaine_delivered_t")


@dataclass(frozen=True)
class ScenarioFunction:
    """The model function EMA calls: keyword values in, outcome sums out (picklable)."""

    base: Scenario
    outcomes: tuple[str, ...]

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run ``base`` with ``values`` (parameters and ``policy``) and return the outcomes."""
        seed = self.base.scenario.seed
        if LEVER in values:
            values[POLICY] = values.pop(LEVER)
        scenario = point_scenario(self.base, values, seed)
        task = RunTask(0, 0, 0, seed, {}, scenario, self.outcomes, series=False)
        row = run_task(task).row
        return {name: float(row[name]) for name in self.outcomes}


def _ema() -> Any:
    try:
        import ema_workbench
    except ImportError:
        raise PlazasimError(
            "ema: the EMA Workbench is not installed; pip install 'plazasim[ema]'"
        ) from None
    return ema_workbench


def _documented(name: str) -> tuple[float, float]:
    if name not in Parameters.model_fields:
        raise PlazasimError(f"ema: unknown parameter {name!r} (docs/SCENARIOS.md lists them)")
    # Every parameter declares its documented range as a dict (never a callable).
    extra = cast("dict[str, Any]", Parameters.model_fields[name].json_schema_extra)
    lo, hi = extra["range"]
    return float(lo), float(hi)


def scenario_model(
    scenario: Scenario | str,
    uncertainties: Sequence[str] | Mapping[str, tuple[float, float]],
    *,
    policies: Sequence[str] = (),
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    until: str | None = None,
    name: str = "plazasim",
) -> Any:
    """An ``ema_workbench.Model`` running ``scenario`` (a Scenario, bundled name or path).

    ``uncertainties`` are parameter names (over their documented ranges) or
    name -> (low, high); ``policies`` become a categorical lever ``enforcement`` (none:
    the scenario's own timeline); ``outcomes`` are names of
    :data:`~plazasim.experiments.compare.METRICS`; ``until`` shortens every run.
    """
    ema = _ema()
    base = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if until is not None:
        base = with_overrides(base, until=until)
    unknown = [o for o in outcomes if o not in METRICS]
    if unknown:
        raise PlazasimError(f"ema: unknown outcome {unknown[0]!r} (known: {', '.join(METRICS)})")
    ranges = (
        dict(uncertainties)
        if isinstance(uncertainties, Mapping)
        else {n: _documented(n) for n in uncertainties}
    )
    model = ema.Model(name, function=ScenarioFunction(base, tuple(outcomes)))
    model.uncertainties = [
        ema.RealParameter(n, float(lo), float(hi)) for n, (lo, hi) in ranges.items()
    ]
    if policies:
        model.levers = [ema.CategoricalParameter(LEVER, list(policies))]
    model.outcomes = [ema.ScalarOutcome(o) for o in outcomes]
    return model


def spec_model(spec: SweepSpec, name: str = "plazasim") -> Any:
    """The model of a sweep spec: its ranges are uncertainties, its ``policy`` list the lever.

    Log-scaled ranges are sampled uniformly by EMA; categorical factors other than
    ``policy`` are not supported (give them as ranges, or fix them in the scenario).
    """
    ranges: dict[str, tuple[float, float]] = {}
    policies: tuple[str, ...] = ()
    for factor_name, factor in spec.factors.items():
        if factor_name == POLICY and isinstance(factor, Categorical):
            policies = tuple(factor.values)
        elif isinstance(factor, Range):
            ranges[factor_name] = (factor.low, factor.high)
        else:
            what = "a list of values" if isinstance(factor, Categorical) else "a prior"
            raise PlazasimError(
                f"ema: {factor_name}: {what} is not an EMA uncertainty here; give a range"
            )
    until = spec.sweep.until.isoformat() if spec.sweep.until is not None else None
    return scenario_model(
        spec.sweep.scenario,
        ranges,
        policies=policies,
        outcomes=spec.sweep.outputs,
        until=until,
        name=name,
    )
