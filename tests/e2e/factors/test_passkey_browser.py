"""A passkey in a real browser: Chromium's CDP virtual authenticator registers a passkey in the
security settings, signs in without a password, and a bad user-verification bit is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.factors.browser import chromium, localhost, sign_in_with_sms
from tests.support.browser import STEP_TIMEOUT_MS
from tests.support.e2e_stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
__all__ = ["chromium"]

PERSONA = "registrar_moscow"


def _virtual_authenticator(context: Any, page: Any) -> tuple[Any, str]:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "ctap2Version": "ctap2_1", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})  # fmt: skip
    return cdp, added["authenticatorId"]


def test_passkey_registration_and_passwordless_login(
    stack: Stack, chromium: Any, personas: dict[str, dict[str, Any]]
) -> None:
    person = personas[PERSONA]
    base = localhost(stack)
    context = chromium.new_context(locale="ru-RU")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    try:
        cdp, authenticator = _virtual_authenticator(context, page)
        sign_in_with_sms(page, stack, base, person)
        page.goto(f"{base}/profile/security/passkey")
        page.click("#webauthn-start")
        page.wait_for_url(f"{base}/profile/security")
        assert page.locator("tr[data-kind=passkey]").count() == 1
        assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1

        page.goto(f"{base}/profile")
        page.locator("form[action$='/logout'] [type=submit]").click()
        page.goto(f"{base}/login")
        page.click("#passkey-login")
        page.wait_for_url(f"{base}/login/passwordless/passkey")
        page.click("#webauthn-start")
        page.wait_for_url(f"{base}/profile")
        assert person["surname"] in page.content()

        # An authenticator that claims no user verification is refused for a passwordless login.
        page.locator("form[action$='/logout'] [type=submit]").click()
        cdp.send("WebAuthn.setResponseOverrideBits", {"authenticatorId": authenticator, "isBadUV": True})
        page.goto(f"{base}/login/passwordless/passkey")
        page.click("#webauthn-start")
        page.wait_for_selector(".error .code")
        assert "LOGIN-040" in page.content()
        assert "/profile" not in page.url
    finally:
        context.close()
