"""ESIA: a refresh cut off by a database outage never burns the token it interrupts (issue 11 §2).

The IdP's PostgreSQL is reached through a TCP proxy (tests/support/tcp_proxy.py) that the test
cuts when the request's commit starts, after every statement of the rotation: the system gets an
ESIA-shaped 503 with ``Retry-After``, the database is as it was, and the retry with the same
refresh token is an ordinary rotation, not a reuse that revokes the family. As the OpenID
Connect variant in tests/integration/test_outages.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from idp.errors import RETRY_AFTER_SECONDS
from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.support.audit_log import audit_events
from tests.support.faults import at_next_commit, database_snapshot
from tests.support.postgres import empty_tables
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_proxy(pg_database: str) -> Iterator[TcpProxy]:
    empty_tables(pg_database)
    url = make_url(pg_database)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        yield proxy


@pytest.fixture
def backend(pg_database: str, pg_proxy: TcpProxy) -> Iterator[dict[str, str]]:
    """The conftest's backend, replaced: the test database through the proxy, an in-process store."""
    url = make_url(pg_database).set(host="127.0.0.1", port=pg_proxy.port).render_as_string(hide_password=False)
    yield {"database_url": url, "store_url": "memory://", "name": "postgres"}
    pg_proxy.restore()


def _refresh(client: FlaskClient, path: str, form: dict[str, str]) -> TestResponse:
    return client.post(path, data=form)


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_esia_refresh_cut_off_at_its_commit_leaves_the_token_usable_and_the_retry_is_no_reuse(
    app: Flask, client: FlaskClient, pg_proxy: TcpProxy, version: str, personas: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    app.config["PROPAGATE_EXCEPTIONS"] = False  # unhandled errors answer 500, as in production
    system: EsiaSystem = request.getfixturevalue("rsa_system" if version == "v1" else "gost_system")
    if version == "v1":
        path, ac = "/aas/oauth2/te", ac_url("/aas/oauth2/ac", system.ac_v1())

        def form(token: str) -> dict[str, str]:
            return system.te_v1("", grant_type="refresh_token", refresh_token=token)

        def code_form(code: str) -> dict[str, str]:
            return system.te_v1(code)
    else:
        path, ac = "/aas/oauth2/v3/te", ac_url("/aas/oauth2/v2/ac", system.ac_v2())

        def form(token: str) -> dict[str, str]:
            return system.te_v3(None, refresh=token)

        def code_form(code: str) -> dict[str, str]:
            return system.te_v3(code)

    back = authorize(client, ac, personas["patient_moscow"])
    issued = client.post(path, data=code_form(back["code"]))
    assert issued.status_code == 200, issued.text
    token = issued.get_json()["refresh_token"]
    before = database_snapshot(app)

    with at_next_commit(pg_proxy.cut):
        failed = _refresh(client, path, form(token))
    pg_proxy.restore()
    assert failed.status_code == 503, failed.text
    assert failed.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert failed.get_json()["error_description"].startswith("ESIA-007008"), failed.text
    assert "access_token" not in failed.get_json()

    assert database_snapshot(app) == before, "the interrupted rotation burned the token or left a successor"
    retried = _refresh(client, path, form(token))
    assert retried.status_code == 200, retried.text
    assert _refresh(client, path, form(retried.get_json()["refresh_token"])).status_code == 200
    assert audit_events(app, "esia_refresh_reuse") == [], "the retry was taken for a stolen copy"
