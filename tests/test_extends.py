"""``extends``: a scenario that inherits another and states only what it changes."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.cli import main
from plazasim.errors import ScenarioError
from plazasim.extends import merge
from plazasim.scenario import ScenarioWarning, bundled_scenarios, load_scenario, parse_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mexico-2006-patient-state.toml"
MEXICO = load_scenario("mexico-2006")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_the_example_inherits_everything_it_does_not_state() -> None:
    sc = load_scenario(EXAMPLE)
    assert sc.scenario.name == "mexico-2006-patient-state"
    assert (sc.scenario.start, sc.scenario.end, sc.scenario.seed) == (
        MEXICO.scenario.start,
        MEXICO.scenario.end,
        MEXICO.scenario.seed,
    )
    assert sc.world == MEXICO.world
    assert sc.events == MEXICO.events and len(sc.events) > 60
    assert sc.calibration == MEXICO.calibration  # the bundled posterior, by absolute path
    assert Path(str(sc.calibration.posterior)).is_file()  # type: ignore[union-attr]
    assert sc.parameters.us_border_seizure == 0.2
    changed = {
        k for k, v in sc.parameters.model_dump().items() if v != getattr(MEXICO.parameters, k)
    }
    assert changed == {"us_border_seizure"}
    assert [(p.name, p.params) for p in sc.policy] == [
        ("laissez_faire", {}),
        ("signaling", {"wait_weeks": 12}),
    ]


def test_the_example_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["run", str(EXAMPLE), "--until", "2007-01-31", "-q", "--out", str(tmp_path / "r")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""  # no warning: it extends mexico-2006
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["parameters"]["us_border_seizure"] == 0.2


def test_chains_relative_paths_and_tables_merge_key_by_key(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    _write(
        sub,
        "middle.toml",
        'extends = "mexico-2006"\n[scenario]\nname = "middle"\n'
        "seed = 5\n[parameters]\nlethality = 0.03\n",
    )
    child = _write(
        tmp_path,
        "child.toml",
        'extends = "sub/middle.toml"\n[scenario]\n'
        'name = "child"\nend = 2008-06-30\n[parameters]\nattack_bias = -5.0\n'
        "[calibration.priors]\nlethality = { low = 0.01, high = 0.05 }\n",
    )
    sc = load_scenario(child)
    assert (sc.scenario.name, sc.scenario.seed) == ("child", 5)
    assert (sc.parameters.lethality, sc.parameters.attack_bias) == (0.03, -5.0)
    assert sc.parameters.recruit_rate == MEXICO.parameters.recruit_rate
    # [calibration.priors] merged: the bundled priors and the new one
    priors = sc.calibration.priors  # type: ignore[union-attr]
    assert set(priors) == set(MEXICO.calibration.priors) | {"lethality"}  # type: ignore[union-attr]
    # inherited events and policy entries after the child's end are dropped, the rest kept
    end = dt.date(2008, 6, 30)
    assert sc.events == [e for e in MEXICO.events if e.date <= end]
    assert len(sc.events) < len(MEXICO.events)


def test_arrays_replace_and_a_relative_posterior_stays_with_its_file(tmp_path: Path) -> None:
    child = _write(
        tmp_path,
        "c.toml",
        'extends = "mexico-2006"\n[scenario]\nname = "c"\n'
        '[calibration]\nposterior = "mine.parquet"\n'
        '[[events]]\ndate = 2010-04-15\nkind = "us_signal"\ncartel = "Sinaloa"\n'
        'plaza = "08037"\n',
    )
    sc = load_scenario(child)
    assert [e.kind for e in sc.events] == ["us_signal"]
    assert sc.calibration.posterior == str(tmp_path / "mine.parquet")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "a.toml": 'extends = "b.toml"\n[scenario]\nname = "a"\n',
                "b.toml": 'extends = "a.toml"\n[scenario]\nname = "b"\n',
            },
            "extends: scenarios extend each other in a cycle (a.toml -> b.toml -> a.toml)",
        ),
        (
            {"a.toml": 'extends = "a.toml"\n[scenario]\nname = "a"\n'},
            "extends: scenarios extend each other in a cycle (a.toml -> a.toml)",
        ),
        (
            {"a.toml": 'extends = "mexico-2O06"\n[scenario]\nname = "a"\n'},
            "extends: unknown scenario 'mexico-2O06' (bundled: {bundled}; or give the path of a "
            ".toml file, relative to this one)",
        ),
        (
            {"a.toml": 'extends = "nope/b.toml"\n[scenario]\nname = "a"\n'},
            "extends: file not found: {tmp}/nope/b.toml",
        ),
        (
            {"a.toml": 'extends = 3\n[scenario]\nname = "a"\n'},
            'extends: expected a bundled scenario name such as "mexico-2006" or the path of a .toml '
            "file (got 3)",
        ),
        (
            {"a.toml": 'extends = "mexico-2006"\n[parameters]\nlethality = 0.03\n'},
            "scenario.name: required in a scenario that extends another (else it would be named "
            "like 'mexico-2006')",
        ),
        (
            {
                "a.toml": 'extends = "b.toml"\n[scenario]\nname = "a"\n',
                "b.toml": 'extends = "zzz"\n[scenario]\nname = "b"\n',
            },
            "extends: unknown scenario 'zzz' (bundled: {bundled}; or give the path of a .toml file, "
            "relative to this one) (in {tmp}/b.toml)",
        ),
        (
            {
                "a.toml": 'extends = "mexico-2006"\n[scenario]\nname = "a"\n[parameters]\n'
                "lethality = -5\n"
            },
            "parameters.lethality: Input should be greater than or equal to 0.0005 (got -5)",
        ),
    ],
)
def test_bad_bases_are_one_line(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        _write(tmp_path, name, text)
    expected = message.format(bundled=", ".join(bundled_scenarios()), tmp=tmp_path)
    assert _error(tmp_path / "a.toml") == expected


def test_text_without_a_file_extends_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        tmp_path,
        "base.toml",
        '[scenario]\nname = "b"\nstart = 2007-01-01\n'
        'end = 2007-06-30\n[world]\nkind = "synthetic"\nplazas = 30\n',
    )
    monkeypatch.chdir(tmp_path)
    sc = parse_scenario('extends = "base.toml"\n[scenario]\nname = "t"\n[world]\nplazas = 40\n')
    assert (sc.world.kind, sc.world.plazas, sc.scenario.end) == (
        "synthetic",
        40,
        dt.date(2007, 6, 30),
    )


@pytest.mark.parametrize(
    ("text", "warns"),
    [
        (
            '[scenario]\nname = "m"\nstart = 2007-01-01\nend = 2007-06-30\n[world]\nkind = "mexico"\n',
            True,
        ),
        ('extends = "mexico-2006"\n[scenario]\nname = "m"\n', False),
        (
            '[scenario]\nname = "m"\nstart = 2007-01-01\nend = 2007-06-30\n[world]\n'
            'kind = "synthetic"\n',
            False,
        ),
    ],
)
def test_a_mexico_scenario_without_the_history_warns(
    tmp_path: Path, text: str, warns: bool
) -> None:
    path = _write(tmp_path, "m.toml", text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_scenario(path)
    mine = [w for w in caught if issubclass(w.category, ScenarioWarning)]
    assert len(mine) == int(warns)
    if warns:
        assert str(mine[0].message).startswith(
            f"{path}: this Mexico scenario has none of the cartels' historical events"
        )
        assert 'extends = "mexico-2006"' in str(mine[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in bundled_scenarios():
            load_scenario(name)
    assert not [w for w in caught if issubclass(w.category, ScenarioWarning)]


def test_the_command_line_prints_the_warning_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path,
        "m.toml",
        '[scenario]\nname = "m"\nstart = 2007-01-01\nend = 2007-01-31\n[world]\nkind = "mexico"\n',
    )
    assert main(["run", str(path), "-q", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"warning: {path}: this Mexico scenario has none")
    assert err.count("\n") == 1


_leaves = st.one_of(st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2))
_tables = st.recursive(
    st.dictionaries(st.sampled_from("abcd"), _leaves, max_size=3),
    lambda inner: st.dictionaries(st.sampled_from("abcd"), st.one_of(_leaves, inner), max_size=3),
    max_leaves=8,
)


def _leaf_paths(table: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple, Any]:
    out: dict[tuple, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and value:
            out.update(_leaf_paths(value, (*prefix, key)))
        else:
            out[(*prefix, key)] = value
    return out


@settings(max_examples=200, deadline=None, database=None)
@given(_tables, _tables)
def test_merge_keeps_every_child_value_and_every_base_value_it_does_not_replace(
    base: dict[str, Any], child: dict[str, Any]
) -> None:
    merged = merge(base, child)
    got = _leaf_paths(merged)
    for path, value in _leaf_paths(child).items():
        if value != {}:
            assert got[path] == value
    child_paths = _leaf_paths(child)
    for path, value in _leaf_paths(base).items():
        replaced = any(path[: len(p)] == p or p[: len(path)] == path for p in child_paths)
        if not replaced:
            assert got[path] == value
    assert merge(base, {}) == base and merge({}, child) == child


def test_add_events_appends_to_the_inherited_ones(tmp_path: Path) -> None:
    """mexico-2006-deal is mexico-2006 plus one event: a child can say just that."""
    deal = load_scenario("mexico-2006-deal")
    [extra] = [e for e in deal.events if e.kind == "immunity_deal"]
    child = _write(
        tmp_path,
        "deal.toml",
        'extends = "mexico-2006"\n[scenario]\n'
        'name = "my-deal"\n[[add.events]]\ndate = 2006-12-01\n'
        'kind = "immunity_deal"\ncartel = "Sinaloa"\n'
        f"note = {json.dumps(extra.note)}\n",
    )
    sc = load_scenario(child)
    assert sc.events[:-1] == MEXICO.events and sc.events[-1] == extra
    assert sorted(map(repr, sc.events)) == sorted(map(repr, deal.events))
    assert (sc.parameters, sc.policy, sc.world) == (deal.parameters, deal.policy, deal.world)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[scenario]\nname = "a"\nstart = 2007-01-01\nend = 2007-06-30\n[[add.events]]\n'
            'date = 2007-02-01\nkind = "supply_shock"\nfactor = 0.5\n',
            "add: only in a scenario that extends another: [[add.events]] appends to the events of "
            'its base (extends = "mexico-2006")',
        ),
        (
            'extends = "mexico-2006"\n[scenario]\nname = "a"\n[[add.cartels]]\nx = 1\n',
            "add.cartels: unknown key (known: events, policy)",
        ),
        (
            'extends = "mexico-2006"\n[scenario]\nname = "a"\n[add]\nevents = 3\n',
            "add.events: expected [[add.events]] tables (got 3)",
        ),
    ],
)
def test_bad_additions_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    assert _error(_write(tmp_path, "a.toml", text)) == message
