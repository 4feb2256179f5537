"""Plazas, links, entry and crossing plazas of the Mexico world (rules 1-4 of docs/DATA.md).

Only ``build_mexico_world.py`` imports this module. It needs shapely (extra ``build-data``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from _mexico_common import START_YEAR, haversine_km, municipal_population, read_csv
from scipy.sparse.csgraph import connected_components
from shapely import STRtree, unary_union
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

#: Polygons closer than this (degrees) are linked: the polygons were simplified with a
#: 0.003° tolerance and rounded to 1e-4°, so true neighbours can show small gaps.
TOUCH_TOL_DEG = 0.01
#: Road circuity: typical road / great-circle distance ratio in Mexico is about 1.2-1.3.
CIRCUITY = 1.25
#: Floor on a link's travel cost (km), so twin seats never give a zero-cost link.
MIN_EDGE_KM = 1.0
#: Seats linked to a plaza that has no polygon.
K_NEAREST_NO_POLYGON = 3
#: A port point outside every (simplified) polygon goes to the nearest polygon if it lies
#: within this distance (degrees, ~11 km), before falling back to the nearest seat.
PORT_NEAREST_POLYGON_DEG = 0.1

#: Municipalities created after 2007 whose polygons (2010-2016 set) are merged back into
#: their 2007 parent: 14125 San Ignacio Cerro Gordo (from Arandas 14008), 23009 Tulum
#: (from Solidaridad 23008, 2008), 23010 Bacalar (from Othón P. Blanco 23004, 2011).
POLYGON_PARENT_2007 = {"14125": "14008", "23009": "23008", "23010": "23004"}

#: WPI "Harbor Size" → entry weight (blank means not rated, treated as Very Small).
HARBOR_WEIGHT = {"Medium": 3.0, "Small": 2.0, "Very Small": 1.0, "": 1.0}

#: Land entries on the Guatemala/Belize border: (cvegeo, crossing, weight).
LAND_ENTRIES = (
    ("07087", "Suchiate: Ciudad Hidalgo–Tecún Umán, the main crossing", 2.0),
    ("07034", "Frontera Comalapa: Ciudad Cuauhtémoc–La Mesilla", 1.0),
    ("27017", "Tenosique: El Ceibo", 1.0),
    ("23004", "Othón P. Blanco: Chetumal–Belize", 1.0),
)

#: BTS years averaged for crossing volumes: the three years before the war.
CROSSING_YEARS = (2004, 2006)

COAST_PACIFIC, COAST_GULF, COAST_LAND = 1, 2, 3  # mirrors plazasim.world.world.COAST_*
KIND_ENTRY, KIND_CROSSING = 1, 2  # mirrors plazasim.world.world.KIND_*


def build_plazas(data: Path) -> pd.DataFrame:
    """Return one row per 2007 municipality, sorted by cvegeo (rule 1).

    Columns: plaza_id, plaza_name, state, lon, lat (seat, degrees), population and youth
    (CONAPO 2006, persons) and population_growth (log(pop2012/pop2006)/6, 1/yr).
    """
    pop = municipal_population(data)
    p06 = pop[pop.year == START_YEAR].set_index("cvegeo")
    p12 = pop[pop.year == 2012].set_index("cvegeo")
    heads = read_csv(data, "geo/municipality_heads_valle_2007.csv")
    heads["cvegeo"] = heads["id"].astype(int).astype(str).str.zfill(5)  # id lacks the 0
    heads = heads.set_index("cvegeo")
    ids = sorted(p06.index)
    if set(ids) != set(heads.index) or set(ids) != set(p12.index):
        raise ValueError("municipality sets differ between CONAPO and the seat file")
    growth = np.log(
        p12.loc[ids, "population"].to_numpy(float) / p06.loc[ids, "population"].to_numpy(float)
    ) / (2012 - START_YEAR)
    return pd.DataFrame(
        {
            "plaza_id": ids,
            "plaza_name": p06.loc[ids, "municipality"].to_numpy(str),
            "state": [i[:2] for i in ids],
            "lon": heads.loc[ids, "Long"].to_numpy(float),
            "lat": heads.loc[ids, "Lat"].to_numpy(float),
            "population": p06.loc[ids, "population"].to_numpy(float),
            "youth": p06.loc[ids, "pop_15_29"].to_numpy(float),
            "population_growth": growth,
        }
    )


def load_polygons(data: Path, plaza_ids: list[str]) -> tuple[list[BaseGeometry | None], dict]:
    """Return one polygon per plaza (None if absent) and a log of merged/dropped features."""
    with (data / "geo/mx_municipalities_simplified.geojson").open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    index = {pid: i for i, pid in enumerate(plaza_ids)}
    parts: dict[int, list[tuple[str, BaseGeometry]]] = {}
    merged, dropped = [], []
    for feat in features:
        code = str(feat["properties"]["cvegeo"])
        target = code if code in index else POLYGON_PARENT_2007.get(code)
        if target is None or target not in index:
            dropped.append(code)
            continue
        if target != code:
            merged.append(f"{code}->{target}")
        parts.setdefault(index[target], []).append((code, shape(feat["geometry"])))
    geoms: list[BaseGeometry | None] = [None] * len(plaza_ids)
    for i, items in parts.items():
        items.sort(key=lambda t: t[0])
        geoms[i] = items[0][1] if len(items) == 1 else unary_union([g for _, g in items])
    log = {
        "features": len(features),
        "merged_into_2007_parent": sorted(merged),
        "dropped": sorted(dropped),
        "plazas_without_polygon": [plaza_ids[i] for i, g in enumerate(geoms) if g is None],
    }
    return geoms, log


def build_links(
    plazas: pd.DataFrame, geoms: list[BaseGeometry | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Return (edge_src, edge_dst, edge_km, log) following rule 2; edges sorted, src < dst."""
    n = len(plazas)
    lon, lat = plazas.lon.to_numpy(), plazas.lat.to_numpy()
    have = [i for i, g in enumerate(geoms) if g is not None]
    tree = STRtree([geoms[i] for i in have])
    left, right = tree.query([geoms[i] for i in have], predicate="dwithin", distance=TOUCH_TOL_DEG)
    pairs = {
        (min(have[a], have[b]), max(have[a], have[b]))
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
        if a != b
    }
    n_polygon = len(pairs)
    for i in (i for i, g in enumerate(geoms) if g is None):
        d = haversine_km(lon[i], lat[i], lon, lat)
        d[i] = np.inf
        for j in np.argsort(d, kind="stable")[:K_NEAREST_NO_POLYGON]:
            pairs.add((min(i, int(j)), max(i, int(j))))
    joins = []
    while True:
        src, dst = (np.array(v, dtype=np.int64) for v in zip(*sorted(pairs), strict=True))
        adj = sp.coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)).tocsr()
        n_comp, label = connected_components(adj, directed=False)
        if n_comp == 1:
            break
        sizes = np.bincount(label)
        main = int(np.flatnonzero(sizes == sizes.max())[0])  # ties: the one holding lowest id
        in_main = np.flatnonzero(label == main)
        for comp in sorted({int(c) for c in label} - {main}):
            members = np.flatnonzero(label == comp)
            d = haversine_km(
                lon[members][:, None],
                lat[members][:, None],
                lon[in_main][None, :],
                lat[in_main][None, :],
            )
            a, b = np.unravel_index(int(np.argmin(d)), d.shape)
            i, j = int(members[a]), int(in_main[b])
            pairs.add((min(i, j), max(i, j)))
            joins.append(
                {
                    "component": [plazas.plaza_id[k] for k in members],
                    "link": [plazas.plaza_id[i], plazas.plaza_id[j]],
                    "seat_km": round(float(d[a, b]), 3),
                }
            )
    src, dst = (np.array(v, dtype=np.int32) for v in zip(*sorted(pairs), strict=True))
    km = np.maximum(haversine_km(lon[src], lat[src], lon[dst], lat[dst]) * CIRCUITY, MIN_EDGE_KM)
    log = {"polygon_links": n_polygon, "links": len(src), "component_joins": joins}
    return src, dst, km, log


