"""The dashboard's messages for bad input: the command line's one-line ``error: ...`` text."""

from __future__ import annotations

__all__ = ["one_line"]


def one_line(exc: BaseException) -> str | None:
    """The message ``plazasim`` would print for ``exc`` (one line), or None for a bug.

    The page shows exactly what the command line says for the same mistake, so a
    user can move between the two; the CLI decides what counts as a user error.
    """
    from plazasim.cli import _user_message

    message = _user_message(exc)
    return None if message is None else " ".join(str(message).split())
