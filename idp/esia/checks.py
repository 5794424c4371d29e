"""Checks shared by the authorization and token endpoints: parameters, timestamp, state,
the certificate named by ``client_certificate_hash`` and the ``client_secret`` itself. What they
need (settings, the short-lived store) comes in as arguments: :class:`~idp.esia.runtime.EsiaDeps`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from idp.crypto.certs import ClientCertificate, hash_matches
from idp.esia import diagnostics_report as report
from idp.esia.client_secret import SecretMatch, SecretRefused, verify_client_secret
from idp.esia.clients import certificates_of, find_client
from idp.esia.conventions import SignedFields
from idp.esia.errors import (
    CertificateMismatch,
    ClientSecretWrong,
    InvalidParameter,
    MissingParameter,
    StateReused,
    UnknownClient,
    WrongTimestamp,
)
from idp.esia.models import EsiaClient
from idp.esia.runtime import EsiaDeps
from idp.esia.timestamps import BadTimestamp, parse_timestamp
from idp.settings import IdpSettings


def single_values(params: MultiDict[str, str]) -> dict[str, str]:
    """Parameters as a dict; a parameter sent twice refuses the request (ESIA-007003)."""
    repeated = [name for name in params if len(params.getlist(name)) > 1]
    if repeated:
        raise InvalidParameter(f"repeated parameter {', '.join(sorted(repeated))}")
    return {name: params[name] for name in params}


def require(params: Mapping[str, str], *names: str) -> None:
    missing = [n for n in names if not params.get(n)]
    if missing:
        raise MissingParameter(", ".join(missing))


def known_client(params: Mapping[str, str]) -> EsiaClient:
    require(params, "client_id")
    client = find_client(params["client_id"])
    if client is None:
        raise UnknownClient(f"no system with client_id {params['client_id']!r} is registered")
    return client


def check_state_format(state: str, *, strict: bool) -> None:
    if not strict:
        return
    try:
        uuid.UUID(state)
    except ValueError:
        raise InvalidParameter("strict mode: state must be a UUID") from None


def check_timestamp(value: str, settings: IdpSettings, *, already_validated: bool = False) -> None:
    try:
        stamp = parse_timestamp(value, strict=settings.esia_strict)
    except BadTimestamp as exc:
        raise WrongTimestamp(str(exc), report={"timestamp": {"received": value}}) from exc
    skew = stamp.skew()
    details = {"received": value, "parsed": stamp.at.isoformat(), "skew_seconds": skew}
    details.update(window_seconds=settings.esia_timestamp_window, lenient_parse=stamp.note)
    if abs(skew) > settings.esia_timestamp_window and not already_validated:
        direction = "ahead of" if skew > 0 else "behind"
        raise WrongTimestamp(f"timestamp is {abs(skew)} s {direction} the stand's clock", report={"timestamp": details})


def state_ttl(settings: IdpSettings) -> int:
    return max(2 * settings.esia_timestamp_window, settings.login_transaction_ttl) + 60


def state_unused(deps: EsiaDeps, kind: str, client_id: str, state: str) -> bool:
    return deps.store.get(f"esia:state:{kind}:{client_id}:{state}") is None


def use_state(deps: EsiaDeps, kind: str, client_id: str, state: str) -> None:
    """Mark ``state`` used, atomically: of two parallel requests one gets :class:`StateReused`
    (in the database: an emptied store must not make a captured request replayable)."""
    until = deps.used.now() + state_ttl(deps.settings)
    if not deps.used.first_use("esia-state", f"{kind}:{client_id}:{state}", until=until):
        raise StateReused(f"state {state!r} was already used with this system")


def certificates_for(
    client: EsiaClient, cert_hash: str | None, *, required: bool, strict: bool
) -> list[ClientCertificate]:
    """The registered certificate ``client_certificate_hash`` names (or all of them)."""
    certs = certificates_of(client)
    if not cert_hash:
        if required and strict:
            raise MissingParameter("client_certificate_hash")
        if not certs:
            raise CertificateMismatch("no certificate is registered", report=report.certificates(None, certs))
        return certs
    found = [c for c in certs if hash_matches(c, cert_hash, strict=strict)]
    if not found:
        raise CertificateMismatch(
            "can't find certificate with this client_certificate_hash", report=report.certificates(cert_hash, certs)
        )
    return found


def check_secret(
    params: Mapping[str, str],
    *,
    version: str,
    certs: list[ClientCertificate],
    strict: bool,
    code: str | None = None,
) -> SecretMatch:
    fields = SignedFields(
        client_id=params.get("client_id", ""),
        scope=params.get("scope", ""),
        scope_org=params.get("scope_org", ""),
        timestamp=params.get("timestamp", ""),
        state=params.get("state", ""),
        redirect_uri=params.get("redirect_uri", ""),
        code=code,
    )
    try:
        return verify_client_secret(
            secret=params["client_secret"],
            fields=fields,
            version=version,
            certs=certs,
            strict=strict,
        )
    except SecretRefused as exc:
        raise ClientSecretWrong(exc.reason, report={"client_secret": exc.report}) from exc
