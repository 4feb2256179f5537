"""The routing and decision kernels give the arrays of their straightforward forms (issue 4).

Equality is exact: a difference in the last bit could flip a random draw and make
a run diverge, so optimised kernels must add the same terms in the same order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.model import decision_kernels as dk
from plazasim.model import paths
from plazasim.model.context import Context
from plazasim.model.state import State
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL


def _same(a: tuple, b: tuple) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
        assert np.asarray(x).dtype.kind == np.asarray(y).dtype.kind


def _forest(rng: np.random.Generator, n_layers: int, n: int) -> tuple[np.ndarray, int]:
    """A predecessor array of shortest-path trees: each layer's nodes point at an
    earlier node of the same layer or at the layer's sink (node ``n*n_layers + l``)."""
    sink_from = n * n_layers
    pred = np.full(sink_from + n_layers, -9999, dtype=np.int32)
    for layer in range(n_layers):
        order = rng.permutation(n) + layer * n
        for pos, v in enumerate(order):
            unreachable = rng.random() < 0.1
            if unreachable:
                continue
            if pos == 0 or rng.random() < 0.2:
                pred[v] = sink_from + layer
            else:
                up = order[rng.integers(0, pos)]
                pred[v] = up if pred[up] != -9999 else sink_from + layer
    return pred, sink_from


