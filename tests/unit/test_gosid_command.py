"""The ``gosid`` console script is the stand's command: every IdP command plus the ones that
start or use the demo RP and the simulators, which the IdP's own command group does not carry."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from gosid_stand.cli import main as gosid
from idp.cli import main as idp_commands

ROOT = Path(__file__).resolve().parents[2]
IDP_COMMANDS = {"init", "db", "seed", "user", "client", "keys", "esia-client", "esia"}


def test_the_console_script_is_the_stand_command() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"gosid": "gosid_stand.cli:main"}


def test_gosid_offers_every_idp_command_and_run_and_sign() -> None:
    result = CliRunner().invoke(gosid, ["--help"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == IDP_COMMANDS | {"run", "sign"}


def test_the_idp_commands_alone_start_no_simulator() -> None:
    assert set(idp_commands.commands) == IDP_COMMANDS


def test_sign_refuses_a_file_that_is_no_key_with_a_message(tmp_path: Path) -> None:
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"not a key")
    result = CliRunner().invoke(gosid, ["sign", "--file", str(junk), "--challenge", "abc"])
    assert result.exit_code == 1 and "cannot sign with" in result.output
