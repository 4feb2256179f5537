"""The dashboard's run store: which run folders exist under ``--runs``, and their tables.

A dashboard run is an ordinary run folder (``results/store.py`` writes it), so
``plazasim query`` and ``plazasim report`` read it like any other. Names that
come from the page are checked here: only a direct, visible sub-folder of the
runs folder that holds a run can be opened, never a path the browser made up.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plazasim.results.store import MANIFEST, TABLES, read_run
from plazasim.scenario import WorldSpec

__all__ = ["BadInputError", "LoadedRun", "RunStore", "RunSummary"]

#: A run folder name the page may ask for: what ``new_name`` makes, and what ``plazasim run`` does.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,159}")
#: Runs kept in memory: a comparison needs two and the map one; a whole Mexico run
#: (2,454 plazas x 313 weeks) takes about 50 MB.
CACHE_SIZE = 4


class BadInputError(ValueError):
    """A value from the page that the dashboard refuses; the server answers 400 with its text."""


@dataclass(frozen=True)
class RunSummary:
    """One line of the past-runs table, from a run's manifest."""

    name: str
    scenario: str
    policy: str
    seed: int | None
    start: str
    end: str
    weeks: int | None
    created: str


@dataclass(frozen=True)
class LoadedRun:
    """A run's tables, and the plaza names of its world.

    ``plaza_ids``/``plaza_names`` come from the run's world. ``cartels`` lists every cartel that
    ever appears, in the order the colours are handed out (the cartels table's);
    ``order`` the plaza ids in the order of the plaza table's first week, which is
    the order of the map's points.
    """

    name: str
    national: pd.DataFrame
    plazas: pd.DataFrame
    cartel_table: pd.DataFrame
    manifest: dict[str, Any]
    plaza_ids: np.ndarray
    plaza_names: np.ndarray
    dates: list[pd.Timestamp]
    cartels: list[str]
    order: list[str]
    plaza_set: frozenset[str]
    state_names: dict[str, str]


def _policy_label(scenario: dict[str, Any]) -> str:
    """The policy timeline in a few words: ``crackdown`` or ``laissez_faire > signaling``."""
    names = [str(entry.get("name", "?")) for entry in scenario.get("policy") or []]
    return " > ".join(names) or "none"


class RunStore:
    """The run folders under one directory, with a small cache of loaded runs."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()
        self._cache: OrderedDict[tuple[str, float], LoadedRun] = OrderedDict()
        self._lock = threading.Lock()

    def path_of(self, name: Any) -> Path:
        """The folder of run ``name``; refuse anything that is not a run directly under root."""
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise BadInputError(f"run: not a run name: {str(name)[:60]!r}")
        path = self.root / name
        if (
            path.is_symlink()
            or not all((path / f"{t}.parquet").is_file() for t in TABLES)
            or not (path / MANIFEST).is_file()
        ):
            raise BadInputError(f"run: no run named {name!r} in {self.root}")
        return path

    def new_name(self, *parts: str) -> str:
        """A fresh folder name from ``parts`` and the time, never one that exists."""
        words = [re.sub(r"[^A-Za-z0-9._-]+", "-", p).strip("-.") for p in parts if p]
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = "-".join([*[w for w in words if w][:4], stamp])[:140]
        name, n = base, 1
        while (self.root / name).exists() or (self.root / f".{name}.lock").exists():
            n += 1
            name = f"{base}-{n}"
        return name

    def summaries(self) -> list[RunSummary]:
        """Every run folder under root, newest first (unreadable manifests are left out)."""
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.iterdir():
            if path.name.startswith(".") or not _NAME_RE.fullmatch(path.name):
                continue
            try:
                manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
                scenario = manifest["scenario"]
                meta = scenario["scenario"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if not all((path / f"{t}.parquet").is_file() for t in TABLES):
                continue
            found.append(
                RunSummary(
                    name=path.name,
                    scenario=str(meta.get("name", "?")),
                    policy=_policy_label(scenario),
                    seed=manifest.get("seed"),
                    start=str(meta.get("start", "")),
                    end=str(meta.get("end", "")),
                    weeks=manifest.get("weeks"),
                    created=str(manifest.get("created", "")),
                )
            )
        return sorted(found, key=lambda s: (s.created, s.name), reverse=True)

    def load(self, name: Any) -> LoadedRun:
        """Read run ``name`` (cached; a replaced folder is read again)."""
        path = self.path_of(name)
        key = (path.name, (path / MANIFEST).stat().st_mtime)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        loaded = _load(path)
        with self._lock:
            self._cache[key] = loaded
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return loaded


def _load(path: Path) -> LoadedRun:
    """Read the tables and rebuild the run's world, which is where the coordinates live."""
    from plazasim.world import build_world

    tables = read_run(path)
    spec = WorldSpec.model_validate(tables.manifest["scenario"]["world"])
    world = build_world(spec)
    dates = sorted(pd.to_datetime(tables.national["date"]).unique())
    seen = [str(c) for c in pd.unique(tables.cartels["cartel"].astype(str))]
    first = tables.plazas["date"] == tables.plazas["date"].min()
    order = tables.plazas.loc[first, "plaza_id"].astype(str).tolist()
    return LoadedRun(
        name=path.name,
        national=tables.national,
        plazas=tables.plazas,
        cartel_table=tables.cartels,
        manifest=tables.manifest,
        plaza_ids=np.asarray(world.plaza_id).astype(str),
        plaza_names=np.asarray(world.plaza_name).astype(str),
        dates=[pd.Timestamp(d) for d in dates],
        cartels=seen,
        order=order,
        plaza_set=frozenset(order),
        state_names=dict(getattr(world, "state_names", {}) or {}),
    )
