"""Each login factor end to end against running servers (gunicorn, real HTTP): TOTP, the e-mail
link opened on another device, the Gosuslugi app (simulator), and a bank card through the
simulated ACS. (Passkeys: test_passkey_browser.py, with Chromium's virtual authenticator.)"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urljoin

import pyotp
import pytest
import requests

from tests.e2e.factors.servers import FactorStack, factor_stack
from tests.support.oidc_client import csrf_token
from tests.support.present import present
from tests.support.servers import load_personas, newest_outbox_id, read_sms_code

pytestmark = [pytest.mark.e2e]
__all__ = ["factor_stack"]
T = 15
HIDDEN = re.compile(r'name="(\w+)" value="([^"]*)"')


@pytest.fixture(scope="module")
def persona() -> dict[str, Any]:
    return load_personas()["patient_moscow"]


def password_step(s: requests.Session, base: str, person: dict[str, Any]) -> requests.Response:
    page = s.get(f"{base}/login", timeout=T)
    data = {"csrf_token": csrf_token(page.text), "login": person["phone"], "password": person["password"]}
    return s.post(f"{base}/login", data=data, timeout=T)


def sign_in_sms(base: str, person: dict[str, Any]) -> requests.Session:
    s = requests.Session()
    before = newest_outbox_id(base, person["phone"])
    page = password_step(s, base, person)
    if not page.url.endswith("/login/sms"):
        page = choose(s, base, page, "sms")
    code = read_sms_code(base, person["phone"], after_id=before)
    done = s.post(f"{base}/login/sms", data={"csrf_token": csrf_token(page.text), "code": code}, timeout=T)
    assert done.url.endswith("/profile"), done.url
    return s


def choose(s: requests.Session, base: str, page: requests.Response, factor: str) -> requests.Response:
    resp = s.post(f"{base}/login/choose", data={"csrf_token": csrf_token(page.text), "factor": factor}, timeout=T)
    assert resp.url.endswith(f"/login/{factor}"), resp.url
    return resp


def poll(s: requests.Session, base: str, page: requests.Response, factor: str) -> dict[str, Any]:
    headers = {"X-CSRFToken": csrf_token(page.text), "Accept": "application/json"}
    result: dict[str, Any] = s.post(f"{base}/login/{factor}/status", headers=headers, timeout=T).json()
    return result


def test_totp(factor_stack: FactorStack, persona: dict[str, Any]) -> None:
    base = factor_stack.idp_url
    s = sign_in_sms(base, persona)
    page = s.get(f"{base}/profile/security/totp", timeout=T)
    secret = present(re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)).group(1)
    enrolled = s.post(f"{base}/profile/security/totp", timeout=T,
                      data={"csrf_token": csrf_token(page.text), "code": pyotp.TOTP(secret).now()})  # fmt: skip
    assert enrolled.url.endswith("/profile/security")
    fresh = requests.Session()
    page = choose(fresh, base, password_step(fresh, base, persona), "totp")
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the current one was used to enrol
    done = fresh.post(f"{base}/login/totp", data={"csrf_token": csrf_token(page.text), "code": code}, timeout=T)
    assert done.url.endswith("/profile") and persona["surname"] in done.text


def test_email_link_opened_on_another_device(factor_stack: FactorStack, persona: dict[str, Any]) -> None:
    base = factor_stack.idp_url
    browser = requests.Session()
    page = choose(browser, base, password_step(browser, base, persona), "email")
    assert poll(browser, base, page, "email") == {"state": "pending"}
    mails = requests.get(f"{base}/dev/outbox", params={"to": persona["email"]}, timeout=T).json()
    link = present(re.search(r"(http://\S+/login/email/confirm/\S+)", mails[0]["body"])).group(1)
    phone = requests.Session()
    confirm_page = phone.get(link, timeout=T)
    assert phone.post(link, data={"csrf_token": csrf_token(confirm_page.text)}, timeout=T).status_code == 200
    done = poll(browser, base, page, "email")
    assert done["state"] == "done"
    assert persona["surname"] in browser.get(urljoin(base, done["next"]), timeout=T).text


def test_gosuslugi_app(factor_stack: FactorStack, persona: dict[str, Any]) -> None:
    base = factor_stack.idp_url
    s = sign_in_sms(base, persona)
    page = s.get(f"{base}/profile/security", timeout=T)
    s.post(f"{base}/profile/security/app", data={"csrf_token": csrf_token(page.text)}, timeout=T)
    browser = requests.Session()
    page = choose(browser, base, password_step(browser, base, persona), "app")
    number = int(present(re.search(r'id="match-number">(\d+)<', page.text)).group(1))
    (pending,) = requests.get(f"{base}/dev/app/{persona['oid']}/requests", timeout=T).json()
    answer = requests.post(f"{base}/dev/app/requests/{pending['id']}", json={"action": "approve", "number": number},
                           timeout=T)  # fmt: skip
    assert answer.json() == {"result": "approved"}
    done = poll(browser, base, page, "app")
    assert done["state"] == "done"


def test_bank_card_through_the_acs(factor_stack: FactorStack, persona: dict[str, Any]) -> None:
    base = factor_stack.idp_url
    s = sign_in_sms(base, persona)

    def through_bank(handover: requests.Response) -> requests.Response:
        fields = dict(HIDDEN.findall(handover.text))
        acs_url = present(re.search(r'action="(http[^"]+/3ds/challenge)"', handover.text)).group(1)
        bank = requests.Session()
        challenge = bank.post(acs_url, data={"creq": fields["creq"]}, timeout=T)
        trans = dict(HIDDEN.findall(challenge.text))["acsTransID"]
        answered = bank.post(urljoin(acs_url, "/3ds/challenge/answer"), timeout=T,
                             data={"acsTransID": trans, "otp": "111111", "action": "submit"})  # fmt: skip
        notify_url = present(re.search(r'action="([^"]+)"', answered.text)).group(1)
        back = s.post(notify_url, data=dict(HIDDEN.findall(answered.text)), timeout=T)
        return s.get(f"{base}/card/3ds/done", timeout=T) if "return-form" in back.text else back

    page = s.get(f"{base}/profile/security/card", timeout=T)
    form = {"csrf_token": csrf_token(page.text), "pan": "2200000000000020", "purpose": "link"}
    handover = s.post(f"{base}/card/3ds/start", data=form, timeout=T)
    linked = through_bank(handover)
    assert linked.url.endswith("/profile/security") and 'data-kind="card"' in linked.text
    s = requests.Session()
    page = choose(s, base, password_step(s, base, persona), "card")
    form = {"csrf_token": csrf_token(page.text), "pan": "2200000000000020", "purpose": "login"}
    handover = s.post(f"{base}/card/3ds/start", data=form, timeout=T)
    done = through_bank(handover)
    assert done.url.endswith("/profile") and persona["surname"] in done.text
