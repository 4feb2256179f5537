"""The default Mexico world, loaded from the processed data shipped inside the package.

The files ``data/mexico_world.npz`` and ``data/mexico_world.json`` are produced by
``scripts/build_mexico_world.py`` from the public data in ``shared/data`` (see
docs/DATA.md for every processing rule). This module only reads the two shipped
files, so ``plazasim run`` needs nothing outside the installed package.
"""

from __future__ import annotations

import copy
import io
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from plazasim.world.world import World

NPZ_NAME = "mexico_world.npz"
JSON_NAME = "mexico_world.json"

#: Array fields of :class:`World` stored in the ``.npz`` file.
ARRAY_FIELDS = (
    "plaza_id",
    "plaza_name",
    "state",
    "lon",
    "lat",
    "population",
    "youth",
    "kind",
    "coast",
    "entry_weight",
    "crossing_weight",
    "baseline_rate",
    "edge_src",
    "edge_dst",
    "edge_km",
    "initial_strength",
    "initial_relation",
    "population_growth",
)


def _read_bytes(name: str) -> bytes:
    """Return the bytes of a shipped data file (works from a wheel, zip or source tree)."""
    return (files("plazasim.world") / "data" / name).read_bytes()


@lru_cache(maxsize=1)
def _metadata() -> dict[str, Any]:
    """Return the parsed ``mexico_world.json`` (cached; callers must not mutate it)."""
    meta: dict[str, Any] = json.loads(_read_bytes(JSON_NAME).decode("utf-8"))
    return meta


@lru_cache(maxsize=1)
def _arrays() -> dict[str, np.ndarray]:
    """Return the arrays of ``mexico_world.npz``, each made read-only."""
    out: dict[str, np.ndarray] = {}
    with np.load(io.BytesIO(_read_bytes(NPZ_NAME)), allow_pickle=False) as npz:
        missing = set(ARRAY_FIELDS) - set(npz.files)
        if missing:
            raise ValueError(f"{NPZ_NAME}: missing arrays {sorted(missing)}")
        for name in ARRAY_FIELDS:
            arr = np.array(npz[name])  # own the memory, then freeze it
            arr.setflags(write=False)
            out[name] = arr
    return out


#: The world's start as a decimal year: 1 December 2006.
START_YEAR = 2006.0 + 334.0 / 365.0


def _baseline_age(baseline: dict[str, float]) -> float:
    """Years from the middle of the baseline's years (whole years, inclusive) to the start."""
    middle = (baseline["first_year"] + baseline["last_year"] + 1.0) / 2.0
    return START_YEAR - middle


@lru_cache(maxsize=1)
def load_mexico() -> World:
    """Return the Mexico world at 1 December 2006 (cached; arrays are read-only).

    Plazas are the 2,454 municipalities of 2007; populations are CONAPO 2006 (persons);
    ``baseline_rate`` is homicides per 100,000 per year (INEGI 2000-2006, shrunk toward the
    state rate); ``initial_strength`` is in relative units that the model rescales to a
    national total of members.
    """
    arr = _arrays()
    meta = _metadata()
    relation = np.array(meta["initial_relation"], dtype=np.int8)
    if not np.array_equal(relation, arr["initial_relation"]):
        raise ValueError(f"{NPZ_NAME} and {JSON_NAME} disagree on initial_relation")
    observed = {
        series: {int(year): float(v) for year, v in values.items()}
        for series, values in meta["observed"].items()
    }
    return World(
        name=str(meta["name"]),
        plaza_id=arr["plaza_id"],
        plaza_name=arr["plaza_name"],
        state=arr["state"],
        lon=arr["lon"],
        lat=arr["lat"],
        population=arr["population"],
        youth=arr["youth"],
        kind=arr["kind"],
        coast=arr["coast"],
        entry_weight=arr["entry_weight"],
        crossing_weight=arr["crossing_weight"],
        baseline_rate=arr["baseline_rate"],
        edge_src=arr["edge_src"],
        edge_dst=arr["edge_dst"],
        edge_km=arr["edge_km"],
        cartel_names=tuple(meta["cartel_names"]),
        initial_strength=arr["initial_strength"],
        initial_relation=arr["initial_relation"],
        population_growth=arr["population_growth"],
        baseline_age_years=_baseline_age(meta["baseline"]),
        state_names=dict(meta["state_names"]),
        observed=observed,
        notes=tuple(meta["notes"]),
    )


def observed_monthly() -> dict[str, dict[str, float]]:
    """Return monthly observed series ``{series: {"YYYY-MM": value}}`` (a fresh copy).

    Currently ``national_month_homicides``: INEGI homicides by occurrence month
    (Gargiulo microdata), December 2006 to December 2010, persons per month.
    """
    return {
        series: {month: float(v) for month, v in values.items()}
        for series, values in _metadata()["observed_monthly"].items()
    }


def metadata() -> dict[str, Any]:
    """Return a deep copy of the full JSON metadata (rules, snapshots, port mapping, summary)."""
    return copy.deepcopy(_metadata())
