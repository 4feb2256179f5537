"""The signaling rules on seen cells give what the plain (K, P) formulation of MX1 gives.

``dense_kinds`` and ``dense_decide`` below are the rules written over whole
``(K, P)`` arrays, as the policy first computed them; the policy now works on the
cells where a cartel is seen, and must order exactly the same operations.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.policies import OP_ARRESTS, OP_NONE, OP_TAKEDOWN, Observation
from plazasim.policies.common import targetable, top_pairs
from plazasim.policies.signaling import Signaling, SignalingParams, dominant_cartel


def dense_dominant(obs: Observation) -> np.ndarray:
    n_k = len(obs.alive)
    dom = np.where(obs.signal >= 0, obs.signal, obs.controller)
    valid = (dom >= 0) & (dom < n_k)
    valid[valid] = obs.alive[dom[valid]]
    return np.where(valid, dom, -1)


def since(obs: Observation, weeks: np.ndarray, n: int) -> np.ndarray:
    if n <= 0:
        return np.ones(weeks.shape, dtype=bool)
    return (weeks >= 0) & (weeks <= obs.week - n)


def dense_kinds(obs: Observation, p: SignalingParams) -> np.ndarray:
    dom = dense_dominant(obs)
    present = obs.present & obs.alive[:, None]
    violent = obs.violence > p.violence_threshold
    plazas = ~obs.disputed | (dom < 0)
    kinds = np.where(
        present & violent & plazas[None, :],
        np.where(obs.violence >= p.takedown_threshold, OP_TAKEDOWN, OP_ARRESTS),
        OP_NONE,
    )
    has_dom = obs.disputed & (dom >= 0)
    challenger = present & has_dom[None, :] & (np.arange(len(obs.alive))[:, None] != dom)
    waiting = ~since(obs, obs.arrival_week, p.wait_weeks)
    allied = (obs.relation[:, np.where(dom >= 0, dom, 0)] == 1) & (dom >= 0)[None, :]
    judged = challenger & ~waiting & ~allied
    punish = judged & violent & since(obs, obs.first_violence_week, p.let_dominant_act_weeks)
    cols = np.flatnonzero(punish.any(axis=0) & (dom >= 0))
    rows = dom[cols]
    dom_plazas = np.zeros(dom.shape, dtype=bool)
    dom_plazas[cols] = obs.present[rows, cols] & obs.alive[rows]
    newcomers = punish | (judged & ~violent & obs.fights_with_controller)
    kinds[newcomers] = OP_TAKEDOWN
    cols = np.flatnonzero(dom_plazas)
    kinds[dom[cols], cols] = OP_ARRESTS
    return kinds


def dense_decide(obs: Observation, p: SignalingParams) -> list[tuple[int, int, int]]:
    kinds = dense_kinds(obs, p)
    allowed = targetable(obs)[:, None] & obs.present
    ks, ps = top_pairs((kinds != OP_NONE) & allowed, obs.violence, int(obs.capacity))
    return list(zip(ps.tolist(), ks.tolist(), kinds[ks, ps].tolist(), strict=True))


# Violence around the default thresholds (0.5, 3.0), with ties and NaN.
VIOLENCE = st.sampled_from([0.0, 0.5, 0.6, 2.0, 3.0, 7.0, np.nan])
MOSTLY = st.sampled_from([True, True, True, False])  # present, alive, disputed
RARELY = st.sampled_from([False, False, False, True])  # protected


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    k, p, week = draw(st.integers(1, 5)), draw(st.integers(1, 8)), 20

    def arr(elements: st.SearchStrategy, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        size = int(np.prod(shape))
        return np.array(
            draw(st.lists(elements, min_size=size, max_size=size)), dtype=dtype
        ).reshape(shape)

    cartels, weeks = st.integers(-1, k - 1), st.integers(-1, week)
    relation = arr(st.sampled_from([-1, -1, 0, 1]), (k, k), np.int8)
    return Observation(
        week=week,
        alive=arr(MOSTLY, (k,), bool),
        names=tuple(f"C{i}" for i in range(k)),
        present=arr(MOSTLY, (k, p), bool),
        strength_estimate=np.ones((k, p)),
        controller=arr(cartels, (p,), np.int64),
        disputed=arr(MOSTLY, (p,), bool),
        violence=arr(VIOLENCE, (k, p), np.float64),
        violence_total=np.zeros(p),
        fights_with_controller=arr(st.booleans(), (k, p), bool),
        arrival_week=arr(weeks, (k, p), np.int32),
        first_violence_week=arr(weeks, (k, p), np.int32),
        relation=np.maximum(relation, relation.T),
        protected=arr(RARELY, (k,), bool),
        signal=arr(cartels, (p,), np.int64),
        members=np.ones(k),
        capacity=draw(st.integers(0, k * p + 1)),
        population=np.ones(p),
    )


PARAMS = st.builds(
    SignalingParams, wait_weeks=st.integers(0, 12), let_dominant_act_weeks=st.integers(0, 12)
)


@settings(max_examples=400, deadline=None)
@given(observations(), PARAMS)
def test_cell_rules_match_the_dense_rules(obs: Observation, params: SignalingParams) -> None:
    policy = Signaling(**params.model_dump())
    assert dominant_cartel(obs).tolist() == dense_dominant(obs).tolist()
    kinds = policy.kinds(obs)
    assert kinds.dtype == np.int64
    assert kinds.tolist() == dense_kinds(obs, params).tolist()
    result = policy.decide(obs, np.random.default_rng(0))
    got = list(zip(result.plaza, result.cartel, result.kind, strict=True))
    assert got == dense_decide(obs, params)
