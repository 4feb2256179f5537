"""Command-line surprises, fixed: every mistake is one line naming the option, never silent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plazasim.cli import main

#: A short run of the bundled 200-plaza synthetic scenario (2007-01-01 to 2008-12-31).
SHORT = ("synthetic-small", "--until", "2007-02-28", "--quiet")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``args``, check it is refused with one line and no traceback; return that line."""
    code, out, err = _run(capsys, *args)
    assert code == 2, out + err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err.strip()


# --------------------------------------------------------------------------- --until


@pytest.mark.parametrize(
    "until, where", [("2015-12-31", "after the end"), ("2006-06-01", "not after the start")]
)
def test_until_outside_the_scenario_is_refused(
    until: str,
    where: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    line = _refused(capsys, "run", "synthetic-small", "--until", until)
    assert line == (
        f"error: --until: {until} is {where} of synthetic-small (2007-01-01 to "
        "2008-12-31); give a date from 2007-01-02 to 2008-12-31 (--until can only "
        "shorten a run)"
    )
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- mix


def test_policy_mix_runs_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mix"
    code, _, err = _run(
        capsys, "run", *SHORT, "--policy", "mix:signaling=0.7+kingpin=0.3", "--out", str(out)
    )
    assert code == 0, err
    policy = json.loads((out / "manifest.json").read_text())["scenario"]["policy"]
    assert [(p["name"], p["params"]) for p in policy] == [
        ("mix", {"parts": [{"name": "signaling", "share": 0.7}, {"name": "kingpin", "share": 0.3}]})
    ]


def test_bare_mix_says_how_to_write_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, "run", *SHORT, "--policy", "mix", "--out", str(tmp_path / "o"))
    assert line == (
        "error: --policy: mix needs its parts and their shares of the capacity "
        "(e.g. mix:signaling=0.7+kingpin=0.3, shares adding up to 1)"
    )
    line = _refused(
        capsys,
        "compare",
        "synthetic-small",
        "--policies",
        "signaling,mix:signaling=0.5+kingpin=0.4",
        "--seeds",
        "1",
        "--out",
        str(tmp_path / "o"),
    )
    assert line == (
        "error: --policies: mix shares must add up to 1 (they add up to 0.9; "
        "e.g. mix:signaling=0.7+kingpin=0.3, shares adding up to 1)"
    )
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- compare --scenarios


def _variant(tmp_path: Path, name: str, old: str, new: str) -> str:
    """A copy of synthetic-small named ``name`` with ``old`` replaced by ``new``."""
    from plazasim.scenario import bundled_scenarios

    text = bundled_scenarios()["synthetic-small"].read_text(encoding="utf-8")
    text = text.replace('name = "synthetic-small"', f'name = "{name}"').replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_compare_refuses_scenarios_that_cannot_be_paired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = _variant(tmp_path, "late", "start = 2007-01-01\n", "start = 2007-02-05\n")
    Path(late).write_text(Path(late).read_text().replace("from = 2007-01-01", "from = 2007-02-05"))
    short = _variant(tmp_path, "short", "end = 2008-12-31", "end = 2008-06-30")
    other = _variant(tmp_path, "other", "plazas = 200", "plazas = 100")
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    base = ["compare", "--seeds", "1", "--scenarios"]
    assert _refused(capsys, *base, f"synthetic-small,{late}") == (
        "error: --scenarios: synthetic-small and late differ in start (2007-01-01 vs "
        "2007-02-05); variants are paired week by week on one world, so they need the same "
        "start, end and world"
    )
    assert _refused(capsys, *base, f"synthetic-small,{short}") == (
        "error: --scenarios: synthetic-small and short differ in end (2008-12-31 vs "
        "2008-06-30); variants are paired week by week on one world, so they need the same "
        "start, end and world (--until can align the ends)"
    )
    assert _refused(capsys, *base, f"synthetic-small,{other}") == (
        "error: --scenarios: synthetic-small and other differ in world (synthetic: 200 plazas, "
        "4 cartels, seed 7 vs synthetic: 100 plazas, 4 cartels, seed 7); variants are paired "
        "week by week on one world, so they need the same start, end and world"
    )
    assert _refused(capsys, *base, "synthetic-small") == (
        "error: --scenarios: give at least two scenarios to compare, comma-separated (got only "
        "'synthetic-small')"
    )
    assert _refused(capsys, "compare", "synthetic-small", "--policies", "crackdown") == (
        "error: --policies: give at least two policies to compare, comma-separated (got only "
        "'crackdown')"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_compare_pairs_scenarios_whose_ends_until_aligns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = _variant(tmp_path, "short", "end = 2008-12-31", "end = 2008-06-30")
    code, _, err = _run(
        capsys,
        "compare",
        "--scenarios",
        f"synthetic-small,{short}",
        "--seeds",
        "1",
        "--until",
        "2007-02-28",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path / "cmp"),
    )
    assert code == 0, err


