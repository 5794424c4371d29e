"""Brute-force limits on the password step, per account and per IP, in the short-lived store.

Per account (the account's OID, or the typed login when no account matches, so both look the
same): after ``captcha_after`` failures within an hour an image captcha is required; every
``lock_after`` failures lock password attempts for 1, 2, 4 ... minutes, at most an hour. Per
IP: a captcha after ``ip_captcha_after`` failures, a lock after ``ip_lock_after`` (an hour).

An attacker cannot lock anyone out for good: every lock expires (an hour at most) and the
counters forget after an hour; a locked person can still reset the password or sign in with a
passkey or an electronic signature. Every refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CaptchaRequired, TooManyAttempts
from idp.login.captcha import CaptchaStore
from idp.settings import IdpSettings

HOUR = 3600


@dataclass(frozen=True)
class LimitSettings:
    captcha_after: int = 3
    lock_after: int = 10
    first_lock: int = 60
    longest_lock: int = HOUR
    ip_captcha_after: int = 20
    ip_lock_after: int = 100


def login_limits(settings: IdpSettings) -> LimitSettings:
    """The limits the ``GOSID_LOGIN_*`` settings configure."""
    return LimitSettings(
        captcha_after=settings.login_captcha_after,
        lock_after=settings.login_lock_after,
        ip_captcha_after=settings.login_ip_captcha_after,
        ip_lock_after=settings.login_ip_lock_after,
    )


class LoginLimiter:
    def __init__(self, *, store: ShortLivedStore, captcha: CaptchaStore, limits: LimitSettings | None = None) -> None:
        self._store, self._captcha = store, captcha
        self.limits = limits or LimitSettings()

    def _count(self, key: str) -> int:
        raw = self._store.get(key)
        return int(raw) if raw else 0

    def captcha_needed(self, account: str, ip: str) -> bool:
        return (
            self._count(f"bf-acct:{account}") >= self.limits.captcha_after
            or self._count(f"bf-ip:{ip}") >= self.limits.ip_captcha_after
        )

    def before_attempt(self, account: str, ip: str, *, captcha_id: str, captcha: str) -> None:
        """Raise when this attempt may not even be checked (locked, or a captcha is missing)."""
        for key in (f"bf-lock:{account}", f"bf-iplock:{ip}"):
            wait = self._store.ttl(key)
            if wait is not None:
                audit.record("login_password", result="locked", scope=key.split(":")[0])
                raise TooManyAttempts(max(wait, 1))
        if self.captcha_needed(account, ip) and not self._captcha.check(captcha_id, captcha):
            audit.record("login_password", result="captcha_failed")
            raise CaptchaRequired()

    def failed(self, account: str, ip: str) -> None:
        fails = self._store.incr(f"bf-acct:{account}", ttl=HOUR)
        if fails % self.limits.lock_after == 0:
            level = self._store.incr(f"bf-level:{account}", ttl=24 * HOUR)
            seconds = min(self.limits.first_lock * 2 ** (level - 1), self.limits.longest_lock)
            self._store.set(f"bf-lock:{account}", "1", ttl=seconds)
            audit.record("login_locked", result="account", seconds=seconds, failures=fails)
        ip_fails = self._store.incr(f"bf-ip:{ip}", ttl=HOUR)
        if ip_fails == self.limits.ip_lock_after:
            self._store.set(f"bf-iplock:{ip}", "1", ttl=HOUR)
            audit.record("login_locked", result="ip", seconds=HOUR, failures=ip_fails)

    def succeeded(self, account: str) -> None:
        self._store.delete(f"bf-acct:{account}")
