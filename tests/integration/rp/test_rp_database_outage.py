"""The RP's PostgreSQL unreachable: every request that needs it is a 503 with ``Retry-After``
(``RP-503``: JSON ``temporarily_unavailable`` under /api, a Russian page elsewhere), never a 500,
and the RP serves again as soon as the database is back, without a restart.

The outage is real: the RP reaches PostgreSQL through :class:`tests.support.tcp_proxy.TcpProxy`,
which the test cuts (every connection dropped, new ones closed) and restores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from relying_party_demo.testing import FakeIdp
from tests.integration.rp.conftest import _empty_pg
from tests.integration.rp.helpers import browser_login
from tests.support.rp import Persona, TokenFactory
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(rp_pg_database: str) -> Iterator[TcpProxy]:
    url = make_url(rp_pg_database)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as tcp:
        yield tcp


@pytest.fixture
def settings_overrides(idp: FakeIdp, tmp_path: Path, rp_pg_database: str, proxy: TcpProxy) -> dict[str, Any]:
    _empty_pg(rp_pg_database)  # seeded again when the app starts
    through_proxy = make_url(rp_pg_database).set(host="127.0.0.1", port=proxy.port)
    return {
        "idp_url": idp.issuer,
        "client_secret": idp.client_secret,
        "client_file": str(tmp_path / "rp-client.json"),
        "database_url": through_proxy.render_as_string(hide_password=False),
        "migrate_on_start": False,
    }


def assert_outage(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:400]
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_api_is_a_503_during_the_outage_and_serves_after_it(
    client: FlaskClient, proxy: TcpProxy, token_for: TokenFactory
) -> None:
    bearer = {"Authorization": f"Bearer {token_for('doctor_moscow')}"}
    assert client.get("/api/organizations", headers=bearer).status_code == 200
    with proxy.outage():
        for _ in range(2):  # the pooled connection cut, then a fresh one refused
            response = client.get("/api/organizations", headers=bearer)
            assert_outage(response)
            assert response.get_json() == {
                "error": "temporarily_unavailable",
                "error_description": "the service's database is not reachable",
            }
    assert client.get("/api/organizations", headers=bearer).status_code == 200


def test_a_page_is_a_russian_503_page_during_the_outage(
    client: FlaskClient, proxy: TcpProxy, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    browser_login(client, idp, personas["doctor_moscow"])
    assert client.get("/directory").status_code == 200
    with proxy.outage():
        for _ in range(2):
            response = client.get("/directory")
            assert_outage(response)
            page = response.get_data(as_text=True)
            assert "RP-503" in page
            assert "Сервис временно недоступен" in page
            assert "Повторите попытку через минуту." in page
    assert client.get("/directory").status_code == 200
