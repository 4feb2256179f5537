"""Outlines of the Mexico world's plazas and states, for maps (shipped with the package).

``data/mexico_map.json.gz`` is produced by ``scripts/build_map_geometry.py`` from
``shared/data/geo`` (diegovalle/new.crimenmexico, MIT): one GeoJSON polygon per plaza
(the 2,454 municipalities of 2007, feature ``id`` = ``cvegeo``) and one per state
(``id`` = 2-digit code, ``properties.name``), simplified to about 1 km. Coordinates are
degrees (WGS84). Only maps read this file; the simulation never does.
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

MAP_NAME = "mexico_map.json.gz"

__all__ = ["MAP_NAME", "mexico_municipalities", "mexico_states", "state_border_lines"]


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    raw = (files("plazasim.world") / "data" / MAP_NAME).read_bytes()
    doc: dict[str, Any] = json.loads(gzip.decompress(raw).decode("utf-8"))
    return doc


def mexico_municipalities() -> dict[str, Any]:
    """Return the municipal outlines as a GeoJSON FeatureCollection (a fresh copy)."""
    return copy.deepcopy(_document()["municipalities"])


def mexico_states() -> dict[str, Any]:
    """Return the state outlines as a GeoJSON FeatureCollection (a fresh copy)."""
    return copy.deepcopy(_document()["states"])


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Exterior and interior rings of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def state_border_lines() -> tuple[list[float | None], list[float | None]]:
    """Return the state outlines as one polyline (lon, lat lists, ``None`` between rings).

    One trace draws all 32 borders; degrees, WGS84.
    """
    lon: list[float | None] = []
    lat: list[float | None] = []
    for feature in _document()["states"]["features"]:
        for ring in _rings(feature["geometry"]):
            lon.extend(p[0] for p in ring)
            lat.extend(p[1] for p in ring)
            lon.append(None)
            lat.append(None)
    return lon, lat
