"""The defensive kernel: every particle keeps a share of the proposal, and the density is exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs
from pyabc import MultivariateNormalTransition

from plazasim.calibration.kernels import DefensiveNormalTransition

RNG = np.random.default_rng(5)
X = pd.DataFrame(RNG.normal(size=(12, 3)), columns=["a", "b", "c"])


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(hs.floats(0.0, 1e6, allow_nan=False), min_size=12, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
    hs.floats(0.01, 1.0),  # at 0 a one-hot generation breaks pyabc's own covariance
)
def test_every_particle_keeps_its_share_of_the_proposal(weights, share) -> None:
    w = np.array(weights) / sum(weights)
    kernel = DefensiveNormalTransition(uniform_share=share)
    kernel.fit(X, w)
    assert kernel.w.sum() == pytest.approx(1.0)
    assert kernel.w.min() >= share / len(w) - 1e-12
    np.testing.assert_allclose(kernel.w, (1 - share) * w + share / len(w), rtol=1e-9, atol=1e-15)


def test_the_density_is_the_mixture_it_samples_from() -> None:
    w = np.zeros(12)
    w[0] = 1.0  # a collapsed generation: one particle holds every weight
    kernel = DefensiveNormalTransition()
    kernel.fit(X, w)
    mixed = 0.5 * w + 0.5 / 12
    x = pd.DataFrame(RNG.normal(size=(4, 3)), columns=["a", "b", "c"])
    expected = [
        sum(
            m * st.multivariate_normal(mean=xi, cov=kernel.cov).pdf(row)
            for m, xi in zip(mixed, X.values, strict=True)
        )
        for row in x.values
    ]
    np.testing.assert_allclose(kernel.pdf(x), expected, rtol=1e-10)
    # A point on a weightless particle keeps at least about half the density an even
    # generation gives it (0.74 here: the covariance and bandwidth follow the mixed weights).
    near = X.iloc[[7]]
    even = MultivariateNormalTransition()
    even.fit(X, np.full(12, 1 / 12))
    assert kernel.pdf(near) > 0.4 * even.pdf(near)


def test_without_a_uniform_share_it_is_pyabcs_kernel() -> None:
    w = RNG.dirichlet(np.ones(12))
    ours, theirs = DefensiveNormalTransition(uniform_share=0.0), MultivariateNormalTransition()
    ours.fit(X, w)
    theirs.fit(X, w)
    np.testing.assert_allclose(ours.cov, theirs.cov)
    np.testing.assert_allclose(ours.pdf(X), theirs.pdf(X))


def test_a_share_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match=r"uniform_share: must be within 0-1 \(got 1.5\)"):
        DefensiveNormalTransition(uniform_share=1.5)
