"""Fixtures for the demo RP's integration tests: a loopback IdP, the RP's database (SQLite, or
PostgreSQL for modules that ask for both), settings -> app -> client, and tokens for personas.

The RP database starts each test migrated and seeded from ``config/egisz_seed.toml``. A module
runs on both backends with ``pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)``;
the PostgreSQL variant is skipped locally without a server and mandatory under CI=true.

The RP's calendar is ``rp_clock``, frozen at ``DEFAULT_INSTANT``; a test whose outcome could
depend on the time of day takes ``@at_every_moscow_hour`` instead of a backend parametrization:
it runs on SQLite at each of ``MOSCOW_HOURS`` and on PostgreSQL at the last of them. The demo
schedules are seeded relative to that clock (tokens from the loopback IdP keep real time).
"""

from __future__ import annotations

import shutil
import tomllib
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from relying_party_demo import create_app, migrate
from relying_party_demo.clock import FrozenClock
from relying_party_demo.settings import RpSettings, load_rp_settings
from relying_party_demo.testing import FakeIdp, SigningKey, generate_signing_key
from tests.integration.rp.helpers import persona_claims
from tests.support.backends import PG_ADMIN_URL, postgres_available, require
from tests.support.rp import (
    DEFAULT_INSTANT,
    PERSON_SCOPES,
    REPO,
    RS,
    Persona,
    TokenFactory,
    moscow_id,
)


@pytest.fixture(params=[DEFAULT_INSTANT], ids=moscow_id)
def rp_clock(request: pytest.FixtureRequest) -> FrozenClock:
    """The RP's calendar clock for one test (``DEFAULT_INSTANT`` unless parametrized)."""
    return FrozenClock(request.param)


@pytest.fixture(scope="session")
def rsa_key() -> SigningKey:
    return generate_signing_key("RS256", "rsa-1")


@pytest.fixture
def idp(rsa_key: SigningKey) -> Iterator[FakeIdp]:
    with FakeIdp(signing_key=rsa_key) as fake:
        yield fake


@pytest.fixture(scope="session")
def personas() -> dict[str, Persona]:
    with (REPO / "config" / "personas.toml").open("rb") as fh:
        return {p["key"]: p for p in tomllib.load(fh)["person"]}


@pytest.fixture(scope="session")
def rp_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[datetime], Path]:
    """A migrated SQLite database seeded at an instant: migrated once, seeded once per instant."""
    folder = tmp_path_factory.mktemp("rp-db")
    migrated = folder / "migrated.sqlite3"
    migrate.upgrade(f"sqlite:///{migrated}")
    made: dict[datetime, Path] = {}

    def template(instant: datetime) -> Path:
        if instant not in made:
            path = folder / f"seeded-{instant.timestamp():.0f}.sqlite3"
            shutil.copy(migrated, path)
            overrides = {"database_url": f"sqlite:///{path}", "client_secret": "x", "migrate_on_start": False}
            create_app(load_rp_settings(overrides=overrides, environ={}), clock=FrozenClock(instant))
            made[instant] = path
        return made[instant]

    return template


@pytest.fixture(scope="session")
def rp_pg_database() -> Iterator[str]:
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    name = f"gosid_rp_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_pg(url: str) -> None:
    """Delete every row (children first); much faster than TRUNCATE for tables this small."""
    import relying_party_demo.appointments.models  # noqa: F401  (all tables on the metadata)
    from relying_party_demo.models import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture(params=["sqlite"])
def rp_backend(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    rp_sqlite_template: Callable[[datetime], Path],
    rp_clock: FrozenClock,
) -> str:
    """The RP's database URL for one test: a copy of the template seeded at ``rp_clock``'s
    instant, or emptied PostgreSQL (seeded again when the app starts)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("rp_pg_database")
        _empty_pg(url)
        return url
    db_file = tmp_path / "rp.sqlite3"
    shutil.copy(rp_sqlite_template(rp_clock.now()), db_file)
    return f"sqlite:///{db_file}"


@pytest.fixture
def settings_overrides(idp: FakeIdp, tmp_path: Path, rp_backend: str) -> dict[str, Any]:
    return {
        "idp_url": idp.issuer,
        "client_secret": idp.client_secret,
        "client_file": str(tmp_path / "rp-client.json"),
        "database_url": rp_backend,
        "migrate_on_start": False,  # the template and the session's PostgreSQL database are migrated
    }


@pytest.fixture
def settings(settings_overrides: dict[str, Any]) -> RpSettings:
    return load_rp_settings(overrides=settings_overrides, environ={})


@pytest.fixture
def app(settings: RpSettings, rp_clock: FrozenClock) -> Iterator[Flask]:
    application = create_app(settings, clock=rp_clock)
    yield application
    from relying_party_demo.models import db

    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def token_for(idp: FakeIdp, personas: dict[str, Persona]) -> TokenFactory:
    """``token_for("doctor_moscow", "medcard.rs", acr=...)``: an access token for a persona;
    userinfo answers with the persona's SNILS (and whether it is confirmed) for it, as the real IdP does."""

    def make(key: str, scopes: str = RS, **overrides: Any) -> str:
        person = personas[key]
        claims = {**persona_claims(person), **overrides}
        token = idp.access_token(str(person["oid"]), f"{PERSON_SCOPES} {scopes}", **claims)
        if "snils" in person:
            idp.set_userinfo(token, {"snils": person["snils"], "snils_verified": person["level"] != "simplified"})
        return token

    return make
