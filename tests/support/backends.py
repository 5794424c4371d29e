"""Where the test suite's external services are, and what to do when they are missing.

Locally a missing PostgreSQL, Redis, Chromium or Playwright skips its variant with a message;
under CI (``CI=true``) the same absence fails the run, so CI never silently skips them.

A parametrized backend variant carries the marker of each service it needs (:func:`backend_param`),
so ``-m "not postgres and not redis"`` (``make test-fast``) really leaves them out; the root
conftest refuses to collect a variant without its markers (:func:`unmarked_variants`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
from collections.abc import Iterable
from typing import Any

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


def haproxy_available() -> bool:
    """Debian's haproxy (the TLS-terminating proxy of tests/e2e/test_e2e_tls_proxy.py)."""
    return shutil.which("haproxy") is not None or os.path.exists("/usr/sbin/haproxy")


def playwright_available() -> bool:
    return importlib.util.find_spec("playwright") is not None


# The services each backend parameter value stands for, as marker names (pyproject.toml).
BACKEND_MARKS: dict[str, tuple[str, ...]] = {
    "postgres_redis": ("postgres", "redis"),
    "postgres": ("postgres",),
    "redis": ("redis",),
}
BROWSER_FIXTURES = frozenset({"chromium"})


def backend_param(name: str) -> Any:
    """A backend parameter value with the markers of the services it needs."""
    return pytest.param(name, marks=[getattr(pytest.mark, m) for m in BACKEND_MARKS.get(name, ())], id=name)


def _needed_marks(item: pytest.Item) -> set[str]:
    callspec = getattr(item, "callspec", None)
    values = callspec.params.values() if callspec is not None else ()
    needed = {m for v in values if isinstance(v, str) for m in BACKEND_MARKS.get(v, ())}
    if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
        needed.add("browser")
    return needed


def unmarked_variants(items: Iterable[pytest.Item]) -> list[str]:
    """Tests that need PostgreSQL, Redis or Chromium but lack the marker that says so."""
    missing = []
    for item in items:
        lacking = _needed_marks(item) - {mark.name for mark in item.iter_markers()}
        if lacking:
            missing.append(f"{item.nodeid} (add: {', '.join(sorted(lacking))})")
    return missing


def require(available: bool, what: str) -> None:
    """Skip (locally) or fail (CI) when a service the test needs is not reachable."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is required under CI=true but is not reachable", pytrace=False)
    pytest.skip(f"{what} not reachable: skipping this variant (it is mandatory under CI=true)")
