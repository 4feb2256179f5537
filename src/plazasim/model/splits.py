"""Phase 8: leadership recovery, splits into rival factions, and the end of cartels.

Form (after Calderón et al. 2015 JCR and Phillips 2015): a cartel whose leader
the policy's own kingpin operations removed carries a ``fracture`` (the cohesion
it lost that way); each week it splits with probability ``split_rate x
fracture``. Leaders removed by the scenario's historical events lower cohesion
(succession fights, weaker defence) but add no fracture: the splits that
followed them are events of the timeline, and the model must not add its own on
top. The splinter takes the part of the territory on
one side of a random line through the cartel's strength-weighted centre, about
``split_share`` of its members, and the matching share of cash and stock; it is a
rival of its parent and inherits the parent's rivals. Cohesion then recovers by
``cohesion_recovery`` a week. A cartel with fewer than two plazas' worth of
presence left (``2 x presence_threshold`` members) dissolves: its members
disperse (counted as attrition) and its plazas are released.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import RIVAL


@dataclass(frozen=True)
class SplitRecord:
    """Splits and dissolutions this week."""

    splits: list[tuple[int, int]]  # (parent slot, new slot)
    dissolved: list[int]
    dispersed: np.ndarray  # (K,) members released by dissolution


#: A historical splinter takes at least this many plazas' worth of members (x presence).
MIN_FACTION_PLAZAS = 10


def where_present(state: State, ctx: Context, parent: int, plazas: np.ndarray) -> np.ndarray:
    """The plazas a historical splinter of ``parent`` forms in: ``plazas``, or near them.

    The named plazas when the parent has at least ``MIN_FACTION_PLAZAS x
    presence_threshold`` members there; otherwise those plus the parent's other
    plazas nearest to their centre (by seat coordinates), nearest first, until the
    parent's members in the chosen plazas reach that amount or run out.
    """
    need = MIN_FACTION_PLAZAS * ctx.params.presence_threshold
    s = state.strength[parent]
    if s[plazas].sum() >= need:
        return plazas
    others = np.setdiff1d(np.flatnonzero(s > 0), plazas)
    if others.size == 0:
        return plazas
    lon, lat = ctx.world.lon, ctx.world.lat
    cx, cy = lon[plazas].mean(), lat[plazas].mean()
    order = others[np.argsort(np.hypot(lon[others] - cx, lat[others] - cy), kind="stable")]
    reach = np.searchsorted(np.cumsum(s[order]) + s[plazas].sum(), need) + 1
    return np.sort(np.concatenate([plazas, order[:reach]]))


def _one_side(
    state: State, ctx: Context, parent: int, rng: np.random.Generator | None, share: float
) -> np.ndarray:
    """The parent's plazas on one side of a line through its strength-weighted centre.

    Plazas are taken in order of their projection on the line's normal until they
    hold about ``share`` of the members (at least one plaza). The angle is drawn from
    ``rng``, or, with ``rng=None``, is the territory's principal axis.
    """
    s = state.strength[parent]
    held = np.flatnonzero(s > 0)
    lon, lat = ctx.world.lon[held], ctx.world.lat[held]
    w = s[held]
    cx, cy = np.average(lon, weights=w), np.average(lat, weights=w)
    if rng is not None:
        angle = rng.uniform(0.0, 2.0 * np.pi)
    else:
        dx, dy = lon - cx, lat - cy
        cov = np.cov(np.stack([dx, dy]), aweights=w) if held.size > 1 else np.eye(2)
        vx, vy = np.linalg.eigh(np.atleast_2d(cov))[1][:, -1]
        angle = float(np.arctan2(vy, vx))
    proj = (lon - cx) * np.cos(angle) + (lat - cy) * np.sin(angle)
    order = np.argsort(-proj, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    return held[order[: max(1, int(np.searchsorted(cum, share)) + 1)]]


def split_cartel(
    state: State,
    ctx: Context,
    parent: int,
    rng: np.random.Generator | None,
    *,
    name: str | None = None,
    share: float | None = None,
    plazas: np.ndarray | None = None,
) -> int:
    """Split ``parent`` into itself and a new rival faction; returns the new slot.

    By default (the model's own splits) the splinter takes the plazas on one side
    of a line through the parent's strength-weighted centre until it holds about
    ``share`` (default ``split_share``) of the members; the line's angle is drawn
    from ``rng``, or, with ``rng=None`` (scenario events, which draw nothing), it
    is the territory's principal axis. With ``plazas`` (historical splits located
    in named states) the splinter instead takes ``share`` of the parent's members
    in each of those plazas, so the two factions share, and contest, them.
        If the parent has fewer than ``MIN_FACTION_PLAZAS`` plazas' worth of members
    there (the model may have drained it), the splinter forms where the parent
    actually is: the parent's plazas nearest to the named ones are added, nearest
    first, until it has that many. Cash and stock go with the members' share.
    Raises ``ValueError`` (before any change) when the parent has no members to give.
    """
    p = ctx.params
    share = p.split_share if share is None else share
    if plazas is not None:
        plazas = where_present(state, ctx, parent, plazas)
    pool = state.strength[parent] if plazas is None else state.strength[parent, plazas]
    if not pool.sum() > 0:
        raise ValueError(f"{state.names[parent]!r} has no members to split off")
    if name is None:
        base = state.names[parent]
        n_before = sum(1 for known in state.names if known.startswith(base + " faction"))
        name = f"{base} faction {n_before + 1}"
    new = state.add_cartel(name, parent)
    if plazas is None:
        # Whole plazas change hands, and so does their control.
        take = _one_side(state, ctx, parent, rng, share)
        state.control[take[state.control[take] == parent]] = new
        defect(state, ctx, parent, new, 1.0, take)
        state.arrival_week[new, take] = state.week  # the splinter holds them from now
    else:
        defect(state, ctx, parent, new, share, plazas)
    state.routes_dirty.discard(new)  # a new slot has no plan yet: it plans at once
    rivals = np.flatnonzero(state.relation[parent] == RIVAL)
    for r in rivals:
        if r != new:
            state.relation[new, r] = state.relation[r, new] = RIVAL
    state.cohesion[parent] = 0.5
    state.cohesion[new] = 0.8
    state.fracture[parent] = state.fracture[new] = 0.0  # the split released the pressure
    return new


def split_and_dissolve(state: State, ctx: Context, rng: np.random.Generator) -> SplitRecord:
    """Run phase 8 (mutates ``state``)."""
    p = ctx.params
    k_slots = state.n_slots
    draws = rng.random(k_slots)
    prob = p.split_rate * state.fracture
    splits = []
    for parent in np.flatnonzero(state.alive & (draws < prob)):
        if state.strength[parent].sum() < 4 * p.presence_threshold:
            continue
        try:
            splits.append((int(parent), split_cartel(state, ctx, int(parent), rng)))
        except RuntimeError:
            break  # no free slot: fragmentation has hit the configured maximum
    state.cohesion = np.where(
        state.alive, np.minimum(state.cohesion + p.cohesion_recovery, 1.0), 0.0
    )
    state.fracture = np.where(
        state.alive, np.maximum(state.fracture - p.cohesion_recovery, 0.0), 0.0
    )
    dispersed = np.zeros(k_slots)
    members = state.strength.sum(axis=1)
    gone = np.flatnonzero(state.alive & (members < 2 * p.presence_threshold))
    for k in gone:
        dispersed[k] = members[k]
        state.strength[k] = 0.0
        state.fighters[k] = 0.0
        state.alive[k] = False
        state.control[state.control == k] = NO_CARTEL
        state.arrival_week[k] = -1
        state.first_violence_week[k] = -1
        state.signal[state.signal == k] = NO_CARTEL
    return SplitRecord(splits=splits, dissolved=[int(k) for k in gone], dispersed=dispersed)


def defect(
    state: State, ctx: Context, parent: int, to: int, share: float, plazas: np.ndarray
) -> float:
    """``share`` of ``parent``'s members in ``plazas`` go over to the existing cartel ``to``.

    A faction that breaks away to join (or become) an organisation already on the map
    leaves with the members loyal to it, who stay where they live: the Beltrán Leyva
    brothers' gunmen in Culiacán in 2008, the Zetas inside the Gulf cartel's
    Tamaulipas plazas in 2010 (dto_events.csv). :func:`split_cartel` moves its
    splinter's members with it into a fresh slot. The two become rivals at war, so
    the plazas they now share are fronts. Members, fighters, cash and stock move in proportion (conserved; no
    recruit or loss is counted). Returns the share of ``parent``'s members moved.
    """
    s = state.strength[parent]
    total = float(s.sum())
    take = plazas[s[plazas] > 0]
    if total <= 0 or take.size == 0:
        return 0.0
    threshold = ctx.params.presence_threshold
    was_present = state.strength[to, take] >= threshold
    moved = s[take] * share
    state.strength[to, take] += moved
    state.strength[parent, take] -= moved
    fighters = state.fighters[parent, take] * share
    state.fighters[to, take] += fighters
    state.fighters[parent, take] -= fighters
    arrived = take[~was_present & (state.strength[to, take] >= threshold)]
    state.arrival_week[to, arrived] = state.week
    moved_share = float(moved.sum()) / total
    for arr in (state.cash, state.stock):
        given = arr[parent] * moved_share
        arr[to] += given
        arr[parent] -= given
    state.relation[to, parent] = state.relation[parent, to] = RIVAL
    state.war[to, parent] = state.war[parent, to] = True
    state.routes_dirty.update((parent, to))
    return moved_share
