"""A sick short-lived store does not starve the workers (issue 11 §5).

The Redis tests use a ``redis-server`` of their own behind a real TCP proxy
(``tests/support/slow_tcp_proxy.py``) that delays replies or stops forwarding; the breaker's
time is a manual clock. Nothing here asserts how long something took: the tests count what
reached the proxy and look at the answers.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from gosid_config import SettingsError
from idp.adapters import budget
from idp.adapters.circuit import CircuitBreaker, CircuitOpen, CircuitState
from idp.adapters.store import RedisStore, StoreUnavailable
from idp.settings import IdpSettings, load_idp_settings
from tests.support.backends import require
from tests.support.clients import DEMO_CREDS, register
from tests.support.flows import RP_REDIRECT
from tests.support.oidc_client import csrf_token
from tests.support.password_cost import TEST_HASH_SETTINGS
from tests.support.slow_tcp_proxy import SlowTcpProxy, private_redis, redis_server_installed


class ManualClock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- the circuit breaker on its own ----------------------------------------------------------


def test_breaker_opens_after_consecutive_failures_and_half_opens_after_cool_down() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(failures=3, cool_down=10, clock=clock)
    for _ in range(2):
        breaker.allow()
        breaker.failed()
    breaker.allow()
    breaker.succeeded()  # a success in between resets the count
    for _ in range(2):
        breaker.allow()
        breaker.failed()
    assert breaker.state is CircuitState.CLOSED
    breaker.allow()
    breaker.failed()
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen) as refused:
        breaker.allow()
    assert refused.value.retry_in == 10

    clock.advance(9.9)
    with pytest.raises(CircuitOpen):
        breaker.allow()
    clock.advance(0.1)
    assert breaker.state is CircuitState.HALF_OPEN
    breaker.allow()  # the one trial
    with pytest.raises(CircuitOpen):
        breaker.allow()  # everyone else still fails fast while it runs
    breaker.failed()  # the trial failed: open for another cool-down
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen):
        breaker.allow()

    clock.advance(10)
    breaker.allow()
    breaker.succeeded()  # the trial worked: closed
    assert breaker.state is CircuitState.CLOSED
    breaker.allow()
    breaker.allow()


def test_half_open_breaker_lets_exactly_one_of_many_threads_try() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(failures=1, cool_down=5, clock=clock)
    breaker.failed()
    clock.advance(5)
    barrier = threading.Barrier(20)
    allowed: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            breaker.allow()
            ok = True
        except CircuitOpen:
            ok = False
        with lock:
            allowed.append(ok)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 1 and allowed.count(False) == 19


def test_store_resilience_settings_have_sane_defaults_and_refuse_zero() -> None:
    settings = load_idp_settings(environ={})
    assert settings.store_read_timeout == 0.5 and settings.store_connect_timeout == 0.5
    assert settings.store_request_budget == 1.0
    assert settings.store_breaker_failures == 5 and settings.store_breaker_cool_down == 10.0
    for name in ("store_read_timeout", "store_request_budget", "store_breaker_failures"):
        with pytest.raises(SettingsError, match=f"GOSID_{name.upper()}"):
            load_idp_settings(environ={f"GOSID_{name.upper()}": "0"})


# -- the Redis store behind a slow or frozen proxy --------------------------------------------


@pytest.fixture
def redis_port() -> Iterator[int]:
    require(redis_server_installed(), "redis-server (Debian package redis-server)")
    with private_redis() as port:
        yield port


@pytest.fixture
def proxy(redis_port: int) -> Iterator[SlowTcpProxy]:
    with SlowTcpProxy(redis_port) as running:
        yield running


def store_behind(proxy: SlowTcpProxy, **kwargs: Any) -> RedisStore:
    return RedisStore(proxy.url, prefix=f"budget:{uuid.uuid4().hex}:", **kwargs)


@pytest.mark.redis
def test_a_frozen_redis_fails_a_call_at_the_read_timeout(proxy: SlowTcpProxy) -> None:
    store = store_behind(proxy, read_timeout=0.2)
    store.set("k", "v", ttl=60)
    proxy.freeze()
    with pytest.raises(StoreUnavailable, match="Timeout"):
        store.get("k")  # without a read timeout this would wait for ever
    proxy.thaw()


@pytest.mark.redis
def test_the_breaker_makes_a_failing_redis_fail_fast_then_recovers(proxy: SlowTcpProxy) -> None:
    clock = ManualClock()
    store = store_behind(proxy, read_timeout=0.2, breaker=CircuitBreaker(failures=2, cool_down=30, clock=clock))
    store.set("k", "v", ttl=60)
    proxy.freeze()
    for _ in range(2):
        with pytest.raises(StoreUnavailable):
            store.get("k")
    assert store.breaker.state is CircuitState.OPEN
    reached = proxy.reached()
    for _ in range(5):
        with pytest.raises(StoreUnavailable, match="circuit open"):
            store.get("k")
    assert proxy.reached() == reached, "an open breaker must not send anything to Redis"

    proxy.thaw()
    clock.advance(30)
    assert store.get("k") == "v"  # the half-open trial reaches Redis and closes the circuit
    assert store.breaker.state is CircuitState.CLOSED
    assert proxy.reached() > reached


@pytest.mark.redis
def test_a_spent_request_budget_refuses_the_next_call_without_calling_redis(proxy: SlowTcpProxy) -> None:
    store = store_behind(proxy, read_timeout=5)
    store.set("k", "v", ttl=60)  # connected and handshaken before the replies slow down
    proxy.delay = 0.2  # every reply waits at least this long
    budget.bind(budget.StoreBudget(0.3))
    try:
        assert store.get("k") == "v"  # ≥ 0.2 s spent
        with pytest.raises(StoreUnavailable, match="budget"):
            store.get("k")  # waits the < 0.1 s left, not the read timeout: the budget is gone
        reached = proxy.reached()
        with pytest.raises(StoreUnavailable, match="budget"):
            store.get("k")
        assert proxy.reached() == reached
    finally:
        budget.clear()
    assert store.get("k") == "v"  # outside a request nothing limits the calls but the timeouts


# -- the app: requests that never touch the store are unaffected ------------------------------


def _settings(tmp_path: Path, sqlite_template: Path, keys_dir: Path, **overrides: Any) -> IdpSettings:
    db_file = tmp_path / "idp.sqlite3"
    shutil.copy(sqlite_template, db_file)
    return load_idp_settings(
        overrides={
            "database_url": f"sqlite:///{db_file}",
            "keys_dir": str(keys_dir),
            "var_dir": str(tmp_path / "var"),
            "secret_key": "test-secret-key-" + uuid.uuid4().hex,
            **TEST_HASH_SETTINGS,
            **overrides,
        },
        environ={},
    )


def _app(settings: IdpSettings, store: RedisStore) -> Flask:
    from idp.app import create_app

    application = create_app(settings, store=store)
    application.config["TESTING"] = True
    register(
        application,
        client_id=DEMO_CREDS[0],
        redirect_uris=[RP_REDIRECT],
        client_secret=DEMO_CREDS[1],
    )
    return application


def _bogus_code_exchange(client: Any) -> Any:
    data = {"grant_type": "authorization_code", "code": "no-such-code", "redirect_uri": RP_REDIRECT}
    return client.post("/token", data=data, auth=DEMO_CREDS)


@pytest.mark.redis
def test_with_the_store_frozen_discovery_answers_and_store_users_get_503_from_the_open_breaker(
    proxy: SlowTcpProxy, tmp_path: Path, sqlite_template: Path, keys_dir: Path
) -> None:
    clock = ManualClock()
    store = store_behind(proxy, read_timeout=0.2, breaker=CircuitBreaker(failures=1, cool_down=60, clock=clock))
    client = _app(_settings(tmp_path, sqlite_template, keys_dir), store).test_client()
    assert _bogus_code_exchange(client).status_code == 400  # the store answers: no such code

    proxy.freeze()
    assert _bogus_code_exchange(client).status_code == 503  # a read timeout: the breaker opens
    assert store.breaker.state is CircuitState.OPEN
    reached = proxy.reached()
    for _ in range(3):
        refused = _bogus_code_exchange(client)
        assert refused.status_code == 503
    for path in ("/.well-known/openid-configuration", "/jwks.json"):
        assert client.get(path).status_code == 200
    assert proxy.reached() == reached, "while the breaker is open no request reaches Redis"

    proxy.thaw()
    clock.advance(60)
    assert _bogus_code_exchange(client).status_code == 400  # recovered, without a restart
    assert store.breaker.state is CircuitState.CLOSED


@pytest.mark.redis
def test_a_slow_store_spends_one_requests_budget_and_answers_503(
    proxy: SlowTcpProxy, tmp_path: Path, sqlite_template: Path, keys_dir: Path
) -> None:
    store = store_behind(proxy, read_timeout=5)
    settings = _settings(tmp_path, sqlite_template, keys_dir, store_request_budget=0.3)
    client = _app(settings, store).test_client()
    _bogus_code_exchange(client)  # connect (and handshake) before counting
    page = client.get("/login")
    before = proxy.reached()
    data = {"csrf_token": csrf_token(page.text), "login": "+7 900 000-00-00", "password": "wrong-password"}
    assert client.post("/login", data=data).status_code == 401
    assert proxy.reached() - before >= 3, "the failed password should make several store calls"

    page = client.get("/login")
    proxy.delay = 0.2  # each call now takes at least 0.2 s: the second runs out of the 0.3 s budget
    before = proxy.reached()
    refused = client.post("/login", data=data)
    assert refused.status_code == 503
    assert refused.headers.get("Retry-After")
    assert proxy.reached() - before == 2, "the call after the spent budget must not reach Redis"
    assert store.breaker.state is CircuitState.CLOSED  # slow is not failing: only the budget refused
    assert client.get("/.well-known/openid-configuration").status_code == 200
    assert proxy.reached() - before == 2

    proxy.delay = 0
    page = client.get("/login")
    data["csrf_token"] = csrf_token(page.text)
    assert client.post("/login", data=data).status_code == 401  # the next request has its own budget


# -- Retry-After from the breaker, and calls capped by the budget left --------------------------


@pytest.mark.redis
def test_an_open_breaker_says_when_the_next_trial_is_due(proxy: SlowTcpProxy) -> None:
    clock = ManualClock()
    store = store_behind(proxy, read_timeout=0.2, breaker=CircuitBreaker(failures=1, cool_down=60, clock=clock))
    store.set("k", "v", ttl=60)
    proxy.freeze()
    with pytest.raises(StoreUnavailable) as tripped:
        store.get("k")
    assert tripped.value.retry_after == 60  # the call that opened the circuit: a whole cool-down
    clock.advance(15)
    with pytest.raises(StoreUnavailable, match="circuit open") as refused:
        store.get("k")
    assert refused.value.retry_after == 45
    clock.advance(44.5)
    with pytest.raises(StoreUnavailable) as refused:
        store.get("k")
    assert refused.value.retry_after == 1  # rounded up, never 0
    proxy.thaw()


@pytest.mark.redis
def test_the_503_of_an_open_breaker_has_the_cool_down_left_as_retry_after(
    proxy: SlowTcpProxy, tmp_path: Path, sqlite_template: Path, keys_dir: Path
) -> None:
    clock = ManualClock()
    store = store_behind(proxy, read_timeout=0.2, breaker=CircuitBreaker(failures=1, cool_down=60, clock=clock))
    client = _app(_settings(tmp_path, sqlite_template, keys_dir), store).test_client()
    assert _bogus_code_exchange(client).status_code == 400
    proxy.freeze()
    tripped = _bogus_code_exchange(client)
    assert (tripped.status_code, tripped.headers.get("Retry-After")) == (503, "60")
    clock.advance(15)
    refused = _bogus_code_exchange(client)
    assert (refused.status_code, refused.headers.get("Retry-After")) == (503, "45")
    assert refused.json is not None and refused.json["error"] == "temporarily_unavailable"
    page = client.get("/login")  # a page for people says the same
    assert (page.status_code, page.headers.get("Retry-After")) == (503, "45")
    proxy.thaw()


@pytest.mark.redis
def test_a_call_waits_at_most_the_budget_left_not_the_read_timeout(proxy: SlowTcpProxy) -> None:
    store = store_behind(proxy, read_timeout=5)
    store.set("k", "v", ttl=60)
    proxy.delay = 0.6  # slower than the budget, well within the read timeout
    budget.bind(budget.StoreBudget(0.2))
    try:
        before = proxy.reached()
        with pytest.raises(StoreUnavailable, match="budget"):
            store.get("k")  # uncapped it would wait the 0.6 s and answer "v"
        assert proxy.reached() - before == 1, "the call was sent; its reply came too late"
        with pytest.raises(StoreUnavailable, match="budget"):
            store.get("k")
        assert proxy.reached() - before == 1, "once the budget is spent nothing reaches Redis"
    finally:
        budget.clear()
    assert store.breaker.state is CircuitState.CLOSED  # slow within the read timeout is not failing
    proxy.delay = 0
    assert store.get("k") == "v"  # outside a request the read timeout alone bounds a call


@pytest.mark.redis
def test_a_pipelined_call_shares_one_deadline_across_its_replies(proxy: SlowTcpProxy) -> None:
    store = store_behind(proxy, read_timeout=5)
    store.incr("n", ttl=60)  # connected before the replies slow down
    proxy.delay = 0.3  # the two replies of INCR+EXPIRE may come in one chunk or two
    budget.bind(budget.StoreBudget(0.2))
    try:
        with pytest.raises(StoreUnavailable, match="budget"):
            store.incr("n", ttl=60)
    finally:
        budget.clear()
    assert store.breaker.state is CircuitState.CLOSED
