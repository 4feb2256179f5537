from __future__ import annotations

from pathlib import Path

import pytest

#: A short sweep of the bundled synthetic scenario: 3 policies x 2 replications, 13 weeks.
SMALL = """
[sweep]
scenario = "synthetic-small"
until = "2007-03-31"
design = "grid"
samples = 1
replications = 2
seed = 7
outputs = ["homicides_total", "cocaine_delivered_t"]
series = true

[parameters]
policy = ["signaling", "crackdown", "laissez_faire"]
"""


def write_spec(folder: Path, text: str = SMALL, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_spec(tmp_path: Path) -> Path:
    return write_spec(tmp_path)
