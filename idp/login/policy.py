"""Authentication levels: which factors make a finished login, and its ``acr``.

Two factors are mandatory for everyone. ``amr`` values follow RFC 8176 where one fits.
"""

from __future__ import annotations

ACR_TWO_FACTOR = "urn:gosid:acr:2fa"
ACR_STRONG = "urn:gosid:acr:strong"
ACR_VALUES = (ACR_TWO_FACTOR, ACR_STRONG)

FACTOR_AMR = {"password": "pwd", "sms": "sms"}
SECOND_FACTORS = ("sms",)


def amr_for(factors: list[str]) -> list[str]:
    amr = [FACTOR_AMR[f] for f in factors if f in FACTOR_AMR]
    if len(factors) >= 2:
        amr.append("mfa")
    return amr


def is_complete(factors: list[str]) -> bool:
    return "password" in factors and any(f in SECOND_FACTORS for f in factors)


def acr_for(factors: list[str]) -> str:
    if not is_complete(factors):
        raise ValueError("an incomplete login has no acr")
    return ACR_TWO_FACTOR


ACR_RANK = {ACR_TWO_FACTOR: 1, ACR_STRONG: 2}


def acr_satisfies(session_acr: str, wanted: tuple[str, ...]) -> bool:
    """Whether a session at ``session_acr`` meets one of the ``wanted`` levels (unknown values
    are ignored; nothing known wanted means anything goes)."""
    known = [ACR_RANK[w] for w in wanted if w in ACR_RANK]
    return not known or ACR_RANK.get(session_acr, 0) >= min(known)


def strongest_reachable(factors_available: list[str]) -> str:
    """The best ``acr`` a person can reach with the factors the stand offers them."""
    return ACR_TWO_FACTOR
