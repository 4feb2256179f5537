"""Sobol' and Morris indices recover a known response; unfit sweeps are refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from plazasim.errors import PlazasimError
from plazasim.sweep.design import make_design
from plazasim.sweep.sensitivity import write_sensitivity
from plazasim.sweep.spec import parse_spec
from plazasim.sweep.store import open_sweep_dir, write_run_file


def _spec(design: str, samples: int):  # -> SweepSpec
    return parse_spec(f"""
[sweep]
scenario = "synthetic-small"
design = "{design}"
samples = {samples}
replications = 2
seed = 3
outputs = ["homicides_total", "cocaine_delivered_t"]
[parameters]
lethality = {{ low = 0.01, high = 0.05 }}
heat_decay = {{ low = 0.1, high = 0.9 }}
""")


def _fake_sweep(folder: Path, design: str, samples: int, skip: int = 0) -> Path:
    """A sweep folder whose outputs are known functions of the factors (no simulation).

    homicides_total = 1000 x lethality (heat_decay has no effect), with replicate
    noise of +1 / -1 that the replicate mean cancels; cocaine_delivered_t = 7.
    """
    spec = _spec(design, samples)
    points = make_design(spec).points
    open_sweep_dir(
        folder, {"spec_sha256": spec.digest()}, {"spec": spec.to_dict()}, points, ["runs"]
    )
    for point in points.itertuples(index=False):
        for rep in range(2):
            run_id = point.point_id * 2 + rep
            if run_id < skip:
                continue
            write_run_file(
                folder,
                run_id,
                {
                    "run_id": run_id,
                    "point_id": point.point_id,
                    "replicate": rep,
                    "seed": 0,
                    "lethality": point.lethality,
                    "heat_decay": point.heat_decay,
                    "homicides_total": 1000 * point.lethality + (1 if rep == 0 else -1),
                    "cocaine_delivered_t": 7.0,
                },
            )
    return folder


def test_sobol_finds_the_only_influential_factor(tmp_path: Path) -> None:
    table, path = write_sensitivity(_fake_sweep(tmp_path, "sobol", 32))
    assert list(table.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    h = table[table.output == "homicides_total"].set_index("parameter")
    assert h.loc["lethality", "S1"] == pytest.approx(1.0, abs=0.1)
    assert h.loc["lethality", "ST"] == pytest.approx(1.0, abs=0.1)
    assert abs(h.loc["heat_decay", "S1"]) < 0.01 and abs(h.loc["heat_decay", "ST"]) < 0.01
    assert (h["S1_conf"] >= 0).all()
    constant = table[table.output == "cocaine_delivered_t"]
    assert (constant[["S1", "ST"]].fillna(0) == 0).all().all()  # nothing to share out
    pd.testing.assert_frame_equal(pd.read_parquet(path), table)
    assert (tmp_path / "sensitivity.png").stat().st_size > 10_000
    assert [p.name for p in tmp_path.glob(".*")] == []


def test_morris_effects_are_in_output_units_over_the_range(tmp_path: Path) -> None:
    table, _ = write_sensitivity(_fake_sweep(tmp_path, "morris", 10))
    assert list(table.columns) == ["output", "parameter", "mu_star", "mu_star_conf", "sigma"]
    h = table[table.output == "homicides_total"].set_index("parameter")
    # 1000 persons per unit of lethality x its range of 0.04 = 40 persons, the same everywhere
    assert h.loc["lethality", "mu_star"] == pytest.approx(40.0)
    assert h.loc["lethality", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert h.loc["heat_decay", "mu_star"] == pytest.approx(0.0, abs=1e-9)


def test_unsuitable_or_unfinished_sweeps_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PlazasimError, match=r"needs a sweep with design \"sobol\" or \"morris\""):
        write_sensitivity(_fake_sweep(tmp_path / "lhs", "lhs", 8))
    with pytest.raises(PlazasimError, match=r"has 57 of 60 runs; run the same plazasim sweep"):
        write_sensitivity(_fake_sweep(tmp_path / "part", "morris", 10, skip=3))
    with pytest.raises(PlazasimError, match="is not a sweep folder"):
        write_sensitivity(tmp_path)
