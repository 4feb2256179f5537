"""The two array kernels of phase 5 (decisions), in NumPy and compiled form.

:func:`plazasim.model.decisions.decide` spends most of its time building dense
``(alive cartels x plazas)`` arrays, although cartels are present in a small
share of the cells (about 1,900 of 22,000 in the Mexico world). These kernels
compute what ``decide`` needs from those arrays:

* :func:`attack_candidates`: the (cartel, plaza) pairs a cartel may attack, with
  the attackers it could send and the defenders it would meet;
* :func:`move_and_postures`: members after the attackers moved, and, for every
  cell where a cartel is then present, whether the plaza is disputed.

Each exists as a NumPy function (the reference, always available) and as a loop
compiled by Numba (:mod:`plazasim.model.jit`) that skips empty cells. The loops
add the same terms in the same order as the sparse and dense products of the
NumPy form, so both give bit-identical arrays
(``tests/model/test_jit_kernels.py``). Transcendental functions (``tanh``,
``log1p``, powers) stay in NumPy, in ``decide``, on the gathered vectors, so that
the compiled and NumPy paths cannot differ in their last bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from plazasim.model import jit
from plazasim.world.world import ALLIED


class Candidates(NamedTuple):
    """Attack candidates, in row-major (cartel row, plaza) order."""

    row: np.ndarray  # (C,) row of the cartel in the alive block
    plaza: np.ndarray  # (C,) plaza index
    attackers: np.ndarray  # (C,) members the cartel could send (members)
    defenders: np.ndarray  # (C,) controller's and its allies' members, by resolve


class Postures(NamedTuple):
    """Members after the moves, and the facts each present cell's posture depends on."""

    strength: np.ndarray  # (A, P) members after the moves
    row: np.ndarray  # (N,) present cells, row-major: cartel row
    plaza: np.ndarray  # (N,) present cells: plaza index
    disputed: np.ndarray  # (N,) bool: a non-allied cartel is present too


def _allied_to_controller(rel_a: np.ndarray, control: np.ndarray,
                          held: np.ndarray) -> np.ndarray:
    """``(A, P)`` bool: row's cartel is the controller of p or its ally."""
    return (rel_a[:, np.where(held, control, 0)] == ALLIED) & held[None, :]


def attack_candidates_numpy(s: np.ndarray, rel_a: np.ndarray, control: np.ndarray,
                            held: np.ndarray, resolve: np.ndarray, adj: sp.csr_matrix,
                            share: float, threshold: float) -> Candidates:
    """Pairs (row, p) with enough attackers next door, p neither held by an ally nor own.

    ``s`` is ``(A, P)`` members of the alive cartels; ``adj`` the row-normalised
    adjacency (:attr:`Context.adj_norm`); ``share`` the attack share; ``resolve``
    each row's defence weight.
    """
    ally = _allied_to_controller(rel_a, control, held)
    defenders = (s * resolve[:, None] * ally).sum(axis=0)
    neighbour = np.asarray(adj.T @ s.T).T * share
    candidate = (neighbour >= threshold) & ~ally & ~(s >= threshold)
    ci, cp = np.nonzero(candidate)
    return Candidates(ci, cp, neighbour[ci, cp], defenders[cp])


@jit.compiled
def _attack_candidates_loop(s, rel_a, control, held, resolve, indptr, indices, data,
                            share, threshold, allied):
    a_rows, n = s.shape
    defenders = np.zeros(n)
    neighbour = np.zeros((a_rows, n))
    for p in range(n):
        if held[p]:
            c = control[p]
            for i in range(a_rows):
                if rel_a[i, c] == allied:
                    defenders[p] += s[i, p] * resolve[i]
    for i in range(a_rows):  # the CSC product of adj.T: plaza p gathers from q in q order
        for q in range(n):
            v = s[i, q]
            if v != 0.0:
                for jj in range(indptr[q], indptr[q + 1]):
                    neighbour[i, indices[jj]] += data[jj] * v
    candidate = np.zeros((a_rows, n), dtype=np.bool_)
    count = 0
    for i in range(a_rows):
        for p in range(n):
            if neighbour[i, p] * share >= threshold and s[i, p] < threshold \
                    and not (held[p] and rel_a[i, control[p]] == allied):
                candidate[i, p] = True
                count += 1
    ci = np.empty(count, dtype=np.int64)
    cp = np.empty(count, dtype=np.int64)
    att = np.empty(count)
    dfd = np.empty(count)
    k = 0
    for i in range(a_rows):
        for p in range(n):
            if candidate[i, p]:
                ci[k], cp[k], att[k], dfd[k] = i, p, neighbour[i, p] * share, defenders[p]
                k += 1
    return ci, cp, att, dfd