def _port_municipality(
    pt: Point,
    plazas: pd.DataFrame,
    geoms: list[BaseGeometry | None],
    tree: STRtree,
    have: list[int],
) -> tuple[int, str]:
    """Return (plaza index, method) for a port point: polygon, near polygon, or nearest seat."""
    hits = sorted(have[k] for k in tree.query(pt, predicate="within"))
    if hits:
        return hits[0], "polygon contains port"
    k, dist = tree.query_nearest(pt, return_distance=True)
    if float(dist[0]) <= PORT_NEAREST_POLYGON_DEG:
        return min(have[int(x)] for x in k), f"nearest polygon ({float(dist[0]):.3f} deg)"
    d = haversine_km(pt.x, pt.y, plazas.lon.to_numpy(), plazas.lat.to_numpy())
    return int(np.argmin(d)), "nearest seat"


def build_entries(
    data: Path, plazas: pd.DataFrame, geoms: list[BaseGeometry | None]
) -> tuple[dict[int, tuple[int, float]], list[dict[str, Any]]]:
    """Return {plaza index: (coast, raw weight)} for entry plazas (rule 3) and a port log.

    Land entries override a seaport in the same municipality (one coast per plaza).
    """
    ports = read_csv(data, "seaports/wpi_mexico_ports.csv", dtype=str, keep_default_na=False)
    ports = ports.sort_values("World Port Index Number", key=lambda s: s.astype(float))
    have = [i for i, g in enumerate(geoms) if g is not None]
    tree = STRtree([geoms[i] for i in have])
    sea: dict[int, tuple[int, float]] = {}
    log: list[dict[str, Any]] = []
    for _, row in ports.iterrows():
        body = row["World Water Body"]
        if "Pacific" in body or "Gulf of California" in body:
            coast = COAST_PACIFIC
        elif "Gulf of Mexico" in body or "Caribbean" in body:
            coast = COAST_GULF
        else:
            raise ValueError(f"seaport {row['Main Port Name']}: unknown water body {body!r}")
        size = row["Harbor Size"].strip()
        if size not in HARBOR_WEIGHT:
            raise ValueError(f"seaport {row['Main Port Name']}: unknown harbor size {size!r}")
        pt = Point(float(row["Longitude"]), float(row["Latitude"]))
        i, how = _port_municipality(pt, plazas, geoms, tree, have)
        old_coast, old_w = sea.get(i, (coast, 0.0))
        if old_coast != coast:
            raise ValueError(f"plaza {plazas.plaza_id[i]} gets ports on two coasts")
        sea[i] = (coast, old_w + HARBOR_WEIGHT[size])
        log.append(
            {
                "port": row["Main Port Name"],
                "wpi": row["World Port Index Number"],
                "plaza_id": plazas.plaza_id[i],
                "coast": coast,
                "weight": HARBOR_WEIGHT[size],
                "mapped_by": how,
            }
        )
    entries = dict(sea)
    pos = {pid: i for i, pid in enumerate(plazas.plaza_id)}
    for code, crossing, weight in LAND_ENTRIES:
        i = pos[code]
        if i in sea:
            for item in log:
                if item["plaza_id"] == code:
                    item["overridden_by_land_entry"] = True
        entries[i] = (COAST_LAND, weight)
        log.append(
            {
                "port": crossing,
                "wpi": "",
                "plaza_id": code,
                "coast": COAST_LAND,
                "weight": weight,
                "mapped_by": "rule 3b (land border)",
            }
        )
    return entries, log


