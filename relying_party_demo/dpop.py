"""DPoP (RFC 9449) at the API: the proof that the caller holds the key a token is bound to.

A request presents ``Authorization: DPoP <token>`` and one ``DPoP`` header, a JWT signed with the
private key whose public half travels in its ``jwk`` header. The proof must be fresh, name this
request's method and URL, carry the hash of this very token (``ath``), and its key's RFC 7638
thumbprint must be the token's ``cnf.jkt``. A proof is accepted once: its ``jti`` is recorded
(per key) in the database until the proof could no longer be fresh, so replays fail in every
worker process.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import Key, RSAKey, import_key
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from relying_party_demo.errors import InvalidDpopProof
from relying_party_demo.models import DpopProofRecord, db

ALGORITHMS = {"ES256": "EC", "RS256": "RSA", "PS256": "RSA"}
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
MIN_RSA_BITS = 2048


class _ProofRegistry(jws.JWSRegistry):
    # joserfc's default 512-byte header limit is too small for an RSA key in the jwk header.
    max_header_length = 4096
    max_payload_length = 4096


REGISTRY = _ProofRegistry(algorithms=list(ALGORITHMS))
MAX_AGE_SECONDS = 300  # how old a proof may be
FUTURE_SKEW_SECONDS = 60  # how far ahead the client's clock may run
MAX_JTI_LENGTH = 256


@dataclass(frozen=True)
class DpopProof:
    jkt: str
    jti: str
    iat: int


def verify_proof(proof: str, *, method: str, url: str, access_token: str, now: float) -> DpopProof:
    """Check one proof against the request; :class:`InvalidDpopProof` says what is wrong."""
    header = _header(proof)
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise InvalidDpopProof(f"the proof's alg {alg!r} is not one of {', '.join(ALGORITHMS)}")
    if header.get("typ") != "dpop+jwt":
        raise InvalidDpopProof("the proof's typ must be dpop+jwt")
    key = _public_key(header.get("jwk"), alg)
    try:
        claims = json.loads(jws.deserialize_compact(proof, key, algorithms=[alg], registry=REGISTRY).payload)
    except (JoseError, ValueError) as exc:
        raise InvalidDpopProof("the proof's signature does not verify with its jwk") from exc
    if not isinstance(claims, dict):
        raise InvalidDpopProof("the proof's payload is not a JSON object")
    _check_claims(claims, method=method, url=url, access_token=access_token, now=now)
    return DpopProof(jkt=key.thumbprint(), jti=claims["jti"], iat=int(claims["iat"]))


def _header(proof: str) -> dict[str, Any]:
    if proof.count(".") != 2:
        raise InvalidDpopProof("the DPoP header is not a compact JWS")
    try:
        return dict(jws.extract_compact(proof.encode("ascii"), registry=REGISTRY).headers())
    except (JoseError, ValueError, UnicodeError) as exc:
        raise InvalidDpopProof("the proof's header cannot be decoded") from exc


def _public_key(jwk: Any, alg: str) -> Key:
    if not isinstance(jwk, dict) or PRIVATE_MEMBERS & set(jwk) or jwk.get("kty") != ALGORITHMS[alg]:
        raise InvalidDpopProof(f"the proof's jwk must be a public {ALGORITHMS[alg]} key")
    try:
        key: Key = import_key(jwk)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidDpopProof("the proof's jwk is not a valid key") from exc
    if isinstance(key, RSAKey) and key.public_key.key_size < MIN_RSA_BITS:
        raise InvalidDpopProof(f"the proof's RSA key is shorter than {MIN_RSA_BITS} bits")
    return key


def _check_claims(claims: dict[str, Any], *, method: str, url: str, access_token: str, now: float) -> None:
    if claims.get("htm") != method:
        raise InvalidDpopProof(f"the proof's htm must be {method}")
    if not isinstance(claims.get("htu"), str) or _without_query(claims["htu"]) != _without_query(url):
        raise InvalidDpopProof(f"the proof's htu must be {_without_query(url)}")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise InvalidDpopProof("the proof has no numeric iat")
    if not now - MAX_AGE_SECONDS <= iat <= now + FUTURE_SKEW_SECONDS:
        raise InvalidDpopProof("the proof is too old or from the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise InvalidDpopProof("the proof needs a jti of at most 256 characters")
    if claims.get("ath") != token_hash(access_token):
        raise InvalidDpopProof("the proof's ath is not the hash of this access token")


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port and parts.port != {"http": 80, "https": 443}.get(parts.scheme) else ""
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}{port}{parts.path or '/'}"


def token_hash(access_token: str) -> str:
    """``ath``: base64url(SHA-256(token)) without padding."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def remember_once(proof: DpopProof, *, now: datetime) -> None:
    """Record the proof's ``jti``; a second use of it raises :class:`InvalidDpopProof`."""
    expires = now + timedelta(seconds=MAX_AGE_SECONDS + FUTURE_SKEW_SECONDS)
    db.session.execute(delete(DpopProofRecord).where(DpopProofRecord.expires_at < now))
    db.session.add(DpopProofRecord(jkt=proof.jkt, jti=proof.jti, expires_at=expires))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidDpopProof("this proof has been used already") from None