def attack_candidates(s: np.ndarray, rel_a: np.ndarray, control: np.ndarray,
                      held: np.ndarray, resolve: np.ndarray, adj: sp.csr_matrix,
                      share: float, threshold: float) -> Candidates:
    """:func:`attack_candidates_numpy`, compiled when Numba is available."""
    if not jit.enabled():
        return attack_candidates_numpy(s, rel_a, control, held, resolve, adj, share,
                                       threshold)
    return Candidates(*_attack_candidates_loop(
        np.ascontiguousarray(s, dtype=np.float64), rel_a, control, held,
        resolve.astype(np.float64), adj.indptr, adj.indices, adj.data, float(share),
        float(threshold), ALLIED))


def move_and_postures_numpy(s: np.ndarray, row: np.ndarray, plaza: np.ndarray,
                            inflow: np.ndarray, adj: sp.csr_matrix, adj_t: sp.csr_matrix,
                            share: float,
                            threshold: float, hostile: np.ndarray) -> Postures:
    """Move attackers into the attacked cells ``(row, plaza)`` and list present cells.

    Each attacked plaza receives ``inflow`` members; every neighbour q of it gives up
    ``share x adj[q, p]`` of its members per attacked p (capped at all of them).
    ``hostile`` is ``(A, A)`` bool: the two rows' cartels are not allied. ``adj_t``
    (``adj.T`` as CSR) lets the compiled form find the cells that lose members.
    """
    attacks = np.zeros(s.shape)
    attacks[row, plaza] = 1.0
    grown = np.zeros(s.shape)
    grown[row, plaza] = inflow
    out_frac = np.asarray(adj @ attacks.T).T * share
    s_new = np.maximum(s + grown - s * np.minimum(out_frac, 1.0), 0.0)
    present = s_new >= threshold
    disputed = present & ((hostile.astype(float) @ present) > 0)
    pi, pp = np.nonzero(present)
    return Postures(s_new, pi, pp, disputed[pi, pp])


@jit.compiled
def _move_and_postures_loop(s, row, plaza, inflow, indptr, indices, data, t_indptr,
                            t_indices, share, threshold, hostile):
    a_rows, n = s.shape
    attacked = np.zeros((a_rows, n), dtype=np.bool_)
    grown = np.zeros((a_rows, n))
    for j in range(row.size):
        attacked[row[j], plaza[j]] = True
        grown[row[j], plaza[j]] = inflow[j]
    # Only the cells next to an attacked plaza give up members; elsewhere out is 0 and
    # s - s x 0 = s exactly, so those cells skip the row sum.
    touched = np.zeros((a_rows, n), dtype=np.bool_)
    for j in range(row.size):
        p = plaza[j]
        for jj in range(t_indptr[p], t_indptr[p + 1]):
            touched[row[j], t_indices[jj]] = True
    s_new = np.empty((a_rows, n))
    for i in range(a_rows):
        for q in range(n):  # the CSR product: q's outflow sums its attacked neighbours in order
            if touched[i, q]:
                out = 0.0
                for jj in range(indptr[q], indptr[q + 1]):
                    if attacked[i, indices[jj]]:
                        out += data[jj]
                moved = s[i, q] + grown[i, q] - s[i, q] * min(out * share, 1.0)
            else:
                moved = s[i, q] + grown[i, q]
            s_new[i, q] = max(moved, 0.0)
    present = s_new >= threshold
    count = 0
    for i in range(a_rows):
        for p in range(n):
            if present[i, p]:
                count += 1
    pi = np.empty(count, dtype=np.int64)
    pp = np.empty(count, dtype=np.int64)
    disputed = np.zeros(count, dtype=np.bool_)
    k = 0
    for i in range(a_rows):
        for p in range(n):
            if present[i, p]:
                pi[k], pp[k] = i, p
                for j in range(a_rows):
                    if hostile[i, j] and present[j, p]:
                        disputed[k] = True
                        break
                k += 1
    return s_new, pi, pp, disputed


def move_and_postures(s: np.ndarray, row: np.ndarray, plaza: np.ndarray,
                      inflow: np.ndarray, adj: sp.csr_matrix, adj_t: sp.csr_matrix,
                      share: float,
                      threshold: float, hostile: np.ndarray) -> Postures:
    """:func:`move_and_postures_numpy`, compiled when Numba is available."""
    if not jit.enabled():
        return move_and_postures_numpy(s, row, plaza, inflow, adj, adj_t, share,
                                       threshold, hostile)
    return Postures(*_move_and_postures_loop(
        np.ascontiguousarray(s, dtype=np.float64), row.astype(np.int64),
        plaza.astype(np.int64), inflow.astype(np.float64), adj.indptr, adj.indices,
        adj.data, adj_t.indptr, adj_t.indices, float(share), float(threshold),
        hostile.astype(np.bool_)))
