"""The gosid command against a fresh SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from idp.cli import main


@pytest.fixture
def env(tmp_path: Path, keys_dir: Path) -> dict[str, str]:
    return {
        "GOSID_DATABASE_URL": f"sqlite:///{tmp_path / 'idp.sqlite3'}",
        "GOSID_VAR_DIR": str(tmp_path / "var"),
        "GOSID_KEYS_DIR": str(tmp_path / "keys"),
        "GOSID_RP_BASE_URL": "http://localhost:8001",
    }


def test_init_migrates_seeds_and_registers_the_demo_rp(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["init"], env=env)
    assert result.exit_code == 0, result.output
    assert "personas: 9 added" in result.output and "registered" in result.output
    creds = json.loads((tmp_path / "var" / "rp-client.json").read_text())
    assert creds["client_id"] == "egisz-demo" and len(creds["client_secret"]) >= 40
    assert (tmp_path / "var" / "rp-client.json").stat().st_mode & 0o077 == 0
    again = runner.invoke(main, ["init"], env=env)
    assert "personas: 0 added" in again.output and "already registered" in again.output


def test_client_add_prints_the_secret_once_and_refuses_bad_uris(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], env=env)
    ok = runner.invoke(
        main,
        [
            "client",
            "add",
            "--client-id",
            "svc",
            "--name",
            "Сервис",
            "--redirect-uri",
            "https://svc.example.ru/cb",
            "--scope",
            "openid snils",
        ],
        env=env,
    )
    assert ok.exit_code == 0 and "client_secret:" in ok.output
    dup = runner.invoke(
        main,
        ["client", "add", "--client-id", "svc", "--name", "x", "--redirect-uri", "https://svc.example.ru/cb"],
        env=env,
    )
    assert dup.exit_code != 0 and "already registered" in dup.output
    bad = runner.invoke(
        main,
        ["client", "add", "--client-id", "svc2", "--name", "x", "--redirect-uri", "http://svc.example.ru/cb"],
        env=env,
    )
    assert bad.exit_code != 0 and "https" in bad.output


def test_user_add_validates_every_field(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], env=env)
    bad = runner.invoke(
        main,
        [
            "user",
            "add",
            "--phone",
            "12",
            "--surname",
            "Иванов",
            "--name",
            "Иван",
            "--birth-date",
            "2099-01-01",
            "--password",
            "short",
        ],
        env=env,
    )
    assert bad.exit_code != 0 and "phone" in bad.output and "birth_date" in bad.output and "password" in bad.output
    good = runner.invoke(
        main,
        [
            "user",
            "add",
            "--phone",
            "+79035551234",
            "--surname",
            "Иванов",
            "--name",
            "Иван",
            "--birth-date",
            "1980-01-01",
            "--password",
            "Tumannyi-Rassvet-Nad-Volgoi",
        ],
        env=env,
    )
    assert good.exit_code == 0 and "created account" in good.output


def test_keys_rotate_reports_new_and_retired(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], env=env)
    runner.invoke(main, ["init"], env=env)
    result = runner.invoke(main, ["keys", "rotate", "--alg", "ES256"], env=env)
    assert result.exit_code == 0 and "is published now and signs in 300 s" in result.output
    assert "stops signing then" in result.output
