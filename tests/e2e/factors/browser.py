"""A Chromium (Debian's, via Playwright) for the factor e2e tests, and a signed-in page helper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import launched_chromium
from tests.support.e2e_stack import Stack
from tests.support.servers import newest_outbox_id, read_sms_code


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


def localhost(stack: Stack) -> str:
    """The IdP under the name "localhost": WebAuthn does not accept IP addresses as RP ids."""
    return stack.idp_url.replace("127.0.0.1", "localhost")


def sign_in_with_sms(page: Any, stack: Stack, base: str, person: dict[str, Any]) -> None:
    page.goto(f"{base}/login")
    page.fill("#login", person["phone"])
    page.fill("#password", person["password"])
    before = newest_outbox_id(stack.idp_url, person["phone"])
    page.locator("form[action$='/login'] [type=submit]").click()
    page.wait_for_url(f"{base}/login/sms")
    page.fill("#code", read_sms_code(stack.idp_url, person["phone"], after_id=before))
    page.locator("form[action$='/login/sms'] [type=submit]").click()
    page.wait_for_url(f"{base}/profile")
