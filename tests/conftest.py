"""Fixtures that build on each other: settings → app → database → personas → client.

Every integration test runs twice: on the embedded defaults (SQLite + embedded store) and on
PostgreSQL + Redis. The second variant is skipped locally when those are not reachable and
is mandatory under CI=true.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from idp.settings import IdpSettings
from idp.storage.unit_of_work import transaction
from tests.support.backends import (
    PG_ADMIN_URL,
    REDIS_URL,
    backend_param,
    postgres_available,
    redis_available,
    require,
    unmarked_variants,
)
from tests.support.flows import RP_REDIRECT
from tests.support.password_cost import TEST_HASH_PARAMETERS, TEST_HASH_SETTINGS
from tests.support.postgres import empty_tables

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from idp.oidc.keys import KeyRing

    path = tmp_path_factory.mktemp("keys")
    KeyRing.load_or_create(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> None:
    """The suite's argon2id cost for code that runs before (or without) an app."""
    from idp.accounts.passwords import PasswordHashing, configure

    configure(PasswordHashing(TEST_HASH_PARAMETERS))


@pytest.fixture(scope="session")
def persona_rows(cheap_password_hashing: None) -> list[dict[str, Any]]:
    """Persona rows with their argon2 hashes computed once per session, at the suite's cost."""
    from idp.accounts.models import Person
    from idp.selfservice.seeding import load_personas, person_from

    rows = []
    for entry in load_personas(REPO / "config" / "personas.toml"):
        person = person_from(entry)
        rows.append(
            {c.key: getattr(person, c.key) for c in Person.__table__.columns if getattr(person, c.key) is not None}
        )
    return rows


@pytest.fixture(scope="session")
def personas() -> dict[str, dict[str, Any]]:
    from idp.selfservice.seeding import load_personas

    return {p["key"]: p for p in load_personas(REPO / "config" / "personas.toml")}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from idp.storage.migrate import upgrade

    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    from idp.storage.migrate import upgrade

    name = f"gosid_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=[backend_param("embedded"), backend_param("postgres_redis")])
def backend(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[dict[str, str]]:
    """Database URL and store URL for one test, clean."""
    if request.param == "embedded":
        db_file = tmp_path / "idp.sqlite3"
        shutil.copy(sqlite_template, db_file)
        yield {"database_url": f"sqlite:///{db_file}", "store_url": "memory://", "name": "embedded"}
        return
    require(redis_available(), "Redis at 127.0.0.1:6379")
    pg_url = request.getfixturevalue("pg_database")
    empty_tables(pg_url)
    yield {"database_url": pg_url, "store_url": REDIS_URL, "name": "postgres_redis"}


@pytest.fixture
def settings(backend: dict[str, str], keys_dir: Path, tmp_path: Path) -> IdpSettings:
    from idp.settings import load_idp_settings

    return load_idp_settings(
        overrides={
            "database_url": backend["database_url"],
            "store_url": backend["store_url"],
            "keys_dir": str(keys_dir),
            "var_dir": str(tmp_path / "var"),
            "secret_key": "test-secret-key-" + uuid.uuid4().hex,
            "sms_resend_cooldown": 30,
            **TEST_HASH_SETTINGS,
        },
        environ={},
    )


@pytest.fixture
def app(settings: IdpSettings, persona_rows: list[dict[str, Any]]) -> Iterator[Flask]:
    from idp.accounts.models import Person
    from idp.adapters.store import RedisStore, open_store
    from idp.app import create_app
    from idp.oidc.clients import register_client
    from idp.storage.db import db

    store = open_store(settings.store_url, prefix=f"test:{uuid.uuid4().hex}:")
    application = create_app(settings, store=store)
    application.config["TESTING"] = True
    with application.app_context(), transaction():
        db.session.add_all([Person(**row) for row in persona_rows])
        db.session.commit()
        secret = register_client(
            client_id="egisz-demo",
            name="ЕГИСЗ: демонстрационный сервис",
            redirect_uris=[RP_REDIRECT],
            post_logout_redirect_uris=["http://localhost:8001/"],
            scopes=[
                "profile",
                "email",
                "phone",
                "address",
                "snils",
                "inn",
                "id_doc",
                "medical_doc",
                "region",
                "roles",
                "medcard.rs",
                "medcard.cu",
            ],
            client_secret="demo-client-secret-for-tests",
        )
        assert secret.client_secret
    yield application
    application.extensions["gosid"].backchannel_worker.stop()  # its delivery thread, if a logout started it
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if isinstance(store, RedisStore):
        store.flush_prefix()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def rp_credentials() -> tuple[str, str]:
    return ("egisz-demo", "demo-client-secret-for-tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A PostgreSQL/Redis variant or a browser test without its marker would run under
    ``make test-fast`` (``-m "not postgres and not redis"``): refuse to collect it."""
    missing = unmarked_variants(items)
    if missing:
        raise pytest.UsageError("tests without the markers of the services they need:\n  " + "\n  ".join(missing))


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"PostgreSQL reachable: {postgres_available()}, Redis reachable: {redis_available()} "
        f"(mandatory under CI=true; {json.dumps(PG_ADMIN_URL.split('@')[-1])})"
    ]
