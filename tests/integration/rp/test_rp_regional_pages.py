"""The regional rules in the browser: Moscow's first login, the Urals consent, a changed address
region, and refusal pages that name the region, the reason, what to do and whom to call."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.models import ChangeRecord, UploadedDocument
from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login, card_id, count
from tests.support import pdfs
from tests.support.rp import Persona

PDF = pdfs.valid_pdf()


def post(client: FlaskClient, path: str, data: dict[str, Any], page: str = "/onboarding") -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_moscow_first_login_asks_for_the_oms_policy_once(
    client: FlaskClient, idp: FakeIdp, app: Flask, personas: dict[str, Persona]
) -> None:
    person = personas["patient_moscow"]
    assert browser_login(client, idp, person).headers["Location"] == "/onboarding"
    page = client.get("/onboarding").get_data(as_text=True)
    assert "Иванова Мария Сергеевна" in page
    assert "Использовать полис ОМС из Госуслуг: 7753890412675318" in page

    refused = client.get(f"/cards/{card_id(app, person['snils'])}")
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    for shown in ("Сначала нужен ваш полис ОМС", "77 — Москва", "first_login_documents_required",
                  "+7 800 000-77-77, support77@egisz.example", 'href="/onboarding"'):  # fmt: skip
        assert shown in html

    form = {"requirement_id": "msk_spb_first_login_documents", "use_claim": "yes"}
    assert "Не сохранено" in client.get(post(client, "/onboarding/documents", form).headers["Location"]).text
    response = post(client, "/onboarding/documents", {**form, "confirm_right": "yes"})
    assert "Больше ничего не нужно" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/cards/{card_id(app, person['snils'])}").status_code == 200
    assert count(app, ChangeRecord, action="first_login_documents_given") == 1

    # Afterwards the Gosuslugi login alone is enough.
    assert browser_login(client, idp, person).headers["Location"] == "/profile"


def test_unconfirmed_spb_account_uploads_a_pdf_copy(
    client: FlaskClient, idp: FakeIdp, app: Flask, personas: dict[str, Persona]
) -> None:
    person = personas["patient_standard_spb"]
    assert browser_login(client, idp, person).headers["Location"] == "/onboarding"
    page = client.get("/onboarding").get_data(as_text=True)
    assert "Использовать полис ОМС из Госуслуг" not in page  # a standard account's claim is not enough
    base = {"requirement_id": "msk_spb_first_login_documents", "confirm_right": "yes"}
    attempts: list[tuple[dict[str, Any], str]] = [
        ({"oms_policy": "7852064139785201"}, "приложите копию"),
        ({"oms_policy": "7852064139785201", "policy_pdf": (b"GIF89a", "policy.pdf")}, "не документ PDF"),
        ({"oms_policy": "123", "policy_pdf": (PDF, "policy.pdf")}, "16 digits"),
        ({"oms_policy": "7700000000000001", "policy_pdf": (PDF, "policy.pdf")}, "does not match"),
    ]
    for extra, problem in attempts:
        data = {**base, **{k: _file(v) for k, v in extra.items()}}
        shown = client.get(post(client, "/onboarding/documents", data).headers["Location"]).get_data(as_text=True)
        assert problem in shown, problem
    assert count(app, UploadedDocument) == 0
    data = {**base, "oms_policy": "7852 0641 3978 5201", "policy_pdf": _file((PDF, "полис.pdf"))}
    done = client.get(post(client, "/onboarding/documents", data).headers["Location"]).get_data(as_text=True)
    assert "Больше ничего не нужно" in done
    assert count(app, UploadedDocument, size=len(PDF)) == 1


def _file(value: Any) -> Any:
    import io

    return (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value


def test_urals_consent_is_asked_recorded_and_revocable(
    client: FlaskClient, idp: FakeIdp, app: Flask, personas: dict[str, Persona]
) -> None:
    person = personas["patient_sverdlovsk"]
    card = f"/cards/{card_id(app, person['snils'])}"
    assert browser_login(client, idp, person).headers["Location"] == "/onboarding"
    assert "региональную медицинскую информационную систему" in client.get("/onboarding").get_data(as_text=True)
    refused = client.get(card)
    assert refused.status_code == 403
    assert "data_transfer_consent_required" in refused.text and "66 — Свердловская область" in refused.text
    post(client, "/onboarding/consent", {"requirement_id": "ufd_sibfd_data_transfer_consent", "agree": "yes"})
    assert client.get(card).status_code == 200

    consents = client.get("/consents").get_data(as_text=True)
    assert "действует" in consents
    revoke = consents.split('action="/consents/')[1].split('"')[0]
    post(client, f"/consents/{revoke}", {}, page="/consents")
    assert "отозвано" in client.get("/consents").get_data(as_text=True)
    assert client.get(card).status_code == 403
    actions = {"data_transfer_consent_given", "data_transfer_consent_revoked"}
    assert sum(count(app, ChangeRecord, action=a) for a in actions) == 2


def test_changed_address_region_sends_the_person_to_their_profile(
    client: FlaskClient, idp: FakeIdp, app: Flask, personas: dict[str, Persona]
) -> None:
    person = personas["patient_novosibirsk"]
    browser_login(client, idp, person)
    post(client, "/onboarding/consent", {"requirement_id": "ufd_sibfd_data_transfer_consent", "agree": "yes"})
    moved = {"region": "50"}
    assert browser_login(client, idp, person, access=moved, userinfo=moved).headers["Location"] == "/onboarding"
    page = client.get("/onboarding").get_data(as_text=True)
    assert "Госуслуги сообщают регион 50, а сервис знал регион 54" in page
    assert "/profile" in page  # the IdP's profile, to update the address there
    refused = client.get("/inbox")
    assert refused.status_code == 403 and "region_changed" in refused.text
    post(client, "/onboarding/region", {})
    assert client.get("/inbox").status_code == 200  # region 50 has no further steps


def test_missing_region_is_a_refusal_with_the_default_support_contact(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    browser_login(client, idp, personas["simplified_account"], access={"region": None}, userinfo={"region": None})
    page = client.get("/inbox")
    assert page.status_code == 403
    assert "region_missing" in page.text and "+7 800 000-00-00, support@egisz.example" in page.text


def test_account_without_snils_has_no_medical_record(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    assert browser_login(client, idp, personas["simplified_account"]).headers["Location"] == "/profile"
    page = client.get("/card")
    assert page.status_code == 403
    for shown in ("no_medical_record", "50 — Московская область", "+7 800 000-50-50, support50@egisz.example"):
        assert shown in page.text
