"""``plazasim dashboard``: bad options are one line and exit 2, before anything listens."""

from __future__ import annotations

import socket

import pytest

from plazasim.cli import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "error: --port: must be from 1 to 65535 (got 0)"),
        (["--port", "70000"], "error: --port: must be from 1 to 65535 (got 70000)"),
        (["--host", "my laptop"], "error: --host: 'my laptop' is not an IP address"),
        (["--host", "192.0.2.1"], "error: --host: cannot listen on 192.0.2.1:"),
    ],
)
def test_bad_options(args, message, tmp_path, capsys) -> None:
    assert main(["dashboard", "--runs", str(tmp_path / "runs"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_runs_must_be_a_folder(tmp_path, capsys) -> None:
    (tmp_path / "file").write_text("x")
    assert main(["dashboard", "--runs", str(tmp_path / "file")]) == 2
    assert "--runs: " in capsys.readouterr().err


def test_a_taken_port_is_one_line(tmp_path, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port), "--runs", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --port: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1
