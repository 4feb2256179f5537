"""Cartels, their relations at 1 Dec 2006 and their initial territory (rules 6-8 of docs/DATA.md).

Only ``build_mexico_world.py`` imports this module.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _mexico_common import haversine_km, read_csv

#: Rule 6. PGR's seven of 2006 (Arellano Félix = Tijuana, Colima = Amezcua, Juárez,
#: Sinaloa, Golfo, Milenio, Díaz Parada) plus BLO, Zetas and La Familia, which later split
#: off; less Amezcua, which no snapshot places in any state (a cartel with no members).
CARTELS = (
    "Sinaloa",
    "Beltran Leyva",
    "Juarez",
    "Tijuana",
    "Gulf",
    "Zetas",
    "La Familia Michoacana",
    "Milenio",
    "Diaz Parada",
)
FEDERATION = ("Sinaloa", "Juarez", "Milenio", "Beltran Leyva")

#: Names used in state_presence.csv / dto_events.csv → 2006 cartel (None = dropped).
#: Later organisations map onto their 2006 parent (rule 8a).
NAME_MAP: dict[str, str | None] = {
    **{c: c for c in CARTELS},
    "Diaz Parada (Oaxaca)": "Diaz Parada",
    "Amezcua (Colima cartel)": None,
    "Knights Templar": "La Familia Michoacana",
    "South Pacific": "Beltran Leyva",
    "Beltran Leyva (La Barbie faction)": "Beltran Leyva",
    "Independent Cartel of Acapulco": "Beltran Leyva",
    "Jalisco New Generation (CJNG)": "Milenio",
    "La Resistencia": "Milenio",
    "Tijuana (Garcia Simental faction)": "Tijuana",
    "Los Pelones": None,
    "Barrio Azteca (gang)": None,
}

#: Snapshots from this year on postdate the Gulf-Zetas split (dto_events.csv, 2010-02).
POST_SPLIT_YEAR = 2010

#: Rule 8b: a DTO named after a place anchors on that place's municipality (cvegeo).
PLACE_ANCHOR = {
    "Juarez": "08037",
    "Tijuana": "02004",
    "Sinaloa": "25006",
    "Gulf": "28022",
    "La Familia Michoacana": "16006",
    "Zetas": "28027",
}

#: Rule 8a: states no snapshot covers, decided by hand: {cve_ent: ({dto: weight}, reason)}.
MANUAL_STATES: dict[str, tuple[dict[str, float], str]] = {
    "03": (
        {"Tijuana": 2.0},
        "never covered; Policía Federal 2011 (24 Horas, 5 Mar 2012): "
        "Arellano Félix in the Baja California peninsula",
    ),
    "07": ({}, "never covered; left unclaimed (neighbours may expand into it)"),
    "22": ({}, "never covered; left unclaimed (neighbours may expand into it)"),
}
SNAPSHOT_ORDER = (2006, 2008, 2010, 2011)
W_DOMINANT, W_PRESENT = 2.0, 1.0
#: Rule 8c: municipalities smaller than this (persons, 2006) are left unheld unless entry/crossing.
MIN_HELD_POPULATION = 5000.0
#: Rule 8c: strategic multiplier for entry and crossing plazas.
STRATEGIC_MULT = 3.0
#: Rule 8d: share of the owner's strength given to each other DTO in contested plazas.
CONTESTED_SHARE = 0.3
CONTESTED_TOP_N = 3

# Rule 7: (dto_a, dto_b, relation, evidence rows of dto_events.csv as (date, type, a, b)).
_R_SIN_JUA = ("2006", "alliance_formed", "Sinaloa", "Juarez")
_R_SIN_MIL = ("2006", "alliance_formed", "Sinaloa", "Milenio")
_R_SIN_BLO = ("2006", "alliance_formed", "Sinaloa", "Beltran Leyva")
_R_FED = (_R_SIN_JUA, _R_SIN_MIL, _R_SIN_BLO)
_R_SIN_GULF_WAR = ("2004", "war_started", "Sinaloa", "Gulf")
_R_BLO_ZETAS_WAR = ("2005", "war_started", "Beltran Leyva", "Zetas")
_R_GULF_TIJ = ("2005", "alliance_formed", "Gulf", "Tijuana")
_R_GULF_ZETAS = ("2006", "alliance_formed", "Gulf", "Zetas")
_R_LFM_BREAK = ("2006", "alliance_broken", "La Familia Michoacana", "Zetas")
_R_LFM_WAR = ("2006", "war_started", "La Familia Michoacana", "Zetas")


def relation_rules() -> list[tuple[str, str, int, tuple[tuple[str, str, str, str], ...]]]:
    """Return the rule-7 relation list: (cartel, cartel, +1/-1, cited dto_events rows)."""
    rules: list[tuple[str, str, int, tuple[tuple[str, str, str, str], ...]]] = []
    for a, b in combinations(FEDERATION, 2):
        rules.append((a, b, 1, _R_FED))  # the Federation, 2006 rows
    rules.append(("Gulf", "Zetas", 1, (_R_GULF_ZETAS,)))
    rules.append(("Gulf", "Tijuana", 1, (_R_GULF_TIJ,)))
    for m in FEDERATION:
        rules.append((m, "Gulf", -1, (_R_SIN_GULF_WAR, _R_BLO_ZETAS_WAR)))
        rules.append((m, "Zetas", -1, (_R_SIN_GULF_WAR, _R_BLO_ZETAS_WAR)))
        rules.append(("Tijuana", m, -1, (_R_GULF_TIJ,)))
    rules.append(("La Familia Michoacana", "Zetas", -1, (_R_LFM_BREAK, _R_LFM_WAR)))
    rules.append(("La Familia Michoacana", "Gulf", -1, (_R_LFM_BREAK, _R_LFM_WAR)))
    return rules


def build_relations(data: Path) -> tuple[np.ndarray, list[dict[str, Any]], list[str]]:
    """Return (relation int8 matrix, per-pair evidence, cited rows) for 1 Dec 2006 (rule 7).

    Every cited row is checked to exist in dto_events.csv with a date in or before 2006.
    """
    ev = read_csv(data, "cartels_2006_2012/dto_events.csv", dtype=str, keep_default_na=False)
    keys = {(r.date, r.event_type, r.dto_a, r.dto_b) for r in ev.itertuples()}
    idx = {c: i for i, c in enumerate(CARTELS)}
    rel = np.zeros((len(CARTELS), len(CARTELS)), dtype=np.int8)
    np.fill_diagonal(rel, 1)
    evidence, cited = [], set()
    for a, b, code, rows in relation_rules():
        for row in rows:
            if row not in keys or int(row[0][:4]) > 2006:
                raise ValueError(f"dto_events.csv: cited row {row} missing or after 2006")
            cited.add(row)
        rel[idx[a], idx[b]] = rel[idx[b], idx[a]] = code
        evidence.append(
            {
                "pair": sorted([a, b]),
                "relation": code,
                "dto_events_rows": [" ".join(r) for r in rows],
            }
        )
    evidence.sort(key=lambda e: (e["pair"], e["relation"]))
    return rel, evidence, sorted(" | ".join(r) for r in cited)


def _dtos(dominant: str, others: str) -> dict[str, float]:
    """Return {2006 cartel: weight} for one state_presence row (dominant 2, others 1)."""
    out: dict[str, float] = {}
    named = [(dominant.strip(), W_DOMINANT)] + [(o.strip(), W_PRESENT) for o in others.split(";")]
    for name, w in named:
        if not name:
            continue
        if name not in NAME_MAP:
            raise ValueError(f"state_presence.csv: unknown DTO name {name!r}")
        target = NAME_MAP[name]
        if target is not None:
            out[target] = max(out.get(target, 0.0), w)
    return out


def choose_snapshots(data: Path, states: list[str]) -> dict[str, dict[str, Any]]:
    """Return per state the DTO weights, the snapshot used, the reason and disputedness (8a)."""
    sp_ = read_csv(data, "cartels_2006_2012/state_presence.csv", dtype=str, keep_default_na=False)
    rows = {(r.cve_ent, int(r.year)): r for r in sp_.itertuples()}
    out: dict[str, dict[str, Any]] = {}
    for st in states:
        first = rows.get((st, 2006))
        chosen = None
        for year in SNAPSHOT_ORDER:
            r = rows.get((st, year))
            if r is not None and _dtos(r.dominant_dto, r.other_dtos_present):
                chosen = (year, r)
                break
        if chosen is not None:
            year, r = chosen
            if year == 2006:
                why = "2006 row lists DTOs"
            else:
                lack = "no 2006 row" if first is None else "2006 row lists no DTO"
                why = (
                    f"{lack}; earliest later snapshot listing a DTO ({year}), "
                    "mapped to 2006 parents"
                )
            dtos = _dtos(r.dominant_dto, r.other_dtos_present)
            if year >= POST_SPLIT_YEAR and "Zetas" in dtos:
                # Rule 8a': before the Feb 2010 split the Zetas were the Gulf cartel's
                # armed wing; a post-split Zetas row describes the old Gulf network
                # (PGR 2005 puts Gulf in 21 states), so it maps to Gulf for 2006.
                weight = dtos.pop("Zetas")
                dtos["Gulf"] = max(dtos.get("Gulf", 0.0), weight)
                why += "; post-split Zetas presence mapped to Gulf (Zetas were Gulf's wing)"
            if year != 2006 and r.disputed == "yes":
                # Rule 8d': a later snapshot's dispute is the war that followed 2006, which
                # the run must produce, not start from.
                why += "; its dispute postdates 2006, so the state starts undisputed"
            out[st] = {
                "snapshot": year,
                "reason": why,
                "dtos": dtos,
                "disputed": r.disputed == "yes" and year == 2006,
                "disputed_raw": r.disputed,
            }
        elif st in MANUAL_STATES:
            dtos, why = MANUAL_STATES[st]
            out[st] = {
                "snapshot": "manual",
                "reason": why,
                "dtos": dict(dtos),
                "disputed": False,
                "disputed_raw": "unknown",
            }
        else:
            lack = "no row in any snapshot" if first is None else "no snapshot lists a DTO"
            out[st] = {
                "snapshot": None,
                "reason": f"{lack}; left unclaimed",
                "dtos": {},
                "disputed": False,
                "disputed_raw": "unknown",
            }
    return out


def build_territory(
    plazas: pd.DataFrame, kind: np.ndarray, snapshots: dict[str, dict[str, Any]]
) -> tuple[np.ndarray, dict[str, dict[str, str]]]:
    """Return initial_strength ``(C0, P)`` (relative units) and the anchors per state (8b-8d)."""
    n = len(plazas)
    pop = plazas.population.to_numpy()
    lon, lat = plazas.lon.to_numpy(), plazas.lat.to_numpy()
    ids = plazas.plaza_id.to_numpy()
    strategic = kind > 0
    mult = np.where(strategic, STRATEGIC_MULT, 1.0)
    base = np.sqrt(pop) * mult
    held = (pop >= MIN_HELD_POPULATION) | strategic
    cidx = {c: i for i, c in enumerate(CARTELS)}
    strength = np.zeros((len(CARTELS), n))
    anchors_out: dict[str, dict[str, str]] = {}
    for st, snap in sorted(snapshots.items()):
        dtos = sorted(snap["dtos"].items(), key=lambda kv: (-kv[1], kv[0]))
        if not dtos:
            continue
        members = np.flatnonzero(plazas.state.to_numpy() == st)
        by_pop = sorted(members.tolist(), key=lambda i: (-pop[i], ids[i]))
        in_state = {ids[i]: i for i in members}
        reserved = {PLACE_ANCHOR[d] for d, _ in dtos if PLACE_ANCHOR.get(d) in in_state}
        free = iter(i for i in by_pop if ids[i] not in reserved)
        anchors = []
        for d, _ in dtos:
            place = PLACE_ANCHOR.get(d)
            anchors.append(in_state[place] if place in in_state else next(free))
        anchors_out[st] = {d: str(ids[a]) for (d, _), a in zip(dtos, anchors, strict=True)}
        w = np.array([wt for _, wt in dtos])
        a = np.array(anchors)
        d_km = (
            haversine_km(
                lon[members][:, None], lat[members][:, None], lon[a][None, :], lat[a][None, :]
            )
            / w[None, :]
        )
        owner = np.argmin(d_km, axis=1)  # ties go to the earlier DTO in (weight, name) order
        for k, p in enumerate(members):
            if held[p]:
                strength[cidx[dtos[owner[k]][0]], p] = base[p]
        if snap["disputed"]:
            contested = set(by_pop[:CONTESTED_TOP_N]) | {int(p) for p in members if strategic[p]}
            pos = {int(p): k for k, p in enumerate(members)}
            for p in sorted(contested):
                for j, (d, _) in enumerate(dtos):
                    if j != owner[pos[p]]:
                        strength[cidx[d], p] += CONTESTED_SHARE * base[p]
    return strength, anchors_out
