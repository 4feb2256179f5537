"""Tests of the shipped Mexico world (src/plazasim/world/data) and of its build script."""

from __future__ import annotations

import builtins
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from plazasim.world import mexico
from plazasim.world.mexico import load_mexico, observed_monthly
from plazasim.world.world import (
    ALLIED,
    COAST_GULF,
    COAST_LAND,
    COAST_PACIFIC,
    KIND_CROSSING,
    KIND_ENTRY,
    NEUTRAL,
    RIVAL,
    World,
)

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_mexico_world.py"
SHARED_DATA = REPO.parent / "shared" / "data"
FEDERATION = ("Sinaloa", "Juarez", "Milenio", "Beltran Leyva")


@pytest.fixture(scope="module")
def world() -> World:
    return load_mexico()


def idx(world: World, code: str) -> int:
    return world.plaza_index(code)


def test_plazas(world: World) -> None:
    assert world.name == "mexico"
    assert world.n_plazas == 2454
    ids = world.plaza_id.tolist()
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(len(i) == 5 and i.isdigit() for i in ids)
    assert np.all(world.state == np.array([i[:2] for i in ids]))
    assert len(world.state_names) == 32 and world.state_names["08"] == "Chihuahua"
    assert world.plaza_name[idx(world, "08037")] == "Juárez"
    # CONAPO 2006 national population (conapo/mun_population_1990_2012_valle.csv).
    assert abs(world.population.sum() - 106_736_005) / 106_736_005 < 0.01
    assert np.all(world.youth > 0) and np.all(world.youth < world.population)
    assert world.population_growth is not None
    assert np.all(np.abs(world.population_growth) < 0.2)
    # Mexico's population grew about 1.2%/yr in 2006-2012.
    growth = (
        np.log(
            np.sum(world.population * np.exp(6 * world.population_growth)) / world.population.sum()
        )
        / 6
    )
    assert 0.008 < growth < 0.016
    # Seats lie inside Mexico's bounding box.
    assert np.all((world.lon > -118) & (world.lon < -86))
    assert np.all((world.lat > 14) & (world.lat < 33))


def test_links(world: World) -> None:
    src, dst = world.edge_src, world.edge_dst
    assert np.all(src < dst)
    order = np.lexsort((dst, src))
    assert np.array_equal(order, np.arange(len(src)))
    assert len({(a, b) for a, b in zip(src.tolist(), dst.tolist(), strict=True)}) == len(src)
    n_comp, _ = connected_components(world.adjacency(), directed=False)
    assert n_comp == 1
    degree = np.bincount(np.concatenate([src, dst]), minlength=world.n_plazas)
    assert degree.min() >= 1
    assert 4.0 <= degree.mean() <= 8.0
    assert np.all(world.edge_km >= 1.0)
    # Juárez and Guadalupe D.B. are neighbours along the Rio Bravo.
    juarez, guadalupe = idx(world, "08037"), idx(world, "08028")
    assert world.adjacency()[juarez, guadalupe] == 1.0


def test_crossings(world: World) -> None:
    for code in ("08037", "28027", "02004", "28022"):
        assert world.kind[idx(world, code)] == KIND_CROSSING, code
    cross = world.kind == KIND_CROSSING
    assert cross.sum() == 22
    assert world.crossing_weight.sum() == pytest.approx(1.0)
    assert np.all(world.crossing_weight[~cross] == 0)
    assert np.all(world.crossing_weight[cross] > 0)
    # BTS 2004-2006: Tijuana, Juárez, Mexicali and Nuevo Laredo carry the largest volumes.
    top4 = world.plaza_id[np.argsort(-world.crossing_weight)[:4]].tolist()
    assert top4 == ["02004", "08037", "02002", "28027"]
    assert np.all(world.coast[cross] == 0)


