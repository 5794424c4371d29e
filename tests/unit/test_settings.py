"""Settings: files, environment, and the production start-up checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gosid_config import SettingsError
from idp.settings import load_idp_settings

SAFE_PROD = {
    "GOSID_MODE": "production",
    "GOSID_ISSUER": "https://id.example.ru",
    "GOSID_SECRET_KEY": "x" * 40,
    "GOSID_DEV_MODE": "false",
    "GOSID_STORE_URL": "redis://127.0.0.1:6379/0",
    "GOSID_WORKERS": "4",
}


def test_defaults_are_embedded_dev() -> None:
    s = load_idp_settings(environ={})
    assert s.dev_mode and s.store_url == "memory://" and s.database_url.startswith("sqlite:///")
    assert s.issuer == "http://localhost:8000" and s.session_cookie_name == "gosid_idp_session"


def test_environment_overrides_the_file() -> None:
    s = load_idp_settings(environ={"GOSID_DATABASE_URL": "postgresql+psycopg://db/gosid", "GOSID_WORKERS": "1"})
    assert s.database_url == "postgresql+psycopg://db/gosid"


def test_settings_are_frozen() -> None:
    s = load_idp_settings(environ={})
    with pytest.raises(AttributeError):
        s.issuer = "x"  # type: ignore[misc]


def test_safe_production_settings_start() -> None:
    assert load_idp_settings(environ=SAFE_PROD).production


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"GOSID_ISSUER": "http://id.example.ru"}, "GOSID_ISSUER"),
        ({"GOSID_SECRET_KEY": "dev-only-secret-key-change-me"}, "GOSID_SECRET_KEY"),
        ({"GOSID_DEV_MODE": "true"}, "GOSID_DEV_MODE"),
        ({"GOSID_STORE_URL": "memory://"}, "GOSID_STORE_URL"),
    ],
)
def test_unsafe_production_settings_are_refused_by_name(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_idp_settings(environ={**SAFE_PROD, **change})


def test_embedded_store_with_many_workers_is_refused_even_in_development() -> None:
    with pytest.raises(SettingsError, match="GOSID_WORKERS"):
        load_idp_settings(environ={"GOSID_WORKERS": "3"})


def test_malformed_values_and_unknown_keys_are_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="GOSID_WORKERS"):
        load_idp_settings(environ={"GOSID_WORKERS": "many"})
    (tmp_path / "idp.toml").write_text('[idp]\nissuer = "http://x"\nisuer = "typo"\n')
    with pytest.raises(SettingsError, match="isuer"):
        load_idp_settings(environ={"GOSID_CONFIG_DIR": str(tmp_path)})


def test_the_shipped_config_has_the_documented_code_send_limits() -> None:
    """config/idp.toml is what `make run` and production start from: 10 codes per recipient and
    30 per IP an hour (README, docs/FACTORS.md), not the relaxed values of the load tests."""
    for environ in ({}, SAFE_PROD):
        s = load_idp_settings(environ=environ)
        assert (s.code_sends_per_recipient, s.code_sends_per_ip) == (10, 30)


@pytest.mark.parametrize(
    ("variable", "relaxed"),
    [
        ("GOSID_CODE_SENDS_PER_RECIPIENT", "1000"),
        ("GOSID_CODE_SENDS_PER_IP", "100000"),
        ("GOSID_LOGIN_LOCK_AFTER", "1000"),
        ("GOSID_LOGIN_IP_LOCK_AFTER", "100000"),
        ("GOSID_LOOKUP_CHECKS_PER_ACCOUNT", "1000"),
        ("GOSID_LOOKUP_CHECKS_PER_IP", "100000"),
    ],
)
def test_production_refuses_relaxed_abuse_limits_by_name(variable: str, relaxed: str) -> None:
    with pytest.raises(SettingsError, match=f"{variable}={relaxed} is above the production maximum"):
        load_idp_settings(environ={**SAFE_PROD, variable: relaxed})
    assert getattr(load_idp_settings(environ={variable: relaxed}), variable[6:].lower()) == int(relaxed)


def test_abuse_limits_must_be_positive_in_every_mode() -> None:
    with pytest.raises(SettingsError, match="GOSID_CODE_SENDS_PER_IP must be at least 1"):
        load_idp_settings(environ={"GOSID_CODE_SENDS_PER_IP": "0"})


def test_password_hashing_defaults_to_owasps_first_argon2id_recommendation() -> None:
    """m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet), in development and production."""
    for environ in ({}, SAFE_PROD):
        s = load_idp_settings(environ=environ)
        assert (s.password_hash_memory_kib, s.password_hash_time_cost, s.password_hash_parallelism) == (19456, 2, 1)


@pytest.mark.parametrize(
    ("variable", "weak"),
    [("GOSID_PASSWORD_HASH_MEMORY_KIB", "1024"), ("GOSID_PASSWORD_HASH_TIME_COST", "1")],
)
def test_production_refuses_password_hashing_below_the_floor_by_name(variable: str, weak: str) -> None:
    with pytest.raises(SettingsError, match=f"{variable}={weak} is below the production minimum"):
        load_idp_settings(environ={**SAFE_PROD, variable: weak})
    # Development (and the test suite) may use cheap parameters.
    assert getattr(load_idp_settings(environ={variable: weak}), variable[6:].lower()) == int(weak)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"GOSID_PASSWORD_HASH_TIME_COST": "0"}, "GOSID_PASSWORD_HASH_TIME_COST must be at least 1"),
        ({"GOSID_PASSWORD_HASH_PARALLELISM": "0"}, "GOSID_PASSWORD_HASH_PARALLELISM must be at least 1"),
        (
            {"GOSID_PASSWORD_HASH_MEMORY_KIB": "16", "GOSID_PASSWORD_HASH_PARALLELISM": "4"},
            "GOSID_PASSWORD_HASH_MEMORY_KIB must be at least 8 × GOSID_PASSWORD_HASH_PARALLELISM",
        ),
    ],
)
def test_impossible_argon2_parameters_are_refused_in_every_mode(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_idp_settings(environ=change)
