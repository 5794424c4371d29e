"""Solving the login captcha in tests: the answer a person would read off the image."""

from __future__ import annotations

from typing import Any

from idp.login.captcha import STORE_PREFIX


def captcha_answer(app: Any, captcha_id: str) -> str | None:
    """The current answer for ``captcha_id``, read from the IdP's short-lived store (the image
    itself is what a person sees; no HTTP endpoint reveals the answer)."""
    answer: str | None = app.extensions["gosid"].store.get(STORE_PREFIX + captcha_id)
    return answer
