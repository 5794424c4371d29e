"""DPoP proof verification (RFC 9449) for the token endpoint and protected resources.

:class:`DPoPVerifier` checks one ``DPoP`` header value against the request it arrived with and
returns the proof key's thumbprint (``jkt``) to bind tokens to. Every refusal is an
:class:`InvalidDPoPProof`, except a missing, unknown or expired server nonce, which is a
:class:`UseDPoPNonce` carrying the nonce to send back in the ``DPoP-Nonce`` header.

Replay protection lives here: a proof's ``jti`` is remembered, per key, for as long as the
proof's ``iat`` could still be accepted (RFC 9449 §11.1), in the database
(:class:`idp.replay.used_values.UsedValues`), so an emptied store does not forget it. Nonces live in the
short-lived store; a store outage raises ``StoreUnavailable`` (fail closed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from joserfc.jwk import Key

from idp.adapters.store import ShortLivedStore
from idp.oidc.errors import ProtocolError
from idp.oidc.jose_policy import (
    ASYMMETRIC_ALGS,
    JoseRejected,
    ReceivedJws,
    check_alg,
    key_fits,
    numeric_date,
    public_key_from_jwk,
    read_compact,
    signature_is_valid,
)
from idp.replay.used_values import UsedValues

DPOP_TYP = "dpop+jwt"
MAX_JTI_LENGTH = 256
MAX_NONCE_LENGTH = 256
_CURRENT_NONCE_KEY = "dpop-nonce-current"  # must not be reachable as f"dpop-nonce:{nonce}"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


class DPoPError(ProtocolError):
    """A DPoP proof was refused (400, as at the token endpoint); ``error`` is the RFC 9449 code."""

    error = "invalid_dpop_proof"
    code = "DPOP-400"

    def at_resource(self) -> ProtocolError:
        """The same refusal at a protected resource: 401 with a DPoP challenge (RFC 9449 §7.1)."""
        challenge = f'DPoP error="{self.error}", error_description="{self.description}"'
        headers = {**self.extra_headers, "WWW-Authenticate": challenge}
        return ProtocolError(self.description, error=self.error, status_code=401, headers=headers)


class InvalidDPoPProof(DPoPError):
    error = "invalid_dpop_proof"


class UseDPoPNonce(DPoPError):
    """The proof lacks a current server nonce; retry with ``nonce`` (sent as ``DPoP-Nonce``)."""

    error = "use_dpop_nonce"

    def __init__(self, description: str, *, nonce: str) -> None:
        super().__init__(description, headers={"DPoP-Nonce": nonce})
        self.nonce = nonce


@dataclass(frozen=True)
class VerifiedProof:
    """A proof that passed every check; ``htu`` is the claim as sent, ``jkt`` the RFC 7638 thumbprint."""

    jkt: str
    jti: str
    htm: str
    htu: str
    iat: int


def jkt_of(jwk: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of a public JWK; raises ``ValueError`` for an unacceptable key."""
    return public_key_from_jwk(jwk).thumbprint()


