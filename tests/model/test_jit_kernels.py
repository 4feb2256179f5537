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


def _random_block(rng: np.random.Generator, a_rows: int, n: int) -> dict:
    """A random alive block on a random graph, with many exact ties at the threshold."""
    k_slots = a_rows + 2
    s = rng.choice([0.0, 0.0, 0.0, 1.0, 2.5, 5.0, 7.3, 20.0], size=(a_rows, n))
    rel = rng.choice([RIVAL, NEUTRAL, ALLIED], size=(k_slots, k_slots)).astype(np.int8)
    rel = np.triu(rel, 1)
    rel = rel + rel.T
    np.fill_diagonal(rel, ALLIED)
    control = rng.integers(-1, k_slots, n)
    dense = np.triu(rng.random((n, n)) < 0.3, 1)
    adj = sp.csr_matrix((dense | dense.T).astype(float))
    deg = np.asarray(adj.sum(axis=1)).ravel()
    adj_norm = sp.csr_matrix(sp.diags(1.0 / np.maximum(deg, 1.0)) @ adj)
    rows = np.sort(rng.choice(k_slots, a_rows, replace=False))
    return dict(s=s, rel_a=rel[rows], control=control, held=control != -1,
                resolve=rng.choice([1.0, 0.6, 0.35], a_rows), adj=adj_norm,
                adj_t=adj_norm.T.tocsr(), hostile=rel[np.ix_(rows, rows)] != ALLIED)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), a_rows=st.integers(1, 6), n=st.integers(2, 30),
       share=st.sampled_from([0.1, 0.25, 1.0]))
def test_decision_kernels_equal_their_numpy_forms(seed: int, a_rows: int, n: int,
                                                  share: float) -> None:
    rng = np.random.default_rng(seed)
    b = _random_block(rng, a_rows, n)
    threshold = 5.0
    want = dk.attack_candidates_numpy(b["s"], b["rel_a"], b["control"], b["held"],
                                      b["resolve"], b["adj"], share, threshold)
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
