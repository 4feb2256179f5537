"""User-facing errors: the ones the command line prints as one ``error: ...`` line.

Anything a user can get wrong (a scenario file, a command-line option, an output
directory) raises a :class:`PlazasimError` whose message already says which field
or option is wrong and why. Everything else is a bug and may carry a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = ["FIELD_FORMS", "PlazasimError", "ScenarioError", "from_validation_error", "join_loc"]


class PlazasimError(Exception):
    """Base class of every error caused by user input rather than by a bug."""


class ScenarioError(PlazasimError, ValueError):
    """A scenario (file, text or override) is invalid.

    ``str(error)`` is always one line, ``<dotted.field.path>: <problem>``, e.g.
    ``parameters.lethality: Input should be greater than or equal to 2e-06``.
    It also subclasses :class:`ValueError` so that a validator raising it inside
    a pydantic model is reported by pydantic like any other value error, and the
    scenario loader can then recover ``path`` and ``problem`` to prefix the
    location of the enclosing model.
    """

    def __init__(self, message: str, *, path: str = "", problem: str = "") -> None:
        message = " ".join(message.split())  # one line, whatever the source said
        super().__init__(message)
        self.path = path
        self.problem = " ".join(problem.split()) if problem else message

    @classmethod
    def at(cls, path: str, problem: str) -> ScenarioError:
        """Build the error for field ``path`` (e.g. ``policy[0].name``) and ``problem``."""
        return cls(f"{path}: {problem}" if path else problem, path=path, problem=problem)


def join_loc(loc: Sequence[Any]) -> str:
    """Format a pydantic location: ``('events', 0, 'cartel')`` -> ``events[0].cartel``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: What a value of these fields looks like, for messages about a value of the wrong form.
FIELD_FORMS = {
    "plaza": 'a plaza code, a quoted 5-digit INEGI code such as "08037" (synthetic: "S000")',
    "plazas": 'a plaza code, a quoted 5-digit INEGI code such as "08037" (synthetic: "S000")',
    "states": 'a two-digit INEGI state code such as "08"',
}
#: Digits of the codes above: an unquoted 8037 was meant as "08037".
_CODE_DIGITS = {"plaza": 5, "plazas": 5, "states": 2}
#: Pydantic error types whose message should show the value it refused.
_SHOW_INPUT = (
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "finite_number",
    "int_parsing",
    "int_from_float",
    "float_parsing",
    "bool_parsing",
    "int_type",
    "float_type",
    "bool_type",
    "literal_error",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
    "multiple_of",
)
_DATE_ERRORS = (
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "date_type",
)


def _shown(value: Any) -> str:
    """``repr`` of a refused value, cut to one short line."""
    text = " ".join(repr(value).split())
    return text if len(text) <= 40 else text[:37] + "..."


def _problem(kind: str, msg: str, value: Any, field: str, show_input: bool = True) -> str:
    """The message for pydantic error ``kind`` on ``field``: the expected form and the value.

    Pydantic's own wording says what failed ("Input should be a valid string",
    "invalid character in year", a regex) but not what to write instead, nor the
    value it got; users need both.
    """
    form = FIELD_FORMS.get(field)
    if kind in _DATE_ERRORS:
        return f"invalid date {_shown(value)} (expected YYYY-MM-DD, e.g. 2009-12-31)"
    if kind == "string_type":
        expected = form or "a string"
        quote = "; quote it" if isinstance(value, int | float) else ""
        if isinstance(value, int) and not isinstance(value, bool) and field in _CODE_DIGITS:
            quote = f'; write "{value:0{_CODE_DIGITS[field]}d}"'

        return f"expected {expected} (got {_shown(value)}{quote})"
    if kind == "string_pattern_mismatch" and form:
        return f"expected {form} (got {_shown(value)})"
    if (
        show_input
        and kind in _SHOW_INPUT
        and isinstance(value, str | int | float | bool)
        and "got" not in msg
    ):
        return f"{msg} (got {_shown(value)})"
    return msg


def from_validation_error(
    exc: ValidationError,
    *,
    prefix: str = "",
    tags: Sequence[str] = (),
    tag_noun: str = "kind",
    fallback: str = "scenario",
    show_input: bool = True,
) -> ScenarioError:
    """Turn the first error of a pydantic ``ValidationError`` into a one-line ScenarioError.

    Pydantic reports every error over several lines; users need the first one, with
    the field written the way they wrote it in the file. ``tags`` are the tags of a
    discriminated union (pydantic inserts them into the location; users never wrote
    them), ``tag_noun`` names them in messages ("unknown event kind 'x'"), ``prefix``
    anchors a nested model's errors (``policy[0].params``) and ``fallback`` names an
    error that has no location; ``show_input=False`` leaves out the ``(got ...)`` a
    range error otherwise ends with, for callers that show the value themselves. A
    :class:`ScenarioError` raised inside a validator
    keeps its own path, appended to the location of the model that raised it.
    """
    err = exc.errors()[0]
    loc: list[Any] = []
    for part in err["loc"]:
        if isinstance(part, str) and loc and isinstance(loc[-1], int) and part in tags:
            continue
        loc.append(part)
    path = join_loc(loc)
    kind, msg = err["type"], err["msg"]
    ctx = err.get("ctx") or {}
    inner = ctx.get("error")
    known = ", ".join(tags)
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if isinstance(inner, ScenarioError):
        path = ".".join(p for p in (path, inner.path) if p).replace(".[", "[")
        msg = inner.problem
    elif kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    elif kind == "extra_forbidden":
        msg = "unknown key"
    elif kind == "missing":
        msg = "required key is missing"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str(ctx.get("discriminator", "kind")).strip("'")
        path = f"{path}.{field}" if path else field
        if kind == "union_tag_invalid":
            msg = f"unknown {tag_noun} {ctx.get('tag')!r} (known: {known})"
        else:
            msg = f"required key is missing (known {tag_noun}s: {known})"
    else:
        msg = _problem(kind, msg, err.get("input"), field, show_input)
    if prefix:
        path = f"{prefix}.{path}".replace(".[", "[") if path else prefix
    return ScenarioError.at(path or fallback, msg)