def canonical_htu(url: str) -> str:
    """``url`` normalised for ``htu`` comparison (RFC 9449 §4.3, RFC 3986 §6.2.2–6.2.3).

    Scheme and host are lower-cased, the default port dropped, an empty path becomes ``/``,
    percent-escapes are normalised, and query and fragment are removed. Raises ``ValueError``
    unless ``url`` is an absolute http(s) URL without user information.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        raise ValueError("not an absolute http(s) URL without user information")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _PERCENT_ESCAPE.sub(_normalise_escape, parts.path) or "/"
    return f"{scheme}://{netloc}{path}"


def _normalise_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else f"%{match.group(1).upper()}"


def access_token_hash(access_token: str) -> str:
    """The ``ath`` value for ``access_token``: base64url(SHA-256(token)) without padding."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class DPoPVerifier:
    """Verifies DPoP proofs; one instance per application, safe to share between threads."""

    def __init__(
        self,
        *,
        store: ShortLivedStore,
        clock: Callable[[], float] = time.time,
        iat_window: int = 60,
        future_skew: int = 10,
        require_nonce: bool = True,
        nonce_ttl: int = 300,
        used: UsedValues | None = None,
    ) -> None:
        self._store = store
        self._used = used or UsedValues(clock=clock)
        self._clock = clock
        self._iat_window = iat_window
        self._future_skew = future_skew
        self._require_nonce = require_nonce
        self._nonce_ttl = nonce_ttl

    def new_nonce(self) -> str:
        """The current server nonce (CSPRNG, 256 bits), minted when the previous period ended.

        A nonce is current for ``nonce_ttl`` seconds and still accepted for ``nonce_ttl`` more
        once its successor is current, so a client never races the rotation.
        """
        current = self._store.get(_CURRENT_NONCE_KEY)
        if current is not None:
            return current
        fresh = secrets.token_urlsafe(32)
        self._store.set(f"dpop-nonce:{fresh}", "1", ttl=2 * self._nonce_ttl)
        if self._store.add(_CURRENT_NONCE_KEY, fresh, ttl=self._nonce_ttl):
            return fresh
        return self._store.get(_CURRENT_NONCE_KEY) or fresh  # another worker won; both are valid

    def verify(
        self,
        proof: str | None,
        *,
        method: str,
        url: str,
        access_token: str | None = None,
        expected_jkt: str | None = None,
    ) -> VerifiedProof:
        """Check ``proof`` (the raw ``DPoP`` header value) for a ``method`` request to ``url``.

        Pass ``access_token`` at a protected resource (``ath`` is then required) and
        ``expected_jkt`` when the token or authorization request is already bound to a key.
        The proof's ``jti`` is consumed only when every other check passed.
        """
        received, key = _read_proof(proof)
        claims = received.claims
        jti = _check_jti(claims)
        _check_request(claims, method=method, url=url)
        iat = self._check_iat(claims)
        self._check_nonce(claims)
        _check_ath(claims, access_token)
        jkt = key.thumbprint()
        if expected_jkt is not None and jkt != expected_jkt:  # thumbprints are public; no timing concern
            raise InvalidDPoPProof("DPoP proof key does not match the key the token is bound to")
        if not self._used.first_use("dpop-jti", f"{jkt}:{jti}", until=iat + self._iat_window + 1):
            raise InvalidDPoPProof("DPoP proof jti was already used (replay)")
        return VerifiedProof(jkt=jkt, jti=jti, htm=claims["htm"], htu=claims["htu"], iat=iat)

    def _check_iat(self, claims: dict[str, Any]) -> int:
        try:
            iat = numeric_date(claims, "iat")
        except JoseRejected as exc:
            raise InvalidDPoPProof(str(exc)) from exc
        if iat is None:
            raise InvalidDPoPProof("DPoP proof has no iat")
        now = self._clock()
        if iat < now - self._iat_window:
            raise InvalidDPoPProof("DPoP proof is too old (iat)")
        if iat > now + self._future_skew:
            raise InvalidDPoPProof("DPoP proof iat is too far in the future")
        return iat

    def _check_nonce(self, claims: dict[str, Any]) -> None:
        if not self._require_nonce:
            return
        nonce = claims.get("nonce")
        if nonce is None:
            raise UseDPoPNonce("a DPoP nonce is required", nonce=self.new_nonce())
        if not _nonce_is_known(self._store, nonce):
            raise UseDPoPNonce("DPoP nonce is unknown or expired", nonce=self.new_nonce())


def _nonce_is_known(store: ShortLivedStore, nonce: object) -> bool:
    if not isinstance(nonce, str) or not nonce or len(nonce) > MAX_NONCE_LENGTH:
        return False
    return store.get(f"dpop-nonce:{nonce}") is not None


def _read_proof(proof: str | None) -> tuple[ReceivedJws, Key]:
    if not proof:
        raise InvalidDPoPProof("DPoP proof is missing")
    if "," in proof:
        raise InvalidDPoPProof("more than one DPoP proof was sent")
    try:
        received = read_compact(proof)
        header = received.header
        if header.get("typ") != DPOP_TYP:
            raise JoseRejected(f"DPoP proof typ must be {DPOP_TYP}")
        alg = check_alg(header, allowed=ASYMMETRIC_ALGS)
        if "jwk" not in header:
            raise JoseRejected("DPoP proof header has no jwk")
        key = public_key_from_jwk(header["jwk"])
    except JoseRejected as exc:
        raise InvalidDPoPProof(str(exc)) from exc
    if not key_fits(key, alg):
        raise InvalidDPoPProof(f"jwk cannot verify {alg}")
    if not signature_is_valid(received, key=key):
        raise InvalidDPoPProof("DPoP proof signature does not verify with its jwk")
    return received, key


def _check_jti(claims: dict[str, Any]) -> str:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise InvalidDPoPProof("DPoP proof has no jti")
    if len(jti) > MAX_JTI_LENGTH:
        raise InvalidDPoPProof(f"DPoP proof jti is longer than {MAX_JTI_LENGTH} characters")
    return jti


def _check_request(claims: dict[str, Any], *, method: str, url: str) -> None:
    if claims.get("htm") != method:
        raise InvalidDPoPProof("DPoP proof htm does not match the request method")
    htu = claims.get("htu")
    if not isinstance(htu, str) or not _same_htu(htu, url):
        raise InvalidDPoPProof("DPoP proof htu does not match the request URL")


def _same_htu(htu: str, url: str) -> bool:
    try:
        return canonical_htu(htu) == canonical_htu(url)
    except ValueError:
        return False


def _check_ath(claims: dict[str, Any], access_token: str | None) -> None:
    if access_token is None:
        return
    ath = claims.get("ath")
    if not isinstance(ath, str):
        raise InvalidDPoPProof("DPoP proof has no ath for the access token")
    if not access_token.isascii():  # RFC 9449 hashes the token's ASCII; no proof can match
        raise InvalidDPoPProof("access token is not ASCII")
    if not hmac.compare_digest(ath.encode(), access_token_hash(access_token).encode()):
        raise InvalidDPoPProof("DPoP proof ath does not match the access token")
