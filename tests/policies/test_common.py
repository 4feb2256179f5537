"""The ranking helpers give exactly the order of a plain full sort, ties and NaNs included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.policies.common import top_pairs
from plazasim.policies.crackdown import largest_presences, largest_presences_by_region

from .helpers import World

# World.build sums the strengths, inf - inf included.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")


def sorted_pairs(mask: np.ndarray, score: np.ndarray, n: int) -> list[tuple[int, int]]:
    """Reference: every masked cell sorted by (score desc, plaza, cartel), NaN as 0."""
    ks, ps = np.nonzero(mask)
    values = np.nan_to_num(
        np.asarray(score, dtype=np.float64)[ks, ps], nan=0.0, posinf=np.finfo(np.float64).max
    )
    order = np.lexsort((ks, ps, -values))[: max(n, 0)]
    return list(zip(ks[order].tolist(), ps[order].tolist(), strict=True))


# Few distinct values so that ties are common, plus NaN and infinities.
SCORES = st.sampled_from([0.0, 1.0, 2.0, 2.5, -1.0, np.nan, np.inf, -np.inf])


@st.composite
def masked_scores(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    k = draw(st.integers(1, 6))
    p = draw(st.integers(1, 12))
    mask = np.array(draw(st.lists(st.booleans(), min_size=k * p, max_size=k * p)))
    score = np.array(draw(st.lists(SCORES, min_size=k * p, max_size=k * p)))
    n = draw(st.integers(-1, k * p + 2))
    return mask.reshape(k, p), score.reshape(k, p), n


@settings(max_examples=300, deadline=None)
@given(masked_scores())
def test_top_pairs_is_a_full_sort_cut_at_n(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    mask, score, n = case
    ks, ps = top_pairs(mask, score, n)
    assert ks.dtype == ps.dtype == np.int64
    assert list(zip(ks.tolist(), ps.tolist(), strict=True)) == sorted_pairs(mask, score, n)


def test_top_pairs_accepts_a_broadcast_score() -> None:
    mask = np.array([[True], [True], [False]])
    members = np.array([[3.0], [5.0], [9.0]])
    ks, ps = top_pairs(mask, members, 5)
    assert ks.tolist() == [1, 0] and ps.tolist() == [0, 0]


@settings(max_examples=200, deadline=None)
@given(masked_scores(), st.data())
def test_regional_largest_presences_match_a_search_on_the_region_columns(
    case: tuple[np.ndarray, np.ndarray, int], data: st.DataObject
) -> None:
    present, strength, _ = case
    k, p = present.shape
    w = World(cartels=k, plazas=p)
    w.present[:] = present
    w.strength[:] = strength
    w.alive[:] = data.draw(st.lists(st.booleans(), min_size=k, max_size=k))
    w.protected[:] = data.draw(st.lists(st.booleans(), min_size=k, max_size=k))
    obs = w.build()
    allowed = obs.present & (obs.alive & ~obs.protected)[:, None]
    n_regions = data.draw(st.integers(0, 4))
    regions = [
        np.array(sorted(data.draw(st.sets(st.integers(0, p - 1)))), dtype=np.int64)
        for _ in range(n_regions)
    ]
    counts = [data.draw(st.integers(-1, 8)) for _ in range(n_regions)]
    # Reference: a full sort of each region's columns alone, plazas mapped back.
    expected = [
        (i, rank, kk, int(region[j]))
        for i, (region, n) in enumerate(zip(regions, counts, strict=True))
        for rank, (kk, j) in enumerate(
            sorted_pairs(allowed[:, region], obs.strength_estimate[:, region], n)
        )
    ]
    got = largest_presences_by_region(obs, regions, counts)
    assert list(zip(*(a.tolist() for a in got), strict=True)) == expected
    for i, (region, n) in enumerate(zip(regions, counts, strict=True)):
        ks, ps = largest_presences(obs, n, region)
        assert [(i, r, kk, pp) for r, (kk, pp) in enumerate(zip(ks, ps, strict=True))] == [
            e for e in expected if e[0] == i
        ]