# --------------------------------------------------------------------------- output folders

TINY = """\
[scenario]
name = "tiny"
start = 2007-01-01
end = 2007-02-28
[world]
kind = "synthetic"
plazas = 30
cartels = 2
"""


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A two-month 30-plaza scenario file, with the working directory beside it."""
    (tmp_path / "tiny.toml").write_text(TINY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return "tiny.toml"


def _manifest(folder: Path) -> dict[str, object]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_default_folder_names_every_override(
    tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "run", tiny, "-q")[0] == 0
    plain = tmp_path / "runs" / "tiny-0"
    first = (plain / "national.parquet").read_bytes()
    code, out, err = _run(capsys, "run", tiny, "-q", "--policy", "kingpin", "--until", "2007-01-31")
    assert code == 0, err
    assert (plain / "national.parquet").read_bytes() == first  # the plain run is untouched
    assert _manifest(plain)["scenario"]["policy"] == []
    other = tmp_path / "runs" / "tiny-0-kingpin-until-2007-01-31"
    assert f"wrote {other}" in out
    assert _manifest(other)["invocation"]["line"] == (
        f"plazasim run {tmp_path / 'tiny.toml'} --seed 0 --until 2007-01-31 --policy kingpin"
    )
    assert _run(capsys, "run", tiny, "-q", "--policy", "mix:signaling=0.5+kingpin=0.5")[0] == 0
    assert (tmp_path / "runs" / "tiny-0-mix-signaling-0.5-kingpin-0.5").is_dir()


def test_the_same_command_replaces_its_own_results_and_says_so(
    tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "run", tiny, "-q")[0] == 0
    code, _, err = _run(capsys, "run", tiny, "-q", "--seed", "0")  # the same run
    assert code == 0
    assert err == f"note: replacing the results of this same command in {Path('runs/tiny-0')}\n"


def test_results_of_another_command_are_never_replaced_silently(
    tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = Path("runs") / "tiny-0"
    assert _run(capsys, "run", tiny, "-q", "--seed", "5", "--out", str(target))[0] == 0
    before = (target / "national.parquet").read_bytes()
    line = _refused(capsys, "run", tiny, "-q")  # its default folder holds the seed-5 run
    assert line == (
        f"error: --out: {target} already holds the results of another command (plazasim run "
        f"{tmp_path / 'tiny.toml'} --seed 5); give another folder with --out DIR, or add "
        "--force to replace them"
    )
    assert (target / "national.parquet").read_bytes() == before
    mine = tmp_path / "mine"
    assert _run(capsys, "run", tiny, "-q", "--out", str(mine))[0] == 0
    line = _refused(capsys, "run", tiny, "-q", "--seed", "3", "--out", str(mine))
    assert line.startswith(f"error: --out: {mine} already holds the results of another command")
    code, _, err = _run(capsys, "run", tiny, "-q", "--seed", "3", "--out", str(mine), "--force")
    assert code == 0
    assert err == f"note: replacing the results of another command (--force) in {mine}\n"
    assert _manifest(mine)["seed"] == 3
    # results that do not record their command (older plazasim) count as another command
    manifest = _manifest(mine)
    del manifest["invocation"]
    (mine / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    line = _refused(capsys, "run", tiny, "-q", "--seed", "3", "--out", str(mine))
    assert line == (
        f"error: --out: {mine} already holds the results of a command it does not "
        "record; give another folder with --out DIR, or add --force to replace them"
    )
    # --force never replaces a folder that is not plazasim results
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("keep me")
    line = _refused(capsys, "run", tiny, "-q", "--out", str(tmp_path / "notes"), "--force")
    assert line.startswith(f"error: --out: {tmp_path / 'notes'} exists and is not a plazasim")
    assert (tmp_path / "notes" / "a.txt").read_text() == "keep me"


def test_out_under_a_file_says_so(tiny: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, "run", tiny, "-q", "--out", "/dev/null/x")
    assert line == "error: --out: cannot create /dev/null/x: /dev/null is not a directory"


def test_compare_default_folder_names_variants_seeds_and_until(
    tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys,
        "compare",
        tiny,
        "--policies",
        "crackdown,laissez_faire",
        "--seeds",
        "2",
        "--first-seed",
        "3",
        "--until",
        "2007-01-31",
        "--workers",
        "1",
        "-q",
    )
    assert code == 0, err
    folder = tmp_path / "runs" / "compare-tiny-crackdown-vs-laissez_faire-seeds3-4-until-2007-01-31"
    assert f"wrote {folder}" in out
    assert _manifest(folder)["invocation"]["command"] == "compare"


# --------------------------------------------------------------------------- scenario messages

HEAD = '[scenario]\nname = "t"\nstart = 2007-01-01\n'
WORLD = '[world]\nkind = "synthetic"\nplazas = 50\ncartels = 2\n'
EVENT = "[[events]]\ndate = 2007-02-01\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            HEAD + "end = 2009-13-01\n" + WORLD,
            "scenario.end: invalid date 2009-13-01 (expected YYYY-MM-DD, e.g. 2009-12-31; line 4 of "
            "{path})",
        ),
        (
            HEAD
            + "end = 2009-12-31\n"
            + WORLD
            + EVENT
            + 'kind = "supply_shock"\nfactor = 2\n'
            + '[[events]]\ndate = 2007-02-31\nkind = "supply_shock"\nfactor = 2\n',
            "events[1].date: invalid date 2007-02-31 (expected YYYY-MM-DD, e.g. 2009-12-31; line 14 "
            "of {path})",
        ),
        (
            HEAD + 'end = "31-12-2009"\n' + WORLD,
            "scenario.end: invalid date '31-12-2009' (expected YYYY-MM-DD, e.g. 2009-12-31)",
        ),
        (
            HEAD
            + "end = 2009-12-31\n"
            + WORLD
            + EVENT
            + 'kind = "us_signal"\ncartel = "Cartel A"\nplaza = 8037\n',
            'events[0].plaza: expected a plaza code, a quoted 5-digit INEGI code such as "08037" '
            '(synthetic: "S000") (got 8037; write "08037")',
        ),
        (
            HEAD
            + "end = 2009-12-31\n"
            + WORLD
            + EVENT
            + 'kind = "military_operation"\nstates = ["Chihuahua"]\n',
            'events[0].states[0]: expected a two-digit INEGI state code such as "08" '
            "(got 'Chihuahua')",
        ),
        (
            HEAD + "end = 2009-12-31\n" + WORLD + "[parameters]\nlaunder_share = 1.5\n",
            "parameters.launder_share: Input should be less than or equal to 1 (got 1.5)",
        ),
        (
            HEAD + "end = 2009-12-31\n" + WORLD + '[[policy]]\nfrom = 2007-01-01\nname = "mix"\n',
            "policy[0].params.parts: required: the policies and their shares of the capacity, e.g. "
            'parts = [{ name = "signaling", share = 0.7 }, { name = "kingpin", share = 0.3 }]',
        ),
    ],
)
def test_scenario_messages_name_the_field_the_value_and_the_form(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    line = _refused(capsys, "run", str(path), "--out", str(tmp_path / "o"))
    assert line == "error: " + expected.replace("{path}", str(path))
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- help, version, width


def test_version_and_short_help(capsys: pytest.CaptureFixture[str]) -> None:
    from plazasim import __version__

    assert _run(capsys, "--version") == (0, f"plazasim {__version__}\n", "")
    code, out, _ = _run(capsys, "-h")
    assert code == 0 and "--version" in out and "Commands" in out
    code, out, _ = _run(capsys, "run", "-h")
    assert code == 0 and "--until" in out


@pytest.mark.parametrize(
    "command",
    [
        "run",
        "compare",
        "validate",
        "prior-predictive",
        "query",
        "calibrate",
        "fit-report",
        "scenarios",
    ],
)
def test_flags_show_no_value_placeholder(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0
    assert "<bool>" not in out
    for line in out.splitlines():
        assert len(line) <= 80, line
    flags = [line for line in out.splitlines() if "--help" in line]
    assert flags and all("-h" in line for line in flags)


def test_summary_table_fits_80_columns_without_ellipsis() -> None:
    import io

    import pandas as pd
    from rich.console import Console

    from plazasim.cli import _homicide_table

    dates = pd.date_range("2006-12-01", "2011-06-30", freq="7D")
    national = pd.DataFrame(
        {
            "date": dates,
            "homicides_total": 6000.0,
            "homicides_cartel": 400.0,
            "homicides_state": 10.0,
            "homicides_bystander": 20.0,
            "homicides_baseline": 170.0,
        }
    )
    observed = {
        "inegi_homicides_registration": dict.fromkeys(range(2006, 2011), 25757.0),
        "presidencia_org_crime_deaths": dict.fromkeys(range(2006, 2011), 15273.0),
    }
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(_homicide_table(national, observed))
    text = buffer.getvalue()
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    for word in ("Baseline", "Presid.", "forecast", "312,000"):
        assert word in text


def test_validation_table_fits_an_80_column_terminal() -> None:
    import pandas as pd
    from rich.console import Console

    from plazasim.cli import _validation_table

    facts = pd.DataFrame(
        {
            "fact": ["kingpin_capo_municipality_12m"],
            "measured": [2.38],
            "lo": [1.02],
            "hi": [3.76],
            "holds": [True],
            "published": ["about +80% over 12 months"],
        }
    )
    for width, published in ((80, False), (140, True)):
        console = Console(width=width, record=True)
        console.print(_validation_table(facts, width=width))
        text = console.export_text()
        assert all(len(line) <= width for line in text.splitlines())
        assert "…" not in text and "+238% [+102%, +376%]" in text
        assert ("about +80% over 12 months" in text) is published
