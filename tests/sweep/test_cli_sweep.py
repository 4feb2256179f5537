"""``plazasim sweep``, ``sensitivity`` and ``query`` on a sweep, from the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.sweep import read_runs

from .conftest import SMALL, write_spec


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sweep_then_resume_then_query(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, text, err = _run(capsys, "sweep", str(small_spec), "--workers", "1", "--out", str(out))
    assert code == 0, err
    assert "6 runs (6 now) on 1 worker(s)" in text and f"wrote {out}" in text
    code, text, _ = _run(capsys, "sweep", str(small_spec), "--out", str(out), "--quiet")
    assert code == 0 and text.strip() == f"wrote {out}"
    code, text, _ = _run(
        capsys, "query", str(out), "SELECT count(*) AS n, count(DISTINCT run_id) AS ids FROM runs"
    )
    assert code == 0 and "6" in text
    export = tmp_path / "by-policy.parquet"
    code, text, _ = _run(
        capsys,
        "query",
        str(out),
        "SELECT policy, avg(homicides_total) AS h FROM runs GROUP BY policy ORDER BY policy",
        "--parquet",
        str(export),
    )
    assert code == 0 and text.strip() == f"wrote 3 rows to {export}"
    runs = read_runs(out)
    expected = runs.groupby("policy", as_index=False)["homicides_total"].mean()
    got = pd.read_parquet(export)
    assert got["policy"].tolist() == expected["policy"].tolist()
    assert got["h"].tolist() == pytest.approx(expected["homicides_total"].tolist())
    code, _, err = _run(capsys, "query", str(out), "SELECT 1", "--parquet", str(export))
    assert code == 2 and err == f"error: --parquet: {export} exists; give a new file name\n"
    code, _, err = _run(capsys, "sensitivity", str(out))
    assert code == 2
    assert err == (
        'error: sensitivity: needs a sweep with design "sobol" or "morris" (this one is \'grid\')\n'
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("policy = [", 'policy = ["nonesuch", '),
            "error: parameters.policy: unknown policy 'nonesuch' (known: ",
        ),
        (
            (
                'policy = ["signaling", "crackdown", "laissez_faire"]',
                "lethality = { low = -1.0, high = 0.05 }",
            ),
            "error: parameters.lethality: Input should be greater than or equal to",
        ),
        (
            ('policy = ["signaling", "crackdown", "laissez_faire"]', "lethalty = [0.01]"),
            "error: parameters.lethalty: unknown parameter (did you mean 'lethality'?",
        ),
        (
            ('until = "2007-03-31"', 'until = "2012-01-01"'),
            "error: sweep.until: 2012-01-01 is after the end of synthetic-small",
        ),
        (
            ('design = "grid"', 'design = "grid"\nreplicates = 3'),
            "error: sweep.replicates: unknown key",
        ),
    ],
)
def test_bad_specs_stop_before_any_folder(
    change: tuple[str, str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, SMALL.replace(*change))
    code, text, err = _run(capsys, "sweep", str(spec), "--out", str(tmp_path / "out"))
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith(expected), err
    assert "Traceback" not in text + err
    assert not (tmp_path / "out").exists()


def test_unusable_options_and_folders(
    small_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cases = {
        ("--workers", "0"): "error: --workers: must be >= 1 (got 0)",
        (
            "--workers",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ): "error: --scheduler: give either --scheduler or --workers, not both",
        ("--out", str(blocker / "sweep")): f"error: --out: cannot write {blocker / 'sweep'}",
        ("--out", str(tmp_path)): f"error: --out: {tmp_path} is not empty and holds no sweep.json",
    }
    for args, expected in cases.items():
        code, _, err = _run(capsys, "sweep", str(small_spec), *args)
        assert code == 2 and err.startswith(expected), (args, err)
    code, _, err = _run(capsys, "sweep", str(tmp_path / "missing.toml"))
    assert code == 2 and err.startswith("error: spec: file not found")


@pytest.mark.parametrize("command", ["sweep", "sensitivity", "query"])
def test_help_fits_80_columns_without_placeholders(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, text, _ = _run(capsys, command, "--help")
    assert code == 0 and "<bool>" not in text
    assert all(len(line) <= 80 for line in text.splitlines())


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_unwritable_folders_are_refused_before_any_run(
    small_spec: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import errno
    import os
    import tempfile

    from plazasim.sweep import runner

    def refuse(task: object) -> None:
        raise AssertionError("simulated before refusing the output folder")

    monkeypatch.setattr(runner, "run_task", refuse)
    code, _, err = _run(capsys, "sweep", str(small_spec), "-q", "--out", "/proc/plazasim-sweep")
    assert code == 2 and err.startswith("error: --out: cannot write /proc/plazasim-sweep")
    assert err.count("\n") == 1
    # A sweep folder that has become read-only (as root, only a probe can tell).
    out = tmp_path / "out"
    monkeypatch.setattr(runner, "run_task", lambda task: (_ for _ in ()).throw(KeyboardInterrupt))
    _run(capsys, "sweep", str(small_spec), "-q", "--out", str(out))
    monkeypatch.setattr(runner, "run_task", refuse)

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, _, err = _run(capsys, "sweep", str(small_spec), "-q", "--out", str(out))
    assert (code, err) == (2, f"error: --out: cannot write in {out}: Read-only file system\n")
