"""Build signed ESIA requests and drive the front channel with Flask's test client."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token, query_of
from tests.unit.esia.signers import GostSigner, RsaSigner, b64url, esia_timestamp

REDIRECT = "http://localhost:5000/esia/callback"


@dataclass
class EsiaSystem:
    """A registered system and how it signs (the convention under test)."""

    client_id: str
    signer: RsaSigner | GostSigner
    cert_hash: str | None = None
    scope: str = "openid fullname birthdate gender snils inn id_doc medical_doc email mobile contacts addresses"
    redirect_uri: str = REDIRECT
    extra: dict[str, str] = field(default_factory=dict)

    def ac_v1(self, *, state: str | None = None, shift: timedelta = timedelta(), **over: Any) -> dict[str, str]:
        params = {
            "client_id": self.client_id, "redirect_uri": self.redirect_uri, "scope": self.scope,
            "response_type": "code", "state": state or str(uuid.uuid4()), "timestamp": esia_timestamp(shift),
            "access_type": "offline",
        }  # fmt: skip
        params.update(over)
        v1 = params["scope"] + params["timestamp"] + params["client_id"] + params["state"]
        params.setdefault("client_secret", b64url(self.signer.cms(v1)))
        return params

    def ac_v2(self, *, state: str | None = None, shift: timedelta = timedelta(), **over: Any) -> dict[str, str]:
        params = {
            "client_id": self.client_id, "client_certificate_hash": self.cert_hash or "",
            "redirect_uri": self.redirect_uri, "scope": self.scope, "scope_org": "", "response_type": "code",
            "state": state or str(uuid.uuid4()), "timestamp": esia_timestamp(shift), "access_type": "offline",
        }  # fmt: skip
        params.update(over)
        params.setdefault("client_secret", b64url(self.signer.raw(v2_string(params))))
        return params

    def te_v1(self, code: str, *, state: str | None = None, **over: Any) -> dict[str, str]:
        params = {
            "client_id": self.client_id, "code": code, "grant_type": "authorization_code",
            "redirect_uri": self.redirect_uri, "timestamp": esia_timestamp(), "token_type": "Bearer",
            "scope": "openid", "state": state or str(uuid.uuid4()),
        }  # fmt: skip
        params.update(over)
        v1 = params["scope"] + params["timestamp"] + params["client_id"] + params["state"]
        params.setdefault("client_secret", b64url(self.signer.cms(v1)))
        return params

    def te_v3(self, code: str | None, *, refresh: str | None = None, **over: Any) -> dict[str, str]:
        params = {
            "client_id": self.client_id, "client_certificate_hash": self.cert_hash or "",
            "redirect_uri": self.redirect_uri, "scope": self.scope, "scope_org": "", "timestamp": esia_timestamp(),
            "token_type": "Bearer", "state": str(uuid.uuid4()),
        }  # fmt: skip
        if refresh:
            params.update(grant_type="refresh_token", refresh_token=refresh)
        else:
            params.update(grant_type="authorization_code", code=code or "")
        params.update(over)
        text = v2_string(params) + (params.get("code", "") if not refresh else "")
        params.setdefault("client_secret", b64url(self.signer.raw(text)))
        return params


def v2_string(p: dict[str, str]) -> str:
    return p["client_id"] + p["scope"] + p["scope_org"] + p["timestamp"] + p["state"] + p["redirect_uri"]


def ac_url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}"


def sign_in(client: Any, url: str, persona: dict[str, Any]) -> Any:
    """From the ESIA authorization URL through password and SMS; returns the answer after login."""
    first = client.get(url)
    assert first.status_code == 302 and first.headers["Location"].endswith("/login"), first.text
    resp = password_step(client, persona["phone"], persona["password"])
    assert resp.status_code == 303, resp.text
    resp = sms_step(client, outbox_code(client, persona["phone"]))
    assert resp.status_code == 303
    return client.get(resp.headers["Location"])


def authorize(client: Any, url: str, persona: dict[str, Any], *, allow: bool = True) -> dict[str, str]:
    """The whole front channel; the query of the redirect back to the system."""
    resp = sign_in(client, url, persona)
    if resp.status_code == 200:  # consent page, posted back to the same URL
        assert 'name="decision"' in resp.text
        decision = "allow" if allow else "deny"
        resp = client.post(url, data={"csrf_token": csrf_token(resp.text), "decision": decision})
    assert resp.status_code in (302, 303), resp.text
    return query_of(resp.headers["Location"])