def test_entries(world: World) -> None:
    for code in ("06007", "16052"):
        assert world.kind[idx(world, code)] == KIND_ENTRY
        assert world.coast[idx(world, code)] == COAST_PACIFIC
    for code in ("30193", "28038"):  # Veracruz, Tampico
        assert world.coast[idx(world, code)] == COAST_GULF
    suchiate = idx(world, "07087")
    assert world.kind[suchiate] == KIND_ENTRY and world.coast[suchiate] == COAST_LAND
    land = world.coast == COAST_LAND
    assert set(world.plaza_id[land].tolist()) == {"07087", "07034", "27017", "23004"}
    assert world.entry_weight[suchiate] == pytest.approx(0.4)
    entry = world.kind == KIND_ENTRY
    assert np.array_equal(entry, world.coast > 0)
    for coast in (COAST_PACIFIC, COAST_GULF, COAST_LAND):
        assert world.entry_weight[world.coast == coast].sum() == pytest.approx(1.0)
    assert np.all(world.entry_weight[~entry] == 0)


def test_relations(world: World) -> None:
    rel = world.initial_relation
    assert rel.dtype == np.int8
    assert np.array_equal(rel, rel.T)
    assert np.all(np.diag(rel) == ALLIED)
    c = world.cartel_index

    def r(a: str, b: str) -> int:
        return int(rel[c(a), c(b)])

    for i, a in enumerate(FEDERATION):
        for b in FEDERATION[i + 1 :]:
            assert r(a, b) == ALLIED, (a, b)
        assert r(a, "Gulf") == RIVAL and r(a, "Zetas") == RIVAL
        assert r(a, "Tijuana") == RIVAL
    assert r("Gulf", "Zetas") == ALLIED
    assert r("Gulf", "Tijuana") == ALLIED
    assert r("La Familia Michoacana", "Zetas") == RIVAL
    assert r("La Familia Michoacana", "Gulf") == RIVAL
    assert r("Diaz Parada", "Gulf") == NEUTRAL
    assert (rel == ALLIED).sum() == 9 + 2 * 8
    assert (rel == RIVAL).sum() == 2 * 14


def test_cartels_and_territory(world: World) -> None:
    assert world.cartel_names == (
        "Sinaloa",
        "Beltran Leyva",
        "Juarez",
        "Tijuana",
        "Gulf",
        "Zetas",
        "La Familia Michoacana",
        "Milenio",
        "Diaz Parada",
    )  # PGR's Colima (Amezcua) organisation has no territory in any snapshot: left out
    s = world.initial_strength
    assert s.shape == (9, world.n_plazas)
    assert (s.sum(axis=1) > 0).all()  # every cartel of the world has members

    def top(code: str) -> str:
        return world.cartel_names[int(np.argmax(s[:, idx(world, code)]))]

    assert top("25006") == "Sinaloa"
    assert top("08037") == "Juarez"
    assert top("28022") == "Gulf"
    assert top("02004") == "Tijuana"
    assert top("16006") == "La Familia Michoacana"
    chiapas = world.state == "07"
    assert chiapas.sum() > 100 and np.all(s[:, chiapas] == 0)
    assert np.all(s[:, world.state == "22"] == 0)
    # Small non-strategic municipalities are unheld.
    small = (world.population < 5000) & (world.kind == 0)
    assert np.all(s[:, small] == 0)
    # Culiacán: sqrt(population), undisputed state (Sinaloa row 2006: disputed = no).
    cul = idx(world, "25006")
    assert s[:, cul].sum() == pytest.approx(np.sqrt(world.population[cul]))
    # Matamoros is a crossing in a disputed state: owner 3 sqrt(pop), others 0.3 of that.
    mat = idx(world, "28022")
    base = 3 * np.sqrt(world.population[mat])
    assert s[c := world.cartel_index("Gulf"), mat] == pytest.approx(base)
    assert s[world.cartel_index("Zetas"), mat] == pytest.approx(0.3 * base)
    assert s[c, mat] > 0
    # Baja California Sur is given to Tijuana by hand (Policía Federal 2011).
    bcs = (world.state == "03") & (s.sum(axis=0) > 0)
    assert bcs.any() and np.all(np.argmax(s[:, bcs], axis=0) == world.cartel_index("Tijuana"))


