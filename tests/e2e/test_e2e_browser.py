"""A person in a real browser (Debian's chromium driven by Playwright): open the RP, sign in
at the IdP with password and SMS code, allow access, see their name on the RP.

Playwright's own browser downloads are never used: ``executable_path`` points at the system
chromium, and the test is skipped locally (failed under CI=true) when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import STEP_TIMEOUT_MS, launched_chromium
from tests.support.e2e_stack import Stack
from tests.support.servers import newest_outbox_id, read_sms_code

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PERSONA = "patient_novosibirsk"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


def test_person_signs_in_to_the_rp_in_a_browser(
    stack: Stack, chromium: Any, personas: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    person = personas[PERSONA]
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{stack.rp_url}/")
        page.locator("main a[href$='/login']").first.click()

        page.wait_for_url(f"{stack.idp_url}/login*")
        page.fill("#login", person["phone"])
        page.fill("#password", person["password"])
        before = newest_outbox_id(stack.idp_url, person["phone"])
        page.locator("form[action$='/login'] [type=submit]").click()

        page.wait_for_url(f"{stack.idp_url}/login/sms")
        page.fill("#code", read_sms_code(stack.idp_url, person["phone"], after_id=before))
        page.locator("form[action$='/login/sms'] [type=submit]").click()

        # Consent is asked the first time only; either way we end up back on the RP.
        allow = page.locator("button[name=decision][value=allow]")
        page.wait_for_url(lambda url: url.startswith(stack.rp_url) or "/authorize" in url)
        if page.url.startswith(stack.idp_url) and allow.count():
            allow.click()
        page.wait_for_url(f"{stack.rp_url}/**")
        page.wait_for_load_state()

        expect(page.locator("main")).to_contain_text(person["surname"])
        expect(page.locator("main")).to_contain_text(person["name"])
    finally:
        page.screenshot(path=str(tmp_path / f"rp-after-login-{stack.backend}.png"), full_page=True)
        context.close()
