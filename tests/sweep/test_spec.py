"""The sweep spec: every mistake is one line naming the field, the value and the form."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from plazasim.errors import ScenarioError
from plazasim.sweep.spec import Categorical, Range, parse_spec

HEAD = """
[sweep]
scenario = "synthetic-small"
design = "lhs"
samples = 4
"""


def _spec(params: str, head: str = HEAD) -> str:
    return head + "\n[parameters]\n" + params + "\n"


def test_a_full_spec_reads_every_factor_kind() -> None:
    spec = parse_spec(
        _spec(
            "lethality = { low = 0.01, high = 0.05 }\n"
            'recruit_rate = "range"\n'
            'heat_decay = { low = 0.1, high = 0.9, scale = "log" }\n'
            'policy = ["signaling", "crackdown"]\n'
            "bystander_ratio = [0.1, 0.2]\n"
            "world.plazas = [50, 60]",
            HEAD + 'until = "2007-06-30"\nreplications = 3\nseed = 9\n',
        )
    )
    f = spec.factors
    assert f["lethality"] == Range(0.01, 0.05)
    assert f["recruit_rate"] == Range(0.001, 0.006)  # the documented range in params.py
    assert f["heat_decay"].log and f["heat_decay"].at(0.5) == pytest.approx(0.3)
    assert f["policy"] == Categorical(("signaling", "crackdown"))
    assert f["bystander_ratio"] == Categorical((0.1, 0.2))
    assert spec.sweep.until == dt.date(2007, 6, 30)
    assert spec.sweep.replications == 3 and spec.sweep.seed == 9
    assert f["world.plazas"] == Categorical((50.0, 60.0))  # a dotted key is a dotted name
    assert list(spec.factors) == [
        "lethality",
        "recruit_rate",
        "heat_decay",
        "policy",
        "bystander_ratio",
        "world.plazas",
    ]  # file order


def test_the_recorded_spec_reads_back_to_the_same_digest() -> None:
    spec = parse_spec(_spec('lethality = { low = 0.01, high = 0.05 }\npolicy = ["crackdown"]'))
    again = type(spec).from_dict(json.loads(json.dumps(spec.to_dict(), sort_keys=True)))
    assert again.digest() == spec.digest()
    assert list(again.factors) == ["lethality", "policy"]  # order survives sorted JSON
    other = parse_spec(_spec('lethality = { low = 0.01, high = 0.06 }\npolicy = ["crackdown"]'))
    assert other.digest() != spec.digest()
    swapped = parse_spec(_spec('policy = ["crackdown"]\nlethality = { low = 0.01, high = 0.05 }'))
    assert swapped.digest() != spec.digest()  # another factor order is another design


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _spec("lethality = { low = 0.05, high = 0.01 }"),
            "parameters.lethality: low must be below high (got low = 0.05, high = 0.01)",
        ),
        (_spec("lethality = { low = 0.01 }"), "parameters.lethality.high: required key is missing"),
        (
            _spec('lethality = { low = "a", high = 1 }'),
            "parameters.lethality.low: expected a finite number (got 'a')",
        ),
        (
            _spec('lethality = { low = 0.0, high = 1, scale = "log" }'),
            "parameters.lethality.low: a log scale needs low > 0 (got 0)",
        ),
        (
            _spec("lethality = { low = 0.1, high = 1, step = 2 }"),
            "parameters.lethality.step: unknown key (expected low, high, scale)",
        ),
        (
            _spec('policy = "crackdown"'),
            'parameters.policy: expected a list of policy names, e.g. ["signaling", "crackdown"] '
            "(got 'crackdown')",
        ),
        (_spec("policy = []"), "parameters.policy: an empty list; give at least one value"),
        (
            _spec("lethality = [0.01, inf]"),
            "parameters.lethality[1]: expected a finite number (got inf)",
        ),
        (
            _spec('lethality = [0.01, "a"]'),
            "parameters.lethality: expected a list of numbers or of strings (got [0.01, 'a'])",
        ),
        (
            _spec('policy = ["crackdown", "crackdown"]'),
            "parameters.policy: a value is listed more than once",
        ),
        (
            _spec('world.plazas = "range"'),
            'parameters.world.plazas: "range" needs a model parameter',
        ),
        (_spec(""), "parameters: give at least one factor"),
        (
            _spec('policy = ["crackdown"]', HEAD.replace('"lhs"', '"fractional"')),
            "sweep.design: Input should be 'grid', 'lhs', 'sobol', 'morris' or 'random' "
            "(got 'fractional')",
        ),
        (
            _spec('policy = ["crackdown"]', HEAD.replace("4", "0")),
            "sweep.samples: Input should be greater than or equal to 1 (got 0)",
        ),
        (
            _spec('policy = ["crackdown"]', HEAD + 'outputs = ["deaths"]'),
            "sweep.outputs: unknown output 'deaths' (known: homicides_total",
        ),
        (
            _spec('policy = ["crackdown"]', HEAD + "until = 2007-13-01"),
            "sweep.until: invalid date 2007-13-01",
        ),
        (_spec('policy = ["crackdown"]', HEAD + "sede = 3"), "sweep.sede: unknown key"),
    ],
)
def test_bad_specs_are_one_line(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_spec(text)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(expected), message


def test_a_relative_scenario_path_is_relative_to_the_spec(tmp_path: Path) -> None:
    spec = parse_spec(
        _spec('policy = ["crackdown"]', HEAD.replace('"synthetic-small"', '"scen/my.toml"')),
        base_dir=tmp_path,
    )
    assert spec.sweep.scenario == str(tmp_path / "scen" / "my.toml")
