"""Policy for the signed JWTs this IdP *receives*: DPoP proofs and client assertions.

Each check raises :class:`JoseRejected` with a message fit for an ``error_description``; the
calling module translates it into its own protocol error. What callers can rely on:

* only asymmetric algorithms from :data:`ASYMMETRIC_ALGS` ever reach signature verification, so
  ``none`` and ``HS*`` (including an HMAC keyed with a public key) can never verify, whatever
  allowlist a caller passes;
* keys taken from JSON are public (no private or symmetric members) and RSA keys have at least
  :data:`MIN_RSA_BITS` bits;
* headers with ``crit`` or ``b64`` are refused, as the IdP implements no JWS extensions;
* keys are never fetched: ``jku``, ``x5u`` and ``x5c`` are never read.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, UnsupportedAlgorithmError
from joserfc.jwk import JWKRegistry, Key

ASYMMETRIC_ALGS = frozenset({"RS256", "PS256", "ES256", "EdDSA"})
KEY_TYPE_FOR_ALG = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
MIN_RSA_BITS = 2048
MAX_HEADER_BYTES = 4096  # base64url header; an RSA-4096 jwk fits, unbounded input does not
MAX_PAYLOAD_BYTES = 16384


class JoseRejected(ValueError):
    """A received JWS failed a check; the message says which."""


class _AsymmetricOnly(jws.JWSRegistry):
    max_header_length = MAX_HEADER_BYTES
    max_payload_length = MAX_PAYLOAD_BYTES

    def get_alg(self, name: str) -> jws.JWSAlgModel:
        # Our allowlist is the policy. joserfc's own "recommended" filter would also warn on
        # every EdDSA verification, which we accept deliberately.
        if name not in ASYMMETRIC_ALGS:
            raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not allowed")
        return self.algorithms[name]


_REGISTRY = _AsymmetricOnly(strict_check_header=False)


@dataclass(frozen=True)
class ReceivedJws:
    """A parsed, *not yet verified* compact JWS whose payload is a JSON object."""

    header: dict[str, Any]
    claims: dict[str, Any]
    compact: jws.CompactSignature


def read_compact(value: str) -> ReceivedJws:
    """Parse ``value`` without verifying it; refuses anything but a compact JWS of a JSON object."""
    try:
        compact = jws.extract_compact(value.encode("ascii"), registry=_REGISTRY)
        header = compact.headers()
        claims = json.loads(compact.payload)
    except (JoseError, ValueError) as exc:  # UnicodeError and JSONDecodeError are ValueErrors
        raise JoseRejected("not a well-formed compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JoseRejected("JWS header and payload must be JSON objects")
    if "crit" in header or "b64" in header:
        raise JoseRejected("JWS extensions (crit, b64) are not supported")
    return ReceivedJws(header=header, claims=claims, compact=compact)


def check_alg(header: Mapping[str, Any], *, allowed: Collection[str]) -> str:
    """The header's ``alg`` if it is both in ``allowed`` and asymmetric."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in allowed or alg not in ASYMMETRIC_ALGS:
        raise JoseRejected(f"signing algorithm {alg!r} is not accepted")
    return alg


def public_key_from_jwk(jwk: object) -> Key:
    """Import a public JWK; private, symmetric, malformed or short RSA keys are refused."""
    if not isinstance(jwk, dict):
        raise JoseRejected("jwk must be a JSON object")
    private = PRIVATE_JWK_MEMBERS.intersection(jwk)
    if private:
        raise JoseRejected(f"jwk must be a public key, but has private members {sorted(private)}")
    if jwk.get("kty") not in ("RSA", "EC", "OKP"):
        raise JoseRejected("jwk kty must be RSA, EC or OKP")
    if jwk["kty"] == "RSA" and _rsa_modulus_bits(jwk.get("n")) < MIN_RSA_BITS:
        raise JoseRejected(f"RSA keys must have at least {MIN_RSA_BITS} bits")
    try:
        return JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise JoseRejected("jwk is not a valid public key") from exc


def key_fits(key: Key, alg: str) -> bool:
    """Whether ``key`` may verify ``alg``: right type and curve, ``use``/``alg`` members permitting."""
    if KEY_TYPE_FOR_ALG.get(alg) != key.key_type:
        return False
    try:
        jws.JWSRegistry.algorithms[alg].check_key(key)
    except JoseError:
        return False
    return True


def signature_is_valid(received: ReceivedJws, *, key: Key) -> bool:
    """Verify the signature with exactly ``key``; never raises for a bad token."""
    try:
        return jws.validate_compact(received.compact, key, registry=_REGISTRY)
    except (JoseError, ValueError):
        return False


def numeric_date(claims: Mapping[str, Any], name: str) -> int | None:
    """The claim as whole seconds, ``None`` when absent; refuses strings, booleans and non-finite values."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise JoseRejected(f"{name} must be a NumericDate")
    return int(value)


def _rsa_modulus_bits(n: object) -> int:
    if not isinstance(n, str):
        return 0
    try:
        raw = base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))
    except (binascii.Error, ValueError):
        return 0
    return int.from_bytes(raw, "big").bit_length()
