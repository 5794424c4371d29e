"""Bank card with 3-D Secure against the simulated ACS: every outcome of the test-card table,
Luhn, Russian banks, the holder's name, and results a browser tries to forge or replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.factors.acs_support import ACS_BASE, hidden_fields, wire_acs
from tests.integration.factors.helpers import choose, finish_consent, id_token_claims, password, start
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present

Y, CY, CN, A, U, R, TIMEOUT = (f"22000000000000{n}" for n in ("12", "20", "38", "46", "53", "61", "79"))
SOKOLOVA_Y, OTHER_HOLDER, FOREIGN = "2201000000000011", "2204000000000018", "4242424242424242"


@pytest.fixture
def acs(app: Any, tmp_path: Path) -> Any:
    return wire_acs(app, tmp_path / "bank-keys")


@pytest.fixture
def patient(personas: dict) -> dict[str, Any]:
    return personas["patient_moscow"]


def sign_in(client: Any, persona: dict) -> None:
    client.get("/login")
    assert password_step(client, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def start_check(client: Any, pan: str, purpose: str, page: str) -> Any:
    token = csrf_token(client.get(page).text)
    return client.post("/card/3ds/start", data={"csrf_token": token, "pan": pan, "purpose": purpose})


def through_bank(client: Any, acs: Any, resp: Any, otp: str = "111111") -> Any:
    """From the hand-over page: the bank's challenge, its answer, back to the IdP, done."""
    assert resp.status_code == 200 and "creq-form" in resp.text, resp.text
    bank = acs.test_client()
    challenge = bank.post("/3ds/challenge", data={"creq": hidden_fields(resp.text)["creq"]}, base_url=ACS_BASE)
    assert challenge.status_code == 200
    fields = hidden_fields(challenge.text)
    answered = bank.post("/3ds/challenge/answer", data={"acsTransID": fields["acsTransID"], "otp": otp},
                         base_url=ACS_BASE)  # fmt: skip
    cres = hidden_fields(answered.text)["cres"]
    back = client.post("/card/3ds/notify", data={"cres": cres})
    assert back.status_code == 200 and "return-form" in back.text
    return client.get("/card/3ds/done"), cres


def link(app: Any, client: Any, persona: dict, pan: str) -> Any:
    sign_in(client, persona)
    return start_check(client, pan, "link", "/profile/security/card")


def test_linking_a_card_confirms_a_standard_account(app: Any, client: Any, acs: Any, personas: dict) -> None:
    from idp.accounts.models import Person
    from idp.factors.models import EnrolledFactor
    from idp.storage.db import db

    irina = personas["patient_standard_spb"]
    resp = link(app, client, irina, SOKOLOVA_Y)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/card/3ds/done")
    assert client.get("/card/3ds/done").headers["Location"].endswith("/profile/security")
    with app.app_context():
        person = present(db.session.get(Person, irina["oid"]))
        assert person.level == "confirmed" and person.level_evidence == "card"
        (card,) = EnrolledFactor.query.filter_by(person_oid=irina["oid"], kind="card").all()
        assert card.label.endswith("0011") and SOKOLOVA_Y not in str(card.data)


def test_linking_with_a_challenge(app: Any, client: Any, acs: Any, patient: dict) -> None:
    done, _ = through_bank(client, acs, link(app, client, patient, CY))
    assert done.headers["Location"].endswith("/profile/security")
    assert 'data-kind="card"' in client.get("/profile/security").text


@pytest.mark.parametrize(
    ("pan", "code"),
    [("2200000000000013", "LOGIN-050"), ("12345", "LOGIN-050"), (FOREIGN, "LOGIN-051"), (A, "LOGIN-053"),
     (U, "LOGIN-054"), (R, "LOGIN-055"), (TIMEOUT, "LOGIN-056"), (OTHER_HOLDER, "LOGIN-057")],
)  # fmt: skip
def test_refusals_each_with_its_message(app: Any, client: Any, acs: Any, patient: dict, pan: str, code: str) -> None:
    resp = link(app, client, patient, pan)
    if resp.status_code == 303:
        resp = client.get(resp.headers["Location"])
    assert code in resp.text and resp.status_code >= 400
    assert 'data-kind="card"' not in client.get("/profile/security").text


