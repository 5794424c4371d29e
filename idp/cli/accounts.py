"""`gosid user` commands."""

from __future__ import annotations

import click

from idp.accounts.levels import issue_in_person_code
from idp.accounts.models import Person
from idp.accounts.validation import ValidationError
from idp.adapters.clock import moscow_today
from idp.cli.context import command_app
from idp.selfservice.registration import create_account_from_cli
from idp.services import services_of
from idp.storage.db import db
from idp.storage.unit_of_work import transaction


@click.group()
def user() -> None:
    """Accounts."""


@user.command("add")
@click.option("--phone", required=True)
@click.option("--email")
@click.option("--surname", required=True)
@click.option("--name", "given_name", required=True)
@click.option("--patronymic")
@click.option("--birth-date", required=True, help="YYYY-MM-DD")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_add(
    phone: str, email: str | None, surname: str, given_name: str, patronymic: str | None, birth_date: str, password: str
) -> None:
    """Create a simplified account with a confirmed phone."""
    app = command_app()
    with app.app_context(), transaction():
        try:
            oid = create_account_from_cli(
                phone=phone,
                email=email,
                password=password,
                surname=surname,
                name=given_name,
                patronymic=patronymic,
                birth_date=birth_date,
                today=moscow_today(services_of(app).clock),
            )
        except ValidationError as exc:
            raise click.ClickException("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from exc
    click.echo(f"created account {oid}")


@user.command("disable")
@click.option("--oid", required=True, type=int)
def user_disable(oid: int) -> None:
    """Disable an account: its sessions end and its refresh tokens stop working at once."""
    app = command_app()
    with app.app_context(), transaction():
        if not services_of(app).lifecycle.disable_account(oid):
            raise click.ClickException(f"no account with OID {oid}")
    click.echo(f"account {oid} disabled; sessions ended and refresh tokens revoked")


@user.command("in-person-code")
@click.option("--oid", required=True, type=int)
def user_in_person_code(oid: int) -> None:
    """Issue a one-time code confirming the account in person (after seeing the passport)."""
    app = command_app()
    with app.app_context(), transaction():
        if db.session.get(Person, oid) is None:
            raise click.ClickException(f"no account with OID {oid}")
        code = issue_in_person_code(oid)
    click.echo(f"confirmation code for {oid}: {code} (one use, 30 days)")
