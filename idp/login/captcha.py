"""An image captcha for the login form after repeated failures (the `captcha` package).

The answer is kept in the short-lived store under a random id that the browser session holds;
each answer is good for one check only, right or wrong.
"""

from __future__ import annotations

import secrets

from captcha.image import ImageCaptcha

from idp.adapters.store import ShortLivedStore
from idp.security.hashes import constant_time_equals

ALPHABET = "23456789ABCDEFGHJKMNPRSTUVWXYZ"  # no 0/O, 1/I/L: people misread them
LENGTH = 5
TTL = 600
STORE_PREFIX = "captcha:"  # the answer's key in the short-lived store is this and the captcha id


class CaptchaStore:
    def __init__(self, store: ShortLivedStore) -> None:
        self._store = store
        self._images = ImageCaptcha(width=200, height=70)

    def new(self, captcha_id: str) -> bytes:
        """A fresh PNG for ``captcha_id`` (replacing any earlier answer)."""
        text = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        self._store.set(STORE_PREFIX + captcha_id, text, ttl=TTL)
        return self._images.generate(text).getvalue()

    def check(self, captcha_id: str, answer: str) -> bool:
        if not captcha_id:
            return False
        expected = self._store.consume(STORE_PREFIX + captcha_id)
        return expected is not None and constant_time_equals(expected, answer.strip().upper())
