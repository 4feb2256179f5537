"""The run store: atomic writes, overwrite, read back and DuckDB queries."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from plazasim.errors import PlazasimError
from plazasim.results import store
from plazasim.results.store import check_out_dir, query, read_run, write_run


def _result(scale: float = 1.0) -> SimpleNamespace:
    dates = pd.date_range("2007-01-01", periods=3, freq="7D")
    national = pd.DataFrame(
        {
            "date": dates,
            "homicides_total": np.array([10.0, 20.0, 30.0]) * scale,
            "active_cartels": np.array([4, 4, 3], dtype=np.int64),
        }
    )
    plazas = pd.DataFrame(
        {
            "date": np.repeat(dates, 2),
            "plaza_id": ["01001", "08037"] * 3,
            "controller": ["Sinaloa", ""] * 3,
            "homicides_total": np.arange(6.0) * scale,
        }
    )
    cartels = pd.DataFrame(
        {
            "date": np.repeat(dates, 2),
            "cartel": ["Sinaloa", "Juarez"] * 3,
            "members": np.array([100.0, 80.0, 101.0, 79.0, 102.0, 78.0]) * scale,
            "alive": [True] * 6,
        }
    )
    manifest = {
        "seed": 42,
        "scenario": {"name": "t"},
        "version": "0.1.0",
        "wall_time_s": np.float64(1.5),
        "notes": ("a", "b"),
    }
    return SimpleNamespace(national=national, plazas=plazas, cartels=cartels, manifest=manifest)


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_write_and_read_back(tmp_path: Path) -> None:
    res = _result()
    out = write_run(res, tmp_path / "run")
    assert out == (tmp_path / "run").absolute()
    assert sorted(p.name for p in out.iterdir()) == [
        "cartels.parquet",
        "manifest.json",
        "national.parquet",
        "plazas.parquet",
    ]
    back = read_run(out)
    for name in ("national", "plazas", "cartels"):
        assert_frame_equal(getattr(back, name), getattr(res, name))
    assert back.manifest == {
        "seed": 42,
        "scenario": {"name": "t"},
        "version": "0.1.0",
        "wall_time_s": 1.5,
        "notes": ["a", "b"],
    }
    text = (out / "manifest.json").read_text()
    assert text.startswith('{\n  "notes"')  # indent 2, keys sorted
    assert _leftovers(tmp_path) == []


def test_parquet_is_zstd(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = write_run(_result(), tmp_path / "run")
    meta = pq.ParquetFile(out / "national.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_creates_missing_parents(tmp_path: Path) -> None:
    out = write_run(_result(), tmp_path / "a" / "b" / "run")
    assert (out / "manifest.json").is_file()


def test_overwrite_replaces_previous_run(tmp_path: Path) -> None:
    target = tmp_path / "run"
    write_run(_result(1.0), target)
    (target / "stale.txt").write_text("from the old run")
    write_run(_result(2.0), target)
    back = read_run(target)
    assert back.national["homicides_total"].tolist() == [20.0, 40.0, 60.0]
    assert not (target / "stale.txt").exists()
    assert _leftovers(tmp_path) == []


def test_failure_mid_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = pd.DataFrame.to_parquet

    def flaky(self: pd.DataFrame, path: Path, *args: object, **kwargs: object) -> None:
        calls.append(Path(path).name)
        if len(calls) == 2:  # the first table is already on disk
            raise RuntimeError("disk on fire")
        real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_run(_result(), tmp_path / "deep" / "run")
    assert calls == ["national.parquet", "plazas.parquet"]
    assert list(tmp_path.iterdir()) == []  # no run, no temp dir, no created parent


def test_failure_keeps_previous_run_intact(tmp_path: Path) -> None:
    target = tmp_path / "run"
    write_run(_result(1.0), target)
    bad = _result(3.0)
    bad.manifest["oops"] = object()  # not JSON-serialisable: fails after the tables
    with pytest.raises(TypeError, match="manifest: object is not JSON serialisable"):
        write_run(bad, target)
    assert read_run(target).national["homicides_total"].tolist() == [10.0, 20.0, 30.0]
    assert _leftovers(tmp_path) == []


def test_failure_during_swap_restores_previous_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run"
    write_run(_result(1.0), target)
    real_rename = Path.rename

    def rename(self: Path, dest: Path) -> Path:
        if self.name.startswith(".run.tmp-"):
            raise OSError(28, "No space left on device")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(PlazasimError, match=r"^out: could not write .*: No space left on device$"):
        write_run(_result(2.0), target)
    monkeypatch.undo()
    assert read_run(target).national["homicides_total"].tolist() == [10.0, 20.0, 30.0]
    assert _leftovers(tmp_path) == []


def test_refuses_to_replace_a_non_run_directory(tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    with pytest.raises(PlazasimError, match="is not a plazasim run directory"):
        write_run(_result(), precious)
    assert (precious / "chapter1.tex").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    check_out_dir(empty)  # an empty directory is fine
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(PlazasimError, match="exists and is not a directory"):
        check_out_dir(afile)


def test_rejects_results_without_frames(tmp_path: Path) -> None:
    res = _result()
    res.plazas = [1, 2, 3]
    with pytest.raises(TypeError, match=r"result\.plazas must be a pandas DataFrame"):
        write_run(res, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_query_uses_views_over_the_tables(tmp_path: Path) -> None:
    out = write_run(_result(), tmp_path / "run")
    got = query(out, "SELECT sum(homicides_total) AS h, count(*) AS n FROM national")
    assert got.to_dict("records") == [{"h": 60.0, "n": 3}]
    joined = query(
        out,
        "SELECT p.controller, sum(p.homicides_total) AS h FROM plazas p "
        "JOIN cartels c ON c.cartel = p.controller AND c.date = p.date "
        "GROUP BY 1 ORDER BY 1",
    )
    assert joined.to_dict("records") == [{"controller": "Sinaloa", "h": 6.0}]


def test_query_errors_are_one_line(tmp_path: Path) -> None:
    out = write_run(_result(), tmp_path / "run")
    with pytest.raises(PlazasimError) as info:
        query(out, "SELECT nope FROM national")
    assert str(info.value).startswith("query: ")
    assert "\n" not in str(info.value)


def test_read_and_query_need_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(PlazasimError, match="is not a plazasim run directory"):
        read_run(tmp_path / "missing")
    with pytest.raises(PlazasimError, match=r"missing .*manifest\.json"):
        query(tmp_path, "SELECT 1")


def test_manifest_is_plain_json(tmp_path: Path) -> None:
    out = write_run(_result(), tmp_path / "run")
    assert json.loads((out / store.MANIFEST).read_text())["seed"] == 42
