"""The EMA Workbench adapter: uncertainties, levers and outcomes of a scenario model."""

from __future__ import annotations

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from plazasim.ema import LEVER, scenario_model, spec_model  # noqa: E402
from plazasim.errors import PlazasimError  # noqa: E402
from plazasim.model.params import Parameters  # noqa: E402
from plazasim.sweep.spec import parse_spec  # noqa: E402

UNTIL = "2007-03-31"


def test_the_model_declares_ranges_levers_and_outcomes() -> None:
    model = scenario_model(
        "synthetic-small",
        ["lethality"],
        policies=["crackdown", "kingpin"],
        outcomes=["homicides_total"],
        until=UNTIL,
    )
    (lethality,) = model.uncertainties
    documented = Parameters.model_fields["lethality"].json_schema_extra["range"]
    assert (lethality.name, [lethality.lower_bound, lethality.upper_bound]) == (
        "lethality",
        documented,
    )
    assert [lever.name for lever in model.levers] == [LEVER]
    assert [o.name for o in model.outcomes] == ["homicides_total"]
    with pytest.raises(PlazasimError, match="unknown outcome 'deaths'"):
        scenario_model("synthetic-small", ["lethality"], outcomes=["deaths"])


def test_experiments_run_the_scenario_with_each_value() -> None:
    model = scenario_model(
        "synthetic-small",
        {"lethality": (0.01, 0.05)},
        policies=["crackdown", "laissez_faire"],
        outcomes=["homicides_cartel", "cocaine_delivered_t"],
        until=UNTIL,
    )
    np.random.seed(3)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = ema.perform_experiments(
            model,
            scenarios=2,
            policies=[
                ema.Policy("c", **{LEVER: "crackdown"}),
                ema.Policy("l", **{LEVER: "laissez_faire"}),
            ],
            evaluator=evaluator,
            log_progress=True,
        )
    assert len(experiments) == 4
    function = model.function
    for i, row in experiments.iterrows():
        again = function(lethality=row["lethality"], **{LEVER: row[LEVER]})
        assert again["homicides_cartel"] == outcomes["homicides_cartel"][i]
    assert len(set(outcomes["cocaine_delivered_t"])) > 1  # the values reach the model


def test_a_sweep_spec_becomes_a_model() -> None:
    spec = parse_spec("""
[sweep]
scenario = "synthetic-small"
until = "2007-03-31"
design = "lhs"
samples = 4
outputs = ["homicides_total"]
[parameters]
lethality = { low = 0.01, high = 0.05 }
policy = ["crackdown", "signaling"]
""")
    model = spec_model(spec)
    assert [(u.name, u.lower_bound, u.upper_bound) for u in model.uncertainties] == [
        ("lethality", 0.01, 0.05)
    ]
    assert [c.value for c in model.levers[LEVER].categories] == ["crackdown", "signaling"]