def test_challenge_failures(app: Any, client: Any, acs: Any, patient: dict) -> None:
    done, _ = through_bank(client, acs, link(app, client, patient, CN))
    assert "LOGIN-052" in done.text
    done, _ = through_bank(client, acs, start_check(client, CY, "link", "/profile/security/card"), otp="000000")
    assert "LOGIN-052" in done.text


def test_a_replayed_or_forged_result_is_refused(app: Any, client: Any, acs: Any, patient: dict, tmp_path: Path) -> None:
    from simulators.acs import b64u_json, create_app, from_b64u_json

    done, cres = through_bank(client, acs, link(app, client, patient, CY))
    assert done.status_code == 303
    # the same CRes again: its transaction is used up
    client.post("/card/3ds/notify", data={"cres": cres})
    resp = start_check(client, CN, "link", "/profile/security/card")  # a new check, to fail
    forged_bank = create_app(tmp_path / "attacker-keys")  # signs with a key the IdP does not trust
    ares = forged_bank.extensions["acs"]
    body = from_b64u_json(hidden_fields(resp.text)["creq"])
    fake = ares.result({"threeDSServerTransID": body["threeDSServerTransID"], "messageCategory": "02",
                        "acctNumber": CN}, "Y", body["acsTransID"], "MARIIA IVANOVA")  # fmt: skip
    forged = b64u_json({"threeDSServerTransID": body["threeDSServerTransID"], "messageType": "CRes",
                        "transStatus": "Y", "signedResult": ares.sign(fake)})  # fmt: skip
    client.post("/card/3ds/notify", data={"cres": forged})
    after = client.get("/card/3ds/done")
    assert "LOGIN-059" in after.text


def _link_directly(app: Any, oid: int, pan: str) -> None:
    from idp.factors.models import EnrolledFactor
    from idp.storage.db import db

    check = app.extensions["gosid"].login.factors.get("card").check
    with app.app_context():
        db.session.add(
            EnrolledFactor(
                person_oid=oid,
                kind="card",
                label="Мир •••• " + pan[-4:],
                data={"pan_digest": check.pan_digest(pan), "last4": pan[-4:], "bin": pan[:6]},
            )
        )
        db.session.commit()  # fmt: skip


def test_login_with_a_linked_card(app: Any, client: Any, acs: Any, patient: dict, rp_credentials: tuple) -> None:
    _link_directly(app, patient["oid"], Y)
    req = start(client)
    password(client, patient)
    assert choose(client, "card").headers["Location"].endswith("/login/card")
    resp = start_check(client, Y, "login", "/login/card")
    resp = client.get(resp.headers["Location"])
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, resp))
    assert claims["amr"] == ["pwd", "card", "mfa"]


def test_login_with_a_challenge_card(app: Any, client: Any, acs: Any, patient: dict) -> None:
    _link_directly(app, patient["oid"], CY)
    start(client)
    password(client, patient)
    choose(client, "card")
    done, _ = through_bank(client, acs, start_check(client, CY, "login", "/login/card"))
    assert done.status_code == 303 and done.headers["Location"].startswith("/authorize?")


def test_login_needs_a_linked_card(app: Any, client: Any, acs: Any, patient: dict) -> None:
    _link_directly(app, patient["oid"], CY)
    start(client)
    password(client, patient)
    choose(client, "card")
    resp = start_check(client, Y, "login", "/login/card")  # a valid card, but not this person's linked one
    assert resp.status_code == 401 and "LOGIN-058" in resp.text


def test_a_simplified_account_stays_simplified(app: Any, client: Any, acs: Any, personas: dict) -> None:
    from idp.accounts.models import Person
    from idp.storage.db import db

    artem = personas["simplified_account"]
    resp = link(app, client, artem, "2203000000000019")
    client.get(resp.headers["Location"])
    with app.app_context():
        assert present(db.session.get(Person, artem["oid"])).level == "simplified"
