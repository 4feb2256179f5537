"""The [calibration] table: defaults from the declared ranges, one exact message per mistake."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.calibration_spec import CalibrationSpec, ResolvedPrior, accepted_bounds
from plazasim.errors import ScenarioError
from plazasim.model.params import Parameters
from plazasim.scenario import Scenario, load_scenario, parse_scenario

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"

HEAD = """\
[scenario]
name = "t"
start = 2007-01-01
end = 2008-01-01
"""


def _declared(name: str) -> tuple[float, float]:
    lo, hi = Parameters.model_fields[name].json_schema_extra["range"]  # type: ignore[index]
    return float(lo), float(hi)


def _error(table: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(HEAD + table)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_short_form_and_priors_resolve_in_parameter_order() -> None:
    sc = parse_scenario(
        HEAD
        + """
[calibration]
parameters = ["lethality", "hold_weeks"]
[calibration.priors]
recruit_rate = { distribution = "loguniform", low = 0.001, high = 0.005 }
heat_cost_factor = { distribution = "truncnormal", mean = 2.0, sd = 1.0, high = 6 }
"""
    )
    assert sc.calibration is not None
    resolved = sc.calibration.resolved()
    order = [n for n in Parameters.model_fields if n in resolved]
    assert list(resolved) == order  # declaration order, not file order
    assert resolved["lethality"] == ResolvedPrior("lethality", "uniform", *_declared("lethality"))
    assert resolved["hold_weeks"] == ResolvedPrior("hold_weeks", "uniform", 1, 12, integer=True)
    assert resolved["recruit_rate"].distribution == "loguniform"
    assert resolved["heat_cost_factor"] == ResolvedPrior(
        "heat_cost_factor", "truncnormal", 0.0, 6.0, mean=2.0, sd=1.0
    )
    assert resolved["heat_cost_factor"].to_dict() == {
        "distribution": "truncnormal",
        "low": 0.0,
        "high": 6.0,
        "integer": False,
        "mean": 2.0,
        "sd": 1.0,
    }


def test_scenario_without_the_table_has_none_and_round_trips() -> None:
    assert parse_scenario(HEAD).calibration is None
    sc = load_scenario("mexico-2006")
    assert Scenario.model_validate(sc.to_dict()) == sc


def _script() -> object:
    sys.path.insert(0, str(SCRIPTS))
    try:
        import build_mexico_timeline
    finally:
        sys.path.remove(str(SCRIPTS))
    return build_mexico_timeline


@pytest.mark.parametrize("name", ["mexico-2006", "mexico-2006-deal"])
def test_bundled_mexico_priors_are_the_scripts(name: str) -> None:
    calibration = load_scenario(name).calibration
    assert calibration is not None
    resolved = calibration.resolved()
    listed = _script().CALIBRATION  # type: ignore[attr-defined]
    assert set(resolved) == set(listed)  # regenerate with `make data` after editing the script
    for prior in resolved.values():
        if listed[prior.name] is None:
            assert (prior.distribution, (prior.low, prior.high)) == (
                "uniform",
                _declared(prior.name),
            )
    assert {
        "baseline_scale",
        "recruit_rate",
        "execution_rate",
        "war_execution_rate",
        "routine_arrests_per_week",
    } <= set(resolved)


def test_generator_script_writes_both_forms() -> None:
    text = _script().calibration_toml(  # type: ignore[attr-defined]
        {"lethality": None, "hold_weeks": {"distribution": "loguniform", "low": 2, "high": 8}}
    )
    resolved = parse_scenario(HEAD + text).calibration.resolved()  # type: ignore[union-attr]
    assert resolved["hold_weeks"] == ResolvedPrior("hold_weeks", "loguniform", 2, 8, integer=True)
    assert resolved["lethality"].distribution == "uniform"


_RR_HI = _declared("recruit_rate")[1]
_RR_MIN = accepted_bounds("recruit_rate")[0]
BAD = {
    "empty": (
        "[calibration]\n",
        "calibration: list at least one parameter (parameters = [...] or a "
        "[calibration.priors] entry)",
    ),
    "unknown key": (
        "[calibration]\nparameters = ['lethality']\nmethod = 'abc'\n",
        "calibration.method: unknown key",
    ),
    "unknown parameter": (
        "[calibration]\nparameters = ['lethalty']\n",
        "calibration.parameters[0]: unknown parameter 'lethalty' (did you "
        "mean 'lethality'? docs/SCENARIOS.md lists them)",
    ),
    "unknown prior": (
        "[calibration.priors]\nfoo = { low = 1, high = 2 }\n",
        "calibration.priors.foo: unknown parameter 'foo' (docs/SCENARIOS.md lists them)",
    ),
    "not a list": (
        "[calibration]\nparameters = 'lethality'\n",
        "calibration.parameters: expected a list of parameter names, e.g. "
        "[\"lethality\"] (got 'lethality')",
    ),
    "twice": (
        "[calibration]\nparameters = ['lethality', 'lethality']\n",
        "calibration.parameters[1]: 'lethality' is listed twice",
    ),
    "both forms": (
        "[calibration]\nparameters = ['lethality']\n"
        "[calibration.priors]\nlethality = { low = 0.01 }\n",
        "calibration.parameters[0]: 'lethality' also has an entry in "
        "calibration.priors; list it once",
    ),
    "not a table": (
        "[calibration.priors]\nlethality = 0.02\n",
        "calibration.priors.lethality: expected a table like { distribution = "
        '"uniform", low = 0.01, high = 0.1 } (got 0.02)',
    ),
    "unknown distribution": (
        "[calibration.priors]\nlethality = { distribution = 'normal' }\n",
        "calibration.priors.lethality.distribution: unknown distribution "
        "'normal' (known: uniform, loguniform, truncnormal)",
    ),
    "low above high": (
        "[calibration.priors]\nlethality = { low = 0.1, high = 0.01 }\n",
        "calibration.priors.lethality.high: high (0.01) must be greater than low (0.1)",
    ),
    "default high below low": (
        f"[calibration.priors]\nrecruit_rate = {{ low = {_RR_HI * 2} }}\n",
        f"calibration.priors.recruit_rate: high ({_RR_HI:g}) must be "
        f"greater than low ({_RR_HI * 2:g})",
    ),
    "below accepted": (
        f"[calibration.priors]\nrecruit_rate = {{ low = {_RR_MIN / 2} }}\n",
        f"calibration.priors.recruit_rate.low: {_RR_MIN / 2:g} is below the "
        f"smallest value parameters.recruit_rate accepts ({_RR_MIN:g})",
    ),
    "above accepted": (
        "[calibration.priors]\nlaunder_share = { high = 1.5 }\n",
        "calibration.priors.launder_share.high: 1.5 is above the largest "
        "value parameters.launder_share accepts (1)",
    ),
    "loguniform from 0": (
        "[calibration.priors]\nexecution_rate = { distribution = 'loguniform', low = 0 }\n",
        "calibration.priors.execution_rate.low: loguniform needs low > 0 (got 0)",
    ),
    "loguniform default 0": (
        "[calibration.priors]\nexecution_rate = { distribution = 'loguniform' }\n",
        "calibration.priors.execution_rate: loguniform needs low > 0 (got "
        "0 from the parameter's declared range; give low)",
    ),
    "integer bound": (
        "[calibration.priors]\nhold_weeks = { low = 1.5 }\n",
        "calibration.priors.hold_weeks.low: 1.5 must be a whole number: "
        "parameters.hold_weeks is an integer",
    ),
    "truncnormal without sd": (
        "[calibration.priors]\nlethality = { distribution = 'truncnormal', mean = 0.02 }\n",
        'calibration.priors.lethality.sd: required with distribution = "truncnormal"',
    ),
    "mean with uniform": (
        "[calibration.priors]\nlethality = { mean = 0.02 }\n",
        'calibration.priors.lethality.mean: only allowed with distribution = "truncnormal"',
    ),
    "negative sd": (
        "[calibration.priors]\nlethality = { distribution = 'truncnormal', "
        "mean = 0.02, sd = -1 }\n",
        "calibration.priors.lethality.sd: must be > 0 (got -1)",
    ),
    "misspelt key": (
        "[calibration.priors]\nlethality = { lo = 0.02 }\n",
        "calibration.priors.lethality.lo: unknown key",
    ),
    "nan": (
        "[calibration.priors]\nlethality = { low = nan }\n",
        "calibration.priors.lethality.low: Input should be a finite number (got nan)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_table_is_one_line_naming_the_field(case: str) -> None:
    table, expected = BAD[case]
    assert _error(table) == expected


FLOAT_PARAMS = [n for n, f in Parameters.model_fields.items() if f.annotation is float]


@st.composite
def sub_ranges(draw: st.DrawFn) -> tuple[str, float, float]:
    """A float parameter and a sub-interval of its declared range."""
    name = draw(st.sampled_from(FLOAT_PARAMS))
    lo, hi = _declared(name)
    a, b = sorted(draw(st.lists(st.floats(lo, hi), min_size=2, max_size=2, unique=True)))
    return name, a, b


@settings(max_examples=60, deadline=None)
@given(sub_ranges())
def test_any_sub_range_of_the_declared_range_is_accepted(case: tuple[str, float, float]) -> None:
    name, low, high = case
    spec = CalibrationSpec.model_validate({"priors": {name: {"low": low, "high": high}}})
    prior = spec.resolved()[name]
    assert (prior.low, prior.high) == (low, high)
    accepted_lo, accepted_hi = accepted_bounds(name)
    assert accepted_lo <= prior.low < prior.high <= accepted_hi


def test_every_declared_range_is_a_valid_uniform_prior() -> None:
    spec = CalibrationSpec(parameters=list(Parameters.model_fields))
    assert len(spec.resolved()) == len(Parameters.model_fields)
