"""Tests of the bundled Mexico scenarios and their generator (scripts/build_mexico_timeline.py)."""

from __future__ import annotations

import importlib.util
import tomllib
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from plazasim.scenario import check_against_world, load_scenario
from plazasim.world.mexico import load_mexico

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_mexico_timeline.py"
SCENARIOS = REPO / "src" / "plazasim" / "scenarios"
SHARED_DATA = REPO.parent / "shared" / "data"
NAMES = ("mexico-2006", "mexico-2006-deal")

#: Events per kind in the shipped mexico-2006.toml (docs/DATA.md, "Historical timeline").
EXPECTED_KINDS = {
    "us_signal": 1,
    "military_operation": 12,
    "rivalry": 8,
    "defection": 2,
    "alliance": 9,
    "split": 6,
    "absorb": 2,
    "incursion": 3,
    "kingpin_capture": 15,
    "kingpin_killed": 4,
    "supply_shock": 1,
    "arms_flow": 1,
    "capacity": 1,
}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_mexico_timeline", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shipped(name: str) -> dict[str, Any]:
    return tomllib.loads((SCENARIOS / f"{name}.toml").read_text(encoding="utf-8"))


def test_generator_reproduces_shipped_files(tmp_path: Path) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"raw data not available at {SHARED_DATA}")
    script = _script()
    script.generate(SHARED_DATA, tmp_path / "a")
    script.generate(SHARED_DATA, tmp_path / "b")
    for name in NAMES:
        new = (tmp_path / "a" / f"{name}.toml").read_bytes()
        assert new == (tmp_path / "b" / f"{name}.toml").read_bytes(), name
        shipped = (SCENARIOS / f"{name}.toml").read_bytes()
        assert new == shipped, f"shipped {name}.toml is stale: run make data"


def test_event_counts_and_notes() -> None:
    events = _shipped("mexico-2006")["events"]
    assert Counter(e["kind"] for e in events) == EXPECTED_KINDS
    generated = [e for e in events if e["kind"] != "us_signal"]
    sources = (
        "dto_events.csv: ",
        "kingpin_events_2007_2012.csv: ",
        "military_operations_valle.csv: ",
    )
    for event in generated:
        assert event["note"], event
        if event["kind"] in ("supply_shock", "arms_flow", "capacity"):
            continue
        assert event["note"].startswith(sources), event
    dates = [e["date"] for e in generated]
    assert dates == sorted(dates)
    ops = {e["name"]: e for e in events if e["kind"] == "military_operation"}
    # Every joint operation is a crackdown on the organisations in its region (rule T7).
    assert {e.get("aim") for e in ops.values()} == {"crackdown"}
    juarez = ops["5,000 reinforcements sent to Ciudad Juarez"]
    assert juarez["plazas"] == ["08037"] and "states" not in juarez
    assert juarez["ops_per_week"] > 0
    splits = {e["new"]: e["cartel"] for e in events if e["kind"] == "split"}
    assert splits == {
        "Tijuana (Garcia Simental faction)": "Tijuana",
        "Beltran Leyva (La Barbie faction)": "Beltran Leyva",
        "Jalisco New Generation (CJNG)": "Milenio",
        "Independent Cartel of Acapulco": "Beltran Leyva (La Barbie faction)",
        "Gulf (second wing)": "Gulf",
        "Knights Templar": "La Familia Michoacana",
    }
    # Splits between two cartels of the 2006 map: the breakaway's faction defects in the
    # state of the city where the pair's war opened (rule T3).
    defections = {
        (e["cartel"], e["other"]): (e["share"], e["states"])
        for e in events
        if e["kind"] == "defection"
    }
    assert defections == {
        ("Sinaloa", "Beltran Leyva"): (0.3, ["25"]),
        ("Gulf", "Zetas"): (0.3, ["28"]),
    }


def test_leader_plazas_are_the_named_municipalities() -> None:
    world = load_mexico()
    events = _shipped("mexico-2006")["events"]
    placed = {
        e["person"]: e["plaza"] for e in events if e["kind"].startswith("kingpin_") and "plaza" in e
    }
    names = {p: str(world.plaza_name[world.plaza_index(code)]) for p, code in placed.items()}
    assert names == {
        "Alfredo Beltran Leyva": "Culiacán",
        "Eduardo Arellano Felix": "Tijuana",
        "Arturo Beltran Leyva": "Cuernavaca",
        "Carlos Beltran Leyva": "Culiacán",
        "Teodoro Garcia Simental": "Paz, La",
        "Ignacio Coronel Villarreal": "Zapopan",
        "Antonio Ezequiel Cardenas Guillen": "Matamoros",
        "Jose de Jesus Mendez Vargas": "Cosío",
        "Jorge Eduardo Costilla Sanchez": "Tampico",
        "Heriberto Lazcano Lazcano": "Progreso",
    }
    assert placed["Teodoro Garcia Simental"][:2] == "03"
    assert placed["Heriberto Lazcano Lazcano"][:2] == "05"
    assert placed["Antonio Ezequiel Cardenas Guillen"][:2] == "28"


def test_deal_variant_differs_only_by_the_deal() -> None:
    base, deal = _shipped("mexico-2006"), _shipped("mexico-2006-deal")
    assert set(base) == set(deal)
    for table in set(base) - {"scenario", "events"}:
        assert deal[table] == base[table], table
    meta_base, meta_deal = dict(base["scenario"]), dict(deal["scenario"])
    assert meta_deal.pop("name") == "mexico-2006-deal"
    assert meta_base.pop("name") == "mexico-2006"
    assert meta_deal.pop("description") != meta_base.pop("description")
    assert meta_deal == meta_base
    deals = [e for e in deal["events"] if e["kind"] == "immunity_deal"]
    assert len(deals) == 1
    (the_deal,) = deals
    assert the_deal["cartel"] == "Sinaloa"
    assert the_deal["date"] == base["scenario"]["start"]
    assert "end" not in the_deal and the_deal["note"]
    assert [e for e in deal["events"] if e["kind"] != "immunity_deal"] == base["events"]


@pytest.mark.parametrize("name", NAMES)
def test_bundled_scenarios_load_and_match_the_world(name: str) -> None:
    check_against_world(load_scenario(name), load_mexico())
