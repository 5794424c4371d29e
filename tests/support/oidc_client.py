"""A minimal, independent OAuth/OIDC client for tests (not the RP's code): PKCE S256,
state, nonce, form posts with CSRF tokens, and the SMS code read from the dev outbox."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_token(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def sms_code(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, f"no 6-digit code in {text!r}"
    return found.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class AuthRequest:
    client_id: str
    redirect_uri: str
    scope: str = "openid profile"
    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    verifier: str = ""
    challenge: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.verifier:
            self.verifier, self.challenge = pkce_pair()

    def params(self) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            **self.extra,
        }

    def query(self) -> str:
        return urlencode(self.params())
