"""The ESIA token endpoint (``/aas/oauth2/te`` and ``/aas/oauth2/v3/te``): a code or a
refresh token for ESIA-shaped tokens, the request's ``state`` echoed back."""

from __future__ import annotations

import logging
from typing import Any

from werkzeug.datastructures import MultiDict

from idp.accounts.models import Person
from idp.audit import log as audit
from idp.esia import checks, refresh, tokens
from idp.esia.client_secret import SecretMatch
from idp.esia.codes import EsiaGrant
from idp.esia.errors import ClientNotAllowed, InvalidGrant, UnsupportedGrantType
from idp.esia.models import EsiaClient
from idp.esia.runtime import EsiaDeps
from idp.oidc import consent
from idp.security.hashes import new_token
from idp.storage.db import db

log = logging.getLogger(__name__)

GRANT_TYPES = ("authorization_code", "refresh_token")


def _version(endpoint: str, grant_type: str) -> str:
    if endpoint == "te/v1":
        return endpoint
    return "te/v3" if grant_type == "authorization_code" else "te/v3-refresh"


def exchange(deps: EsiaDeps, form: MultiDict[str, str], *, endpoint: str) -> dict[str, Any]:
    """The token response, or an :class:`~idp.esia.errors.EsiaError` with the state set."""
    params = checks.single_values(form)
    client = checks.known_client(params)
    grant_type = params.get("grant_type", "")
    checks.require(params, "grant_type")
    if grant_type not in GRANT_TYPES:
        raise UnsupportedGrantType(f"grant_type {grant_type!r}; one of {', '.join(GRANT_TYPES)}")
    secret_of = "code" if grant_type == "authorization_code" else "refresh_token"
    checks.require(params, secret_of, "client_secret", "state", "timestamp")
    if grant_type == "authorization_code":
        checks.require(params, "redirect_uri")
    checks.check_timestamp(params["timestamp"], deps.settings)
    version, strict = _version(endpoint, grant_type), deps.settings.esia_strict
    cert_hash = params.get("client_certificate_hash")
    certs = checks.certificates_for(client, cert_hash, required=endpoint != "te/v1", strict=strict)
    code = params["code"] if version == "te/v3" else None
    match = checks.check_secret(params, version=version, certs=certs, strict=strict, code=code)
    log.info("ESIA %s %s: client_secret matched %s", version, client.client_id, match.summary())
    checks.use_state(deps, "te", client.client_id, params["state"])
    if grant_type == "authorization_code":  # a new grant: its refresh family's id, named by the access token
        grant, family = _redeem_code(deps, params, client), new_token(16)
    else:
        grant, family = _redeem_refresh(params, client)
    response = _issue(deps, client, grant, family, params["state"], match, grant_type)
    if grant_type == "authorization_code":
        ttl = deps.settings.esia_access_token_ttl + 3600
        deps.codes.mark_redeemed(params["code"], family_id=family, ttl=ttl)
    return response


def _redeem_code(deps: EsiaDeps, params: dict[str, str], client: EsiaClient) -> EsiaGrant:
    grant = deps.codes.consume(params["code"])
    if grant is None:
        _revoke_replayed(deps, params["code"], client)
    if grant is None or grant.client_id != client.client_id:
        audit.record("esia_code_redeem", result="invalid_grant", client_id=client.client_id)
        raise InvalidGrant("the code is unknown, expired, used or issued to another system")
    if grant.redirect_uri != params["redirect_uri"]:
        audit.record("esia_code_redeem", result="redirect_uri_mismatch", client_id=client.client_id)
        raise InvalidGrant("redirect_uri differs from the authorization request's")
    return grant


def _revoke_replayed(deps: EsiaDeps, code: str, client: EsiaClient) -> None:
    """A used code presented again leaked: revoke what its first redemption issued (RFC 9700
    §4.2.4), as idp/oidc/code_replay.py does. Its access tokens name the family and die too.

    Called when :meth:`~idp.esia.codes.EsiaCodes.consume` refused the code, which waited on the
    code's row until a redemption in flight ended: so the family named here is the one that
    redemption committed, and the audit row counts the refresh tokens really revoked."""
    family = deps.codes.redeemed(code)
    if family is not None:
        revoked = refresh.revoke_family(family)
        audit.record(
            "esia_code_replay",
            result="tokens_revoked",
            client_id=client.client_id,
            grant_id=family,
            refresh_tokens_revoked=revoked,
        )


def _redeem_refresh(params: dict[str, str], client: EsiaClient) -> tuple[EsiaGrant, str]:
    found = refresh.redeem(params["refresh_token"], client.client_id)
    if found is None:
        raise InvalidGrant("the refresh token is unknown, expired, revoked or already used")
    grant, family = found
    if not consent.covers(grant.person_oid, client.client_id, grant.scopes):
        raise ClientNotAllowed("the person has withdrawn consent for this system")
    return grant, family


def _issue(
    deps: EsiaDeps, client: EsiaClient, grant: EsiaGrant, family: str, state: str, match: SecretMatch, grant_type: str
) -> dict[str, Any]:
    person = db.session.get(Person, grant.person_oid)
    if person is None or person.disabled:
        raise InvalidGrant("the person's account is no longer active")
    settings = deps.settings
    keys, issuer, ttl = deps.keys, settings.esia_issuer, settings.esia_access_token_ttl
    response = {
        "access_token": tokens.access_token(
            grant, alg=client.token_alg, keys=keys, issuer=issuer, ttl=ttl, grant_id=family
        ),
        "id_token": tokens.id_token(grant, person, alg=client.token_alg, keys=keys, issuer=issuer, ttl=ttl),
        "refresh_token": refresh.issue(grant, ttl=settings.refresh_token_ttl, family_id=family),
        "state": state,
        "token_type": "Bearer",
        "expires_in": ttl,
    }
    audit.record(
        "esia_token_issued",
        person_oid=person.oid,
        client_id=client.client_id,
        grant_type=grant_type,
        scopes=grant.scopes,
        **match.summary(),
    )
    return response
