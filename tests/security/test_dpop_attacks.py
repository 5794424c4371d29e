"""Security checklist section 1, item 30: DPoP (RFC 9449) at the token endpoint and userinfo.

The IdP requires a server nonce: a proof without one gets 400 ``use_dpop_nonce`` with a
``DPoP-Nonce`` header. Every other refusal is ``invalid_dpop_proof`` (400 at /token, 401 with a
``DPoP`` challenge at /userinfo), or ``invalid_grant`` when the proof is fine but the key is not
the one the code or refresh token is bound to.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import pytest
from joserfc.jwk import ECKey, Key

from tests.support.attacker import TOKEN_URL, USERINFO_URL, code_exchange, code_for, json_error, next_code
from tests.support.clients import ISSUER, Registered
from tests.support.jose_builders import dpop_proof, ec_key, jkt, rsa_key
from tests.support.oidc_client import AuthRequest, query_of
from tests.support.store import expire_now


def _request(reg: Registered, **extra: str) -> AuthRequest:
    return AuthRequest(client_id=reg.client_id, redirect_uri=reg.redirect_uri, extra=dict(extra))


def _nonce(client: Any, key: Key) -> str:
    """The server nonce, as a client learns it: from the refusal of a proof without one."""
    resp = client.post("/token", data={"grant_type": "client_credentials"}, headers={"DPoP": _proof(key)})
    assert json_error(resp) == "use_dpop_nonce"
    return str(resp.headers["DPoP-Nonce"])


def _proof(key: Any, url: str = TOKEN_URL, **kwargs: Any) -> str:
    return dpop_proof(key, htu=url, **kwargs)


def _token(client: Any, reg: Registered, data: dict[str, str], proof: str | None) -> Any:
    headers = {"DPoP": proof} if proof is not None else {}
    return client.post("/token", data=data, headers=headers, auth=reg.creds)


def _bound_tokens(client: Any, reg: Registered, personas: dict, key: ECKey) -> dict[str, Any]:
    req = _request(reg)
    code = code_for(client, req, personas["patient_moscow"])
    resp = _token(client, reg, code_exchange(req, code), _proof(key, nonce=_nonce(client, key)))
    assert resp.status_code == 200, resp.text
    body = dict(resp.get_json())
    assert body["token_type"] == "DPoP"
    return body


def _userinfo(client: Any, token: str, proof: str | None, scheme: str = "DPoP") -> Any:
    headers = {"Authorization": f"{scheme} {token}"}
    if proof is not None:
        headers["DPoP"] = proof
    return client.get("/userinfo", headers=headers)


@pytest.mark.checklist(30)
def test_dpop_missing_forged_or_stale_nonce_gets_use_dpop_nonce(
    app: Any, client: Any, personas: dict, dpop_client: Registered
) -> None:
    key = ec_key()
    req = _request(dpop_client)
    code = code_for(client, req, personas["patient_moscow"])
    first = _token(client, dpop_client, code_exchange(req, code), _proof(key))
    assert json_error(first) == "use_dpop_nonce"
    nonce = first.headers.get("DPoP-Nonce")
    assert nonce and len(nonce) >= 22
    assert "access_token" not in first.get_json()
    forged = _token(client, dpop_client, code_exchange(req, code), _proof(key, nonce="forged-nonce-0123456789"))
    assert json_error(forged) == "use_dpop_nonce" and forged.headers.get("DPoP-Nonce")
    assert expire_now(app.extensions["gosid"].store, "dpop-nonce") >= 1  # the nonce's lifetime ran out
    stale = _token(client, dpop_client, code_exchange(req, code), _proof(key, nonce=nonce))
    assert json_error(stale) == "use_dpop_nonce"
    fresh = stale.headers.get("DPoP-Nonce")
    assert fresh and fresh != nonce
    ok = _token(client, dpop_client, code_exchange(req, code), _proof(key, nonce=fresh))
    assert ok.status_code == 200, ok.text  # the code survived the refused attempts


@pytest.mark.checklist(30)
def test_dpop_replayed_or_missing_jti_is_refused(client: Any, personas: dict, dpop_client: Registered) -> None:
    key = ec_key()
    req = _request(dpop_client)
    code = code_for(client, req, personas["patient_moscow"])
    nonce = _nonce(client, key)
    no_jti = _token(client, dpop_client, code_exchange(req, code), _proof(key, nonce=nonce, jti=None))
    assert json_error(no_jti) == "invalid_dpop_proof"
    proof = _proof(key, nonce=nonce)
    assert _token(client, dpop_client, code_exchange(req, code), proof).status_code == 200
    replay = _token(client, dpop_client, code_exchange(req, next_code(client, req)), proof)
    assert json_error(replay) == "invalid_dpop_proof"


@pytest.mark.checklist(30)
def test_dpop_htm_htu_or_iat_mismatch_is_refused(client: Any, personas: dict, dpop_client: Registered) -> None:
    key = ec_key()
    req = _request(dpop_client)
    code = code_for(client, req, personas["patient_moscow"])
    nonce = _nonce(client, key)
    now = int(time.time())
    for kwargs in (
        {"htm": "GET"},
        {"htm": "post"},
        {"url": USERINFO_URL},
        {"url": "https://evil.example/token"},
        {"url": "https://localhost:8000/token"},
        {"url": ISSUER + "/token/extra"},
        {"iat": now - 300},
        {"iat": now - 90},  # older than the 60 s window
        {"iat": now + 90},  # beyond the allowed clock skew
        {"iat": now + 3600},
        {"iat": None},
    ):
        resp = _token(client, dpop_client, code_exchange(req, code), _proof(key, nonce=nonce, **kwargs))
        assert json_error(resp) == "invalid_dpop_proof", kwargs
    # htu compares without query and fragment (RFC 9449 §4.3); a few seconds of skew are fine
    proof = _proof(key, nonce=nonce, url=TOKEN_URL + "?x=1", iat=now - 5)
    ok = _token(client, dpop_client, code_exchange(req, code), proof)
    assert ok.status_code == 200, ok.text


@pytest.mark.checklist(30)
def test_dpop_jkt_different_from_the_proof_key_is_invalid_grant(
    app: Any, client: Any, personas: dict, dpop_client: Registered
) -> None:
    bound_key, other_key = rsa_key(), ec_key()
    req = _request(dpop_client, dpop_jkt=jkt(bound_key))
    code = code_for(client, req, personas["patient_moscow"])
    resp = _token(client, dpop_client, code_exchange(req, code), _proof(other_key, nonce=_nonce(client, other_key)))
    assert json_error(resp) == "invalid_grant"
    assert "access_token" not in resp.get_json()
    # Control: the same request with the bound key is answered, and the token carries cnf.jkt.
    code = next_code(client, req)
    resp = _token(client, dpop_client, code_exchange(req, code), _proof(bound_key, nonce=_nonce(client, bound_key)))
    assert resp.status_code == 200, resp.text
    claims = app.extensions["gosid"].signer.verify_access_token(resp.get_json()["access_token"])
    assert claims["cnf"] == {"jkt": jkt(bound_key)}


@pytest.mark.checklist(30)
def test_dpop_wrong_ath_or_foreign_proof_at_userinfo_is_401(
    client: Any, personas: dict, dpop_client: Registered
) -> None:
    key, thief = ec_key(), ec_key()
    access = _bound_tokens(client, dpop_client, personas, key)["access_token"]
    nonce = _nonce(client, key)
    old = int(time.time()) - 600
    for what, proof in (
        ("ath of another token", _proof(key, url=USERINFO_URL, htm="GET", nonce=nonce, access_token=access + "x")),
        ("ath not a hash", _proof(key, url=USERINFO_URL, htm="GET", nonce=nonce, ath="not-the-hash")),
        ("no ath", _proof(key, url=USERINFO_URL, htm="GET", nonce=nonce)),
        ("another key", _proof(thief, url=USERINFO_URL, htm="GET", nonce=nonce, access_token=access)),
        ("wrong htm", _proof(key, url=USERINFO_URL, htm="POST", nonce=nonce, access_token=access)),
        ("wrong htu", _proof(key, url=TOKEN_URL, htm="GET", nonce=nonce, access_token=access)),
        ("too old", _proof(key, url=USERINFO_URL, htm="GET", nonce=nonce, access_token=access, iat=old)),
        ("no proof", None),
    ):
        resp = _userinfo(client, access, proof)
        assert json_error(resp, 401) == "invalid_dpop_proof", what
        assert resp.headers.get("WWW-Authenticate", "").startswith("DPoP"), what
        assert "sub" not in resp.get_json()
    no_nonce = _userinfo(client, access, _proof(key, url=USERINFO_URL, htm="GET", access_token=access))
    assert json_error(no_nonce, 401) == "use_dpop_nonce" and no_nonce.headers.get("DPoP-Nonce")
    good = _proof(key, url=USERINFO_URL, htm="GET", nonce=nonce, access_token=access)
    assert _userinfo(client, access, good).status_code == 200
    assert json_error(_userinfo(client, access, good), 401) == "invalid_dpop_proof"  # replayed at userinfo


@pytest.mark.checklist(30)
def test_dpop_bound_token_sent_as_bearer_is_401(client: Any, personas: dict, dpop_client: Registered) -> None:
    key = ec_key()
    access = _bound_tokens(client, dpop_client, personas, key)["access_token"]
    resp = _userinfo(client, access, None, scheme="Bearer")
    assert json_error(resp, 401) == "invalid_token"
    assert "sub" not in resp.get_json()
    with_proof = _userinfo(
        client,
        access,
        _proof(key, url=USERINFO_URL, htm="GET", nonce=_nonce(client, key), access_token=access),
        scheme="Bearer",
    )
    assert with_proof.status_code == 401  # the scheme must be DPoP, even with a good proof


@pytest.mark.checklist(30)
def test_dpop_bound_client_and_refresh_token_need_the_same_key(
    client: Any, personas: dict, dpop_client: Registered
) -> None:
    key, thief = ec_key(), ec_key()
    req = _request(dpop_client, scope="openid profile offline_access")
    code = code_for(client, req, personas["patient_moscow"])
    without = _token(client, dpop_client, code_exchange(req, code), None)  # the client must use DPoP
    assert json_error(without) in ("invalid_request", "invalid_dpop_proof")
    assert "access_token" not in without.get_json()
    proof = _proof(key, nonce=_nonce(client, key))
    resp = _token(client, dpop_client, code_exchange(req, next_code(client, req)), proof)
    assert resp.status_code == 200, resp.text
    data = {"grant_type": "refresh_token", "refresh_token": resp.get_json()["refresh_token"]}
    stolen = _token(client, dpop_client, data, _proof(thief, nonce=_nonce(client, thief)))
    assert json_error(stolen) == "invalid_grant"
    no_proof = _token(client, dpop_client, data, None)
    assert json_error(no_proof) in ("invalid_request", "invalid_grant", "invalid_dpop_proof")
    owner = _token(client, dpop_client, data, _proof(key, nonce=_nonce(client, key)))
    assert owner.status_code == 200, owner.text
    assert owner.get_json()["token_type"] == "DPoP"


@pytest.mark.checklist(30)
def test_dpop_proof_at_par_binds_the_code_and_a_different_dpop_jkt_is_refused(
    client: Any, personas: dict, dpop_client: Registered
) -> None:
    key, other = ec_key(), ec_key()
    par_url = ISSUER + "/par"
    req = _request(dpop_client, dpop_jkt=jkt(other))
    nonce = _nonce(client, key)
    mismatch = client.post(
        "/par", data=req.params(), auth=dpop_client.creds, headers={"DPoP": _proof(key, par_url, nonce=nonce)}
    )
    assert json_error(mismatch) == "invalid_dpop_proof"
    assert "request_uri" not in mismatch.get_json()
    wrong_htu = client.post(
        "/par", data=_request(dpop_client).params(), auth=dpop_client.creds, headers={"DPoP": _proof(key, nonce=nonce)}
    )
    assert json_error(wrong_htu) == "invalid_dpop_proof"

    req = _request(dpop_client)  # no dpop_jkt: the proof's key binds the code
    pushed = client.post(
        "/par", data=req.params(), auth=dpop_client.creds, headers={"DPoP": _proof(key, par_url, nonce=nonce)}
    )
    assert pushed.status_code == 201, pushed.text
    code_for(client, _request(dpop_client), personas["patient_moscow"])  # sign in, consent
    resp = client.get(
        "/authorize?" + urlencode({"client_id": dpop_client.client_id, "request_uri": pushed.get_json()["request_uri"]})
    )
    code = query_of(resp.headers["Location"])["code"]
    stolen = _token(client, dpop_client, code_exchange(req, code), _proof(other, nonce=_nonce(client, other)))
    assert json_error(stolen) == "invalid_grant"
