"""ESIA flows end to end on the test client: v1 (CMS, RSA) and v2/v3 (raw GOST), tokens in
ESIA's shapes, refresh, and the person API."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.unit.esia.signers import GostSigner


def _jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, body, _ = token.split(".")
    decode = lambda p: json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))  # noqa: E731
    return decode(head), decode(body)


def test_v1_code_flow_with_rsa_cms(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    params = rsa_system.ac_v1()
    back = authorize(client, ac_url("/aas/oauth2/ac", params), personas["patient_moscow"])
    assert back["state"] == params["state"] and back["code"]
    # esia-connector re-sends the authorization's state and always scope=openid at the token endpoint
    resp = client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"], state=params["state"]))
    assert resp.status_code == 200, resp.text
    body = resp.get_json()
    assert body["state"] == params["state"] and body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] == 3600
    header, access = _jwt_parts(body["access_token"])
    assert header == {"ver": 1, "typ": "JWT", "sbt": "access", "alg": "RS256"}
    oid = access["urn:esia:sbj_id"]
    assert isinstance(oid, int) and "aud" not in access
    assert access["iss"] == "http://esia.gosuslugi.ru/" and access["client_id"] == "EGISZ_RSA"
    assert f"fullname?oid={oid}" in access["scope"].split() and "openid" in access["scope"].split()
    id_header, id_claims = _jwt_parts(body["id_token"])
    assert id_header["sbt"] == "id" and id_header["ver"] == 0
    assert id_claims["aud"] == "EGISZ_RSA" and id_claims["sub"] == oid
    assert id_claims["urn:esia:sbj"] == {
        "urn:esia:sbj:typ": "P", "urn:esia:sbj:oid": oid, "urn:esia:sbj:nam": f"OID.{oid}", "urn:esia:sbj:is_tru": True,
    }  # fmt: skip
    assert id_claims["amr"] == "PWD" and isinstance(id_claims["auth_time"], int)


def test_v2_v3_flow_with_raw_gost_and_gost_tokens(
    client: Any, gost_system: EsiaSystem, gost_signer: GostSigner, personas: dict[str, Any]
) -> None:
    params = gost_system.ac_v2()
    back = authorize(client, ac_url("/aas/oauth2/v2/ac", params), personas["patient_moscow"])
    resp = client.post("/aas/oauth2/v3/te", data=gost_system.te_v3(back["code"]))
    assert resp.status_code == 200, resp.text
    body = resp.get_json()
    header, _ = _jwt_parts(body["id_token"])
    assert header["alg"] == "GOST3410_2012_256"
    cert = client.get("/esia/certs/GOST3410_2012_256.pem")
    assert cert.status_code == 200
    assert gost_signer.verify_jws(body["id_token"], cert.data)
    assert gost_signer.verify_jws(body["access_token"], cert.data)
    # refresh (v3, the v2 string without code), then the old refresh token is dead
    again = client.post("/aas/oauth2/v3/te", data=gost_system.te_v3(None, refresh=body["refresh_token"]))
    assert again.status_code == 200, again.text
    assert again.get_json()["refresh_token"] != body["refresh_token"]
    reused = client.post("/aas/oauth2/v3/te", data=gost_system.te_v3(None, refresh=body["refresh_token"]))
    assert reused.status_code == 400 and reused.get_json()["error_description"].startswith("ESIA-007011")


def test_second_login_skips_consent_and_code_is_one_time(
    client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    back = authorize(client, ac_url("/aas/oauth2/ac", rsa_system.ac_v1()), personas["patient_moscow"])
    second = client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1()))
    assert second.status_code == 302 and "code=" in second.headers["Location"]
    assert client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"])).status_code == 200
    replay = client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"]))
    assert replay.status_code == 400 and replay.get_json()["error_description"].startswith("ESIA-007011")


def _tokens(client: Any, system: EsiaSystem, persona: dict[str, Any], scope: str | None = None) -> dict[str, Any]:
    if scope:
        system.scope = scope
    back = authorize(client, ac_url("/aas/oauth2/ac", system.ac_v1()), persona)
    resp = client.post("/aas/oauth2/te", data=system.te_v1(back["code"]))
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.get_json()
    data["oid"] = _jwt_parts(data["access_token"])[1]["urn:esia:sbj_id"]
    return data


def test_person_api_shapes_and_embeds(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    tokens = _tokens(client, rsa_system, personas["patient_moscow"])
    oid, auth = tokens["oid"], {"Authorization": f"Bearer {tokens['access_token']}"}
    person = client.get(f"/rs/prns/{oid}", headers=auth).get_json()
    persona = personas["patient_moscow"]
    assert person["stateFacts"] == ["EntityRoot"] and person["trusted"] is True
    assert person["lastName"] == persona["surname"] and person["firstName"] == persona["name"]
    assert len(person["birthDate"]) == 10 and person["birthDate"][2] == "."
    assert person["snils"][3] == "-" and person["snils"][11] == " "
    ctts = client.get(f"/rs/prns/{oid}/ctts", headers=auth).get_json()
    assert ctts["stateFacts"] == ["hasSize"] and ctts["size"] == 2
    assert all(url.startswith(f"http://localhost/rs/prns/{oid}/ctts/") for url in ctts["elements"])
    element = client.get(ctts["elements"][0].replace("http://localhost", ""), headers=auth).get_json()
    assert element["type"] in ("MBT", "EML") and element["vrfStu"] in ("VERIFIED", "NOT_VERIFIED")
    embedded = client.get(f"/rs/prns/{oid}/docs?embed=(elements)", headers=auth).get_json()
    assert {d["type"] for d in embedded["elements"]} == {"RF_PASSPORT", "MDCL_PLCY"}
    passport = next(d for d in embedded["elements"] if d["type"] == "RF_PASSPORT")
    assert passport["issueDate"][2] == "." and passport["series"] == persona["passport_series"]
    full = client.get(
        f"/rs/prns/{oid}?embed=(contacts.elements,addresses.elements,documents.elements)", headers=auth
    ).get_json()
    assert full["contacts"]["elements"][0]["value"] and full["addresses"]["elements"][0]["type"] == "PRG"
    assert isinstance(full["documents"]["elements"][0], dict)


def test_person_api_returns_only_what_scopes_allow(
    client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    tokens = _tokens(client, rsa_system, personas["patient_moscow"], scope="openid fullname mobile")
    oid, auth = tokens["oid"], {"Authorization": f"Bearer {tokens['access_token']}"}
    person = client.get(f"/rs/prns/{oid}", headers=auth).get_json()
    assert "lastName" in person and "snils" not in person and "birthDate" not in person
    ctts = client.get(f"/rs/prns/{oid}/ctts?embed=(elements)", headers=auth).get_json()
    assert [c["type"] for c in ctts["elements"]] == ["MBT"]
    docs = client.get(f"/rs/prns/{oid}/docs", headers=auth)
    assert docs.status_code == 403 and docs.get_json()["error"] == "insufficient_scope"
    other = client.get(f"/rs/prns/{oid + 1}", headers=auth)
    assert other.status_code == 403
    bad = client.get(f"/rs/prns/{oid}", headers={"Authorization": "Bearer " + tokens["access_token"][:-4] + "AAAA"})
    assert bad.status_code == 401 and "WWW-Authenticate" in bad.headers
    assert client.get(f"/rs/prns/{oid}").status_code == 401


def test_roles_and_organizations(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    tokens = _tokens(client, rsa_system, personas["doctor_moscow"], scope="openid fullname usr_org")
    oid, auth = tokens["oid"], {"Authorization": f"Bearer {tokens['access_token']}"}
    roles = client.get(f"/rs/prns/{oid}/roles", headers=auth).get_json()
    org = roles["elements"][0]
    assert org["prnOid"] == oid and org["fullName"] == personas["doctor_moscow"]["organization_name"]
    orgs = client.get(f"/rs/prns/{oid}/orgs", headers=auth).get_json()
    assert orgs["elements"] == [f"http://localhost/rs/orgs/{org['oid']}"]
    detail = client.get(f"/rs/orgs/{org['oid']}", headers=auth).get_json()
    assert detail["oid"] == org["oid"] and detail["type"] == "LEGAL"


def test_logout_redirects_to_a_registered_origin(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    authorize(client, ac_url("/aas/oauth2/ac", rsa_system.ac_v1()), personas["patient_moscow"])
    resp = client.get("/idp/ext/Logout?client_id=EGISZ_RSA&redirect_url=http://localhost:5000/bye")
    assert resp.status_code == 302 and resp.headers["Location"] == "http://localhost:5000/bye"
    again = client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1()))
    assert again.headers["Location"].endswith("/login")
    foreign = client.get("/idp/ext/Logout?client_id=EGISZ_RSA&redirect_url=https://evil.example/")
    assert foreign.status_code == 200
