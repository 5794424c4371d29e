"""Registering ESIA client systems (``gosid esia-client add``) and finding them.

A system is registered with a mnemonic ``client_id``, allowed redirect URIs and scopes, and
one or more certificates. A disabled twin row in ``oauth_client`` lets the IdP's own consent
records (and the personal cabinet that lists and withdraws them) cover ESIA systems too; it
can never be used on the OIDC endpoints.
"""

from __future__ import annotations

from sqlalchemy import select

from idp.crypto.certs import CertificateError, ClientCertificate, load_certificate
from idp.esia.models import TOKEN_ALGS, EsiaClient, EsiaClientCertificate
from idp.esia.scopes import ESIA_SCOPES
from idp.oidc.clients import ClientRegistrationError, check_redirect_uri
from idp.oidc.models import OAuthClient
from idp.storage.db import db


def register_esia_client(
    *,
    client_id: str,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    certificates: list[bytes],
    token_alg: str = "RS256",  # noqa: S107 - an algorithm name, not a secret
    require_confirmed: bool = False,
) -> EsiaClient:
    """Create a system; the message of :class:`ClientRegistrationError` names the field."""
    if not client_id or len(client_id) > 64 or not client_id.replace("_", "").replace("-", "").isalnum():
        raise ClientRegistrationError("client_id: a mnemonic of 1-64 letters, digits, '-' or '_'")
    if db.session.get(EsiaClient, client_id) or db.session.get(OAuthClient, client_id):
        raise ClientRegistrationError(f"client_id: {client_id!r} is already registered")
    if token_alg not in TOKEN_ALGS:
        raise ClientRegistrationError(f"token_alg: one of {', '.join(TOKEN_ALGS)}")
    if not redirect_uris:
        raise ClientRegistrationError("redirect_uris: at least one is required")
    for uri in redirect_uris:
        check_redirect_uri(uri)
    unknown = [s for s in scopes if s not in ESIA_SCOPES]
    if unknown:
        raise ClientRegistrationError(f"scopes: unknown {', '.join(unknown)} (ESIA scopes: {' '.join(ESIA_SCOPES)})")
    if not certificates:
        raise ClientRegistrationError("certificate: at least one is required")
    client = EsiaClient(
        client_id=client_id,
        name=name,
        redirect_uris=list(redirect_uris),
        scopes=list(dict.fromkeys(["openid", *scopes])),
        token_alg=token_alg,
        require_confirmed=require_confirmed,
    )
    db.session.add(client)
    db.session.add(_consent_twin(client))
    for data in certificates:
        add_certificate(client, data)
    return client


def _consent_twin(client: EsiaClient) -> OAuthClient:
    return OAuthClient(
        client_id=client.client_id,
        client_secret_hash=None,
        name=client.name,
        redirect_uris=list(client.redirect_uris),
        post_logout_redirect_uris=[],
        scopes=list(client.scopes),
        grant_types=[],
        token_endpoint_auth_method="none",  # noqa: S106 - a method name, not a secret
        disabled=True,
    )


def add_certificate(client: EsiaClient, data: bytes) -> EsiaClientCertificate:
    try:
        parsed = load_certificate(data)
    except CertificateError as exc:
        raise ClientRegistrationError(f"certificate: {exc}") from exc
    row = EsiaClientCertificate(
        client_id=client.client_id,
        der=parsed.der,
        key_algorithm=parsed.key_algorithm,
        sha256_hex=parsed.sha256_hex,
        gost_hex=parsed.gost_hex,
        subject=parsed.subject[:400],
    )
    client.certificates.append(row)
    return row


def find_client(client_id: str) -> EsiaClient | None:
    found = db.session.scalar(select(EsiaClient).where(EsiaClient.client_id == client_id))
    return None if found is None or found.disabled else found


def certificates_of(client: EsiaClient) -> list[ClientCertificate]:
    return [load_certificate(row.der) for row in client.active_certificates()]
