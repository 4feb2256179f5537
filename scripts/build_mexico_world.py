"""Build the shipped Mexico world from the raw data in ``shared/data`` (see docs/DATA.md).

Usage::

    .venv/bin/python scripts/build_mexico_world.py [--data DIR] [--out DIR]

Writes ``mexico_world.npz`` (every array field of :class:`plazasim.world.world.World`) and
``mexico_world.json`` (metadata, observed series and the processing rules) into
``src/plazasim/world/data`` by default. The same input gives byte-identical output.
Needs shapely (the ``build-data`` extra); the installed package never does.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _mexico_cartels import (
    CARTELS,
    build_relations,
    build_territory,
    choose_snapshots,
)
from _mexico_common import read_csv
from _mexico_geo import (
    COAST_GULF,
    COAST_LAND,
    COAST_PACIFIC,
    assign_kinds,
    build_crossings,
    build_entries,
    build_links,
    build_plazas,
    load_polygons,
)
from _mexico_rules import RULES, SOURCES
from _mexico_series import baseline_rate, observed_series

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "plazasim" / "world" / "data"
NPZ_NAME = "mexico_world.npz"
JSON_NAME = "mexico_world.json"
#: Fixed zip timestamp (the earliest zip can store) so output bytes do not depend on the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def build(data: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Run every rule and return (npz arrays, JSON metadata)."""
    plazas = build_plazas(data)
    ids = plazas.plaza_id.tolist()
    n = len(plazas)
    geoms, poly_log = load_polygons(data, ids)
    src, dst, km, link_log = build_links(plazas, geoms)
    entries, port_log = build_entries(data, plazas, geoms)
    crossings, crossing_log = build_crossings(data, plazas)
    kind, coast, entry_w, cross_w = assign_kinds(n, entries, crossings)
    rate, baseline = baseline_rate(data, plazas)
    relation, evidence, cited = build_relations(data)
    states = sorted(set(plazas.state))
    snapshots = choose_snapshots(data, states)
    strength, anchors = build_territory(plazas, kind, snapshots)
    yearly, monthly = observed_series(data)
    catalog = read_csv(data, "geo/states_catalog.csv", dtype=str)
    state_names = dict(zip(catalog.cve_ent, catalog.state, strict=True))
    if set(state_names) != set(states):
        raise ValueError("states_catalog.csv does not match the plaza states")

    def unicode(values: list[str]) -> np.ndarray:
        width = max(len(v) for v in values)
        return np.array(values, dtype=f"<U{width}")

    arrays = {
        "plaza_id": unicode(ids),
        "plaza_name": unicode(plazas.plaza_name.tolist()),
        "state": unicode(plazas.state.tolist()),
        "lon": plazas.lon.to_numpy(np.float64),
        "lat": plazas.lat.to_numpy(np.float64),
        "population": plazas.population.to_numpy(np.float64),
        "youth": plazas.youth.to_numpy(np.float64),
        "population_growth": plazas.population_growth.to_numpy(np.float64),
        "kind": kind,
        "coast": coast,
        "entry_weight": entry_w,
        "crossing_weight": cross_w,
        "baseline_rate": rate.astype(np.float64),
        "edge_src": src.astype(np.int32),
        "edge_dst": dst.astype(np.int32),
        "edge_km": km.astype(np.float64),
        "initial_strength": strength,
        "initial_relation": relation,
    }
    notes = [f"shared/data/{path}: {origin}" for path, origin in SOURCES]
    notes.append("initial relations cite dto_events.csv rows: " + "; ".join(cited))
    for st, snap in snapshots.items():
        snap["anchors"] = anchors.get(st, {})
        snap["state_name"] = state_names[st]
    meta: dict[str, Any] = {
        "name": "mexico",
        "start_year": 2006,
        "cartel_names": list(CARTELS),
        "initial_relation": relation.tolist(),
        "state_names": state_names,
        "observed": {s: {str(y): v for y, v in ser.items()} for s, ser in yearly.items()},
        "observed_monthly": monthly,
        "notes": notes,
        "rules": RULES,
        "relation_evidence": evidence,
        "territory_snapshots": snapshots,
        "polygons": poly_log,
        "links": link_log,
        "entry_ports": port_log,
        "crossing_ports": crossing_log,
        "baseline": baseline,
        "units": {
            "lon": "degrees WGS84",
            "lat": "degrees WGS84",
            "population": "persons (2006)",
            "youth": "persons aged 15-29 (2006)",
            "population_growth": "1/yr",
            "entry_weight": "share within coast",
            "crossing_weight": "share of all crossings",
            "baseline_rate": "homicides per 100,000 residents per year",
            "edge_km": "km (road-equivalent)",
            "initial_strength": "relative (sqrt persons)",
        },
    }
    meta["summary"] = summarise(arrays, meta)
    return arrays, meta


def summarise(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, Any]:
    """Return the headline figures printed by the script and copied into docs/DATA.md."""
    n = len(arrays["plaza_id"])
    s = arrays["initial_strength"]
    total = s.sum()
    top = np.where(s.sum(axis=0) > 0, s.argmax(axis=0), -1)
    coasts = {"pacific": COAST_PACIFIC, "gulf": COAST_GULF, "land": COAST_LAND}
    return {
        "plazas": n,
        "links": len(arrays["edge_src"]),
        "mean_degree": round(2 * len(arrays["edge_src"]) / n, 3),
        "entries_per_coast": {k: int((arrays["coast"] == v).sum()) for k, v in coasts.items()},
        "crossings": int((arrays["kind"] == 2).sum()),
        "population_2006": float(arrays["population"].sum()),
        "held_plazas": int((top >= 0).sum()),
        "cartels": {
            c: {
                "strength_share": round(float(s[i].sum() / total), 4),
                "plazas_present": int((s[i] > 0).sum()),
                "plazas_top": int((top == i).sum()),
            }
            for i, c in enumerate(meta["cartel_names"])
        },
        "baseline_homicides_per_year": round(
            float((arrays["baseline_rate"] * arrays["population"]).sum() / 1e5), 1
        ),
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Serialise arrays like ``np.savez_compressed`` but with fixed member order and dates."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(
                member, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def json_bytes(meta: dict[str, Any]) -> bytes:
    """Serialise the metadata deterministically (sorted keys, UTF-8, trailing newline)."""
    return (json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build, write both files and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"shared data directory (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"--data: no such directory: {args.data}")
    arrays, meta = build(args.data.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / NPZ_NAME).write_bytes(npz_bytes(arrays))
    (args.out / JSON_NAME).write_bytes(json_bytes(meta))
    print(json.dumps(meta["summary"], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
