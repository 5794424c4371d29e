"""An existing ESIA client library, unmodified, against the running stand.

``esia-connector`` 0.16 (PyPI) needs PyJWT 1.x, which the project does not use; it is
installed with ``pip --target`` into a per-session directory and run in its own process,
so its pins never meet the project's dependencies. No network (locally): skipped; under
CI=true: a failure.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.support.backends import (
    PG_ADMIN_URL,
    REDIS_URL,
    backend_param,
    postgres_available,
    redis_available,
    require,
)
from tests.support.servers import IdpProcess, free_port, start_idp

LIBRARY = ["esia-connector==0.16", "PyJWT==1.7.1", "pytz"]


@pytest.fixture(scope="session")
def esia_connector_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("esia-connector")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--target", str(target), *LIBRARY],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    require(result.returncode == 0, f"pip install {' '.join(LIBRARY)} ({result.stderr.strip()[-300:]})")
    yield target


@pytest.fixture(scope="session")
def esia_pg_database() -> Iterator[str]:
    name = f"gosid_e2e_esia_{uuid.uuid4().hex[:10]}"
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
def esia_idp(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpProcess]:
    """The IdP alone under gunicorn (the ESIA clients here are the tests, not the demo RP)."""
    options: dict[str, Any] = {}
    if request.param == "postgres_redis":
        require(postgres_available() and redis_available(), "PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379")
        options = {
            "database_url": request.getfixturevalue("esia_pg_database"),
            "store_url": REDIS_URL.rsplit("/", 1)[0] + "/13",
            "workers": 2,
        }
    root = tmp_path_factory.mktemp(f"e2e-esia-{request.param}")
    idp = start_idp(root / "idp", port=free_port(), rp_base_url="http://127.0.0.1:9", **options)
    try:
        yield idp
    finally:
        idp.server.stop()
