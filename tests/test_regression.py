"""The headline numbers do not move unseen.

``tests/data/regression.json`` pins the national totals by year of ``mexico-2006``
(seed 42, to 2010) and which validation facts hold with two seeds. A change that
moves them fails here; if the move is meant, regenerate the file with
``scripts/pin_regression.py`` and commit it with the change (docs/DEVELOPING.md).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PINNED = json.loads((ROOT / "tests" / "data" / "regression.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.slow


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pin_regression", ROOT / "scripts" / "pin_regression.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PIN = _script()


def test_the_pinned_file_is_what_the_script_measures() -> None:
    assert (PINNED["scenario"], PINNED["seed"], PINNED["until"]) == (
        PIN.SCENARIO,
        PIN.SEED,
        PIN.UNTIL,
    )
    assert PINNED["validation_seeds"] == list(PIN.VALIDATION_SEEDS)
    assert set(PINNED["national_by_year"]) == set(PIN.FLOWS) | set(PIN.STOCKS)


def test_national_totals_by_year_are_the_pinned_ones() -> None:
    got = PIN.national_by_year()
    assert sorted(got["homicides_total"]) == ["2006", "2007", "2008", "2009", "2010"]
    for metric, by_year in PINNED["national_by_year"].items():
        # Same code and libraries give the same bits; the tolerance only absorbs another
        # platform's last-digit rounding, never a change of the model.
        assert got[metric] == pytest.approx(by_year, rel=1e-9, abs=1e-9), metric


def test_the_same_validation_facts_hold() -> None:
    got = PIN.validation_facts()
    assert got == PINNED["validation_holds"]
