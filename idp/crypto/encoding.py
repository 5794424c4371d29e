"""Base64 as ESIA clients send it: url-safe (the documented form), with or without padding,
and the standard alphabet some libraries use by mistake."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from idp.crypto.errors import CryptoError


class NotBase64(CryptoError):
    """The value is not base64 in any alphabet."""


@dataclass(frozen=True)
class Decoded:
    data: bytes
    form: str  # "base64url", "base64url, padded", "base64 (+/)", "base64 (+/), padded"

    @property
    def url_safe(self) -> bool:
        return self.form.startswith("base64url")


def decode_base64_any(text: str) -> Decoded:
    """Decode url-safe or standard base64, padded or not. A ``+`` turned into a space by
    form decoding is restored (a classic when a client forgets to URL-encode)."""
    value = text.strip().replace("\n", "").replace("\r", "")
    restored = " " in value
    value = value.replace(" ", "+")
    padded = value.endswith("=")
    standard = "+" in value or "/" in value
    if standard and ("-" in value or "_" in value):
        raise NotBase64("mixes the url-safe and the standard base64 alphabets")
    body = value.rstrip("=")
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=None if standard else b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NotBase64(str(exc)) from exc
    form = "base64 (+/)" if standard else "base64url"
    form += ", padded" if padded else ""
    return Decoded(raw, form + (", '+' sent unencoded" if restored else ""))


def b64url(data: bytes) -> str:
    """Url-safe base64 without padding (JWS, ESIA's own values)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
