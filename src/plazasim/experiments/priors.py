"""Draw parameter sets from a scenario's priors, and apply one to the scenario.

:func:`sample_priors` draws by Latin hypercube sampling (McKay, Beckman &
Conover 1979, *Technometrics* 21(2):239-245): each parameter's prior is cut into
``n`` slices of equal probability and every slice is drawn exactly once, in an
independent random order per parameter. With the tens to hundreds of draws a
simulation affords, that covers each prior's whole range far more evenly than
independent draws, whose extremes are often missed. The hypercube is a few lines
of NumPy rather than ``scipy.stats.qmc``, so the draws for a seed do not change
with the SciPy version. Because the slices depend on ``n``, the first 10 of 20
draws are not the 10 draws of ``n = 10``.

Example::

    from plazasim.scenario import load_scenario
    from plazasim.experiments.priors import apply_draw, require_priors, sample_priors

    sc = load_scenario("mexico-2006")
    draws = sample_priors(require_priors(sc), 20, seed=1)
    runs = [apply_draw(sc, values, seed=1 + i) for i, values in enumerate(draws)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from plazasim.calibration_spec import ResolvedPrior
from plazasim.errors import PlazasimError, from_validation_error
from plazasim.scenario import Scenario, with_overrides

__all__ = [
    "NO_CALIBRATION",
    "apply_draw",
    "latin_hypercube",
    "prior_cdf",
    "prior_quantile",
    "require_priors",
    "sample_priors",
]

#: The error for a scenario without priors: nothing says which parameters are uncertain.
NO_CALIBRATION = "scenario has no [calibration] table; add one (docs/SCENARIOS.md)"


def require_priors(scenario: Scenario) -> dict[str, ResolvedPrior]:
    """The scenario's priors in full (:meth:`CalibrationSpec.resolved`), or a one-line error."""
    if scenario.calibration is None:
        raise PlazasimError(NO_CALIBRATION)
    return scenario.calibration.resolved()


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, d)`` points in [0, 1): each column hits each of the ``n`` equal slices once."""
    u = np.empty((n, d))
    for j in range(d):
        u[:, j] = (rng.permutation(n) + rng.random(n)) / n
    return u


def _support(prior: ResolvedPrior) -> tuple[float, float]:
    """The interval the prior's CDF runs over, ``[low - 1/2, high + 1/2]`` for integers.

    The padding gives every whole value an equal slice of probability.
    """
    pad = 0.5 if prior.integer else 0.0
    return prior.low - pad, prior.high + pad


def _truncnorm(prior: ResolvedPrior, lo: float, hi: float) -> Any:  # a frozen truncnorm
    from scipy.stats import truncnorm

    assert prior.mean is not None and prior.sd is not None
    a, b = (lo - prior.mean) / prior.sd, (hi - prior.mean) / prior.sd
    return truncnorm(a, b, loc=prior.mean, scale=prior.sd)


def prior_quantile(prior: ResolvedPrior, u: np.ndarray) -> np.ndarray:
    """Values of ``prior`` at probabilities ``u`` (its inverse CDF), inside [low, high]."""
    lo, hi = _support(prior)
    if prior.distribution == "uniform":
        x = lo + u * (hi - lo)
    elif prior.distribution == "loguniform":
        x = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    elif prior.distribution == "truncnormal":
        x = _truncnorm(prior, lo, hi).ppf(u)
    else:  # pragma: no cover - the schema admits only the distributions above
        raise ValueError(f"unknown distribution {prior.distribution!r}")
    if prior.integer:
        x = np.rint(x)
    return np.clip(x, prior.low, prior.high)  # rounding must never leave the prior


def prior_cdf(prior: ResolvedPrior, x: float) -> float:
    """The prior's CDF at ``x``: the inverse of :func:`prior_quantile`."""
    lo, hi = _support(prior)
    if prior.distribution == "uniform":
        return (x - lo) / (hi - lo)
    if prior.distribution == "loguniform":
        return (np.log(x) - np.log(lo)) / (np.log(hi) - np.log(lo))
    if prior.distribution == "truncnormal":
        return float(_truncnorm(prior, lo, hi).cdf(x))
    raise ValueError(f"unknown distribution {prior.distribution!r}")  # pragma: no cover


def sample_priors(
    priors: Mapping[str, ResolvedPrior], n: int, seed: int
) -> list[dict[str, float | int]]:
    """Draw ``n`` parameter sets from ``priors`` by Latin hypercube, seeded by ``seed``.

    Returns one dict per draw, parameter name -> value (``int`` for integer
    parameters), in the order of ``priors``. The same priors, ``n`` and ``seed``
    always give the same draws.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise PlazasimError(f"draws: must be an integer >= 1 (got {n!r})")
    names = list(priors)
    u = latin_hypercube(n, len(names), np.random.default_rng(seed))
    columns = [prior_quantile(priors[name], u[:, j]) for j, name in enumerate(names)]
    return [
        {
            name: (int(col[i]) if priors[name].integer else float(col[i]))
            for name, col in zip(names, columns, strict=True)
        }
        for i in range(n)
    ]


def apply_draw(
    scenario: Scenario, values: Mapping[str, float | int], *, seed: int | None = None
) -> Scenario:
    """Return ``scenario`` with ``values`` as parameters (and ``seed``), fully re-validated.

    The scenario goes through the same validation as a loaded file, so a value a
    parameter does not accept is an error naming it (``parameters.<name>: ...``),
    never a silent out-of-range run.
    """
    base = scenario if seed is None else with_overrides(scenario, seed=seed)
    data = base.model_dump(by_alias=True)
    data["parameters"] = {**data["parameters"], **values}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
