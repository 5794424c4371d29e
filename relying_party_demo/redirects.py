"""Where a login may send the browser back to: a path on this site, judged as the browser reads it.

A check on the raw string is not enough: browsers (the WHATWG URL parser) drop ASCII tab and
newline anywhere in a URL, trim leading and trailing C0 controls and spaces, and read ``\\`` as
``/``. So ``/<TAB>/evil.example`` passes a naive "starts with one slash" test and the browser
follows ``//evil.example``. Rather than reproduce each rewrite, :func:`is_local_path` refuses
every value the parser would rewrite (controls, spaces, backslashes), so what is checked is what
the browser follows; the same test applies to the value percent-decoded once, so encoded
variants (``/%2F/evil.example``, ``/%5Cevil.example``) are refused too.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# C0 controls (tab, CR, LF, NUL, ...), space, DEL and the backslash: the browser strips or rewrites them.
_REWRITTEN = re.compile(r"[\x00-\x20\x7f\\]")
MAX_LENGTH = 2000


def is_local_path(target: str) -> bool:
    """Whether ``target`` is an absolute path on this origin (``/...``, not ``//host`` or
    ``scheme:``), both as sent and percent-decoded once."""
    if not target or len(target) > MAX_LENGTH:
        return False
    return all(_plain_local_path(candidate) for candidate in (target, unquote(target)))


def _plain_local_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and not _REWRITTEN.search(value)


def safe_next(target: object, default: str = "/profile") -> str:
    """``target`` when it is a path on this site, otherwise ``default``: a bad value is ignored,
    never written into a ``Location`` header."""
    return target if isinstance(target, str) and is_local_path(target) else default
