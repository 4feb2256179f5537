"""What the dashboard's server accepts: a small, checked surface, and a 4xx for the rest.

- Only the page and Dash's own routes exist; any other path is 404, any other
  method 405.
- A callback request must be a JSON object naming a callback of this page with its
  inputs and states as declared; anything else is 400, before Dash sees it.
- Request bodies are limited (:data:`MAX_BODY_BYTES`), so an upload cannot exhaust memory (413).
- When the server listens on the loopback only, a request whose ``Host`` is not a
  loopback name is refused (400): a web page elsewhere cannot reach the dashboard
  through DNS rebinding.
- Every POST carries the page's CSRF token (a random value, set as a SameSite
  cookie by the page and sent back by Dash's renderer in a header), so another site
  cannot start runs through the user's browser (403).
- Errors answer with one line of text, never a traceback; values a forged request
  can send to a callback raise :class:`BadInputError` (400).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from dash import Dash
from flask import Response, request
from werkzeug.exceptions import HTTPException

from plazasim.dashboard.runstore import BadInputError

__all__ = ["CSRF_COOKIE", "CSRF_HEADER", "LOOPBACK", "MAX_BODY_BYTES", "protect"]

#: Largest request body (bytes). Uploads over 256 KB are refused with a message in the page
#: (:data:`plazasim.dashboard.edits.MAX_UPLOAD_BYTES`); this lets files up to ~3 MB reach
#: that message, and stops larger bodies before they are read.
MAX_BODY_BYTES = 4 * 1024 * 1024
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
_GET_PREFIXES = ("/_dash-component-suites/", "/assets/")
_GET_PATHS = frozenset(
    {"/", "/_dash-layout", "/_dash-dependencies", "/_favicon.ico", "/_reload-hash"}
)
CALLBACK_PATH = "/_dash-update-component"

log = logging.getLogger("plazasim.dashboard")


def _text(message: str, status: int) -> Response:
    return Response(" ".join(message.split()) + "\n", status=status, mimetype="text/plain")


def _host_name(host: str) -> str:
    """``127.0.0.1:8050`` -> ``127.0.0.1``; ``[::1]:8050`` -> ``::1``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _entries_match(sent: Any, declared: list[dict[str, Any]]) -> bool:
    """The request's inputs (or states) are the callback's, in order, with a value each."""
    if not isinstance(sent, list) or len(sent) != len(declared):
        return False
    for got, want in zip(sent, declared, strict=True):
        if isinstance(got, list):  # pattern-matching (ALL) inputs: not used by this page
            return False
        if (
            not isinstance(got, dict)
            or got.get("id") != want.get("id")
            or got.get("property") != want.get("property")
        ):
            return False
    return True


def check_callback_body(app: Dash, body: Any) -> str | None:
    """Why a callback request is malformed, or None when it names a callback as declared."""
    if not isinstance(body, dict):
        return "a callback request must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in app.callback_map:
        return "unknown callback output"
    declared = app.callback_map[output]
    if not _entries_match(body.get("inputs"), declared.get("inputs", [])):
        return "the callback's inputs do not match its definition"
    if not _entries_match(body.get("state", []), declared.get("state", [])):
        return "the callback's states do not match its definition"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of strings"
    if not isinstance(body.get("outputs"), dict | list):
        return "outputs must be an object or a list"
    return None


def protect(app: Dash, *, loopback_only: bool) -> str:
    """Install the checks above on ``app``'s Flask server; returns the CSRF token."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    token = secrets.token_urlsafe(32)

    @server.before_request
    def _check() -> Response | None:
        if loopback_only and _host_name(request.host) not in LOOPBACK:
            return _text("bad request: the dashboard answers only to 127.0.0.1 or localhost", 400)
        path = request.path
        known = path in _GET_PATHS or path.startswith(_GET_PREFIXES)
        if path != CALLBACK_PATH:
            if not known:
                return _text(f"not found: {path[:80]}", 404)
            return None if request.method in ("GET", "HEAD") else _text("method not allowed", 405)
        if request.method != "POST":
            return _text("method not allowed", 405)
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return _text("forbidden: missing or wrong CSRF token (reload the page)", 403)
        if not request.is_json:
            return _text("unsupported media type: expected application/json", 415)
        body = request.get_json(silent=True)
        problem = check_callback_body(app, body)
        return _text(f"bad request: {problem}", 400) if problem else None

    @server.after_request
    def _headers(response: Response) -> Response:
        if request.path == "/":
            response.set_cookie(CSRF_COOKIE, token, samesite="Strict", httponly=False, secure=False)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @server.errorhandler(BadInputError)
    def _bad_input(exc: BadInputError) -> Response:
        return _text(f"bad request: {exc}", 400)

    @server.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return _text(f"{exc.code} {exc.name}", exc.code or 400)

    @server.errorhandler(Exception)
    def _bug(exc: Exception) -> Response:
        from dash.exceptions import DependencyException

        if isinstance(exc, DependencyException):  # a script of an unregistered package
            return _text("not found: no such script", 404)
        log.exception("dashboard: internal error")
        return _text(f"internal error ({type(exc).__name__}); see the server's log", 500)

    return token
