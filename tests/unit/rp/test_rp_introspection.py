"""Token validation by RFC 7662 introspection, against the loopback IdP's /introspect."""

from __future__ import annotations

import time

import pytest

from relying_party_demo.errors import ClientNotRegistered, IdpUnavailable, InvalidToken
from relying_party_demo.introspection import IntrospectionVerifier
from relying_party_demo.settings import ClientCredentials
from relying_party_demo.testing import FakeIdp


def verifier_for(idp: FakeIdp, *, secret: str | None = None, endpoint: str | None = None) -> IntrospectionVerifier:
    credentials = ClientCredentials(idp.client_id, secret or idp.client_secret)
    return IntrospectionVerifier(
        issuer=idp.issuer,
        audience=idp.client_id,
        endpoint=lambda: endpoint if endpoint is not None else f"{idp.issuer}/introspect",
        credentials=lambda: credentials,
    )


def rejected(verifier: IntrospectionVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    return caught.value.detail


def test_active_token_yields_its_claims(idp: FakeIdp) -> None:
    token = idp.access_token(
        "1000300102", "openid medcard.rs", roles=["doctor"], region="77", jti="j-1", acr="urn:gosid:acr:2fa",
        organization={"oid": "1.2.643.5.1.13.13.12.2.77.7831", "name": "ГП № 12"}, regional_doctor_certificate=False,
    )  # fmt: skip
    verified = verifier_for(idp).verify(token)
    assert (verified.subject, verified.jti, verified.region, verified.acr) == (
        "1000300102",
        "j-1",
        "77",
        "urn:gosid:acr:2fa",
    )
    assert verified.scopes == {"openid", "medcard.rs"}
    assert verified.roles == ("doctor",)
    assert verified.organization_oid == "1.2.643.5.1.13.13.12.2.77.7831"
    assert idp.requests["/introspect"] == 1
    assert idp.requests["/jwks"] == 0  # no local validation in this mode


def test_revoked_or_unknown_token_is_inactive(idp: FakeIdp) -> None:
    token = idp.access_token()
    idp.revoked.add(token)
    assert "not active" in rejected(verifier_for(idp), token)
    assert "not active" in rejected(verifier_for(idp), "made-up")


def test_token_for_another_audience_is_refused(idp: FakeIdp) -> None:
    assert "audience" in rejected(verifier_for(idp), idp.access_token(aud="another-service"))
    token = idp.access_token(client_id="another-service")
    idp.issued[token].pop("aud")
    assert "audience" in rejected(verifier_for(idp), token)


def test_refresh_tokens_are_refused_and_dpop_binding_is_reported(idp: FakeIdp) -> None:
    refresh = idp.access_token()
    idp.issued[refresh]["token_type"] = "refresh_token"
    assert "refresh token" in rejected(verifier_for(idp), refresh)
    # The API then demands the DPoP scheme and a proof of this key.
    assert verifier_for(idp).verify(idp.access_token(cnf={"jkt": "abc"})).dpop_jkt == "abc"


def test_expired_by_the_response_is_refused(idp: FakeIdp) -> None:
    token = idp.access_token()
    idp.issued[token]["exp"] = time.time() + 0.01
    time.sleep(0.02)
    assert "not active" in rejected(verifier_for(idp), token)


def test_wrong_client_secret_and_unreachable_idp_are_idp_problems(idp: FakeIdp) -> None:
    with pytest.raises(IdpUnavailable, match="HTTP 401"):
        verifier_for(idp, secret="wrong").verify(idp.access_token())
    with pytest.raises(IdpUnavailable, match="no introspection_endpoint"):
        verifier_for(idp, endpoint="").verify(idp.access_token())
    no_credentials = IntrospectionVerifier(
        issuer=idp.issuer, audience="egisz-demo", endpoint=lambda: f"{idp.issuer}/introspect", credentials=lambda: None
    )
    with pytest.raises(ClientNotRegistered):
        no_credentials.verify(idp.access_token())
    token = idp.access_token()
    idp.stop()
    with pytest.raises(IdpUnavailable):
        verifier_for(idp).verify(token)
