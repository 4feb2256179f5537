"""The compiled kernels give bit-identical arrays to their NumPy twins (issue 4).

Each compiled kernel is checked twice: its plain-Python loop (``py_func``, run
whether or not Numba is installed, so the loop's logic is always tested) and, where
Numba is installed, the compiled function. Equality is exact: a difference in the
last bit could flip a random draw and make runs with and without Numba diverge.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.cli import main
from plazasim.errors import PlazasimError
from plazasim.model import decision_kernels as dk
from plazasim.model import jit, paths
from plazasim.model.context import Context
from plazasim.model.engine import simulate
from plazasim.model.params import Parameters
from plazasim.model.state import State
from plazasim.policies import make_policy
from plazasim.world.synthetic import synthetic_world
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL


def _loops(fn: Callable) -> list[Callable]:
    """The plain loop, and the compiled one where Numba is installed."""
    plain = getattr(fn, "py_func", fn)
    return [plain, fn] if jit.AVAILABLE else [plain]


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


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_layers=st.integers(1, 5), n=st.integers(1, 40),
       n_src=st.integers(0, 8))
def test_trace_loop_equals_pointer_jumping(seed: int, n_layers: int, n: int,
                                           n_src: int) -> None:
    rng = np.random.default_rng(seed)
    pred, sink_from = _forest(rng, n_layers, n)
    layer = np.repeat(np.arange(n_layers), n_src)
    start = rng.integers(0, n, layer.size) + layer * n
    start = np.where(pred[start] == -9999, -1, start)  # unreachable: not traced
    offset = layer * n
    want = paths.trace_numpy(pred, start, offset, sink_from)
    for loop in _loops(paths._trace_loop):
        _same(want, loop(pred.astype(np.int64), start.astype(np.int64), offset, sink_from))
    # Every traced path ends at a node whose predecessor is a sink.
    nodes, path_of, exit_node = want
    for i in np.flatnonzero(start >= 0):
        walk = nodes[path_of == i]
        assert walk[0] == start[i] - offset[i] and walk[-1] == exit_node[i]
        assert pred[walk[-1] + offset[i]] >= sink_from


def _random_block(rng: np.random.Generator, a_rows: int, n: int,
                  weighted: bool = False, shuffled: bool = False) -> dict:
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
        perm = np.concatenate([rng.permutation(np.arange(lo, hi)) for lo, hi in
                               zip(adj_norm.indptr[:-1], adj_norm.indptr[1:], strict=True)]
                              ).astype(int)
        adj_norm = sp.csr_matrix((adj_norm.data[perm], adj_norm.indices[perm],
                                  adj_norm.indptr), shape=adj_norm.shape)
    rows = np.sort(rng.choice(k_slots, a_rows, replace=False))
    return dict(s=s, rel_a=rel[rows], control=control, held=control != -1,
                resolve=rng.choice([1.0, 0.6, 0.35], a_rows), adj=adj_norm,
                adj_t=adj_norm.T.tocsr(), hostile=rel[np.ix_(rows, rows)] != ALLIED)


def _dense_candidates(s: np.ndarray, rel_a: np.ndarray, control: np.ndarray,
                      held: np.ndarray, resolve: np.ndarray, adj: sp.csr_matrix,
                      share: float, threshold: float) -> dk.Candidates:
    """The first NumPy form of attack_candidates: dense ``(A, P)`` arrays throughout."""
    ally = (rel_a[:, np.where(held, control, 0)] == ALLIED) & held[None, :]
    defenders = (s * resolve[:, None] * ally).sum(axis=0)
    neighbour = np.asarray(adj.T @ s.T).T * share
    candidate = (neighbour >= threshold) & ~ally & ~(s >= threshold)
    ci, cp = np.nonzero(candidate)
    return dk.Candidates(ci, cp, neighbour[ci, cp], defenders[cp])


def _dense_postures(s: np.ndarray, row: np.ndarray, plaza: np.ndarray,
                    inflow: np.ndarray, adj: sp.csr_matrix, share: float,
                    threshold: float, hostile: np.ndarray) -> dk.Postures:
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


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), a_rows=st.integers(1, 6), n=st.integers(2, 30),
       share=st.sampled_from([0.1, 0.25, 1.0]), weighted=st.booleans(),
       shuffled=st.booleans())
def test_decision_kernels_equal_their_numpy_forms(seed: int, a_rows: int, n: int,
                                                  share: float, weighted: bool,
                                                  shuffled: bool) -> None:
    rng = np.random.default_rng(seed)
    b = _random_block(rng, a_rows, n, weighted, shuffled)
    threshold = 5.0
    want = dk.attack_candidates_numpy(b["s"], b["rel_a"], b["control"], b["held"],
                                      b["resolve"], b["adj"], b["adj_t"], share, threshold)
    args = (b["s"], b["rel_a"], b["control"], b["held"], b["resolve"], b["adj"].indptr,
            b["adj"].indices, b["adj"].data, share, threshold, ALLIED)
    for loop in _loops(dk._attack_candidates_loop):
        _same(want, loop(*args))

    go = rng.random(want.row.size) < 0.5
    moved = dk.move_and_postures_numpy(b["s"], want.row[go], want.plaza[go],
                                       want.attackers[go], b["adj"], b["adj_t"], share,
                                       threshold, b["hostile"])
    args = (b["s"], want.row[go], want.plaza[go], want.attackers[go], b["adj"].indptr,
            b["adj"].indices, b["adj"].data, b["adj_t"].indptr, b["adj_t"].indices, share,
            threshold, b["hostile"])
    for loop in _loops(dk._move_and_postures_loop):
        _same(moved, loop(*args))
    # Members are conserved by the moves wherever nobody is wiped out by a cap.
    assert moved.strength.min() >= 0.0


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), a_rows=st.sampled_from([1, 2, 3, 5, 8, 54, 60]),
       n=st.integers(2, 30), share=st.sampled_from([0.1, 0.25, 1.0]),
       weighted=st.booleans(), shuffled=st.booleans(), unsorted_t=st.booleans(),
       odd=st.booleans())
def test_numpy_forms_equal_the_dense_products(seed: int, a_rows: int, n: int,
                                              share: float, weighted: bool, shuffled: bool,
                                              unsorted_t: bool, odd: bool) -> None:
    """The sparse NumPy forms give the arrays of the first, dense ones, bit for bit.

    Also where the kernels take their fallbacks: ``adj_t`` with unsorted rows, more
    than 53 rows (no bit masks), negative members; and on inputs ``decide`` does not
    produce (``odd``): many attacks anywhere, repeated attacked cells, a row
    hostile to itself.
    """
    rng = np.random.default_rng(seed)
    b = _random_block(rng, a_rows, n, weighted, shuffled)
    adj, adj_t, s, hostile = b["adj"], b["adj_t"], b["s"], b["hostile"]
    if unsorted_t:  # each row of adj_t in a random order
        perm = np.concatenate([rng.permutation(np.arange(lo, hi)) for lo, hi in
                               zip(adj_t.indptr[:-1], adj_t.indptr[1:], strict=True)]
                              ).astype(int)
        adj_t = sp.csr_matrix((adj_t.data[perm], adj_t.indices[perm], adj_t.indptr),
                              shape=adj_t.shape)
    threshold = 5.0
    args = (s, b["rel_a"], b["control"], b["held"], b["resolve"], adj)
    want = _dense_candidates(*args, share, threshold)
    _same(want, dk.attack_candidates_numpy(*args, adj_t, share, threshold))

    go = rng.random(want.row.size) < 0.7
    row, plaza, inflow = want.row[go], want.plaza[go], want.attackers[go]
    if odd:
        # Many more cells (so that some q has three or more attacked neighbours, where
        # the order of the sum shows), then two repeats.
        extra = rng.integers(0, a_rows * n // 2 + 1) + min(row.size, 2)
        row = np.concatenate([row, rng.integers(0, a_rows, extra - min(row.size, 2)),
                              row[:2]])
        plaza = np.concatenate([plaza, rng.integers(0, n, extra - min(plaza.size, 2)),
                                plaza[:2]])
        inflow = np.concatenate([inflow, rng.choice([0.0, 3.0, 6.0], extra)])
        s = np.where(rng.random(s.shape) < 0.05, -1.0, s)
        hostile = hostile.copy()
        hostile[rng.integers(0, a_rows), :] = True
        np.fill_diagonal(hostile, rng.random(a_rows) < 0.3)
    want_moved = _dense_postures(s, row, plaza, inflow, adj, share, threshold, hostile)
    _same(want_moved, dk.move_and_postures_numpy(s, row, plaza, inflow, adj, adj_t, share,
                                                 threshold, hostile))


@pytest.mark.skipif(not jit.AVAILABLE, reason="needs numba (the `fast` extra)")
def test_a_run_is_the_same_with_and_without_numba(monkeypatch: pytest.MonkeyPatch,
                                                   start: object) -> None:
    world = synthetic_world(150, seed=5, n_cartels=5)
    runs = []
    for flag in ("0", "1"):
        monkeypatch.setenv("PLAZASIM_JIT", flag)
        assert jit.enabled() is (flag == "1")
        sim = simulate(world, Parameters(), start=start, n_weeks=60,  # type: ignore[arg-type]
                       policies=[(0, make_policy("signaling"))], seed=11)
        runs.append(sim)
    a, b = (sim.recorder.national_frame(sim.dates) for sim in runs)
    assert a.equals(b)
    np.testing.assert_array_equal(runs[0].state.strength, runs[1].state.strength)
    assert float(a["homicides_cartel"].sum()) > 0  # the comparison covered real fighting


def test_the_switch_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAZASIM_JIT", raising=False)
    assert not jit.enabled()  # opt-in: the NumPy forms by default
    for off in ("0", "false", "OFF", ""):
        monkeypatch.setenv("PLAZASIM_JIT", off)
        assert not jit.enabled()
    monkeypatch.setenv("PLAZASIM_JIT", "maybe")
    with pytest.raises(PlazasimError, match="PLAZASIM_JIT: expected 1"):
        jit.enabled()
    monkeypatch.setenv("PLAZASIM_JIT", "1")
    if jit.AVAILABLE:
        assert jit.enabled()
    else:
        with pytest.raises(PlazasimError, match="numba is not installed"):
            jit.enabled()


def test_a_bad_switch_is_one_line_from_the_cli(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PLAZASIM_JIT", "2")
    code = main(["run", "synthetic-small", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert err == ["error: PLAZASIM_JIT: expected 1 (compiled kernels) or 0, got '2'"]
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_context_carries_the_transposed_adjacency(
        fresh: Callable[..., tuple[State, Context]]) -> None:
    _, ctx = fresh()
    np.testing.assert_array_equal(ctx.adj_norm_t.toarray(), ctx.adj_norm.toarray().T)
