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

#: The parameters the bundled Mexico scenarios declare uncertain.
MEXICO_CALIBRATED = {
    "lethality", "recruit_rate", "routine_arrests_per_week", "attack_bias", "attack_share",
    "violence_bias", "violence_gain", "punishment_weight", "bystander_ratio",
    "capacity_ops_per_week", "arrest_share", "takedown_share", "state_clash_deaths",
    "kingpin_cohesion_loss", "split_rate", "succession_lethality", "execution_rate",
    "contest_exponent", "dominance_share", "wage_usd_per_member_year", "bribe_share",
    "launder_share", "heat_cost_factor", "operation_ops_per_week",
}


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
    sc = parse_scenario(HEAD + """
[calibration]
parameters = ["lethality", "hold_weeks"]
[calibration.priors]
recruit_rate = { distribution = "loguniform", low = 0.001, high = 0.005 }
heat_cost_factor = { distribution = "truncnormal", mean = 2.0, sd = 1.0, high = 6 }
""")
    assert sc.calibration is not None
    resolved = sc.calibration.resolved()
    order = [n for n in Parameters.model_fields if n in resolved]
    assert list(resolved) == order  # declaration order, not file order
    assert resolved["lethality"] == ResolvedPrior("lethality", "uniform", 0.005, 0.2)
    assert resolved["hold_weeks"] == ResolvedPrior("hold_weeks", "uniform", 1, 12, integer=True)
    assert resolved["recruit_rate"].distribution == "loguniform"
    assert resolved["heat_cost_factor"] == ResolvedPrior(
        "heat_cost_factor", "truncnormal", 0.0, 6.0, mean=2.0, sd=1.0)
    assert resolved["heat_cost_factor"].to_dict() == {
        "distribution": "truncnormal", "low": 0.0, "high": 6.0, "integer": False,
        "mean": 2.0, "sd": 1.0}


def test_scenario_without_the_table_has_none_and_round_trips() -> None:
    assert parse_scenario(HEAD).calibration is None
    sc = load_scenario("mexico-2006")
    assert Scenario.model_validate(sc.to_dict()) == sc


@pytest.mark.parametrize("name", ["mexico-2006", "mexico-2006-deal"])
def test_bundled_mexico_priors_are_the_declared_ranges(name: str) -> None:
    calibration = load_scenario(name).calibration
    assert calibration is not None
    resolved = calibration.resolved()
    assert set(resolved) == MEXICO_CALIBRATED
    for prior in resolved.values():
        assert (prior.distribution, (prior.low, prior.high)) == ("uniform",
                                                                  _declared(prior.name))


def test_generator_script_lists_the_same_parameters() -> None:
    sys.path.insert(0, str(SCRIPTS))
    try:
        import build_mexico_timeline
    finally:
        sys.path.remove(str(SCRIPTS))
    assert set(build_mexico_timeline.CALIBRATION) == MEXICO_CALIBRATED
    text = build_mexico_timeline.calibration_toml(
        {"lethality": None, "hold_weeks": {"distribution": "loguniform", "low": 2, "high": 8}})
    resolved = parse_scenario(HEAD + text).calibration.resolved()  # type: ignore[union-attr]
    assert resolved["hold_weeks"] == ResolvedPrior("hold_weeks", "loguniform", 2, 8, integer=True)


BAD = {
    "empty": ("[calibration]\n",
              "calibration: list at least one parameter (parameters = [...] or a "
              "[calibration.priors] entry)"),
    "unknown key": ("[calibration]\nparameters = ['lethality']\nmethod = 'abc'\n",
                    "calibration.method: unknown key"),
    "unknown parameter": ("[calibration]\nparameters = ['lethalty']\n",
                          "calibration.parameters[0]: unknown parameter 'lethalty' (did you "
                          "mean 'lethality'? docs/SCENARIOS.md lists them)"),
    "unknown prior": ("[calibration.priors]\nfoo = { low = 1, high = 2 }\n",
                      "calibration.priors.foo: unknown parameter 'foo' (docs/SCENARIOS.md "
                      "lists them)"),
    "not a list": ("[calibration]\nparameters = 'lethality'\n",
                   "calibration.parameters: expected a list of parameter names, e.g. "
                   "[\"lethality\"] (got 'lethality')"),
    "twice": ("[calibration]\nparameters = ['lethality', 'lethality']\n",
              "calibration.parameters[1]: 'lethality' is listed twice"),
    "both forms": ("[calibration]\nparameters = ['lethality']\n"
                   "[calibration.priors]\nlethality = { low = 0.01 }\n",
                   "calibration.parameters[0]: 'lethality' also has an entry in "
                   "calibration.priors; list it once"),
    "not a table": ("[calibration.priors]\nlethality = 0.02\n",
                    "calibration.priors.lethality: expected a table like { distribution = "
                    "\"uniform\", low = 0.01, high = 0.1 } (got 0.02)"),
    "unknown distribution": ("[calibration.priors]\nlethality = { distribution = 'normal' }\n",
                             "calibration.priors.lethality.distribution: unknown distribution "
                             "'normal' (known: uniform, loguniform, truncnormal)"),
    "low above high": ("[calibration.priors]\nlethality = { low = 0.1, high = 0.01 }\n",
                       "calibration.priors.lethality.high: high (0.01) must be greater than "
                       "low (0.1)"),
    "default high below low": ("[calibration.priors]\nlethality = { low = 0.5 }\n",
                               "calibration.priors.lethality: high (0.2) must be greater than "
                               "low (0.5)"),
    "below accepted": ("[calibration.priors]\nlethality = { low = 0.001 }\n",
                       "calibration.priors.lethality.low: 0.001 is below the smallest value "
                       "parameters.lethality accepts (0.005)"),
    "above accepted": ("[calibration.priors]\ndominance_share = { high = 1.5 }\n",
                       "calibration.priors.dominance_share.high: 1.5 is above the largest "
                       "value parameters.dominance_share accepts (1)"),
    "loguniform from 0": ("[calibration.priors]\nexecution_rate = { distribution = "
                          "'loguniform', low = 0 }\n",
                          "calibration.priors.execution_rate.low: loguniform needs low > 0 "
                          "(got 0)"),
    "loguniform default 0": ("[calibration.priors]\nexecution_rate = { distribution = "
                             "'loguniform' }\n",
                             "calibration.priors.execution_rate: loguniform needs low > 0 (got "
                             "0 from the parameter's declared range; give low)"),
    "integer bound": ("[calibration.priors]\nhold_weeks = { low = 1.5 }\n",
                      "calibration.priors.hold_weeks.low: 1.5 must be a whole number: "
                      "parameters.hold_weeks is an integer"),
    "truncnormal without sd": ("[calibration.priors]\nlethality = { distribution = "
                               "'truncnormal', mean = 0.02 }\n",
                               "calibration.priors.lethality.sd: required with distribution = "
                               "\"truncnormal\""),
    "mean with uniform": ("[calibration.priors]\nlethality = { mean = 0.02 }\n",
                          "calibration.priors.lethality.mean: only allowed with distribution "
                          "= \"truncnormal\""),
    "negative sd": ("[calibration.priors]\nlethality = { distribution = 'truncnormal', "
                    "mean = 0.02, sd = -1 }\n",
                    "calibration.priors.lethality.sd: must be > 0 (got -1)"),
    "misspelt key": ("[calibration.priors]\nlethality = { lo = 0.02 }\n",
                     "calibration.priors.lethality.lo: unknown key"),
    "nan": ("[calibration.priors]\nlethality = { low = nan }\n",
            "calibration.priors.lethality.low: Input should be a finite number"),
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
