"""Scenario schema and loading: bundled files, round trips, and one exact message per mistake."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from plazasim.errors import PlazasimError, ScenarioError
from plazasim.model.params import Parameters
from plazasim.scenario import (
    STATE_ACTION_EVENTS,
    PolicyEntry,
    Scenario,
    UsSignal,
    bundled_scenarios,
    check_against_world,
    load_scenario,
    parse_scenario,
    with_overrides,
)
from plazasim.world.world import ALLIED, KIND_CROSSING, KIND_ENTRY, RIVAL, World

KINDS = (
    "absorb, alliance, arms_flow, capacity, defection, immunity_deal, incursion, kingpin_capture, "
    "kingpin_killed, military_operation, rivalry, split, supply_shock, us_signal"
)
HEAD = """\
[scenario]
name = "t"
start = 2007-01-01
end = 2008-01-01
"""


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    message = str(info.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------- bundled


def test_bundled_scenarios_are_listed_and_load() -> None:
    found = bundled_scenarios()
    assert {"mexico-2006", "synthetic-small"} <= set(found)
    for name, path in found.items():
        assert path.is_file()
        assert load_scenario(name).scenario.name == name


def test_mexico_2006_content() -> None:
    sc = load_scenario("mexico-2006")
    assert sc.scenario.start == dt.date(2006, 12, 1)
    assert sc.scenario.end == dt.date(2012, 12, 31)
    assert sc.scenario.seed == 42
    assert sc.scenario.step == "week"
    assert sc.world.kind == "mexico" and sc.world.plazas is None
    assert [(p.from_, p.name) for p in sc.policy] == [
        (dt.date(2006, 12, 1), "laissez_faire"),
        (dt.date(2006, 12, 11), "signaling"),
    ]
    assert sc.policy[1].params == {"wait_weeks": 4}
    signals = [e for e in sc.events if isinstance(e, UsSignal)]
    assert [(s.date, s.cartel, s.plaza) for s in signals] == [
        (dt.date(2010, 4, 15), "Sinaloa", "08037")
    ]
    # The historical timeline (tests/world/test_timeline.py checks it kind by kind).
    assert len(sc.events) > 50
    assert all(e.note for e in sc.events if e.kind != "us_signal")
    # Calibrated: the uncertain parameters are the shipped posterior's medians, to the
    # six significant digits the generated file keeps; every other one is the default.
    assert sc.calibration is not None and sc.calibration.posterior is not None
    medians = pd.read_parquet(sc.calibration.posterior).median(numeric_only=True)
    calibrated = set(sc.calibration.resolved())
    for name in calibrated:
        assert getattr(sc.parameters, name) == pytest.approx(medians[name], rel=1e-5)
    defaults = Parameters()
    assert {
        name
        for name in Parameters.model_fields
        if getattr(sc.parameters, name) != getattr(defaults, name)
    } == calibrated


def test_synthetic_small_content() -> None:
    sc = load_scenario("synthetic-small")
    assert (sc.world.kind, sc.world.plazas, sc.world.cartels) == ("synthetic", 200, 4)
    assert (sc.scenario.end - sc.scenario.start).days in (730, 731)
    assert [p.name for p in sc.policy] == ["crackdown"]


def test_load_by_path_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(HEAD, encoding="utf-8")
    sc = load_scenario(path)
    assert sc.scenario.seed == 0 and sc.scenario.description == ""
    assert sc.world.kind == "mexico" and sc.policy == [] and sc.events == []
    assert load_scenario(str(path)) == sc


def test_synthetic_plazas_default_to_500() -> None:
    sc = parse_scenario(HEAD + '[world]\nkind = "synthetic"\n')
    assert sc.world.plazas == 500 and sc.world.cartels == 6


def test_policy_entry_accepts_field_name_and_alias() -> None:
    a = PolicyEntry(from_=dt.date(2007, 1, 1), name="crackdown")
    b = PolicyEntry.model_validate({"from": "2007-01-01", "name": "crackdown"})
    assert a == b and a.params == {}


# --------------------------------------------------------------------------- to_dict


@pytest.mark.parametrize("name", ["mexico-2006", "synthetic-small"])
def test_to_dict_round_trips(name: str) -> None:
    sc = load_scenario(name)
    data = sc.to_dict()
    assert json.loads(json.dumps(data)) == data  # JSON-serialisable as is
    assert data["scenario"]["start"] == sc.scenario.start.isoformat()
    assert set(data["parameters"]) == set(Parameters.model_fields)
    assert all(isinstance(p["from"], str) for p in data["policy"])
    again = Scenario.model_validate(data)
    assert again == sc
    assert again.to_dict() == data


def test_to_dict_drops_synthetic_fields_for_mexico() -> None:
    assert load_scenario("mexico-2006").to_dict()["world"] == {"kind": "mexico", "seed": 0}


# --------------------------------------------------------------------------- errors


def _pydantic_msg(**bad: object) -> str:
    """What pydantic itself says about a bad parameter (bounds move as the model evolves)."""
    with pytest.raises(ValidationError) as info:
        Parameters(**bad)  # type: ignore[arg-type]
    return info.value.errors()[0]["msg"]


CASES = {
    "unknown top-level key": (HEAD + "[foo]\na = 1\n", "foo: unknown key"),
    "unknown scenario key": (HEAD + "colour = 1\n", "scenario.colour: unknown key"),
    "unknown parameter": (
        HEAD + "[parameters]\nlethalty = 1e-5\n",
        "parameters.lethalty: unknown key",
    ),
    "negative parameter": (
        HEAD + "[parameters]\nlethality = -1.0\n",
        "parameters.lethality: " + _pydantic_msg(lethality=-1.0) + " (got -1.0)",
    ),
    "share above one": (
        HEAD + "[parameters]\nlaunder_share = 1.5\n",
        "parameters.launder_share: Input should be less than or equal to 1 (got 1.5)",
    ),
    "parameter of wrong type": (
        HEAD + '[parameters]\nhold_weeks = "four"\n',
        "parameters.hold_weeks: Input should be a valid integer, unable to parse string as an "
        "integer (got 'four')",
    ),
    "end before start": (
        HEAD.replace("end = 2008-01-01", "end = 2006-01-01"),
        "scenario.end: 2006-01-01 must be after scenario.start (2007-01-01)",
    ),
    "end equals start": (
        HEAD.replace("end = 2008-01-01", "end = 2007-01-01"),
        "scenario.end: 2007-01-01 must be after scenario.start (2007-01-01)",
    ),
    "missing scenario table": ("[world]\n", "scenario: required key is missing"),
    "missing start": (
        HEAD.replace("start = 2007-01-01\n", ""),
        "scenario.start: required key is missing",
    ),
    "bad step": (HEAD + 'step = "day"\n', "scenario.step: Input should be 'week' (got 'day')"),
    "negative seed": (
        HEAD + "seed = -3\n",
        "scenario.seed: Input should be greater than or equal to 0 (got -3)",
    ),
    "bad name": (
        HEAD.replace('"t"', '"My Run"'),
        "scenario.name: must be non-empty and use only a-z, 0-9, '.', '_' and '-' (got 'My Run')",
    ),
    "plazas for mexico": (
        HEAD + "[world]\nplazas = 100\n",
        'world.plazas: only allowed with kind = "synthetic"',
    ),
    "cartels for mexico": (
        HEAD + "[world]\ncartels = 3\n",
        'world.cartels: only allowed with kind = "synthetic"',
    ),
    "too few plazas": (
        HEAD + '[world]\nkind = "synthetic"\nplazas = 3\n',
        "world.plazas: Input should be greater than or equal to 10 (got 3)",
    ),
    "unknown world kind": (
        HEAD + '[world]\nkind = "mars"\n',
        "world.kind: Input should be 'mexico' or 'synthetic' (got 'mars')",
    ),
    "unknown policy": (
        HEAD + '[[policy]]\nfrom = 2007-01-01\nname = "foo"\n',
        "policy[0].name: unknown policy 'foo' "
        "(known: conditional, crackdown, kingpin, laissez_faire, mix, signaling)",
    ),
    "bad policy param value": (
        HEAD + '[[policy]]\nfrom = 2007-01-01\nname = "signaling"\nparams = { wait_weeks = -1 }\n',
        "policy[0].params.wait_weeks: Input should be greater than or equal to 0 (got -1)",
    ),
    "unknown policy param": (
        HEAD + '[[policy]]\nfrom = 2007-01-01\nname = "crackdown"\nparams = { zeal = 2 }\n',
        "policy[0].params.zeal: unknown key",
    ),
    "unknown policy entry key": (
        HEAD + '[[policy]]\nfrom = 2007-01-01\nname = "crackdown"\nuntil = 2007-02-01\n',
        "policy[0].until: unknown key",
    ),
    "policy before start": (
        HEAD + '[[policy]]\nfrom = 2006-03-01\nname = "crackdown"\n',
        "policy[0].from: 2006-03-01 is outside the scenario (2007-01-01 to 2008-01-01)",
    ),
    "unsorted policy timeline": (
        HEAD
        + '[[policy]]\nfrom = 2007-03-01\nname = "crackdown"\n'
        + '[[policy]]\nfrom = 2007-02-01\nname = "laissez_faire"\n',
        "policy[1].from: 2007-02-01 must be after policy[0].from (2007-03-01); the timeline is "
        "listed in date order",
    ),
    "unknown event kind": (
        HEAD + '[[events]]\ndate = 2007-02-01\nkind = "coup"\n',
        f"events[0].kind: unknown event kind 'coup' (known: {KINDS})",
    ),
    "event without kind": (
        HEAD + "[[events]]\ndate = 2007-02-01\n",
        f"events[0].kind: required key is missing (known event kinds: {KINDS})",
    ),
    "event missing field": (
        HEAD + '[[events]]\ndate = 2007-02-01\nkind = "us_signal"\ncartel = "A"\n',
        "events[0].plaza: required key is missing",
    ),
    "event date outside range": (
        HEAD + '[[events]]\ndate = 2009-02-01\nkind = "us_signal"\ncartel = "A"\nplaza = "1"\n',
        "events[0].date: 2009-02-01 is outside the scenario (2007-01-01 to 2008-01-01)",
    ),
    "malformed TOML": (
        HEAD + "seed = \n",
        "scenario: malformed TOML at line 5: Invalid value (column 8, in <string>)",
    ),
    "malformed table header": (
        HEAD + "[world\n",
        "scenario: malformed TOML at line 5: Expected ']' at the end of a table declaration "
        "(column 7, in <string>)",
    ),
}


@pytest.mark.parametrize("text, expected", list(CASES.values()), ids=list(CASES))
def test_bad_input_names_the_field(text: str, expected: str) -> None:
    assert _error(text) == expected


def test_scenario_error_is_a_user_error_and_a_value_error() -> None:
    with pytest.raises(PlazasimError):
        parse_scenario("")
    assert issubclass(ScenarioError, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError, match=r"^scenario: file not found: .*nope\.toml$"):
        load_scenario(missing)
    with pytest.raises(ScenarioError, match=r"^scenario: file not found: .*nope\.toml$"):
        load_scenario(str(missing))


def test_unknown_bundled_name_lists_the_bundled_ones() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("mexico-1999")
    assert str(info.value) == (
        "scenario: unknown scenario 'mexico-1999' (bundled: mexico-2006, mexico-2006-deal, "
        "synthetic-small; or give the path of a .toml file)"
    )


def test_directory_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^scenario: not a file: "):
        load_scenario(tmp_path)


def test_malformed_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[scenario\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^scenario: malformed TOML at line 1: .*broken\.toml"):
        load_scenario(path)


# --------------------------------------------------------------------------- world checks


def _tiny_world() -> World:
    ids = np.array(["01001", "01002", "08037"])
    zeros = np.zeros(3)
    return World(
        name="tiny",
        plaza_id=ids,
        plaza_name=np.array(["A", "B", "Juarez"]),
        state=np.array(["01", "01", "08"]),
        lon=zeros,
        lat=zeros,
        population=np.full(3, 1000.0),
        youth=np.full(3, 250.0),
        kind=np.array([KIND_ENTRY, 0, KIND_CROSSING], dtype=np.int8),
        coast=np.array([1, 0, 0], dtype=np.int8),
        entry_weight=np.array([1.0, 0.0, 0.0]),
        crossing_weight=np.array([0.0, 0.0, 1.0]),
        baseline_rate=np.full(3, 9.5),
        edge_src=np.array([0, 1], dtype=np.int32),
        edge_dst=np.array([1, 2], dtype=np.int32),
        edge_km=np.array([50.0, 80.0]),
        cartel_names=("Sinaloa", "Juarez"),
        initial_strength=np.ones((2, 3)),
        initial_relation=np.array([[ALLIED, RIVAL], [RIVAL, ALLIED]], dtype=np.int8),
    )


def _with_event(cartel: str, plaza: str) -> Scenario:
    return parse_scenario(
        HEAD
        + '[[events]]\ndate = 2007-01-08\nkind = "us_signal"\ncartel = "Sinaloa"\nplaza = "01001"\n'
        + f'[[events]]\ndate = 2007-06-01\nkind = "us_signal"\ncartel = "{cartel}"\n'
        + f'plaza = "{plaza}"\n'
    )


def test_check_against_world_accepts_known_names() -> None:
    check_against_world(_with_event("sinaloa", "08037"), _tiny_world())  # case-insensitive


def test_check_against_world_unknown_cartel() -> None:
    with pytest.raises(ScenarioError) as info:
        check_against_world(_with_event("Zetas", "08037"), _tiny_world())
    assert str(info.value) == "events[1].cartel: unknown cartel 'Zetas' (known: Sinaloa, Juarez)"


def test_check_against_world_unknown_plaza() -> None:
    with pytest.raises(ScenarioError) as info:
        check_against_world(_with_event("Juarez", "99999"), _tiny_world())
    assert str(info.value) == "events[1].plaza: unknown plaza '99999'"


# --------------------------------------------------------------------------- overrides


def test_overrides_seed_until_policy() -> None:
    sc = load_scenario("mexico-2006")
    assert with_overrides(sc) == sc
    assert with_overrides(sc, seed=7).scenario.seed == 7
    short = with_overrides(sc, until="2007-06-30")
    assert short.scenario.end == dt.date(2007, 6, 30)
    assert [p.name for p in short.policy] == ["laissez_faire", "signaling"]
    assert short.events and all(e.date <= dt.date(2007, 6, 30) for e in short.events)
    assert not any(isinstance(e, UsSignal) for e in short.events)  # the signal is in 2010
    early = with_overrides(sc, until=dt.date(2006, 12, 5))
    assert [p.name for p in early.policy] == ["laissez_faire"]
    crack = with_overrides(sc, policy="crackdown")
    assert [(p.from_, p.name, p.params) for p in crack.policy] == [
        (dt.date(2006, 12, 1), "crackdown", {})
    ]
    # The policy replaces all state action: operations, captures and budget changes go.
    assert crack.events == [e for e in sc.events if e.kind not in STATE_ACTION_EVENTS]
    assert {e.kind for e in sc.events} - {e.kind for e in crack.events} == STATE_ACTION_EVENTS
    assert crack.parameters == sc.parameters
    assert with_overrides(sc, until="2012-12-31") == sc  # the end itself: nothing changes
    mixed = with_overrides(sc, policy="mix:signaling=0.7+kingpin=0.3")
    assert [(p.name, p.params) for p in mixed.policy] == [
        ("mix", {"parts": [{"name": "signaling", "share": 0.7}, {"name": "kingpin", "share": 0.3}]})
    ]
    assert sc == load_scenario("mexico-2006")  # the original is unchanged


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"seed": -1}, "seed: must be an integer >= 0 (got -1)"),
        (
            {"until": "2006-11-30"},
            "until: 2006-11-30 is not after the start of mexico-2006 "
            "(2006-12-01 to 2012-12-31); give a date from 2006-12-02 to 2012-12-31 (--until can "
            "only shorten a run)",
        ),
        (
            {"until": "2006-12-01"},
            "until: 2006-12-01 is not after the start of mexico-2006 "
            "(2006-12-01 to 2012-12-31); give a date from 2006-12-02 to 2012-12-31 (--until can "
            "only shorten a run)",
        ),
        (
            {"until": "2013-01-01"},
            "until: 2013-01-01 is after the end of mexico-2006 "
            "(2006-12-01 to 2012-12-31); give a date from 2006-12-02 to 2012-12-31 (--until can "
            "only shorten a run)",
        ),
        (
            {"policy": "mix"},
            "policy: mix needs its parts and their shares of the capacity "
            "(e.g. mix:signaling=0.7+kingpin=0.3, shares adding up to 1)",
        ),
        (
            {"policy": "mix:signaling=0.5+kingpin=0.4"},
            "policy: mix shares must add up to 1 "
            "(they add up to 0.9; e.g. mix:signaling=0.7+kingpin=0.3, shares adding up to 1)",
        ),
        (
            {"policy": "mix:signaling"},
            "policy: mix part 'signaling' must be NAME=SHARE (e.g. "
            "mix:signaling=0.7+kingpin=0.3, shares adding up to 1)",
        ),
        (
            {"policy": "mix:signaling=x+kingpin=1"},
            "policy: mix part 'signaling=x': the share must be a number in (0, 1] (got 'x')",
        ),
        (
            {"policy": "mix:foo=1"},
            "policy: mix part 'foo=1': unknown policy 'foo' (known: "
            "conditional, crackdown, kingpin, laissez_faire, signaling)",
        ),
        ({"policy": "mix:mix=1"}, "policy: mix part 'mix=1': a mix cannot contain another mix"),
        (
            {"policy": "crackdown:targets=2"},
            "policy: only mix takes parts after ':' (got "
            "'crackdown:targets=2'); give other policies' parameters in a scenario's [[policy]] "
            "entry",
        ),
        ({"until": "31/12/2008"}, "until: invalid date '31/12/2008'"),
        ({"until": "2008-02-30"}, "until: invalid date '2008-02-30'"),
        (
            {"policy": "kindness"},
            "policy: unknown policy 'kindness' "
            "(known: conditional, crackdown, kingpin, laissez_faire, mix, signaling)",
        ),
    ],
)
def test_override_errors(kwargs: dict[str, object], expected: str) -> None:
    sc = load_scenario("mexico-2006")
    with pytest.raises(ScenarioError) as info:
        with_overrides(sc, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == expected


# --------------------------------------------------------------------------- property


def _param_strategy(name: str) -> st.SearchStrategy[float | int]:
    info = Parameters.model_fields[name]
    lo, hi = (info.json_schema_extra or {})["range"]  # type: ignore[index]
    open_lo = open_hi = False
    for bound in info.metadata:  # never step outside the hard validation bounds
        lo = max(lo, getattr(bound, "ge", lo))
        hi = min(hi, getattr(bound, "le", hi))
        if getattr(bound, "gt", None) is not None and bound.gt >= lo:
            lo, open_lo = bound.gt, True
        if getattr(bound, "lt", None) is not None and bound.lt <= hi:
            hi, open_hi = bound.lt, True
    if info.annotation is int:
        return st.integers(int(lo) + open_lo, int(hi) - open_hi)
    return st.floats(
        float(lo),
        float(hi),
        allow_nan=False,
        allow_infinity=False,
        exclude_min=open_lo,
        exclude_max=open_hi,
    )


PARAMETER_DICTS = st.fixed_dictionaries(
    {}, optional={name: _param_strategy(name) for name in Parameters.model_fields}
)


@settings(max_examples=60, deadline=None)
@given(PARAMETER_DICTS)
def test_any_valid_parameters_round_trip_through_toml(params: dict[str, float | int]) -> None:
    lines = [f"{name} = {value!r}" for name, value in params.items()]
    text = HEAD + "[parameters]\n" + "\n".join(lines) + "\n"
    sc = parse_scenario(text)
    resolved = sc.to_dict()["parameters"]
    assert resolved == {**Parameters().model_dump(), **params}
    for name, value in params.items():
        assert type(resolved[name]) is type(value)
    assert Scenario.model_validate(sc.to_dict()).to_dict() == sc.to_dict()


# --------------------------------------------------------------------------- docs


def test_parameter_table_in_docs_is_current() -> None:
    """docs/SCENARIOS.md embeds the generated table; regenerate it when Parameters change."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("params_table", root / "scripts/params_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (root / "docs" / "SCENARIOS.md").read_text(encoding="utf-8")
    block = doc.split(module.START, 1)[1].split(module.END, 1)[0].strip()
    assert block == module.table(), (
        "stale table: run PYTHONPATH=src python scripts/params_table.py --update docs/SCENARIOS.md"
    )
    assert block.count("\n| `") == len(Parameters.model_fields)
