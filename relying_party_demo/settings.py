"""The demo RP's settings: one frozen object, built once in the app factory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gosid_config import REPO_ROOT, SettingsError, load_settings

DEFAULT_SECRET_KEY = "dev-only-rp-secret-key-change-me"  # noqa: S105 - a well-known *default*, refused in production
TOKEN_VALIDATION_MODES = ("jwks", "introspection")


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class RpSettings:
    base_url: str = "http://localhost:8001"
    idp_url: str = "http://localhost:8000"
    database_url: str = "sqlite:///var/rp.sqlite3"
    client_id: str = "egisz-demo"
    # Empty means: read ``client_file``, which the IdP's ``gosid init`` writes.
    client_secret: str = ""
    client_file: Path = REPO_ROOT / "var" / "rp-client.json"
    secret_key: str = DEFAULT_SECRET_KEY
    session_cookie_name: str = "gosid_rp_session"
    default_locale: str = "ru"
    mode: str = "development"
    jwks_cache_seconds: int = 300
    token_validation: str = "jwks"  # noqa: S105 - a mode name, not a secret
    # Empty: the introspection_endpoint of the IdP's discovery document.
    introspection_endpoint: str = ""
    http_timeout_seconds: float = 5.0
    # Authentication levels the IdP issues, weakest first; a doctor's card edits need edit_acr.
    acr_levels: tuple[str, ...] = ("urn:gosid:acr:2fa", "urn:gosid:acr:strong")
    edit_acr: str = "urn:gosid:acr:strong"
    regions_file: Path = REPO_ROOT / "config" / "regions.toml"
    regional_rules_file: Path = REPO_ROOT / "config" / "regional_rules.toml"
    seed_file: Path = REPO_ROOT / "config" / "egisz_seed.toml"
    # At start-up: apply the RP's migrations, then add the demo data missing from seed_file.
    migrate_on_start: bool = True
    seed_demo_data: bool = True
    upcoming_visit_hours: int = 48
    # Booked visits still to come that one patient may hold in one medical organization.
    upcoming_appointment_limit: int = 3
    max_upload_bytes: int = 5 * 1024 * 1024

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url.rstrip('/')}/auth/callback"

    @property
    def post_logout_redirect_uri(self) -> str:
        return f"{self.base_url.rstrip('/')}/"

    @property
    def issuer(self) -> str:
        """The IdP issuer this RP trusts; discovery must report exactly this value."""
        return self.idp_url.rstrip("/")

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def resolved_database_url(self) -> str:
        """SQLite paths in the default URL are relative to the repository root."""
        url = self.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(REPO_ROOT / url[len(prefix) :])
        return url

    def check(self) -> None:
        """Refuse unsafe or unsupported values; the message names the setting to change."""
        if self.mode not in {"development", "production"}:
            raise SettingsError(f"GOSID_RP_MODE must be 'development' or 'production', not {self.mode!r}")
        if self.token_validation not in TOKEN_VALIDATION_MODES:
            raise SettingsError(
                f"GOSID_RP_TOKEN_VALIDATION must be 'jwks' or 'introspection', not {self.token_validation!r}"
            )
        if self.edit_acr not in self.acr_levels:
            raise SettingsError(
                f"GOSID_RP_EDIT_ACR {self.edit_acr!r} is not one of GOSID_RP_ACR_LEVELS {list(self.acr_levels)}"
            )
        if self.upcoming_visit_hours < 0 or self.max_upload_bytes <= 0:
            raise SettingsError("GOSID_RP_UPCOMING_VISIT_HOURS and GOSID_RP_MAX_UPLOAD_BYTES must be positive")
        if self.upcoming_appointment_limit < 1:
            raise SettingsError(
                f"GOSID_RP_UPCOMING_APPOINTMENT_LIMIT must be at least 1, not {self.upcoming_appointment_limit}"
            )
        if self.jwks_cache_seconds < 0:
            raise SettingsError("GOSID_RP_JWKS_CACHE_SECONDS must not be negative")
        if self.production:
            self._check_production()

    def _check_production(self) -> None:
        for name, url in (("GOSID_RP_BASE_URL", self.base_url), ("GOSID_RP_IDP_URL", self.idp_url)):
            if not url.startswith("https://"):
                raise SettingsError(f"{name} must be an https:// URL in production, not {url!r}")
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            raise SettingsError(
                "GOSID_RP_SECRET_KEY is the built-in default or shorter than 32 characters; "
                "set a random secret in production"
            )

    def client_credentials(self) -> ClientCredentials | None:
        """The RP's OAuth client credentials, or ``None`` if it was never registered.

        An explicit ``client_secret`` wins; otherwise ``client_file`` is read each call,
        so running ``gosid init`` while the RP is up is picked up at the next login.
        """
        if self.client_secret:
            return ClientCredentials(self.client_id, self.client_secret)
        try:
            data = json.loads(self.client_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("client_id") != self.client_id:
            return None
        secret = data.get("client_secret")
        if not isinstance(secret, str) or not secret:
            return None
        return ClientCredentials(self.client_id, secret)


def load_rp_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> RpSettings:
    settings = load_settings(
        RpSettings,
        section="rp",
        env_prefix="GOSID_RP_",
        file_name="rp.toml",
        overrides=overrides,
        environ=environ,
    )
    settings.check()
    return settings
