"""Build the shipped map outlines (``mexico_map.json.gz``) from ``shared/data/geo``.

Usage::

    .venv/bin/python scripts/build_map_geometry.py [--data DIR] [--out DIR]

Writes ``mexico_map.json.gz`` into ``src/plazasim/world/data`` by default: one polygon
per plaza of the Mexico world (the 2,454 municipalities of 2007) and one per state,
for the maps of ``plazasim report`` and the run figures, so that they draw without
``shared/data``. Rules:

1. Source: ``geo/mx_municipalities_simplified.geojson`` and
   ``geo/mx_states_simplified.geojson`` (diegovalle/new.crimenmexico, MIT; see
   shared/data/PROVENANCE.md).
2. Municipalities created after 2007 are merged into their 2007 parent, as the world
   builder does (``_mexico_geo.POLYGON_PARENT_2007``), so there is exactly one outline
   per plaza.
3. Each outline is simplified further (Douglas-Peucker, ``TOLERANCE_DEG``, topology
   preserved) and its coordinates snapped to ``PRECISION_DEG``: about 1 km, invisible
   at the national scale, and it keeps the report under its size budget.

Needs shapely (extra ``build-data``). The same input gives byte-identical output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mexico_geo import POLYGON_PARENT_2007

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "plazasim" / "world" / "data"
OUT_NAME = "mexico_map.json.gz"
MUNICIPALITIES = "geo/mx_municipalities_simplified.geojson"
STATES = "geo/mx_states_simplified.geojson"

#: Douglas-Peucker tolerance, degrees (0.01° is about 1.1 km at Mexico's latitudes).
TOLERANCE_DEG = 0.01
#: Coordinates are snapped to this grid, degrees (about 110 m).
PRECISION_DEG = 0.001


def _compact(geom: shapely.Geometry) -> dict[str, Any]:
    """Simplify and snap one outline; return its GeoJSON geometry."""
    simple = shapely.set_precision(
        geom.simplify(TOLERANCE_DEG, preserve_topology=True), PRECISION_DEG
    )
    if simple.is_empty:  # too small to survive: keep the source outline, snapped
        simple = shapely.set_precision(geom, PRECISION_DEG)
    out: dict[str, Any] = json.loads(json.dumps(mapping(simple)))
    return out


def _round(obj: Any) -> Any:
    """Round every coordinate to 3 decimals so the JSON has no float noise."""
    if isinstance(obj, list | tuple):
        return [_round(v) for v in obj]
    return round(float(obj), 3)


def build_map(data: Path) -> dict[str, Any]:
    """Return the map document: municipality and state outlines, ids as feature ``id``."""
    with (data / MUNICIPALITIES).open(encoding="utf-8") as fh:
        munis = json.load(fh)["features"]
    with (data / STATES).open(encoding="utf-8") as fh:
        states = json.load(fh)["features"]
    parts: dict[str, list[shapely.Geometry]] = {}
    for feat in sorted(munis, key=lambda f: str(f["properties"]["cvegeo"])):
        code = str(feat["properties"]["cvegeo"])
        parts.setdefault(POLYGON_PARENT_2007.get(code, code), []).append(shape(feat["geometry"]))
    features = []
    for code in sorted(parts):
        geom = parts[code][0] if len(parts[code]) == 1 else shapely.unary_union(parts[code])
        g = _compact(geom)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {},
                "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])},
            }
        )
    state_features = []
    for feat in sorted(states, key=lambda f: str(f["properties"]["cve_ent"])):
        g = _compact(shape(feat["geometry"]))
        state_features.append(
            {
                "type": "Feature",
                "id": str(feat["properties"]["cve_ent"]),
                "properties": {"name": str(feat["properties"]["name"])},
                "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])},
            }
        )
    return {
        "source": "shared/data/geo (diegovalle/new.crimenmexico, MIT), municipalities of 2007 "
        f"(post-2007 ones merged into their parent), simplified {TOLERANCE_DEG} deg",
        "tolerance_deg": TOLERANCE_DEG,
        "municipalities": {"type": "FeatureCollection", "features": features},
        "states": {"type": "FeatureCollection", "features": state_features},
    }


def map_bytes(doc: dict[str, Any]) -> bytes:
    """Serialise the map document as compact, gzipped JSON (no timestamp: reproducible)."""
    text = json.dumps(doc, separators=(",", ":"), sort_keys=True)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build, write the file and print what it holds."""
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
    doc = build_map(args.data.resolve())
    blob = map_bytes(doc)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / OUT_NAME).write_bytes(blob)
    print(
        f"{args.out / OUT_NAME}: {len(doc['municipalities']['features'])} municipalities, "
        f"{len(doc['states']['features'])} states, {len(blob)} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
