"""The ``gosid`` command: the IdP's own commands (idp.cli) and the stand's, which start the
demo RP and the simulators or use them (``run``, ``sign``)."""

from __future__ import annotations

import base64
from pathlib import Path

import click

from gosid_stand.supervisor import Ports, start, supervise
from idp import cli as idp_cli
from idp.settings import load_idp_settings
from simulators.qes_signer import sign_file


@click.command()
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="a .p12 (RSA/ECDSA) or a GOST certificate .pem with its .key.pem beside it",
)
@click.option("--password", default="gosid-qes", show_default=True, help="the .p12 password")
@click.option("--challenge", required=True, help="the text the login page asks you to sign")
def sign(path: str, password: str, challenge: str) -> None:
    """Sign a login challenge: prints a detached CMS signature (base64) to paste into the page."""
    try:
        der = sign_file(Path(path), password, challenge.encode())
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"cannot sign with {path}: {exc}") from exc
    click.echo(base64.b64encode(der).decode())


@click.command()
@click.option("--idp-port", default=8000)
@click.option("--rp-port", default=8001)
@click.option("--acs-port", default=8002, help="the simulated bank's 3-D Secure ACS (dev mode)")
def run(idp_port: int, rp_port: int, acs_port: int) -> None:
    """Start the IdP and the demo RP (and, in dev mode, the simulated bank ACS) under gunicorn until Ctrl-C."""
    procs = start(load_idp_settings(), Ports(idp=idp_port, rp=rp_port, acs=acs_port))
    if not supervise(procs):
        raise SystemExit(1)


main = click.Group("gosid", commands={**idp_cli.main.commands, "sign": sign, "run": run}, help=idp_cli.main.help)

if __name__ == "__main__":
    main()
