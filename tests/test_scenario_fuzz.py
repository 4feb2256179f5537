"""Fuzzing the scenario loader: every input loads, or is refused with one line, quickly.

Valid scenario files are mutated (keys deleted or added, values of the wrong type,
out of range, huge, non-finite, unicode, dates swapped, tables nested hundreds
deep), then possibly truncated or sprinkled with binary junk, and read from disk
by ``load_scenario`` and by ``plazasim run``. Whatever the input, the loader must
return a scenario whose manifest form is plain JSON, or raise a
:class:`~plazasim.errors.PlazasimError` whose message is one line; the command
line must then exit with status 2 and print that one line, no traceback. Every
input is answered within 2 s. ``fuzz/fuzz_scenario.py`` (``make fuzz``) drives
the same oracle with atheris; ``PLAZASIM_FUZZ=1`` runs many more examples here.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from plazasim.cli import main
from plazasim.errors import PlazasimError, ScenarioError
from plazasim.model.params import Parameters
from plazasim.results.store import manifest_text
from plazasim.scenario import Scenario, bundled_scenarios, check_against_world, load_scenario
from plazasim.world import World, build_world

FUZZ = os.environ.get("PLAZASIM_FUZZ") == "1"
#: Seconds any one input may take to load or be refused.
LIMIT_S = 2.0

#: A synthetic scenario with every table and every event kind, all valid.
RICH = """
[scenario]
name = "fuzz-base"
start = 2007-01-01
end = 2008-06-30
seed = 3
description = "every table, every event kind"

[world]
kind = "synthetic"
plazas = 200
cartels = 4
seed = 7

[parameters]
lethality = 0.01
hold_weeks = 6
launder_share = 0.8

[[policy]]
from = 2007-01-01
name = "signaling"
params = { wait_weeks = 4 }

[[policy]]
from = 2007-06-01
name = "mix"
params = { parts = [{ name = "crackdown", share = 0.6 }, { name = "kingpin", share = 0.4 }] }

[[events]]
date = 2007-02-01
kind = "us_signal"
cartel = "Cartel A"
plaza = "S001"

[[events]]
date = 2007-02-01
kind = "immunity_deal"
cartel = "Cartel B"
end = 2007-09-01
intelligence = 0.4

[[events]]
date = 2007-03-01
kind = "kingpin_capture"
cartel = "Cartel C"
plaza = "S002"
person = "El Señor de los Cielos"

[[events]]
date = 2007-03-08
kind = "kingpin_killed"
cartel = "Cartel D"

[[events]]
date = 2007-04-01
kind = "military_operation"
name = "Operativo Conjunto"
aim = "crackdown"
states = ["01"]
plazas = ["S003"]
ops_per_week = 3.0

[[events]]
date = 2007-05-01
kind = "split"
cartel = "Cartel A"
new = "Cartel Z"
share = 0.3

[[events]]
date = 2007-05-08
kind = "alliance"
cartel = "Cartel Z"
other = "Cartel B"

[[events]]
date = 2007-05-15
kind = "rivalry"
cartel = "Cartel C"
other = "Cartel D"

[[events]]
date = 2007-06-01
kind = "absorb"
cartel = "Cartel B"
other = "Cartel D"

[[events]]
date = 2007-06-08
kind = "incursion"
cartel = "Cartel C"
plazas = ["S004", "S005"]

[[events]]
date = 2007-07-01
kind = "supply_shock"
factor = 0.7
end = 2007-12-31

[[events]]
date = 2007-07-01
kind = "arms_flow"
factor = 1.5

[[events]]
date = 2007-08-01
kind = "capacity"
factor = 2.0
end = 2008-01-31

[calibration]
parameters = ["recruit_rate"]
[calibration.priors]
lethality = { distribution = "loguniform", low = 0.005, high = 0.04 }
heat_cost_factor = { distribution = "truncnormal", mean = 2.0, sd = 1.5 }
"""

BASES: list[str] = [RICH, *(p.read_text(encoding="utf-8") for p in bundled_scenarios().values())]


# --------------------------------------------------------------------------- the oracle


_WORLDS: dict[str, World] = {}


def _world(scenario: Scenario) -> World | None:
    """The scenario's world, built once per spec; None when too large to build in a test."""
    spec = scenario.world
    if spec.kind == "synthetic" and (spec.plazas or 0) > 400:
        return None
    key = spec.model_dump_json()
    if key not in _WORLDS:
        _WORLDS[key] = build_world(spec)
    return _WORLDS[key]


