"""The OMS policy copy on the first-login page: only a readable PDF without scripts, launch actions
or encryption, up to 5 MB, is kept; every refusal is a Russian message that says what to do and,
for size, names the limit; a body over the app's limit is the RP's own 413 page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.models import UploadedDocument
from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login, count
from tests.support import pdfs
from tests.support.rp import BOTH, Persona, TokenFactory

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

MB = 1024 * 1024
FORM = {"requirement_id": "msk_spb_first_login_documents", "confirm_right": "yes", "oms_policy": "7852064139785201"}


def send(client: FlaskClient, content: bytes, filename: str = "полис.pdf") -> Any:
    token = csrf_token_from(client.get("/onboarding").get_data(as_text=True))
    data = {**FORM, "csrf_token": token, "policy_pdf": (io.BytesIO(content), filename)}
    return client.post("/onboarding/documents", data=data)


def shown_after(client: FlaskClient, content: bytes) -> str:
    response = send(client, content)
    assert response.status_code == 303, response.status_code
    return str(client.get(response.headers["Location"]).get_data(as_text=True))


@pytest.fixture
def spb(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> FlaskClient:
    """Signed in as the standard Saint Petersburg account, whose first login asks for a PDF copy."""
    assert browser_login(client, idp, personas["patient_standard_spb"]).headers["Location"] == "/onboarding"
    return client


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (pdfs.open_action_javascript_pdf(), "содержит сценарии (JavaScript)"),
        (pdfs.names_tree_javascript_pdf(), "содержит сценарии (JavaScript)"),
        (pdfs.launch_pdf(), "содержит действие запуска программы"),
        (pdfs.link_launch_pdf(), "содержит действие запуска программы"),
        (pdfs.encrypted_pdf(), "защищён паролем"),
        (pdfs.truncated_pdf(), "не документ PDF или он повреждён"),
        (pdfs.garbage_pdf(), "не документ PDF или он повреждён"),
        (b"GIF89a", "не документ PDF или он повреждён"),
    ],
    ids=["js_open_action", "js_names", "launch", "launch_link", "encrypted", "truncated", "garbage", "gif"],
)
def test_unsafe_or_unreadable_pdfs_are_refused_in_russian(
    spb: FlaskClient, app: Flask, content: bytes, message: str
) -> None:
    page = shown_after(spb, content)
    assert "Не сохранено: " in page and message in page
    assert "Больше ничего не нужно" not in page
    assert count(app, UploadedDocument) == 0


def test_a_file_just_over_5_mb_is_refused_with_the_limit(spb: FlaskClient, app: Flask) -> None:
    page = shown_after(spb, pdfs.pdf_of_size(5 * MB + 1024))
    assert "Не сохранено: копия полиса ОМС больше 5 МБ: приложите файл PDF не больше 5 МБ." in page
    assert "is larger than allowed" not in page
    assert count(app, UploadedDocument) == 0


def test_a_body_over_the_apps_limit_is_the_rps_413_page_naming_the_field_and_limit(
    spb: FlaskClient, app: Flask
) -> None:
    response = send(spb, pdfs.pdf_of_size(8 * MB))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Слишком большой файл" in html
    assert "«Копия полиса ОМС (PDF)» (policy_pdf)" in html and "не больше 5 МБ" in html
    assert "RP-413" in html
    assert "capacity limit" not in html  # not Werkzeug's text
    assert count(app, UploadedDocument) == 0


def test_the_413_page_in_english(spb: FlaskClient) -> None:
    spb.get("/?lang=en")
    html = send(spb, pdfs.pdf_of_size(8 * MB)).get_data(as_text=True)
    assert "The file is too large" in html and "at most 5 MB" in html


def test_a_valid_pdf_of_exactly_5_mb_is_kept(spb: FlaskClient, app: Flask) -> None:
    content = pdfs.pdf_of_size(5 * MB)
    assert "Больше ничего не нужно" in shown_after(spb, content)
    assert count(app, UploadedDocument, size=len(content)) == 1


def test_a_huge_json_body_to_the_api_is_a_json_error_on_the_body(client: FlaskClient, token_for: TokenFactory) -> None:
    headers = {"Authorization": f"Bearer {token_for('doctor_moscow', 'medcard.rs medcard.cu')}"}
    response = client.post(
        "/api/cards/1/entries", data=b"{" * (6 * MB), content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"
