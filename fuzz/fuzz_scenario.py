"""Coverage-guided fuzzing of the scenario loader with atheris (``make fuzz``).

Each input is written to a file and read by ``load_scenario``, as ``plazasim run
FILE`` does. It must load, or be refused with a one-line
:class:`~plazasim.errors.PlazasimError`; anything else (another exception, a
message of several lines, more than 2 s: ``-timeout=2``) is a crash that libFuzzer
reports with the input that caused it. The hypothesis test
``tests/test_scenario_fuzz.py`` checks the same promise with structured mutations;
this harness finds what byte-level, coverage-guided mutation reaches.

Run: ``python fuzz/fuzz_scenario.py fuzz/corpus -max_total_time=120 -timeout=2
-dict=fuzz/toml.dict`` (seed inputs in ``fuzz/corpus``; libFuzzer adds what it finds).
"""

from __future__ import annotations

import os
import sys

import atheris

with atheris.instrument_imports():
    import tomllib  # noqa: F401  (instrumented: the parser is half of the loader)

    from plazasim.errors import PlazasimError
    from plazasim.results.store import manifest_text
    from plazasim.scenario import load_scenario

# The input lives in an anonymous in-memory file (Linux), read through its /proc path:
# libFuzzer ends the process with exit(), so a scratch file on disk would be left behind.
_FD = os.memfd_create("scenario.toml")
_PATH = f"/proc/{os.getpid()}/fd/{_FD}"


def test_one_input(data: bytes) -> None:
    """Load ``data`` as a scenario file; fail unless it loads or is refused in one line."""
    os.ftruncate(_FD, 0)
    os.pwrite(_FD, data, 0)
    try:
        scenario = load_scenario(_PATH)
    except PlazasimError as exc:
        text = str(exc)
        if not text.strip() or "\n" in text or "\r" in text:
            raise AssertionError(f"refusal is not one line: {text!r}") from None
        return
    manifest_text({"scenario": scenario.to_dict()})  # what a run's manifest stores


def main() -> None:
    """Start libFuzzer with this process's arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
