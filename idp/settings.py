"""The IdP's settings: one frozen object, built once in the app factory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gosid_config import REPO_ROOT, SettingsError, load_settings

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - a well-known *default*, refused in production

# The most production accepts for each abuse limit (per hour; docs/FACTORS.md). Higher values
# only make sense for load tests, which run in development mode with their own overrides.
PRODUCTION_LIMIT_MAXIMA = {
    "code_sends_per_recipient": 20,
    "code_sends_per_ip": 300,
    "login_captcha_after": 10,
    "login_lock_after": 20,
    "login_ip_captcha_after": 100,
    "login_ip_lock_after": 500,
    "lookup_checks_per_account": 30,
    "lookup_checks_per_ip": 300,
}


# The least argon2id cost production accepts (OWASP Password Storage Cheat Sheet: m=19 MiB,
# t=2, p=1). Cheaper parameters are for the test suite, which runs in development mode.
PASSWORD_HASH_MINIMA = {"password_hash_memory_kib": 19456, "password_hash_time_cost": 2}


@dataclass(frozen=True)
class IdpSettings:
    issuer: str = "http://localhost:8000"
    mode: str = "development"
    dev_mode: bool = True
    secret_key: str = DEFAULT_SECRET_KEY
    database_url: str = "sqlite:///var/idp.sqlite3"
    store_url: str = "memory://"
    # a slow or dead Redis must not starve the workers (README, "Operating in production")
    store_connect_timeout: float = 0.5  # seconds per connection attempt
    store_read_timeout: float = 0.5  # seconds per reply
    store_request_budget: float = 1.0  # seconds of store calls one request may spend; then 503
    store_breaker_failures: int = 5  # consecutive failed calls that open the circuit breaker
    store_breaker_cool_down: float = 10.0  # seconds it stays open (503 at once) before one trial call
    workers: int = 1
    threads: int = 8
    # proxies in front of the IdP whose X-Forwarded-For/-Proto/-Host/-Port are believed (werkzeug's
    # ProxyFix, that many hops); 0: none, the peer's address is the client's (README, "Operating in production")
    trusted_proxy_hops: int = 0
    keys_dir: Path = REPO_ROOT / "keys"
    var_dir: Path = REPO_ROOT / "var"
    personas_file: Path = REPO_ROOT / "config" / "personas.toml"
    regions_file: Path = REPO_ROOT / "config" / "regions.toml"
    session_cookie_name: str = "gosid_idp_session"
    default_locale: str = "ru"
    # lifetimes, seconds
    authorization_code_ttl: int = 60
    access_token_ttl: int = 600
    id_token_ttl: int = 600
    refresh_token_ttl: int = 30 * 24 * 3600  # absolute lifetime of a refresh-token family
    refresh_token_idle_ttl: int = 7 * 24 * 3600  # unused that long, a refresh token dies
    par_ttl: int = 90  # RFC 9126 request_uri lifetime, under 600 s
    dpop_require_nonce: bool = True
    # RFC 7591 registration: the initial access token admins give out; empty disables it
    registration_token: str = ""
    backchannel_logout_attempts: int = 3
    login_transaction_ttl: int = 15 * 60
    session_ttl: int = 12 * 3600  # re-authentication after 12 h (ASVS 3.3.2)
    session_idle_ttl: int = 30 * 60  # ... or after 30 min without activity
    sms_code_ttl: int = 300
    sms_code_attempts: int = 3
    sms_resend_cooldown: int = 30
    # account security (docs/FACTORS.md)
    reauth_max_age: int = 600  # changing the password, contacts or factors needs a login this recent
    email_link_ttl: int = 600
    app_request_ttl: int = 120
    password_policy: str = "gosuslugi"  # noqa: S105 - "gosuslugi" (3 of 4 character classes) or "nist"
    # argon2id cost (OWASP's first recommendation); production refuses less (PASSWORD_HASH_MINIMA)
    password_hash_memory_kib: int = 19456
    password_hash_time_cost: int = 2
    password_hash_parallelism: int = 1
    code_sends_per_recipient: int = 10  # SMS / e-mail codes to one phone or address per hour
    code_sends_per_ip: int = 30  # codes triggered from one IP per hour
    login_captcha_after: int = 3  # failed passwords per account within an hour before a captcha
    login_lock_after: int = 10  # every this many failures lock the account's password step (1, 2, 4... min)
    login_ip_captcha_after: int = 20
    login_ip_lock_after: int = 100
    # "already bound to another account" look-ups (SNILS, phone, e-mail) per hour (accounts/lookup_limits.py)
    lookup_checks_per_account: int = 10
    lookup_checks_per_ip: int = 50
    acs_url: str = "http://localhost:8002"  # the bank's 3-D Secure ACS (the simulator in dev mode)
    acs_public_key_file: str = ""  # the bank's result-signing key; empty: <keys_dir>/acs/public.pem
    acs_timeout: float = 5.0
    registry_url: str = "http://localhost:8002/registry"  # SNILS/passport registry (the simulator in dev mode)
    qes_ca_files: str = ""  # trusted CAs for signatures (PEM, comma-separated); empty: <keys_dir>/qes/ca.pem
    qes_crl_files: str = ""  # their CRLs (DER, comma-separated); empty: <keys_dir>/qes/ca.crl
    webauthn_rp_id: str = ""  # empty: the issuer's host ("localhost" for a loopback issuer)
    # real adapters (used when dev_mode is off)
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_sender: str = "no-reply@gosid.local"
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    # the ESIA dialect (idp/esia, docs/ESIA.md)
    esia_issuer: str = "http://esia.gosuslugi.ru/"
    esia_strict: bool = False  # accept only the documented client_secret convention
    esia_timestamp_window: int = 300  # seconds a request timestamp may differ from now, either way
    esia_access_token_ttl: int = 3600
    esia_code_ttl: int = 300

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def store_is_process_local(self) -> bool:
        return self.store_url.startswith("memory:")

    def resolved_database_url(self) -> str:
        """SQLite paths in the default URL are relative to the repository root."""
        url = self.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(REPO_ROOT / url[len(prefix) :])
        return url

    def check(self) -> None:
        """Refuse unsafe combinations; the message names the setting to change."""
        if self.mode not in {"development", "production"}:
            raise SettingsError(f"GOSID_MODE must be 'development' or 'production', not {self.mode!r}")
        if self.password_policy not in {"gosuslugi", "nist"}:
            raise SettingsError(f"GOSID_PASSWORD_POLICY must be 'gosuslugi' or 'nist', not {self.password_policy!r}")
        if self.workers < 1:
            raise SettingsError("GOSID_WORKERS must be at least 1")
        if not 0 <= self.trusted_proxy_hops <= 5:
            raise SettingsError(f"GOSID_TRUSTED_PROXY_HOPS must be between 0 and 5, not {self.trusted_proxy_hops}")
        self._check_limits()
        self._check_password_hashing()
        self._check_store_resilience()
        if self.workers > 1 and self.store_is_process_local:
            raise SettingsError(
                "GOSID_STORE_URL is the process-local embedded store (memory://) but GOSID_WORKERS="
                f"{self.workers}; one-time codes would not be shared between workers. "
                "Use redis://... or one worker."
            )
        if not self.production:
            return
        if not self.issuer.startswith("https://"):
            raise SettingsError(f"GOSID_ISSUER must be an https:// URL in production, not {self.issuer!r}")
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            raise SettingsError(
                "GOSID_SECRET_KEY is the built-in default or shorter than 32 characters; "
                "set a random secret in production"
            )
        if self.dev_mode:
            raise SettingsError("GOSID_DEV_MODE must be false in production (it exposes the dev outbox)")

    def _check_limits(self) -> None:
        """Abuse limits are positive; production refuses the relaxed values load tests use."""
        for name, maximum in PRODUCTION_LIMIT_MAXIMA.items():
            value = getattr(self, name)
            if value < 1:
                raise SettingsError(f"GOSID_{name.upper()} must be at least 1, not {value}")
            if self.production and value > maximum:
                raise SettingsError(
                    f"GOSID_{name.upper()}={value} is above the production maximum of {maximum}; "
                    "relaxed limits are for load tests in development mode only"
                )

    def _check_store_resilience(self) -> None:
        """The store's timeouts, budget and breaker are positive (0 would refuse every call)."""
        for name in (
            "store_connect_timeout",
            "store_read_timeout",
            "store_request_budget",
            "store_breaker_failures",
            "store_breaker_cool_down",
        ):
            if getattr(self, name) <= 0:
                raise SettingsError(f"GOSID_{name.upper()} must be positive, not {getattr(self, name)}")

    def _check_password_hashing(self) -> None:
        """argon2id parameters argon2 accepts; production refuses a cost below the floor."""
        for name in ("password_hash_time_cost", "password_hash_parallelism"):
            if getattr(self, name) < 1:
                raise SettingsError(f"GOSID_{name.upper()} must be at least 1, not {getattr(self, name)}")
        if self.password_hash_memory_kib < 8 * self.password_hash_parallelism:
            raise SettingsError(
                "GOSID_PASSWORD_HASH_MEMORY_KIB must be at least 8 × GOSID_PASSWORD_HASH_PARALLELISM "
                f"(argon2), not {self.password_hash_memory_kib}"
            )
        for name, minimum in PASSWORD_HASH_MINIMA.items():
            value = getattr(self, name)
            if self.production and value < minimum:
                raise SettingsError(
                    f"GOSID_{name.upper()}={value} is below the production minimum of {minimum}; "
                    "cheaper password hashing is for tests in development mode only"
                )


def load_idp_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> IdpSettings:
    settings = load_settings(
        IdpSettings,
        section="idp",
        env_prefix="GOSID_",
        file_name="idp.toml",
        overrides=overrides,
        environ=environ,
    )
    settings.check()
    return settings
