"""The two array kernels of phase 5 (decisions), on the cells that matter.

:func:`plazasim.model.decisions.decide` needs, each week, quantities defined on
dense ``(alive cartels x plazas)`` arrays, although cartels are present in a
small share of the cells (about 1,900 of 22,000 in the Mexico world):

* :func:`attack_candidates`: the (cartel, plaza) pairs a cartel may attack, with
  the attackers it could send and the defenders it would meet;
* :func:`move_and_postures`: members after the attackers moved, and, for every
  cell where a cartel is then present, whether the plaza is disputed.

Both compute on the few cells that matter where they can (candidate cells, cells
next to an attack, present cells) and add the same terms in the same order as the
straightforward dense form (the sparse products ``adj.T @ s.T`` and
``adj @ attacks.T``, row sums of ``(A, P)`` arrays), so they give bit-identical
arrays: ``tests/model/test_decision_kernels.py`` keeps the dense form as the
reference. Bit-identical matters because a last-bit difference can flip a random
draw downstream and change a run.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from plazasim.model.cells import row_entries, shares_plaza_with_hostile
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


def attack_candidates(
    s: np.ndarray,
    rel_a: np.ndarray,
    control: np.ndarray,
    held: np.ndarray,
    resolve: np.ndarray,
    adj: sp.csr_matrix,
    adj_t: sp.csr_matrix,
    share: float,
    threshold: float,
) -> Candidates:
    """Pairs (row, p) with enough attackers next door, p neither held by an ally nor own.

    ``s`` is ``(A, P)`` members of the alive cartels; ``adj`` the row-normalised
    adjacency (:attr:`Context.adj_norm`) and ``adj_t`` its transpose as CSR
    (:attr:`Context.adj_norm_t`); ``share`` the attack share; ``resolve`` each row's
    defence weight.

    Members next door are ``adj.T @ s.T``: for each (row, p) the terms
    ``adj[q, p] x s[row, q]`` in ascending q from 0.0. ``adj_t @ s.T`` adds the same
    terms in the same order when ``adj_t``'s rows are sorted (as ``tocsr()`` leaves
    them) and skips building the CSC transpose. Only the dense product and the
    threshold test touch every cell; allies and defenders are needed at the few
    candidate cells only (tens a week, of 22,000 in the Mexico world).
    """
    s = np.ascontiguousarray(s)
    a_rows, n = s.shape
    if adj_t.has_sorted_indices:
        neighbour = (adj_t @ s.T).T * share
    else:
        neighbour = np.asarray(adj.T @ s.T).T * share
    near = np.flatnonzero(neighbour >= threshold)  # row-major, as np.nonzero lists them
    near = near[~(s.reshape(-1)[near] >= threshold)]  # not where the row is present
    ci, cp = np.divmod(near, n)
    mine = held[cp]
    ctrl = np.where(mine, control[cp], 0)
    keep = ~((rel_a[ci, ctrl] == ALLIED) & mine)  # nor held by the row or an ally
    ci, cp, ctrl, mine = ci[keep], cp[keep], ctrl[keep], mine[keep]
    ally = (rel_a[:, ctrl] == ALLIED) & mine  # (A, C): the rows that defend each candidate
    # The dense form's (s x resolve x ally).sum(axis=0) adds the rows one after the
    # other; a bincount over the (A, C) block read row-major adds them in the same
    # order (a 1-D or single-column sum could be pairwise instead).
    weights = s[:, cp] * resolve[:, None] * ally
    defenders = np.bincount(
        np.tile(np.arange(cp.size), a_rows), weights.reshape(-1), minlength=cp.size
    ).astype(np.float64, copy=False)  # int if empty
    return Candidates(ci, cp, neighbour[ci, cp], defenders)


def move_and_postures(
    s: np.ndarray,
    row: np.ndarray,
    plaza: np.ndarray,
    inflow: np.ndarray,
    adj: sp.csr_matrix,
    adj_t: sp.csr_matrix,
    share: float,
    threshold: float,
    hostile: np.ndarray,
) -> Postures:
    """Move attackers into the attacked cells ``(row, plaza)`` and list present cells.

    Each attacked plaza receives ``inflow`` members; every neighbour q of it gives up
    ``share x adj[q, p]`` of its members per attacked p (capped at all of them).
    ``hostile`` is ``(A, A)`` bool: the two rows' cartels are not allied. ``adj_t``
    (``adj.T`` as CSR) finds the cells that lose members.

    The dense form is ``max(s + grown - s x min(out, 1), 0)`` with
    ``out = (adj @ attacks.T).T x share``. Away from the attacks ``grown`` and ``out``
    are 0.0 and the cell is ``max(s + 0.0, 0.0)`` (for the non-negative members of a
    run, ``s`` itself, -0.0 turned into 0.0), so the formula runs on the attacked
    cells and their neighbours only (a few hundred).
    There ``out`` adds, in row q's storage order as the CSR product does, the
    entries ``adj[q, p]`` of the attacked p; the product's other terms are
    ``adj x 0.0 = +0.0`` and change no sum.
    """
    s = np.ascontiguousarray(s)
    n = s.shape[1]
    s_new = np.maximum(s + 0.0, 0.0)  # the dense formula where no attack reaches
    if row.size:
        _move(s, s_new.reshape(-1), row, plaza, inflow, adj, adj_t, share)
    present = s_new >= threshold
    pi, pp = np.divmod(np.flatnonzero(present), n)  # np.nonzero's order, ~7x faster
    return Postures(s_new, pi, pp, shares_plaza_with_hostile(pi, pp, hostile, n))


def _move(
    s: np.ndarray,
    s_new: np.ndarray,
    row: np.ndarray,
    plaza: np.ndarray,
    inflow: np.ndarray,
    adj: sp.csr_matrix,
    adj_t: sp.csr_matrix,
    share: float,
) -> None:
    """Write into ``s_new`` (flat view) the moved members of the cells attacks reach."""
    a_rows, n = s.shape
    # Which attack (1-based, 0 for none) each cell receives; a repeated cell keeps its
    # last attack, as the dense ``grown[row, plaza] = inflow`` does.
    attack_of = np.zeros(a_rows * n, dtype=np.int64)
    attack_of[row * n + plaza] = np.arange(1, row.size + 1)
    # Cells that change: the attacked ones and, in the same row, each q with an entry
    # adj[q, p] for an attacked p (row p of adj_t). Repeats compute the same value.
    pos_t, count_t = row_entries(adj_t.indptr, plaza)
    cell_row = np.concatenate([row, np.repeat(row, count_t)]) * n
    cell = cell_row + np.concatenate([plaza, adj_t.indices[pos_t]])
    pos, count = row_entries(adj.indptr, cell - cell_row)
    term_cell = np.repeat(np.arange(cell.size), count)
    hit = attack_of[np.repeat(cell_row, count) + adj.indices[pos]] > 0
    out = np.bincount(term_cell[hit], adj.data[pos[hit]], minlength=cell.size) * share
    grown = np.concatenate([[0.0], inflow])[attack_of[cell]]
    old = s.reshape(-1)[cell]
    s_new[cell] = np.maximum(old + grown - old * np.minimum(out, 1.0), 0.0)
