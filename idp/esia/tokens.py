"""ESIA-shaped tokens: the access token (``sbt: access``, no ``aud``) and the ID token
(``sbt: id``, ``urn:esia:sbj``), signed RS256 or GOST3410_2012_256 per client."""

from __future__ import annotations

import time
from typing import Any

from idp.accounts.models import Person
from idp.crypto import jws
from idp.esia import refresh
from idp.esia.codes import EsiaGrant
from idp.esia.errors import InvalidToken
from idp.esia.person_data import trusted
from idp.esia.scopes import token_scope
from idp.esia.stand_keys import ALGS, StandKeys
from idp.oidc import grant_state


def esia_amr(amr: list[str]) -> str:
    """ESIA names one method: ``DS`` for a qualified signature, else ``PWD``."""
    return "DS" if any(m in ("sig", "ds", "hwk", "sc") for m in amr) else "PWD"


GRANT_CLAIM = "urn:gosid:grant_id"  # the refresh family: revoking it reaches the access token


def access_token(grant: EsiaGrant, *, alg: str, keys: StandKeys, issuer: str, ttl: int, grant_id: str) -> str:
    now = int(time.time())
    claims = {
        "nbf": now,
        "scope": token_scope(grant.scopes, grant.person_oid),
        "iss": issuer,
        "urn:esia:sid": grant.sid,
        "urn:esia:sbj_id": grant.person_oid,
        "exp": now + ttl,
        "iat": now,
        "client_id": grant.client_id,
        GRANT_CLAIM: grant_id,
    }
    header = {"ver": 1, "typ": "JWT", "sbt": "access"}
    return jws.encode(header, claims, keys.active(alg).signing)


def id_token(grant: EsiaGrant, person: Person, *, alg: str, keys: StandKeys, issuer: str, ttl: int) -> str:
    now = int(time.time())
    subject: dict[str, Any] = {
        "urn:esia:sbj:typ": "P",
        "urn:esia:sbj:oid": person.oid,
        "urn:esia:sbj:nam": f"OID.{person.oid}",
    }
    if trusted(person):
        subject["urn:esia:sbj:is_tru"] = True
    claims = {
        "iss": issuer,
        "aud": grant.client_id,
        "sub": person.oid,
        "nbf": now,
        "iat": now,
        "exp": now + ttl,
        "auth_time": grant.auth_time,
        "amr": esia_amr(grant.amr),
        "urn:esia:amd": esia_amr(grant.amr),
        "urn:esia:sid": grant.sid,
        "urn:esia:sbj": subject,
    }
    header = {"sbt": "id", "ver": 0, "typ": "JWT"}
    return jws.encode(header, claims, keys.active(alg).signing)


def verify_access_token(token: str, *, keys: StandKeys, issuer: str) -> dict[str, Any]:
    """Claims of a live ESIA access token of this stand, or :class:`InvalidToken`."""
    certificates = {alg: [k.certificate for k in keys.verifying(alg)] for alg in ALGS}
    try:
        header, claims = jws.decode(token, certificates)
    except jws.InvalidJws as exc:
        raise InvalidToken(str(exc)) from exc
    if header.get("sbt") != "access":
        raise InvalidToken("not an access token (sbt must be 'access')")
    if claims.get("iss") != issuer:
        raise InvalidToken("issuer mismatch")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= time.time():
        raise InvalidToken("the access token has expired")
    if not isinstance(claims.get("urn:esia:sbj_id"), int):
        raise InvalidToken("the access token has no subject")
    if _grant_revoked(claims):
        raise InvalidToken("the access token was revoked (its grant, consent or account has ended)")
    return claims


def _grant_revoked(claims: dict[str, Any]) -> bool:
    """The account is disabled, the grant's refresh family revoked (a replayed code, a reused
    refresh token) or the consent withdrawn since the token was issued: durable state."""
    person_oid, grant_id = claims["urn:esia:sbj_id"], claims.get(GRANT_CLAIM)
    if grant_state.person_inactive(person_oid):
        return True
    if isinstance(grant_id, str) and refresh.family_revoked(grant_id):
        return True
    client_id, issued_at = claims.get("client_id"), claims.get("iat")
    if isinstance(client_id, str) and isinstance(issued_at, int):
        return grant_state.consent_withdrawn_since(person_oid, client_id, issued_at)
    return False
