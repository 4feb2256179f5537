"""The search space of a calibration: the scenario's priors, as pyabc sees them.

ABC-SMC weights each accepted particle by its prior density over the density of
the kernel that proposed it (a Gaussian mixture fitted to the last population,
pyabc's ``MultivariateNormalTransition``). On a bounded prior that ratio breaks
down at the walls: near a bound half of each kernel falls outside, the proposal
density there is about half what it is inside, and a particle near a corner of
*d* parameters gets up to 2^d times the weight of one in the middle. With a
dozen parameters a few such particles take almost all the weight.

So every parameter is searched on an unbounded coordinate, the logit of its
prior CDF: ``z = logit(F(x))``. Whatever the prior (uniform, log-uniform,
truncated normal), ``z`` has a standard logistic prior, with no walls; a
Gaussian step in ``z`` is a step in prior probability, relative near the bounds.
An integer parameter uses the CDF over ``[low - 1/2, high + 1/2]`` and is
rounded, as :mod:`plazasim.experiments.priors` does, so every whole value keeps
an equal share of the prior.

:meth:`SearchSpace.values` turns a particle back into parameter values in their
own units, the only form that leaves this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from plazasim.calibration_spec import ResolvedPrior
from plazasim.experiments.priors import prior_cdf, prior_quantile

__all__ = ["SearchSpace"]

PREFIX = "z_"
#: Probabilities are kept this far from 0 and 1, so that every value has a finite z.
EDGE = 1e-12


def _inside(u: float) -> float:
    """``u`` held :data:`EDGE` inside (0, 1), so that its logit is finite."""
    return min(max(u, EDGE), 1.0 - EDGE)


@dataclass(frozen=True)
class SearchSpace:
    """The priors of the calibrated parameters and their pyabc coordinates."""

    priors: Mapping[str, ResolvedPrior]

    def coordinate(self, name: str) -> str:
        """The pyabc name of parameter ``name``: ``z_<name>``, the logit of its prior CDF."""
        return PREFIX + name

    def coordinates(self) -> list[str]:
        """The pyabc names, in the priors' order."""
        return [self.coordinate(name) for name in self.priors]

    def distribution(self):  # -> pyabc.Distribution (pyabc is an optional dependency)
        """The prior as a ``pyabc.Distribution``: a standard logistic per coordinate."""
        import pyabc

        return pyabc.Distribution(
            **{self.coordinate(name): pyabc.RV("logistic", 0.0, 1.0) for name in self.priors}
        )

    def values(self, particle: Mapping[str, float]) -> dict[str, float | int]:
        """Parameter values (own units) of a particle given in pyabc coordinates."""
        out: dict[str, float | int] = {}
        for name, prior in self.priors.items():
            u = _inside(float(expit(float(particle[self.coordinate(name)]))))
            x = float(prior_quantile(prior, np.array([u]))[0])
            out[name] = int(x) if prior.integer else x
        return out

    def particle(self, values: Mapping[str, float]) -> dict[str, float]:
        """The pyabc coordinates of parameter ``values`` (the inverse of :meth:`values`)."""
        return {
            self.coordinate(name): float(logit(_inside(prior_cdf(prior, float(values[name])))))
            for name, prior in self.priors.items()
        }