def test_baseline_rate(world: World) -> None:
    assert np.all(world.baseline_rate > 0)
    national = float((world.baseline_rate * world.population).sum() / 1e5)
    assert national == pytest.approx(10_000, abs=1_500)
    # Juárez 2000-2006: about 236 homicides a year over ~1.25 M residents (~19/100k).
    assert 12 < world.baseline_rate[idx(world, "08037")] < 25


def test_observed(world: World) -> None:
    obs = world.observed
    assert obs["inegi_homicides_registration"][2006] == 10_452
    assert obs["inegi_homicides_occurrence"][2010] == 26_046
    assert obs["presidencia_org_crime_deaths"] == {2007: 2826, 2008: 6837, 2009: 9614, 2010: 15273}
    assert obs["presidencia_org_crime_deaths_dec2006"] == {2006: 62}
    assert obs["juarez_homicides_occurrence"] == {2007: 200, 2008: 1620, 2009: 2399, 2010: 3747}
    assert all(isinstance(y, int) for ser in obs.values() for y in ser)
    monthly = observed_monthly()["national_month_homicides"]
    assert len(monthly) == 49
    months = list(monthly)
    assert months[0] == "2006-12" and months[-1] == "2010-12" and months == sorted(months)
    year_2010 = sum(v for k, v in monthly.items() if k.startswith("2010"))
    assert year_2010 == pytest.approx(obs["inegi_homicides_occurrence"][2010], rel=0.01)
    monthly["2006-12"] = -1.0
    assert observed_monthly()["national_month_homicides"]["2006-12"] > 0
    assert len(world.notes) >= 12 and any("dto_events.csv" in n for n in world.notes)


def test_load_is_cached_and_read_only(world: World) -> None:
    assert load_mexico() is world
    for name in ("plaza_id", "population", "initial_strength", "edge_src", "initial_relation"):
        arr = getattr(world, name)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError):
            arr[0] = arr[0]


def test_load_reads_only_package_data(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = builtins.open

    def guarded(file: object, *args: object, **kwargs: object) -> object:
        if "shared" in str(file):
            raise AssertionError(f"load_mexico opened {file}")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    for fn in (mexico.load_mexico, mexico._arrays, mexico._metadata):
        fn.cache_clear()
    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    try:
        fresh = load_mexico()
    finally:
        for fn in (mexico.load_mexico, mexico._arrays, mexico._metadata):
            fn.cache_clear()
    assert fresh.n_plazas == 2454


def _run_build(out: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(SHARED_DATA), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )


def test_build_is_deterministic_and_matches_shipped(tmp_path: Path) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"raw data not available at {SHARED_DATA}")
    if importlib.util.find_spec("shapely") is None:
        pytest.skip("shapely (extra build-data) not installed")
    a, b = tmp_path / "a", tmp_path / "b"
    _run_build(a)
    _run_build(b)
    for name in (mexico.NPZ_NAME, mexico.JSON_NAME):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    shipped = REPO / "src" / "plazasim" / "world" / "data"
    with np.load(a / mexico.NPZ_NAME) as new, np.load(shipped / mexico.NPZ_NAME) as old:
        assert sorted(new.files) == sorted(old.files)
        for key in new.files:
            assert new[key].dtype == old[key].dtype and new[key].shape == old[key].shape, key
            # Another numpy or pandas may round the last bit of a sum differently (seen:
            # 3e-14 km in 5 of 7,555 edges): that is not a stale world, a changed input is.
            exact = not np.issubdtype(new[key].dtype, np.floating)
            same = (
                np.array_equal(new[key], old[key])
                if exact
                else np.allclose(new[key], old[key], rtol=1e-12, atol=1e-12)
            )
            assert same, f"shipped {key} is stale: run make data"
    new_meta = json.loads((a / mexico.JSON_NAME).read_text(encoding="utf-8"))
    old_meta = json.loads((shipped / mexico.JSON_NAME).read_text(encoding="utf-8"))
    assert new_meta == old_meta, "shipped mexico_world.json is stale: run make data"


def test_baseline_age(world: World) -> None:
    # The 2000-2006 mean describes mid-2003; the world starts on 1 December 2006.
    assert abs(world.baseline_age_years - 3.415) < 0.01
