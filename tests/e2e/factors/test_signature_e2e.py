"""The qualified signature end to end: ``gosid sign`` on the command line, and the in-browser
signer in Chromium reading a .p12 locally (the file is never uploaded: only the signature is)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import requests

from tests.e2e.factors.browser import chromium
from tests.e2e.factors.servers import FactorStack, factor_stack
from tests.support.browser import STEP_TIMEOUT_MS
from tests.support.oidc_client import csrf_token
from tests.support.present import present
from tests.support.servers import REPO, load_personas

pytestmark = [pytest.mark.e2e]
__all__ = ["chromium", "factor_stack"]
T = 15


def test_gosid_sign_on_the_command_line(factor_stack: FactorStack) -> None:
    person = load_personas()["registrar_moscow"]  # a GOST R 34.10-2012 certificate
    base = factor_stack.idp_url
    s = requests.Session()
    page = s.get(f"{base}/login/passwordless/signature", timeout=T)
    challenge = present(re.search(r'id="qes-challenge">([^<]+)<', page.text)).group(1)
    signed = subprocess.run(
        [sys.executable, "-m", "gosid_stand", "sign", "--file", str(factor_stack.qes_dir / "registrar_moscow.pem"),
         "--challenge", challenge],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    done = s.post(f"{base}/login/passwordless/signature", timeout=T,
                  data={"csrf_token": csrf_token(page.text), "response": signed})  # fmt: skip
    assert done.url.endswith("/profile") and person["surname"] in done.text


@pytest.mark.browser
def test_in_browser_signer(factor_stack: FactorStack, chromium: Any) -> None:
    person = load_personas()["patient_moscow"]
    base = factor_stack.idp_url
    context = chromium.new_context(locale="ru-RU")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    try:
        page.goto(f"{base}/login")
        page.click("#signature-login")
        page.set_input_files("#qes-file", str(factor_stack.qes_dir / "patient_moscow.p12"))
        page.fill("#qes-password", "gosid-qes")
        page.click("#qes-sign")
        page.wait_for_url(f"{base}/profile")
        assert person["surname"] in page.content()
        assert posted and all("gosid-qes" not in body and "PKCS" not in body for body in posted)
        # A revoked certificate is refused with its own message.
        page.locator("form[action$='/logout'] [type=submit]").click()
        page.goto(f"{base}/login/passwordless/signature")
        page.set_input_files("#qes-file", str(factor_stack.qes_dir / "patient_moscow-revoked.p12"))
        page.fill("#qes-password", "gosid-qes")
        page.click("#qes-sign")
        page.wait_for_selector(".error .code")
        assert "LOGIN-064" in page.content()
    finally:
        context.close()
