"""Shared helpers for ``build_mexico_world.py``: paths, readers and great-circle distance.

Only the build script imports this module; the installed package never does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Mean Earth radius in km (IUGG), for the haversine distance.
EARTH_RADIUS_KM = 6371.0088

#: The first year of the model: populations and the cartel map are as of 2006.
START_YEAR = 2006


def haversine_km(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Return the great-circle distance in km between points given in degrees (broadcasts)."""
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((phi2 - phi1) / 2.0) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def read_csv(data: Path, rel: str, **kwargs: object) -> pd.DataFrame:
    """Read a CSV under the shared data directory, failing with the path if it is missing."""
    path = data / rel
    if not path.is_file():
        raise FileNotFoundError(f"input file missing: {path}")
    return pd.read_csv(path, **kwargs)  # type: ignore[call-overload]


def municipal_population(data: Path) -> pd.DataFrame:
    """Return CONAPO/Valle municipal population, one row per (cvegeo, year), 1990-2012.

    Columns: ``cvegeo`` (5-digit str), ``municipality``, ``year``, ``population`` and
    ``pop_15_29`` (persons, mid-year). Source: conapo/mun_population_1990_2012_valle.csv.
    """
    df = read_csv(
        data,
        "conapo/mun_population_1990_2012_valle.csv",
        dtype={"cvegeo": str, "municipality": str},
    )
    return df.sort_values(["cvegeo", "year"], kind="stable").reset_index(drop=True)
