"""``with_overrides(scenario, parameters=...)``: values by name, validated like the file."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.calibration_spec import accepted_bounds
from plazasim.errors import ScenarioError
from plazasim.model.params import Parameters
from plazasim.overrides import canonical, known_names
from plazasim.scenario import Scenario, load_scenario, parse_scenario, with_overrides

SMALL = load_scenario("synthetic-small")
MEXICO = load_scenario("mexico-2006")
NAMES = sorted(Parameters.model_fields)


def _declared(name: str) -> tuple[float, float]:
    extra = Parameters.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    lo, hi = extra["range"]  # type: ignore[misc]
    return float(lo), float(hi)


def _is_int(name: str) -> bool:
    return Parameters.model_fields[name].annotation is int


@st.composite
def _valid(draw: st.DrawFn) -> tuple[str, float | int]:
    """A parameter and a value inside its declared range (hence accepted)."""
    name = draw(st.sampled_from(NAMES))
    lo, hi = _declared(name)
    if _is_int(name):
        return name, draw(st.integers(math.ceil(lo), math.floor(hi)))
    return name, draw(st.floats(lo, hi, allow_nan=False))


@settings(max_examples=60, deadline=None, database=None)
@given(_valid())
def test_a_valid_value_round_trips(case: tuple[str, float | int]) -> None:
    name, value = case
    for key in (name, f"parameters.{name}"):
        try:
            out = with_overrides(SMALL, parameters={key: value})
        except ScenarioError as exc:  # only the shares' "not all zero" rule may refuse
            assert value == 0 and "shares" in str(exc)
            continue
        assert getattr(out.parameters, name) == value
        # nothing else changed, and setting every parameter at once gives the same scenario
        assert out.model_copy(update={"parameters": SMALL.parameters}) == SMALL
        assert with_overrides(SMALL, parameters=out.parameters.model_dump()) == out


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(NAMES), st.floats(1e-9, 1e6), st.booleans())
def test_a_value_below_what_the_parameter_accepts_is_refused(
    name: str, below: float, as_int: bool
) -> None:
    low, _ = accepted_bounds(name)
    value: float | int = low - below
    if _is_int(name) or as_int:
        value = math.floor(value) if math.floor(value) < low else int(low) - 1
    with pytest.raises(ScenarioError) as info:
        with_overrides(SMALL, parameters={name: value})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"parameters.{name}: ")
    assert "greater than" in message and "got" in message


@settings(max_examples=40, deadline=None, database=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20))
def test_an_unknown_name_is_refused_and_names_itself(name: str) -> None:
    if name in Parameters.model_fields:
        return
    with pytest.raises(ScenarioError) as info:
        with_overrides(SMALL, parameters={name: 1.0})
    assert str(info.value).startswith(f"{name}: unknown parameter")


def test_the_example_of_the_issue() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"^parameters\.lethality: Input should be greater "
        r"than or equal to 0\.0005 \(got -5\)$",
    ):
        with_overrides(SMALL, parameters={"lethality": -5})
    assert with_overrides(SMALL, parameters={"lethality": 0.03}).parameters.lethality == 0.03


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "letality",
            "letality: unknown parameter (did you mean 'lethality'? docs/SCENARIOS.md "
            "lists the names)",
        ),
        (
            "world.plazaz",
            "world.plazaz: unknown key (did you mean 'world.plazas'? "
            "docs/SCENARIOS.md lists the names)",
        ),
        (
            "parameters.lethality.x",
            "parameters.lethality.x: the [parameters] table has no nested "
            "tables; name one key, e.g. parameters.cocaine_tons_per_year",
        ),
        (
            "policy.signaling",
            "policy.signaling: a policy parameter is named "
            "policy.<policy>.<parameter>, e.g. policy.signaling.wait_weeks",
        ),
        ("events.date", "events.date: unknown name (docs/SCENARIOS.md lists the names)"),
    ],
)
def test_bad_names_get_one_line_each(name: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        with_overrides(SMALL, parameters={name: 1})
    assert str(info.value) == message


def test_values_are_validated_like_the_file() -> None:
    """The same value gives the same scenario, or the same error, as the file."""
    head = (
        '[scenario]\nname = "t"\nstart = 2007-01-01\nend = 2008-01-01\n'
        '[world]\nkind = "synthetic"\nplazas = 50\n'
    )
    base = parse_scenario(head)
    for value, toml in (
        (0.03, "0.03"),
        ("0.03", '"0.03"'),
        (-5, "-5"),
        ("abc", '"abc"'),
        (math.nan, "nan"),
        ([1], "[1]"),
    ):
        try:
            expected: Scenario | str = parse_scenario(f"{head}[parameters]\nlethality = {toml}\n")
        except ScenarioError as exc:
            expected = str(exc)
        try:
            got: Scenario | str = with_overrides(base, parameters={"lethality": value})
        except ScenarioError as exc:
            got = str(exc)
        assert got == expected


def test_tables_and_policy_parameters() -> None:
    out = with_overrides(
        SMALL, parameters={"world.plazas": 120, "scenario.description": "x", "world.seed": 3}
    )
    assert (out.world.plazas, out.world.seed, out.scenario.description) == (120, 3, "x")
    signaling = [i for i, p in enumerate(MEXICO.policy) if p.name == "signaling"]
    out = with_overrides(MEXICO, parameters={"policy.signaling.wait_weeks": 8})
    assert [out.policy[i].params["wait_weeks"] for i in signaling] == [8] * len(signaling)
    assert out.events == MEXICO.events
    # a policy given with policy= takes its parameters in the same call
    crack = with_overrides(SMALL, policy="signaling", parameters={"policy.signaling.wait_weeks": 2})
    assert crack.policy[0].params == {"wait_weeks": 2}


def test_policy_parameter_errors_name_the_override() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"^policy\.signaling\.wait_weeks: Input should be "
        r"greater than or equal to 0 \(got -1\)$",
    ):
        with_overrides(MEXICO, parameters={"policy.signaling.wait_weeks": -1})
    with pytest.raises(ScenarioError, match=r"^policy\.signaling\.nope: unknown key$"):
        with_overrides(MEXICO, parameters={"policy.signaling.nope": 1})
    with pytest.raises(
        ScenarioError,
        match=r"^policy\.kingpin\.x: the policy timeline has no "
        r"'kingpin' entry \(it runs: laissez_faire, signaling\)$",
    ):
        with_overrides(MEXICO, parameters={"policy.kingpin.x": 1})


def test_a_combination_that_cannot_work_is_refused() -> None:
    shares = {"origin_colombia": 0, "origin_peru": 0, "origin_undetermined": 0}
    with pytest.raises(ScenarioError, match=r"^parameters\.origin_colombia: the origin shares"):
        with_overrides(SMALL, parameters=shares)


def test_empty_parameters_change_nothing_and_names_are_listed() -> None:
    assert with_overrides(SMALL, parameters={}) == SMALL
    assert with_overrides(SMALL, parameters=None) == SMALL
    names = known_names()
    assert names[: len(NAMES)] == list(Parameters.model_fields)
    assert "world.plazas" in names and "scenario.seed" in names
    assert canonical("lethality") == "parameters.lethality"
