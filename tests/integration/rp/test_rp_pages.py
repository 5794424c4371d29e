"""Pages without a login: language, security headers, cookies and error pages."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from relying_party_demo import create_app
from relying_party_demo.clock import FrozenClock
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import FakeIdp


def test_home_is_russian_by_default(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "Войти через Госуслуги" in html
    assert 'href="/auth/login"' in html


def test_english_is_chosen_with_lang_and_remembered(client: FlaskClient) -> None:
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in with Gosuslugi" in html
    assert "Sign in with Gosuslugi" in client.get("/").get_data(as_text=True)
    assert "Войти через Госуслуги" in client.get("/?lang=ru").get_data(as_text=True)


def test_unsupported_lang_keeps_the_default(client: FlaskClient) -> None:
    assert "Войти через Госуслуги" in client.get("/?lang=de").get_data(as_text=True)


def test_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/profile", "/no-such-page", "/auth/callback"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_lax_and_distinct_from_the_idp(client: FlaskClient) -> None:
    response = client.get("/?lang=en")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("gosid_rp_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # http://localhost in development


def test_profile_without_login_shows_an_error_page_with_a_code(client: FlaskClient) -> None:
    response = client.get("/profile")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Войдите, чтобы открыть эту страницу" in html
    assert "RP-107" in html


def test_error_page_in_english(client: FlaskClient) -> None:
    client.get("/?lang=en")
    html = client.get("/card").get_data(as_text=True)
    assert "Please sign in to see this page" in html
    assert "Error code: RP-107" in html


def test_unknown_page_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "RP-404" in response.get_data(as_text=True)


def test_logout_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/auth/logout")
    assert response.status_code == 400
    assert "RP-109" in response.get_data(as_text=True)


def test_login_without_client_secret_asks_to_run_gosid_init(
    settings_overrides: dict[str, object], tmp_path: Path, rp_clock: FrozenClock
) -> None:
    overrides = {**settings_overrides, "client_secret": "", "client_file": str(tmp_path / "no")}
    app = create_app(load_rp_settings(overrides=overrides, environ={}), clock=rp_clock)
    response = app.test_client().get("/auth/login")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "gosid init" in html
    assert "RP-101" in html


def test_login_when_idp_is_down_is_a_clear_503(client: FlaskClient, idp: FakeIdp) -> None:
    idp.stop()
    response = client.get("/auth/login")
    assert response.status_code == 503
    assert "RP-102" in response.get_data(as_text=True)
