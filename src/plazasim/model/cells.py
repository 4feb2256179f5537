"""Lists of cells: where cartels are present, who meets whom, which links a plaza has.

Cartels are present in a few percent of the (cartel, plaza) cells, so the phases
work on lists of cells rather than on whole ``(K, P)`` arrays. These helpers build
the lists every phase shares. Orders are stated because they matter: sums over a
list must add their terms in the order the dense form did, so that results stay
the same to the bit.
"""

from __future__ import annotations

import numpy as np


def present_cells(
    strength: np.ndarray, rows: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """The cells where a living cartel is present, in row-major order.

    Returns ``(r, c)``: ``r`` indexes ``rows`` (the living slots), ``c`` is the
    plaza; the order is that of ``np.nonzero`` on ``strength[rows] >= threshold``.
    """
    flat = np.flatnonzero(strength[rows] >= threshold)
    return np.divmod(flat, strength.shape[1])


def segment_positions(counts: np.ndarray) -> np.ndarray:
    """``0, 1, ..., counts[0]-1, 0, 1, ..., counts[1]-1, ...``: position within each segment."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def row_entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a CSR matrix's ``indices``/``data`` of the entries of ``rows``.

    Row after row as listed (repeats allowed), each row's entries in storage order;
    also the number of entries of each listed row.
    """
    count = indptr[rows + 1] - indptr[rows]
    return np.repeat(indptr[rows], count) + segment_positions(count), count


def hostile_pairs(
    r: np.ndarray, c: np.ndarray, hostile: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Ordered pairs ``(i, j)`` of present cells in the same plaza whose cartels are not allied.

    ``r, c`` are row-major present cells (:func:`present_cells`), ``hostile`` is
    ``(A, A)`` over the same rows (its diagonal False: a cartel is its own ally).
    Pairs are listed plaza by plaza; within a plaza, by ``i`` then ``j``, so for any
    one ``i`` the partners ``j`` come in row order and for any one ``j`` the ``i``
    do: a ``bincount`` keyed on either adds its terms in the order a dense sum over
    rows would.
    """
    count = np.bincount(c, minlength=n)
    crowded = np.flatnonzero(count[c] >= 2)
    cells = crowded[np.argsort(c[crowded], kind="stable")]  # by plaza, then row
    size = count[count >= 2]  # cells per crowded plaza, in plaza order
    start = np.cumsum(size) - size
    first = np.repeat(start, size)  # first sorted position of each cell's plaza
    partners = np.repeat(size, size)
    i = cells[np.repeat(np.arange(cells.size), partners)]
    j = cells[np.repeat(first, partners) + segment_positions(partners)]
    keep = hostile[r[i], r[j]]
    return i[keep], j[keep]


def shares_plaza_with_hostile(
    r: np.ndarray, c: np.ndarray, hostile: np.ndarray, n: int
) -> np.ndarray:
    """``(len(r),)`` bool: whether each present cell shares its plaza with a hostile cartel."""
    pair_i, _ = hostile_pairs(r, c, hostile, n)
    out = np.zeros(r.size, dtype=bool)
    out[pair_i] = True
    return out