def one_line(exc: PlazasimError) -> str:
    """The refusal's message, checked to be one non-empty line."""
    text = str(exc)
    assert text.strip(), f"empty message from {type(exc).__name__}"
    assert "\n" not in text and "\r" not in text, f"message of several lines: {text!r}"
    assert "Traceback" not in text
    return text


def answer(load: Callable[[], Scenario]) -> str | None:
    """Load; return None if the scenario is accepted, else the one-line refusal.

    An accepted scenario must also pass the world check or be refused by it in one
    line, and its manifest form must be plain JSON. Any other exception fails the
    test, as does taking longer than :data:`LIMIT_S`.
    """
    t0 = time.perf_counter()
    try:
        scenario = load()
        manifest_text({"scenario": scenario.to_dict()})
        world = _world(scenario)
        if world is not None:
            check_against_world(scenario, world)
    except PlazasimError as exc:
        return one_line(exc)
    finally:
        took = time.perf_counter() - t0
        assert took < LIMIT_S, f"took {took:.2f} s"
    return None


# --------------------------------------------------------------------------- mutations

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=24)
_KEYS = st.one_of(
    st.sampled_from(
        [
            "kind",
            "name",
            "date",
            "end",
            "start",
            "seed",
            "from",
            "params",
            "cartel",
            "plazas",
            "factor",
            "low",
            "high",
        ]
    ),
    _TEXT.filter(bool),
)
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, -(2**63), 10**18]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, float("inf"), float("nan")]),
    _TEXT,
    st.dates(),
    st.datetimes(),
    st.times(),
)


_EXTREMES = st.sampled_from(
    [float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 0, -1, 0.0, 2**63 - 1]
)


def _nested(depth: int, leaf: Any, as_table: bool) -> Any:
    for _ in range(depth):
        leaf = {"x": leaf} if as_table else [leaf]
    return leaf


# Deep, but not so deep that writing the TOML recurses too far (and behaves according to
# the stack it runs on); ``damaged`` nests values thousands deep in the text itself.
_DEEP = st.builds(
    _nested, st.sampled_from([2, 30, 100, 150]) | st.integers(1, 150), _SCALARS, st.booleans()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=8,
)
_JUNK = st.one_of(_VALUES, _DEEP)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in the document (dict keys, list indices), 12 levels at most."""
    out = [prefix] if prefix else []
    if len(prefix) >= 12:
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _near(value: Any, draw: st.DrawFn) -> Any:
    """A value of the same type but out of range, huge, or moved in time."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return draw(st.sampled_from([-value, value * 10**6, -(2**63), 2**63 - 1, value - 1]))
    if isinstance(value, float):
        return draw(st.sampled_from([-value, value * 1e12, value + 1.0, 1e308, -1e-308]))
    if isinstance(value, dt.date):
        days = draw(st.integers(-3_000_000, 3_000_000))
        try:
            return value + dt.timedelta(days=days)
        except OverflowError:
            return dt.date.max if days > 0 else dt.date.min
    if isinstance(value, str):
        return draw(
            st.sampled_from(
                [
                    "",
                    value * 200,
                    value.upper(),
                    "ñ" + value,
                    value + "\x00",
                    "Cártel 🦂",
                    "../" + value,
                ]
            )
        )
    return value


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid scenario, mutated 1-4 times in structure, then maybe in its bytes."""
    doc = tomllib.loads(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        inner = [p for p in paths if len(p) > 1]  # a whole table only now and then
        path = draw(st.sampled_from(inner if inner and draw(st.integers(0, 7)) else paths))
        parent, last = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["delete", "junk", "near", "extra", "swap", "parameter"]))
        if op == "parameter":  # any parameter, any value: the widest table of all
            table = doc.setdefault("parameters", {})
            if isinstance(table, dict):
                table[draw(st.sampled_from(sorted(Parameters.model_fields)))] = draw(
                    st.one_of(_EXTREMES, _SCALARS, _JUNK)
                )
        elif op == "delete":
            del parent[last]
        elif op == "junk":
            parent[last] = draw(_JUNK)
        elif op == "near":
            parent[last] = _near(parent[last], draw)
        elif op == "extra" and isinstance(parent, dict):
            parent[draw(_KEYS)] = draw(_JUNK)
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            if other != path and path[: len(other)] != other and other[: len(path)] != path:
                holder = _parent(doc, other)
                parent[last], holder[other[-1]] = holder[other[-1]], parent[last]
    try:
        data = tomli_w.dumps(doc).encode("utf-8")
    except (TypeError, ValueError):  # not writable as TOML (e.g. an empty key path): the base
        data = tomli_w.dumps(tomllib.loads(BASES[0])).encode("utf-8")
    return draw(damaged(data)) if draw(st.integers(0, 3)) == 0 else data


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` truncated, with bytes replaced or inserted (binary junk, stray UTF-8), or
    with a line whose value nests arrays or inline tables thousands deep."""
    op = draw(st.sampled_from(["truncate", "replace", "insert", "deep"]))
    at = draw(st.integers(0, len(data)))
    if op == "truncate":
        return data[:at]
    if op == "deep":
        depth = draw(st.sampled_from([100, 400, 1000, 5000]) | st.integers(1, 3000))
        value = (
            b"[" * depth + b"]" * depth
            if draw(st.booleans())
            else b"{a=" * depth + b"1" + b"}" * depth
        )
        lines = data.split(b"\n")
        at = draw(st.integers(0, len(lines)))
        return b"\n".join([*lines[:at], b"deep = " + value, *lines[at:]])
    junk = draw(
        st.one_of(
            st.binary(min_size=1, max_size=16),
            st.sampled_from(
                [
                    b"\xff\xfe",
                    b"\x00",
                    b"[[",
                    b"=",
                    b'"',
                    b"\xc3",
                    b"\n[scenario]\n",
                    b"\xef\xbb\xbf",
                    b"\r",
                ]
            ),
        )
    )
    if op == "replace":
        return data[:at] + junk + data[at + len(junk) :]
    return data[:at] + junk + data[at:]


