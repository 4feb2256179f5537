"""Sampling designs: the points of a sweep, each a value for every factor.

Every design except ``grid`` first draws points in the unit cube [0, 1]^d, one
column per factor in file order, and maps each column to its factor
(:meth:`Range.at`, :meth:`Categorical.at`); the unit matrix is kept because
SALib's analyses need it. Everything is seeded by the sweep's ``seed``, so the
same spec gives the same points on any machine.

- ``grid``: every combination; a range gets ``samples`` evenly spaced levels
  (ends included), a prior its quantiles at the midpoints of ``samples`` equal
  slices of probability, a list all its values.
- ``lhs``: ``samples`` points of a Latin hypercube (McKay, Beckman & Conover 1979),
  :class:`scipy.stats.qmc.LatinHypercube`.
- ``random``: ``samples`` independent uniform points.
- ``sobol``: Saltelli's scheme for Sobol' indices (Saltelli et al. 2010), SALib's
  ``sample.sobol`` without second-order terms: ``samples`` × (d + 2) points.
- ``morris``: ``samples`` Morris trajectories of ``levels`` levels (Morris 1991;
  Campolongo et al. 2007), SALib's ``sample.morris``: ``samples`` × (d + 1) points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from plazasim.sweep.spec import Categorical, Range, SweepSpec

__all__ = ["Design", "make_design", "n_points", "salib_problem", "unit_sample"]


@dataclass(frozen=True)
class Design:
    """The points of a sweep: ``points`` (``point_id`` then one column per factor), ``unit``.

    ``unit`` is the (points × factors) matrix in [0, 1] the points were mapped
    from, or None for a grid.
    """

    points: pd.DataFrame
    unit: np.ndarray | None


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """SALib's problem dict: every factor on [0, 1], mapped to its values afterwards."""
    names = list(spec.factors)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def n_points(spec: SweepSpec) -> int:
    """How many points the design has, without drawing them."""
    s, d = spec.sweep.samples, len(spec.factors)
    if spec.sweep.design == "grid":
        return int(
            np.prod(
                [len(f.values) if isinstance(f, Categorical) else s for f in spec.factors.values()]
            )
        )
    if spec.sweep.design == "sobol":
        return s * (d + 2)
    if spec.sweep.design == "morris":
        return s * (d + 1)
    return s


def unit_sample(spec: SweepSpec) -> np.ndarray:
    """The design's points in the unit cube (not ``grid``): what SALib analyses."""
    s, d, seed = spec.sweep.samples, len(spec.factors), spec.sweep.seed
    design = spec.sweep.design
    if design == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d, rng=np.random.default_rng(seed)).random(s)
    if design == "random":
        return np.random.default_rng(seed).random((s, d))
    if design == "sobol":
        import warnings

        from SALib.sample import sobol

        with warnings.catch_warnings():  # a sample size that is not a power of 2 still works
            warnings.simplefilter("ignore")
            return sobol.sample(salib_problem(spec), s, calc_second_order=False, seed=seed % 2**32)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(
            salib_problem(spec), s, num_levels=spec.sweep.levels, seed=seed % 2**32
        )
    raise ValueError(f"no unit sample for design {design!r}")  # pragma: no cover


def _grid(spec: SweepSpec) -> list[tuple[Any, ...]]:
    axes = []
    for factor in spec.factors.values():
        if isinstance(factor, Categorical):
            axes.append(list(factor.values))
        elif isinstance(factor, Range):
            u = (
                np.linspace(0.0, 1.0, spec.sweep.samples)
                if spec.sweep.samples > 1
                else np.array([0.5])
            )
            axes.append([factor.at(float(x)) for x in u])
        else:  # a prior: the midpoints of equal slices of probability
            u = (np.arange(spec.sweep.samples) + 0.5) / spec.sweep.samples
            axes.append([factor.at(float(x)) for x in u])
    return list(itertools.product(*axes))


def make_design(spec: SweepSpec) -> Design:
    """Draw the design's points (see the module doc); ``point_id`` counts from 0."""
    names = list(spec.factors)
    unit: np.ndarray | None = None
    if spec.sweep.design == "grid":
        rows = _grid(spec)
    else:
        unit = np.asarray(unit_sample(spec), dtype=float)
        factors = list(spec.factors.values())
        rows = [tuple(f.at(float(u)) for f, u in zip(factors, row, strict=True)) for row in unit]
    points = pd.DataFrame(rows, columns=names)
    points.insert(0, "point_id", np.arange(len(points), dtype=np.int64))
    return Design(points=points, unit=unit)
