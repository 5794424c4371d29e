"""RpSettings: defaults, environment overrides, production refusals, client credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gosid_config import SettingsError
from relying_party_demo.settings import ClientCredentials, load_rp_settings

STRONG_SECRET = "x" * 40


def test_defaults_come_from_config_rp_toml() -> None:
    settings = load_rp_settings(environ={})
    assert settings.base_url == "http://localhost:8001"
    assert settings.idp_url == "http://localhost:8000"
    assert settings.client_id == "egisz-demo"
    assert settings.session_cookie_name == "gosid_rp_session"
    assert settings.token_validation == "jwks"
    assert settings.redirect_uri == "http://localhost:8001/auth/callback"
    assert settings.discovery_url == "http://localhost:8000/.well-known/openid-configuration"
    assert settings.resolved_database_url().endswith("/var/rp.sqlite3")
    assert settings.resolved_database_url().startswith("sqlite:////")


def test_environment_overrides_the_file() -> None:
    settings = load_rp_settings(environ={"GOSID_RP_IDP_URL": "http://idp.test:9000/"})
    assert settings.issuer == "http://idp.test:9000"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"base_url": "http://rp.example"}, "GOSID_RP_BASE_URL"),
        ({"base_url": "https://rp.example", "secret_key": STRONG_SECRET}, "GOSID_RP_IDP_URL"),
        (
            {"base_url": "https://rp.example", "idp_url": "https://idp.example"},
            "GOSID_RP_SECRET_KEY",
        ),
    ],
)
def test_production_refuses_unsafe_values(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_rp_settings(overrides={"mode": "production", **overrides}, environ={})


def test_production_accepts_safe_values() -> None:
    settings = load_rp_settings(
        overrides={
            "mode": "production",
            "base_url": "https://rp.example",
            "idp_url": "https://idp.example",
            "secret_key": STRONG_SECRET,
        },
        environ={},
    )
    assert settings.production


def test_introspection_is_a_validation_mode() -> None:
    settings = load_rp_settings(environ={"GOSID_RP_TOKEN_VALIDATION": "introspection"})
    assert settings.token_validation == "introspection"
    assert settings.introspection_endpoint == ""  # taken from discovery


def test_edit_acr_defaults_to_strong_and_must_be_a_known_level() -> None:
    settings = load_rp_settings(environ={})
    assert settings.edit_acr == "urn:gosid:acr:strong"
    assert settings.acr_levels == ("urn:gosid:acr:2fa", "urn:gosid:acr:strong")
    assert load_rp_settings(environ={"GOSID_RP_EDIT_ACR": "urn:gosid:acr:2fa"}).edit_acr == "urn:gosid:acr:2fa"
    with pytest.raises(SettingsError, match="GOSID_RP_EDIT_ACR"):
        load_rp_settings(environ={"GOSID_RP_EDIT_ACR": "urn:gosid:acr:qes"})


def test_regional_files_default_to_the_config_directory() -> None:
    settings = load_rp_settings(environ={})
    assert settings.regional_rules_file.name == "regional_rules.toml"
    assert settings.regions_file.parent == settings.seed_file.parent
    assert settings.regional_rules_file.is_file() and settings.seed_file.is_file()


def test_unknown_token_validation_is_refused() -> None:
    with pytest.raises(SettingsError, match="GOSID_RP_TOKEN_VALIDATION must be 'jwks'"):
        load_rp_settings(environ={"GOSID_RP_TOKEN_VALIDATION": "trust-me"})


def test_the_booking_limit_defaults_to_three_and_must_allow_one_visit() -> None:
    assert load_rp_settings(environ={}).upcoming_appointment_limit == 3
    assert load_rp_settings(environ={"GOSID_RP_UPCOMING_APPOINTMENT_LIMIT": "5"}).upcoming_appointment_limit == 5
    with pytest.raises(SettingsError, match="GOSID_RP_UPCOMING_APPOINTMENT_LIMIT must be at least 1, not 0"):
        load_rp_settings(overrides={"upcoming_appointment_limit": 0}, environ={})


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(SettingsError, match="GOSID_RP_MODE"):
        load_rp_settings(overrides={"mode": "staging"}, environ={})


def test_explicit_client_secret_wins(tmp_path: Path) -> None:
    settings = load_rp_settings(
        overrides={"client_secret": "s3cret", "client_file": str(tmp_path / "none.json")},
        environ={},
    )
    assert settings.client_credentials() == ClientCredentials("egisz-demo", "s3cret")


def test_client_secret_is_read_from_the_file_gosid_init_writes(tmp_path: Path) -> None:
    client_file = tmp_path / "rp-client.json"
    settings = load_rp_settings(overrides={"client_file": str(client_file)}, environ={})
    assert settings.client_credentials() is None
    client_file.write_text(json.dumps({"client_id": "egisz-demo", "client_secret": "from-init"}))
    assert settings.client_credentials() == ClientCredentials("egisz-demo", "from-init")


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"client_id": "another-client", "client_secret": "x"}),
        json.dumps({"client_id": "egisz-demo", "client_secret": ""}),
        json.dumps(["egisz-demo", "x"]),
    ],
)
def test_unusable_client_file_means_not_registered(tmp_path: Path, content: str) -> None:
    client_file = tmp_path / "rp-client.json"
    client_file.write_text(content)
    settings = load_rp_settings(overrides={"client_file": str(client_file)}, environ={})
    assert settings.client_credentials() is None
