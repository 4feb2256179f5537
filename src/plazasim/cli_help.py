"""How ``--help`` looks: flags without a value placeholder, ``-h`` as well as ``--help``.

typer 0.29 prints every option's type in rich help, flags included, so
``--quiet <bool>`` and ``--help <bool>`` read as if they took a value. A flag takes
none; giving it an empty metavar hides the placeholder. :class:`PlazasimTyper` makes
every command (also those other modules register) use these classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["HELP_OPTIONS", "PlazasimTyper"]

#: ``plazasim run -h`` as well as ``--help``.
HELP_OPTIONS = ["-h", "--help"]


def _plain_flags(params: list[Any]) -> list[Any]:
    """Give every flag (``--quiet``, ``--force``, ``--help``) an empty metavar."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class PlainFlagCommand(TyperCommand):
    """A command whose help shows no ``<bool>`` after its flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, flags without a placeholder (see the module doc)."""
        return _plain_flags(super().get_params(ctx))


class PlainFlagGroup(TyperGroup):
    """The top-level group, whose ``--help`` and ``--version`` show no ``<bool>`` either."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, flags without a placeholder (see the module doc)."""
        return _plain_flags(super().get_params(ctx))


class PlazasimTyper(typer.Typer):
    """A ``typer.Typer`` whose commands default to :class:`PlainFlagCommand`."""

    def __init__(self, **kwargs: Any) -> None:
        settings = {"help_option_names": HELP_OPTIONS, **kwargs.pop("context_settings", {})}
        super().__init__(cls=PlainFlagGroup, context_settings=settings, **kwargs)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[Any], Any]:
        """Register a command, as ``typer.Typer.command``, with plain flags in its help."""
        return super().command(name, cls=cls or PlainFlagCommand, **kwargs)
