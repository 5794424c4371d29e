"""Authentication levels: which factors make a finished login, its ``acr`` and its ``amr``.

Two factors are mandatory for everyone: the password and one second factor, or one factor that
is strong on its own (a passkey with user verification, a qualified electronic signature).

``amr`` values follow RFC 8176 where one fits (docs/FACTORS.md has the table):

==============  =================  ======================================================
factor          amr                why
==============  =================  ======================================================
password        pwd                RFC 8176 "pwd"
sms             sms                RFC 8176 "sms"
totp            otp                RFC 8176 "otp" (an authenticator app)
email           email              no RFC 8176 value: a one-time link sent by e-mail
app             mca                RFC 8176 "mca": a second channel (the Gosuslugi app)
card            card               no RFC 8176 value: the issuer's 3-D Secure challenge
passkey         hwk, user          RFC 8176 "hwk" key + "user" presence test
passkey_uv      hwk, user, pin     user verification too (PIN or biometrics on the device)
qes             pop, swk           RFC 8176 proof of possession of a software key (.p12)
==============  =================  ======================================================

Every complete login also carries "mfa".
"""

from __future__ import annotations

ACR_TWO_FACTOR = "urn:gosid:acr:2fa"
ACR_STRONG = "urn:gosid:acr:strong"
ACR_VALUES = (ACR_TWO_FACTOR, ACR_STRONG)
ACR_RANK = {ACR_TWO_FACTOR: 1, ACR_STRONG: 2}

FACTOR_AMR: dict[str, tuple[str, ...]] = {
    "password": ("pwd",),
    "sms": ("sms",),
    "totp": ("otp",),
    "email": ("email",),
    "app": ("mca",),
    "card": ("card",),
    "passkey": ("hwk", "user"),
    "passkey_uv": ("hwk", "user", "pin"),
    "qes": ("pop", "swk"),
}
# Each of these, after the password, completes a login.
SECOND_FACTORS = ("sms", "totp", "email", "app", "card", "passkey", "passkey_uv", "qes")
# Each of these alone completes a login at the strong level (phishing-resistant and
# multi-factor in itself: a key on a device unlocked by PIN or biometrics, or a key in a
# password-protected container whose certificate a CA issued to this person).
STRONG_ALONE = ("passkey_uv", "qes")


def amr_for(factors: list[str]) -> list[str]:
    amr: list[str] = []
    for factor in factors:
        for value in FACTOR_AMR.get(factor, ()):
            if value not in amr:
                amr.append(value)
    if len(factors) >= 2 or any(f in STRONG_ALONE for f in factors):
        amr.append("mfa")
    return amr


def is_complete(factors: list[str]) -> bool:
    if any(f in STRONG_ALONE for f in factors):
        return True
    return "password" in factors and any(f in SECOND_FACTORS for f in factors)


def acr_for(factors: list[str]) -> str:
    if not is_complete(factors):
        raise ValueError("an incomplete login has no acr")
    return ACR_STRONG if any(f in STRONG_ALONE for f in factors) else ACR_TWO_FACTOR


def acr_satisfies(session_acr: str, wanted: tuple[str, ...]) -> bool:
    """Whether a session at ``session_acr`` meets one of the ``wanted`` levels (unknown values
    are ignored; nothing known wanted means anything goes)."""
    known = [ACR_RANK[w] for w in wanted if w in ACR_RANK]
    return not known or ACR_RANK.get(session_acr, 0) >= min(known)


def wants_strong(required_acr: str) -> bool:
    """True when the client's ``acr_values`` (space-separated) accept nothing below strong."""
    return not acr_satisfies(ACR_TWO_FACTOR, tuple(required_acr.split()))


def strongest_reachable(factors_available: list[str]) -> str:
    """The best ``acr`` a person can reach with the factors the stand offers them
    (names as in :data:`FACTOR_AMR`; an enrolled user-verifying passkey is "passkey_uv")."""
    return ACR_STRONG if any(f in STRONG_ALONE for f in factors_available) else ACR_TWO_FACTOR


def factors_for_step(required_acr: str, available: list[str]) -> list[str]:
    """Which of the person's ``available`` second factors this login may use: only strong ones
    when the client asks for strong and the person can reach it, otherwise all of them."""
    if wants_strong(required_acr) and strongest_reachable(available) == ACR_STRONG:
        return [f for f in available if f in STRONG_ALONE]
    return list(available)
