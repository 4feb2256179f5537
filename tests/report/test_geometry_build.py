from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
SHIPPED = REPO / "src" / "plazasim" / "world" / "data" / "mexico_map.json.gz"


def _script():  # type: ignore[no-untyped-def]
    pytest.importorskip("shapely")
    sys.path.insert(0, str(REPO / "scripts"))
    spec = importlib.util.spec_from_file_location(
        "build_map_geometry", REPO / "scripts" / "build_map_geometry.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared/data is not beside the repository")
def test_shipped_outlines_are_what_the_script_builds_from_shared_data() -> None:
    script = _script()
    doc = script.build_map(SHARED_DATA)
    assert len(doc["municipalities"]["features"]) == 2454
    assert gzip.decompress(script.map_bytes(doc)) == gzip.decompress(SHIPPED.read_bytes())
