"""The ESIA authorization request (``/aas/oauth2/ac`` and ``/aas/oauth2/v2/ac``).

:func:`front_checks` validates what decides where errors may go (the system and its
``redirect_uri``); :func:`validate` everything else. A request seen and validated before
(the browser coming back after login) is not refused for its then older timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from idp.audit import log as audit
from idp.esia import checks
from idp.esia.client_secret import SecretMatch
from idp.esia.codes import EsiaGrant
from idp.esia.errors import InvalidScope, MissingParameter, RedirectUriNotAllowed, UnsupportedResponseType
from idp.esia.models import EsiaClient
from idp.esia.runtime import EsiaDeps
from idp.esia.scopes import parse_requested
from idp.security.hashes import constant_time_equals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthorizationRequest:
    version: str
    client: EsiaClient
    redirect_uri: str
    state: str
    scopes: list[str]
    requires_confirmed: bool
    secret: SecretMatch


def front_checks(args: MultiDict[str, str]) -> tuple[dict[str, str], EsiaClient, str]:
    params = checks.single_values(args)
    client = checks.known_client(params)
    checks.require(params, "redirect_uri")
    uri = params["redirect_uri"]
    if not any(constant_time_equals(uri, r) for r in client.redirect_uris):
        raise RedirectUriNotAllowed(f"{uri!r} is not registered for {client.client_id}")
    return params, client, uri


def _fingerprint(query: bytes) -> str:
    return "esia:seen:" + hashlib.sha256(query).hexdigest()


def validate(
    deps: EsiaDeps, params: dict[str, str], client: EsiaClient, uri: str, *, version: str, query: bytes
) -> AuthorizationRequest:
    if params.get("response_type") != "code":
        if not params.get("response_type"):
            raise MissingParameter("response_type")
        raise UnsupportedResponseType(f"response_type {params['response_type']!r}; only 'code'")
    checks.require(params, "state", "scope", "timestamp", "client_secret")
    settings = deps.settings
    checks.check_state_format(params["state"], strict=settings.esia_strict)
    scopes = parse_requested(params["scope"])
    not_allowed = [s for s in scopes if s not in client.scopes]
    if not_allowed:
        raise InvalidScope(f"not registered for {client.client_id}: {' '.join(not_allowed)}")
    seen = deps.store.get(_fingerprint(query)) is not None
    checks.check_timestamp(params["timestamp"], settings, already_validated=seen)
    cert_hash, strict = params.get("client_certificate_hash"), settings.esia_strict
    certs = checks.certificates_for(client, cert_hash, required=version == "ac/v2", strict=strict)
    match = checks.check_secret(params, version=version, certs=certs, strict=strict)
    if not checks.state_unused(deps, "ac", client.client_id, params["state"]):
        raise checks.StateReused(f"state {params['state']!r} was already used with this system")
    if not seen:
        deps.store.set(_fingerprint(query), "1", ttl=settings.login_transaction_ttl)
        audit.record("esia_authorization_request", client_id=client.client_id, version=version, **match.summary())
        log.info("ESIA %s %s: client_secret matched %s", version, client.client_id, match.summary())
    confirmed = client.require_confirmed or _filter_requires_confirmed(params.get("person_filter"))
    return AuthorizationRequest(version, client, uri, params["state"], scopes, confirmed, match)


def _filter_requires_confirmed(value: str | None) -> bool:
    """``person_filter`` is base64 (url-safe or not) of a filter such as ``conf_acc``."""
    if not value:
        return False
    try:
        text = base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4)).decode()
    except ValueError:  # not base64 (binascii.Error; non-ASCII input), not UTF-8: read as it is
        text = value
    return "conf_acc" in text or "trusted" in text


def issue_code(
    deps: EsiaDeps, req: AuthorizationRequest, *, person_oid: int, auth_time: int, amr: list[str], sid: str
) -> str:
    """Use the state (once), then hand out a one-time code."""
    checks.use_state(deps, "ac", req.client.client_id, req.state)
    grant = EsiaGrant(req.client.client_id, req.redirect_uri, req.scopes, person_oid, auth_time, amr, sid)
    code = deps.codes.issue(grant)
    client_id = req.client.client_id
    audit.record("esia_code_issued", person_oid=person_oid, client_id=client_id, scopes=req.scopes, version=req.version)
    return code