def build_crossings(
    data: Path, plazas: pd.DataFrame
) -> tuple[dict[int, float], list[dict[str, Any]]]:
    """Return {plaza index: mean yearly trucks + personal vehicles} (rule 4) and a port log."""
    cw = read_csv(
        data,
        "border_ports/us_mexico_ports_to_mexican_municipality_crosswalk.csv",
        dtype={"mx_cvegeo": str},
    )
    bts = read_csv(data, "border_ports/bts_us_mexico_border_crossings_port_year_1996_2021.csv")
    win = bts[bts.year.between(*CROSSING_YEARS)]
    volume = (
        (win["Trucks"].fillna(0.0) + win["Personal Vehicles"].fillna(0.0))
        .groupby(win["port_code"])
        .mean()
    )
    floor = float(volume[volume > 0].min())
    pos = {pid: i for i, pid in enumerate(plazas.plaza_id)}
    out: dict[int, float] = {}
    log = []
    for _, row in cw.sort_values("bts_port_code").iterrows():
        code = int(row["bts_port_code"])
        has = code in volume.index
        v = float(volume[code]) if has else floor
        i = pos[row["mx_cvegeo"]]
        out[i] = out.get(i, 0.0) + v
        log.append(
            {
                "bts_port": code,
                "us_port": row["us_port_name"],
                "plaza_id": row["mx_cvegeo"],
                "vehicles_per_year": round(v, 3),
                "imputed_minimum": not has,
            }
        )
    return out, log


def assign_kinds(
    n: int, entries: dict[int, tuple[int, float]], crossings: dict[int, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (kind, coast, entry_weight, crossing_weight); a crossing beats an entry."""
    kind = np.zeros(n, dtype=np.int8)
    coast = np.zeros(n, dtype=np.int8)
    entry_w = np.zeros(n)
    cross_w = np.zeros(n)
    for i, (c, w) in sorted(entries.items()):
        if i in crossings:
            continue
        kind[i], coast[i], entry_w[i] = KIND_ENTRY, c, w
    for c in (COAST_PACIFIC, COAST_GULF, COAST_LAND):
        sel = coast == c
        entry_w[sel] /= entry_w[sel].sum()
    for i, v in sorted(crossings.items()):
        kind[i], cross_w[i] = KIND_CROSSING, v
    cross_w /= cross_w.sum()
    return kind, coast, entry_w, cross_w
