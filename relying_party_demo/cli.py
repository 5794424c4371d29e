"""``python -m relying_party_demo.cli init``: the RP's migrations and demo data, from settings.

``gosid init`` calls :func:`init_database` too, so one command prepares both applications.
"""

from __future__ import annotations

import click
from flask import Flask

from relying_party_demo.clock import Clock, SystemClock


def init_database(clock: Clock | None = None) -> str:
    """Migrate the RP's database and add the missing demo data (schedules counted from
    ``clock``, the system clock by default); returns a one-line summary."""
    from relying_party_demo import migrate, seeding
    from relying_party_demo.settings import load_rp_settings

    settings = load_rp_settings()
    url = settings.resolved_database_url()
    migrate.upgrade(url)
    app = _bare_app(url)
    with app.app_context(), migrate.migration_lock(url):
        report = seeding.seed(settings.seed_file, now=(clock if clock is not None else SystemClock()).now())
    return (
        f"demo EGISZ data: {report.organizations} organizations, {report.doctors} doctors, "
        f"{report.patients} patients, {report.schedules} schedule days, {report.appointments} appointments added"
    )


def _bare_app(url: str) -> Flask:
    from relying_party_demo.database import engine_options
    from relying_party_demo.models import db

    app = Flask("relying_party_demo.cli")
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(url))
    db.init_app(app)
    return app


@click.group()
def main() -> None:
    """The demo EGISZ service's database."""


@main.command()
@click.pass_obj
def init(clock: Clock | None) -> None:
    """Apply the RP's migrations and add the missing demo data."""
    click.echo(init_database(clock))  # a test may pass a frozen clock as the context object


if __name__ == "__main__":
    main()
