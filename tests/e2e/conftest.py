"""Both applications under real gunicorn, once per backend for the whole e2e session.

``stack`` is parametrized: ``embedded`` (SQLite + the in-process store, one worker) and
``postgres_redis`` (a fresh PostgreSQL database + Redis, two IdP workers). The second is
skipped locally when PostgreSQL or Redis is not reachable and mandatory under CI=true.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.support.backends import (
    PG_ADMIN_URL,
    backend_param,
    postgres_available,
    redis_available,
    require,
)
from tests.support.e2e_stack import E2E_REDIS_URL, Stack, print_logs
from tests.support.servers import E2E_IDP_SETTINGS, free_port, load_personas, start_idp, start_rp


@pytest.fixture(scope="session")
def personas() -> dict[str, dict[str, Any]]:
    return load_personas()


@pytest.fixture(scope="session")
def e2e_pg_database() -> Iterator[str]:
    name = f"gosid_e2e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=[backend_param("embedded"), backend_param("postgres_redis")])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    backend: str = request.param
    idp_options: dict[str, Any] = {}
    if backend == "postgres_redis":
        require(postgres_available() and redis_available(), "PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379")
        idp_options = {
            "database_url": request.getfixturevalue("e2e_pg_database"),
            "store_url": E2E_REDIS_URL,
            "workers": 2,  # several processes are fine once the store is shared
        }
    root: Path = tmp_path_factory.mktemp(f"e2e-{backend}")
    idp_port, rp_port = free_port(), free_port()
    rp_url = f"http://127.0.0.1:{rp_port}"
    # the suite's own relaxed code-send limits (the shipped config/idp.toml keeps the documented ones)
    idp = start_idp(root / "idp", port=idp_port, rp_base_url=rp_url, idp_settings=E2E_IDP_SETTINGS, **idp_options)
    try:
        rp = start_rp(root / "rp", port=rp_port, idp_url=idp.url, client_secret=idp.client_secret)
    except BaseException:
        idp.server.stop()
        raise
    running = Stack(backend, idp, rp)
    try:
        yield running
    finally:
        for server in running.servers():
            server.stop()
        if running.failed:
            print_logs(request.config, running)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    funcargs = getattr(item, "funcargs", {})
    running = funcargs.get("stack")
    if report.failed and isinstance(running, Stack):
        running.failed.append(item.name)
    return report
