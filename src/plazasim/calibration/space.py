"""The search space of a calibration: the scenario's priors, as pyabc sees them.

ABC-SMC perturbs accepted particles with a Gaussian kernel fitted to the last
population (pyabc's ``MultivariateNormalTransition``). A parameter with a
log-uniform prior (a rate uncertain by an order of magnitude) is therefore
searched on its logarithm, where the prior is flat and a Gaussian step means a
relative change; everything else is searched as it is. An integer parameter is
searched on ``[low - 1/2, high + 1/2]`` and rounded, as
:mod:`plazasim.experiments.priors` does, so every whole value keeps an equal
share of a uniform prior.

:meth:`SearchSpace.values` turns a particle back into parameter values in their
own units, the only form that leaves this module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from plazasim.calibration_spec import ResolvedPrior

__all__ = ["SearchSpace"]

LOG_PREFIX = "log_"


@dataclass(frozen=True)
class SearchSpace:
    """The priors of the calibrated parameters and their pyabc coordinates."""

    priors: Mapping[str, ResolvedPrior]

    def coordinate(self, name: str) -> str:
        """The pyabc name of parameter ``name`` (``log_<name>`` for a log-uniform prior)."""
        return LOG_PREFIX + name if self.priors[name].distribution == "loguniform" else name

    def coordinates(self) -> list[str]:
        """The pyabc names, in the priors' order."""
        return [self.coordinate(name) for name in self.priors]

    def distribution(self):  # -> pyabc.Distribution (pyabc is an optional dependency)
        """The prior as a ``pyabc.Distribution`` over :meth:`coordinates`."""
        import pyabc

        rvs = {}
        for name, prior in self.priors.items():
            pad = 0.5 if prior.integer else 0.0
            lo, hi = prior.low - pad, prior.high + pad
            if prior.distribution == "uniform":
                rvs[name] = pyabc.RV("uniform", lo, hi - lo)
            elif prior.distribution == "loguniform":
                lo_log, hi_log = math.log(lo), math.log(hi)
                rvs[self.coordinate(name)] = pyabc.RV("uniform", lo_log, hi_log - lo_log)
            elif prior.distribution == "truncnormal":
                assert prior.mean is not None and prior.sd is not None
                a, b = (lo - prior.mean) / prior.sd, (hi - prior.mean) / prior.sd
                rvs[name] = pyabc.RV("truncnorm", a, b, loc=prior.mean, scale=prior.sd)
            else:  # pragma: no cover - the schema admits only the distributions above
                raise ValueError(f"unknown distribution {prior.distribution!r}")
        return pyabc.Distribution(**rvs)

    def values(self, particle: Mapping[str, float]) -> dict[str, float | int]:
        """Parameter values (own units) of a particle given in pyabc coordinates."""
        out: dict[str, float | int] = {}
        for name, prior in self.priors.items():
            x = float(particle[self.coordinate(name)])
            if prior.distribution == "loguniform":
                x = math.exp(x)
            x = min(max(x, prior.low), prior.high) if not prior.integer else x
            out[name] = int(min(max(round(x), prior.low), prior.high)) if prior.integer else x
        return out

    def particle(self, values: Mapping[str, float]) -> dict[str, float]:
        """The pyabc coordinates of parameter ``values`` (the inverse of :meth:`values`)."""
        return {self.coordinate(name): (math.log(values[name])
                                        if prior.distribution == "loguniform"
                                        else float(values[name]))
                for name, prior in self.priors.items()}
