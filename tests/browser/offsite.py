"""Which URLs leave the machine: the browser tests allow only the loopback and local schemes."""

from __future__ import annotations

from urllib.parse import urlsplit

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about", "chrome", "devtools"})


def is_offsite(url: str) -> bool:
    """True when a request leaves the machine (any host but the loopback, any scheme but local)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS
