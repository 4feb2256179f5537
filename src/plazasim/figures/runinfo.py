"""What a figure needs to know about a run beyond its tables: its world and its title.

The world is rebuilt from the manifest's ``scenario.world`` table (the Mexico world is
read from the package; a synthetic one is regenerated from its seed), so plaza names,
positions and links need not be stored with every run.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from plazasim.world import World, build_world

__all__ = ["run_title", "run_world"]


def run_world(manifest: dict[str, Any]) -> World | None:
    """Return the world a run was simulated on, or None if the manifest does not say."""
    spec = manifest.get("scenario", {}).get("world")
    if not isinstance(spec, dict) or "kind" not in spec:
        return None
    try:
        return build_world(
            SimpleNamespace(
                kind=spec["kind"],
                plazas=spec.get("plazas"),
                seed=int(spec.get("seed", 0)),
                cartels=int(spec.get("cartels", 6)),
            )
        )
    except (ValueError, TypeError):
        return None


def run_title(manifest: dict[str, Any]) -> str:
    """``mexico-2006, seed 42, policy signaling, 2006-12-01 to 2012-12-31`` (what ran)."""
    sc = manifest.get("scenario", {}).get("scenario", {})
    parts = [str(sc.get("name", "run")), f"seed {manifest.get('seed', sc.get('seed', '?'))}"]
    args = (manifest.get("invocation") or {}).get("args") or {}
    if args.get("policy"):
        parts.append(f"policy {args['policy']}")
    draw = (manifest.get("posterior") or {}).get("draw")
    if draw is not None:
        parts.append(f"posterior draw {draw}")
    if sc.get("start") and sc.get("end"):
        parts.append(f"{sc['start']} to {sc['end']}")
    return ", ".join(parts)
