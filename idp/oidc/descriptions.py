"""``error_description`` text that the protocol allows (RFC 6749 §4.1.2.1, §5.2: only
%x20-21 / %x23-5B / %x5D-7E). Authlib refuses anything else with a ``ValueError`` (a 500),
so every description that may quote what a client sent goes through :func:`safe_description`."""

from __future__ import annotations

from urllib.parse import quote


def _allowed(char: str) -> bool:
    code = ord(char)
    return 0x20 <= code <= 0x7E and char not in '"\\'


def safe_description(text: str, *, limit: int = 300) -> str:
    """``text`` with each forbidden character percent-encoded (UTF-8), cut to ``limit``."""
    out = "".join(char if _allowed(char) and char != "%" else quote(char, safe="") for char in text)
    return out if len(out) <= limit else out[: limit - 3] + "..."