def _walk(
    pred: np.ndarray, start: np.ndarray, offset: np.ndarray, sink_from: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The straightforward form of paths.trace: one path at a time, hop by hop."""
    nodes, path_of, exit_node = [], [], np.full(start.size, -1, dtype=np.int64)
    for i, c in enumerate(start):
        if c < 0:
            continue
        while True:
            nodes.append(c - offset[i])
            path_of.append(i)
            if pred[c] >= sink_from:
                exit_node[i] = c - offset[i]
                break
            c = pred[c]
    return (np.array(nodes, dtype=np.int64), np.array(path_of, dtype=np.int64), exit_node)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_layers=st.integers(1, 5),
    n=st.integers(1, 40),
    n_src=st.integers(0, 8),
)
def test_trace_equals_a_walk_along_each_path(seed: int, n_layers: int, n: int, n_src: int) -> None:
    rng = np.random.default_rng(seed)
    pred, sink_from = _forest(rng, n_layers, n)
    layer = np.repeat(np.arange(n_layers), n_src)
    start = rng.integers(0, n, layer.size) + layer * n
    start = np.where(pred[start] == -9999, -1, start)  # unreachable: not traced
    offset = layer * n
    got = paths.trace(pred, start, offset, sink_from)
    _same(_walk(pred, start, offset, sink_from), got)
    # Every traced path ends at a node whose predecessor is a sink.
    nodes, path_of, exit_node = got
    for i in np.flatnonzero(start >= 0):
        walk = nodes[path_of == i]
        assert walk[0] == start[i] - offset[i] and walk[-1] == exit_node[i]
        assert pred[walk[-1] + offset[i]] >= sink_from


def _random_block(
    rng: np.random.Generator, a_rows: int, n: int, weighted: bool = False, shuffled: bool = False
) -> dict:
    """A random alive block on a random graph, with many exact ties at the threshold.

    ``weighted`` gives each link its own weight, so that the order in which a sum
    adds a row's entries shows in the last bits; ``shuffled`` stores each row of the
    adjacency in a random order (the Context's ``adj_norm`` is not sorted either).
    """
    k_slots = a_rows + 2
    s = rng.choice([0.0, 0.0, 0.0, 1.0, 2.5, 5.0, 7.3, 20.0], size=(a_rows, n))
    rel = rng.choice([RIVAL, NEUTRAL, ALLIED], size=(k_slots, k_slots)).astype(np.int8)
    rel = np.triu(rel, 1)
    rel = rel + rel.T
    np.fill_diagonal(rel, ALLIED)
    control = rng.integers(-1, k_slots, n)
    dense = np.triu(rng.random((n, n)) < 0.3, 1)
    dense = dense | dense.T
    weight = rng.choice([0.1, 0.3, 0.7, 1.0 / 3.0], size=(n, n)) if weighted else 1.0
    adj = sp.csr_matrix(dense * weight)
    deg = np.asarray((adj != 0).sum(axis=1)).ravel()
    adj_norm = sp.csr_matrix(sp.diags(1.0 / np.maximum(deg, 1.0)) @ adj)
    if shuffled:
        perm = np.concatenate(
            [
                rng.permutation(np.arange(lo, hi))
                for lo, hi in zip(adj_norm.indptr[:-1], adj_norm.indptr[1:], strict=True)
            ]
        ).astype(int)
        adj_norm = sp.csr_matrix(
            (adj_norm.data[perm], adj_norm.indices[perm], adj_norm.indptr), shape=adj_norm.shape
        )
    rows = np.sort(rng.choice(k_slots, a_rows, replace=False))
    return dict(
        s=s,
        rel_a=rel[rows],
        control=control,
        held=control != -1,
        resolve=rng.choice([1.0, 0.6, 0.35], a_rows),
        adj=adj_norm,
        adj_t=adj_norm.T.tocsr(),
        hostile=rel[np.ix_(rows, rows)] != ALLIED,
    )


def _dense_candidates(
    s: np.ndarray,
    rel_a: np.ndarray,
    control: np.ndarray,
    held: np.ndarray,
    resolve: np.ndarray,
    adj: sp.csr_matrix,
    share: float,
    threshold: float,
) -> dk.Candidates:
    """The first NumPy form of attack_candidates: dense ``(A, P)`` arrays throughout."""
    ally = (rel_a[:, np.where(held, control, 0)] == ALLIED) & held[None, :]
    defenders = (s * resolve[:, None] * ally).sum(axis=0)
    neighbour = np.asarray(adj.T @ s.T).T * share
    candidate = (neighbour >= threshold) & ~ally & ~(s >= threshold)
    ci, cp = np.nonzero(candidate)
    return dk.Candidates(ci, cp, neighbour[ci, cp], defenders[cp])


def _dense_postures(
    s: np.ndarray,
    row: np.ndarray,
    plaza: np.ndarray,
    inflow: np.ndarray,
    adj: sp.csr_matrix,
    share: float,
    threshold: float,
    hostile: np.ndarray,
) -> dk.Postures:
    """The first NumPy form of move_and_postures: dense products throughout."""
    attacks = np.zeros(s.shape)
    attacks[row, plaza] = 1.0
    grown = np.zeros(s.shape)
    grown[row, plaza] = inflow
    out_frac = np.asarray(adj @ attacks.T).T * share
    s_new = np.maximum(s + grown - s * np.minimum(out_frac, 1.0), 0.0)
    present = s_new >= threshold
    disputed = present & ((hostile.astype(float) @ present) > 0)
    pi, pp = np.nonzero(present)
    return dk.Postures(s_new, pi, pp, disputed[pi, pp])


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    a_rows=st.sampled_from([1, 2, 3, 5, 8, 54, 60]),
    n=st.integers(2, 30),
    share=st.sampled_from([0.1, 0.25, 1.0]),
    weighted=st.booleans(),
    shuffled=st.booleans(),
    unsorted_t=st.booleans(),
    odd=st.booleans(),
)
def test_numpy_forms_equal_the_dense_products(
    seed: int,
    a_rows: int,
    n: int,
    share: float,
    weighted: bool,
    shuffled: bool,
    unsorted_t: bool,
    odd: bool,
) -> None:
    """The sparse NumPy forms give the arrays of the first, dense ones, bit for bit.

    Also where attack_candidates takes its fallback (``adj_t`` with unsorted rows),
    with up to 60 rows, with negative members, and on inputs ``decide`` does not
    produce (``odd``): many attacks anywhere, repeated attacked cells, a row hostile
    to every other. A cartel is always its own ally (the diagonal of ``hostile``
    is False), as in the model.
    """
    rng = np.random.default_rng(seed)
    b = _random_block(rng, a_rows, n, weighted, shuffled)
    adj, adj_t, s, hostile = b["adj"], b["adj_t"], b["s"], b["hostile"]
    if unsorted_t:  # each row of adj_t in a random order
        perm = np.concatenate(
            [
                rng.permutation(np.arange(lo, hi))
                for lo, hi in zip(adj_t.indptr[:-1], adj_t.indptr[1:], strict=True)
            ]
        ).astype(int)
        adj_t = sp.csr_matrix(
            (adj_t.data[perm], adj_t.indices[perm], adj_t.indptr), shape=adj_t.shape
        )
    threshold = 5.0
    args = (s, b["rel_a"], b["control"], b["held"], b["resolve"], adj)
    want = _dense_candidates(*args, share, threshold)
    _same(want, dk.attack_candidates(*args, adj_t, share, threshold))

    go = rng.random(want.row.size) < 0.7
    row, plaza, inflow = want.row[go], want.plaza[go], want.attackers[go]
    if odd:
        # Many more cells (so that some q has three or more attacked neighbours, where
        # the order of the sum shows), then two repeats.
        extra = rng.integers(0, a_rows * n // 2 + 1) + min(row.size, 2)
        row = np.concatenate([row, rng.integers(0, a_rows, extra - min(row.size, 2)), row[:2]])
        plaza = np.concatenate([plaza, rng.integers(0, n, extra - min(plaza.size, 2)), plaza[:2]])
        inflow = np.concatenate([inflow, rng.choice([0.0, 3.0, 6.0], extra)])
        s = np.where(rng.random(s.shape) < 0.05, -1.0, s)
        hostile = hostile.copy()
        hostile[rng.integers(0, a_rows), :] = True
        np.fill_diagonal(hostile, False)
    want_moved = _dense_postures(s, row, plaza, inflow, adj, share, threshold, hostile)
    _same(
        want_moved,
        dk.move_and_postures(s, row, plaza, inflow, adj, adj_t, share, threshold, hostile),
    )
    assert want_moved.strength.min() >= 0.0


def test_context_carries_the_transposed_adjacency(
    fresh: Callable[..., tuple[State, Context]],
) -> None:
    _, ctx = fresh()
    np.testing.assert_array_equal(ctx.adj_norm_t.toarray(), ctx.adj_norm.toarray().T)
