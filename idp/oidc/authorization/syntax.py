"""The authorization request's syntax, checked before Authlib or our checks read it.

RFC 6749 Appendix A, RFC 7636 §4 and OIDC Core §3.1.2.1 define which characters each
parameter may hold. A value outside its grammar is the endpoint's own error, never a 500:

* ``client_id`` or ``redirect_uri`` malformed: nothing says where an error may go, so the
  person sees the error page (RFC 6749 §4.1.2.1: MUST NOT redirect);
* any other parameter malformed: ``invalid_request`` (``invalid_scope`` for the scope) sent
  to the redirect_uri registered for the client, with ``state``.

``state`` itself is echoed exactly whatever it holds (RFC 6749 A.5 says VSCHAR, but clients
send more, see docs/SECURITY.md item 12); it is URL-encoded on the way back and never quoted
into a description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError, OAuth2Error

VSCHAR = r"[\x20-\x7e]"
NQCHAR = r"[\x21\x23-\x5b\x5d-\x7e]"
# The characters RFC 3986 allows in a URI reference; percent-escapes must be complete.
URI = r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+"
TOKENS = rf"{NQCHAR}+(?: {NQCHAR}+)*"

FRONT: dict[str, str] = {"client_id": rf"{VSCHAR}*", "redirect_uri": URI}
REDIRECTABLE: dict[str, str] = {
    "response_type": r"[A-Za-z0-9_]+(?: [A-Za-z0-9_]+)*",
    "scope": TOKENS,
    "prompt": TOKENS,
    "response_mode": r"[A-Za-z0-9_.\-]+",
    "display": r"[A-Za-z0-9_.\-]+",
    "max_age": r"[0-9]{1,12}",  # seconds; int() refuses strings of more than 4300 digits
    "code_challenge": r"[A-Za-z0-9\-._~]{43,128}",
    "code_challenge_method": r"[A-Za-z0-9\-._~]+",
    "request_uri": URI,
}
# An empty value stays what it was before: absent, for the checks that follow to judge.
_PATTERNS = {name: re.compile(rf"(?:{rule})?\Z") for name, rule in (FRONT | REDIRECTABLE).items()}


class Parameters(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def is_client_id(value: object) -> bool:
    """RFC 6749 A.1: ``client-id = *VSCHAR`` (a NUL would even break a PostgreSQL lookup)."""
    return isinstance(value, str) and _PATTERNS["client_id"].match(value) is not None


def registered_redirect_uri(query_client: Callable[[str], Any], values: Parameters) -> str | None:
    """Where an error may be sent: the redirect_uri if registered for the client, else its default."""
    client_ids, uris = values.getlist("client_id"), values.getlist("redirect_uri")
    client = query_client(client_ids[0]) if len(client_ids) == 1 and len(uris) <= 1 else None
    if client is None:
        return None
    if uris and uris[0]:
        return uris[0] if client.check_redirect_uri(uris[0]) else None
    found: str | None = client.get_default_redirect_uri()
    return found


def malformed(values: Parameters, names: dict[str, str]) -> str | None:
    """The first parameter among ``names`` with a value outside its grammar."""
    for name in names:
        if any(not _PATTERNS[name].match(v) for v in values.getlist(name)):
            return name
    return None


def check_syntax(values: Parameters, *, error_redirect: Callable[[], str | None]) -> None:
    """Raise the endpoint's own :class:`OAuth2Error` for a malformed parameter.

    ``error_redirect`` names the client's validated redirect_uri, if there is one; it is only
    asked once ``client_id`` and ``redirect_uri`` are known to be well-formed.
    """
    name = malformed(values, FRONT)
    if name is not None:
        raise InvalidRequestError(f"{name} has characters RFC 6749 does not allow in it")
    name = malformed(values, REDIRECTABLE)
    if name is None:
        return
    kind: type[OAuth2Error] = InvalidScopeError if name == "scope" else InvalidRequestError
    states = values.getlist("state")
    state = states[0] if len(states) == 1 else None
    description = f"{name} is malformed: it has characters or a form its grammar does not allow"
    raise kind(description, state=state, redirect_uri=error_redirect())
