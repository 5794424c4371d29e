"""Where the test suite's external services are, and what to do when they are missing.

Locally a missing PostgreSQL, Redis or Chromium skips its variant with a message; under CI
(``CI=true``) the same absence fails the run, so CI never silently skips them.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest

PG_ADMIN_URL = os.environ.get("GOSID_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("GOSID_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("GOSID_TEST_CHROMIUM", "/usr/bin/chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    return _port_open("127.0.0.1", 5432)


def redis_available() -> bool:
    return _port_open("127.0.0.1", 6379)


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


def require(available: bool, what: str) -> None:
    """Skip (locally) or fail (CI) when a service the test needs is not reachable."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is required under CI=true but is not reachable", pytrace=False)
    pytest.skip(f"{what} not reachable: skipping this variant (it is mandatory under CI=true)")
