"""Worlds: the plaza graph and the initial cartel map (Mexico or synthetic)."""

from __future__ import annotations

from typing import Protocol

from plazasim.world.synthetic import synthetic_world
from plazasim.world.world import World


class _WorldSpec(Protocol):
    """What :func:`build_world` reads of a scenario's ``[world]`` table."""

    @property
    def kind(self) -> str: ...
    @property
    def plazas(self) -> int | None: ...
    @property
    def seed(self) -> int: ...
    @property
    def cartels(self) -> int: ...


def build_world(spec: _WorldSpec) -> World:
    """Build the world a scenario's ``[world]`` table asks for."""
    if spec.kind == "mexico":
        from plazasim.world.mexico import load_mexico

        return load_mexico()
    if spec.kind == "synthetic":
        return synthetic_world(spec.plazas or 500, seed=spec.seed, n_cartels=spec.cartels)
    raise ValueError(f"world.kind: unknown world kind {spec.kind!r}")


__all__ = ["World", "build_world", "synthetic_world"]