#: Mostly mutated scenarios; one in ten is bytes from nowhere.
DOCUMENTS = st.integers(0, 9).flatmap(lambda i: st.binary(max_size=200) if i == 0 else mutated())

#: Inputs the fuzzing refused badly once; each stays a regression example.
DEEP_ARRAY = b"[scenario]\nname = 'a'\nx = " + b"[" * 3000 + b"]" * 3000 + b"\n"
DEEP_TABLE = b"[scenario]\nx = " + b"{a=" * 3000 + b"1" + b"}" * 3000 + b"\n"
HEAD = b"[scenario]\nname = 'a'\nstart = 2007-01-01\nend = 2008-01-01\n"
INFINITE = HEAD + b"[parameters]\ncocaine_tons_per_year = inf\n"
NAN = HEAD + b"[parameters]\nlethality = nan\n"
NO_ORIGIN = HEAD + b"[parameters]\norigin_colombia = 0\norigin_peru = 0\norigin_undetermined = 0\n"
MILLENNIA = b"[scenario]\nname = 'a'\nstart = 0001-01-01\nend = 9999-12-31\n"


def _write(tmp: Path, data: bytes) -> Path:
    path = tmp / f"s{time.monotonic_ns()}.toml"
    path.write_bytes(data)
    return path


@settings(
    max_examples=3000 if FUZZ else 250,
    deadline=None,
    database=None,
    derandomize=not FUZZ,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=DOCUMENTS)
@example(data=DEEP_ARRAY)
@example(data=DEEP_TABLE)
@example(data=INFINITE)
@example(data=NAN)
@example(data=NO_ORIGIN)
@example(data=MILLENNIA)
def test_every_input_loads_or_is_refused_in_one_line(
    data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, data)
    refusal = answer(lambda: load_scenario(path))
    event("accepted" if refusal is None else "refused at " + refusal.split(":")[0].split("[")[0])
    if refusal is None:
        return
    # Through the command line: exit 2, the same one line, nothing written.
    capsys.readouterr()
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (DEEP_ARRAY, "scenario: malformed TOML: arrays or tables nested too deeply"),
        (DEEP_TABLE, "scenario: malformed TOML: arrays or tables nested too deeply"),
        (INFINITE, "parameters.cocaine_tons_per_year: Input should be a finite number (got inf)"),
        (NAN, "parameters.lethality: Input should be a finite number (got nan)"),
        (
            NO_ORIGIN,
            "parameters.origin_colombia: the origin shares (origin_colombia, origin_peru, "
            "origin_undetermined) are all 0; give at least one a positive share",
        ),
        (
            MILLENNIA,
            "scenario.end: 9999-12-31 is 9999 years after scenario.start (0001-01-01); "
            "a scenario spans at most 100 years",
        ),
    ],
)
def test_what_the_fuzzing_found_is_refused_with_its_reason(
    data: bytes, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, data))
    assert str(info.value).startswith(message)


def test_the_bases_are_valid(tmp_path: Path) -> None:
    """Mutations start from valid files, so what they break is the mutation's doing."""
    for text in BASES:
        assert answer(lambda t=text: load_scenario(_write(tmp_path, t.encode()))) is None
