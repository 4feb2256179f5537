"""``plazasim.results.query``: the views each kind of results folder offers, and exports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from plazasim.errors import PlazasimError
from plazasim.experiments.compare import compare, write_compare
from plazasim.results.query import export, folder_kind, folder_views, query
from plazasim.scenario import load_scenario, with_overrides
from plazasim.sweep.store import open_sweep_dir, write_run_file


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = with_overrides(load_scenario("synthetic-small"), until="2007-02-28")
    variants = {p: with_overrides(base, policy=p) for p in ("crackdown", "laissez_faire")}
    return write_compare(compare(variants, [1, 2]), tmp_path_factory.mktemp("q") / "cmp")


def test_a_comparison_has_its_table_and_its_runs(compare_dir: Path) -> None:
    assert folder_kind(compare_dir) == "compare"
    assert set(folder_views(compare_dir)) == {"compare", "runs"}
    runs = query(
        compare_dir,
        "SELECT policy, seed, value FROM runs "
        "WHERE metric = 'homicides_total' ORDER BY policy, seed",
    )
    table = pd.read_parquet(compare_dir / "compare.parquet")
    per_run = table[(table.row == "seed") & (table.metric == "homicides_total")]
    assert runs["value"].tolist() == per_run.sort_values(["policy", "seed"])["value"].tolist()
    assert len(runs) == 4


def _sweep(folder: Path, series: bool) -> Path:
    points = pd.DataFrame({"point_id": [0, 1], "policy": ["a", "b"]})
    open_sweep_dir(
        folder, {"spec_sha256": "x"}, {}, points, ["runs", "series"] if series else ["runs"]
    )
    for run_id in range(4):
        weekly = pd.DataFrame({"run_id": run_id, "week": [0, 1], "homicides_total": [1.0, 2.0]})
        write_run_file(
            folder,
            run_id,
            {
                "run_id": run_id,
                "point_id": run_id // 2,
                "policy": "ab"[run_id // 2],
                "homicides_total": 3.0,
            },
            weekly if series else None,
        )
    return folder


def test_a_sweep_has_runs_points_and_series(tmp_path: Path) -> None:
    folder = _sweep(tmp_path / "s", series=True)
    assert folder_kind(folder) == "sweep"
    assert set(folder_views(folder)) == {"points", "runs", "series", "national"}
    got = query(
        folder,
        "SELECT p.policy, count(*) AS n, sum(s.homicides_total) AS h FROM series s "
        "JOIN runs r USING (run_id) JOIN points p USING (point_id) "
        "GROUP BY p.policy ORDER BY p.policy",
    )
    assert got.to_dict("list") == {"policy": ["a", "b"], "n": [4, 4], "h": [6.0, 6.0]}
    assert set(folder_views(_sweep(tmp_path / "t", series=False))) == {"points", "runs"}


def test_exports_are_whole_and_never_replace_a_file(tmp_path: Path) -> None:
    folder = _sweep(tmp_path / "s", series=False)
    csv = tmp_path / "runs.csv"
    assert export(folder, "SELECT * FROM runs ORDER BY run_id", csv, "csv") == 4
    assert pd.read_csv(csv)["run_id"].tolist() == [0, 1, 2, 3]
    before = csv.read_bytes()
    with pytest.raises(PlazasimError, match="exists; give a new file name"):
        export(folder, "SELECT 1", csv, "csv")
    with pytest.raises(PlazasimError, match=r"^query: "):
        export(folder, "SELEC nonsense", tmp_path / "new.parquet", "parquet")
    assert csv.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv", "s"]


def test_a_folder_of_something_else_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlazasimError, match="is not a plazasim results folder"):
        query(tmp_path, "SELECT 1")
    (tmp_path / "manifest.json").write_text(json.dumps({"seed": 1}))
    with pytest.raises(PlazasimError, match=r"not a plazasim run directory \(missing national"):
        query(tmp_path, "SELECT 1")
