"""Helpers shared by the built-in policies and available to plug-in policies.

A policy validates its parameters with :func:`validate_params` (one-line errors
that a scenario loader shows as is), excludes untouchable cartels with
:func:`targetable`, ranks candidate (cartel, plaza) cells with
:func:`top_pairs` (or, given the candidate cells, :func:`top_cells`), and splits
whole operations in proportion to weights with :func:`largest_remainder`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from plazasim.model.operations import Observation

__all__ = [
    "PARAMS_CONFIG",
    "largest_remainder",
    "ranking_scores",
    "targetable",
    "top_cells",
    "top_order",
    "top_pairs",
    "validate_params",
]

M = TypeVar("M", bound=BaseModel)

#: The strict, closed configuration every built-in policy's parameter model uses:
#: typos are errors (``extra="forbid"``), ``"4"`` or ``True`` is not silently an int
#: (``strict``), and NaN/inf never reach the arithmetic.
PARAMS_CONFIG = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def validate_params(policy: str, model: type[M], params: Mapping[str, Any]) -> M:
    """Validate ``params`` with ``model``; on failure raise a one-line ``ValueError``.

    The message starts with ``<policy>.<param>: <problem>`` so a scenario loader can
    show it to the user as is. Numpy scalars (as produced by parameter sweeps) are
    converted to Python numbers first, since strict validation would reject them.
    """
    clean = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()}
    try:
        return model(**clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(part) for part in err["loc"]) or "?"
        shown = repr(err.get("input"))
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        problem = str(err["msg"]).removeprefix("Value error, ")
        msg = f"{policy}.{field}: {problem} (got {shown})"
        raise ValueError(" ".join(msg.split())) from exc


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` whole units in proportion to ``weights`` (Hamilton's method).

    Each entry gets the floor of its quota ``total * w / sum(w)``; the units left
    over go one each to the largest remainders, ties to the lower index. Entries
    with zero (or negative, or NaN) weight get nothing. Returns ``int64``.
    """
    w = np.maximum(np.nan_to_num(np.asarray(weights, dtype=np.float64), nan=0.0), 0.0)
    out = np.zeros(w.shape, dtype=np.int64)
    s = float(w.sum())
    if total <= 0 or s <= 0.0 or not np.isfinite(s):
        return out
    quota = total * (w / s)
    out[:] = np.floor(quota)
    left = max(int(total - out.sum()), 0)
    rem = np.where(w > 0, quota - out, -1.0)
    order = np.lexsort((np.arange(w.size), -rem))
    order = order[rem[order] >= 0][:left]
    out[order] += 1
    return out


def targetable(obs: Observation) -> np.ndarray:
    """``(K,)`` bool: slots the state may act against (alive and not under an immunity deal)."""
    return np.asarray(obs.alive, dtype=bool) & ~np.asarray(obs.protected, dtype=bool)


def top_pairs(mask: np.ndarray, score: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Select the ``n`` highest-scoring ``(cartel, plaza)`` cells of ``mask``, best first.

    Ties are broken by plaza index then cartel slot, so the order depends on
    nothing but the inputs; NaN scores count as 0. See :func:`top_cells`, which
    does the ranking once the candidate cells are listed.

    Returns:
        cartel slots and plaza indices, ``int64`` arrays of length ``<= n``.

    """
    mask = np.asarray(mask)
    # Flat indices, then (row, column): the same cells in the same (row-major) order
    # as np.nonzero, several times faster on a (K, P) mask.
    cells = np.flatnonzero(mask)
    ks, ps = np.divmod(cells, mask.shape[1])
    score = np.asarray(score, dtype=np.float64)
    values = score.reshape(-1)[cells] if score.shape == mask.shape else score[ks, ps]
    return top_cells(ks, ps, values, n)


def top_cells(
    ks: np.ndarray, ps: np.ndarray, values: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` highest-``values`` cells among the candidates ``(ks[i], ps[i])``, best first.

    Ranked as :func:`top_order` ranks them. Returns cartel slots and plaza indices,
    ``int64`` arrays of length ``<= n``.
    """
    if n <= 0 or ks.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    best = top_order(ks, ps, values, n)
    return ks[best], ps[best]


def top_order(ks: np.ndarray, ps: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` highest-``values`` candidate cells ``(ks[i], ps[i])``, best first.

    ``values`` are the cells' scores (float64). Ties are broken by plaza index then
    cartel slot; NaN scores count as 0. A partition finds the cut-off score first
    and only the cells at or above it are sorted, which keeps a week cheap when
    thousands of cells qualify but capacity is a few hundred.
    """
    if n <= 0 or ks.size == 0:
        return np.empty(0, dtype=np.int64)
    values = ranking_scores(values)
    candidates = np.arange(ks.size)
    if ks.size > n:
        cutoff = np.partition(values, ks.size - n)[ks.size - n]
        candidates = np.flatnonzero(values >= cutoff)
    order = np.lexsort((ks[candidates], ps[candidates], -values[candidates]))[:n]
    return candidates[order]


def ranking_scores(values: np.ndarray) -> np.ndarray:
    """``values`` as :func:`top_cells` ranks them: NaN as 0, infinities as the extreme floats."""
    if np.isfinite(values).all():  # the usual case: skip nan_to_num's overhead
        return values
    return np.nan_to_num(values, nan=0.0, posinf=np.finfo(np.float64).max)
