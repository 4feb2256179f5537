"""A perturbation kernel that cannot collapse onto a few particles: the defensive mixture.

ABC-SMC proposes each new particle by picking one of the last generation's
particles by its importance weight and perturbing it; the new particle's weight is
``prior / proposal density``. When the last generation's weights are uneven (a
few particles carry most of them), the proposal puts almost no mass near the
light particles; a new particle proposed from one of them that then comes
within epsilon of the record, often by a lucky seed in a stochastic model, gets
a weight of roughly ``1 / (its parent's weight)`` and can outweigh all the
others together. The next generation inherits that collapse and deepens it
(the adopted Mexico fit's last generation is worth 10 of its 200 particles:
docs/CALIBRATION.md, "The Mexico fit").

The defensive kernel picks the parent from a mixture: with probability
``uniform_share`` uniformly over the last generation, otherwise by importance
weight (defensive importance sampling: Hesterberg 1995, *Technometrics* 37(2)).
Every particle then keeps at least ``uniform_share / N`` of the proposal, which
bounds any new weight near it. The proposal is still a proper density that the
weights use exactly, so the posterior it targets is unchanged; only its
variance falls. The covariance and the bandwidth (Silverman's rule on the
effective sample size) are fitted to the mixed weights, as pyabc's
``MultivariateNormalTransition`` fits them to its weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyabc import MultivariateNormalTransition

__all__ = ["DEFENSIVE_UNIFORM_SHARE", "DefensiveNormalTransition"]

#: Half of each proposal picks its parent uniformly: the weight of a new particle
#: near any parent is then at most twice what an even population would give it,
#: while half the proposals still follow the weights. Hesterberg (1995) suggests
#: defensive shares of 0.1-0.5; the upper end because the Mexico fit's
#: degeneracy was extreme.
DEFENSIVE_UNIFORM_SHARE = 0.5


class DefensiveNormalTransition(MultivariateNormalTransition):
    """pyabc's multivariate normal kernel, its parents drawn from a defensive mixture.

    Args:
        uniform_share: probability (0-1) that a proposal's parent is drawn
            uniformly rather than by importance weight.

    """

    def __init__(self, uniform_share: float = DEFENSIVE_UNIFORM_SHARE):
        if not 0.0 <= uniform_share <= 1.0:
            raise ValueError(f"uniform_share: must be within 0-1 (got {uniform_share})")
        super().__init__()
        self.uniform_share = uniform_share

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        """Fit the kernel to ``X`` with the weights mixed with the uniform ones."""
        n = len(w)
        if n == 0:
            super().fit(X, w)  # pyabc's own error: nothing to fit
            return
        mixed = (1.0 - self.uniform_share) * np.asarray(w, dtype=np.float64)
        mixed += self.uniform_share / n
        super().fit(X, mixed / mixed.sum())
