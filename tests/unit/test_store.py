"""One behaviour suite for both short-lived stores (embedded and Redis)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from idp.adapters.store import EmbeddedStore, RedisStore, ShortLivedStore, StoreUnavailable, open_store
from tests.support.backends import REDIS_URL, backend_param, redis_available, require


@pytest.fixture(params=[backend_param("embedded"), backend_param("redis")])
def store(request: pytest.FixtureRequest) -> Iterator[ShortLivedStore]:
    if request.param == "embedded":
        yield EmbeddedStore()
        return
    require(redis_available(), "Redis at 127.0.0.1:6379")
    redis_store = RedisStore(REDIS_URL, prefix=f"unit:{uuid.uuid4().hex}:")
    yield redis_store
    redis_store.flush_prefix()


def test_set_get_and_expiry(store: ShortLivedStore) -> None:
    store.set("k", "v", ttl=1)
    assert store.get("k") == "v"
    time.sleep(1.3)
    assert store.get("k") is None


def test_consume_returns_once(store: ShortLivedStore) -> None:
    store.set("code", "data", ttl=60)
    assert store.consume("code") == "data"
    assert store.consume("code") is None
    assert store.get("code") is None


def test_parallel_consume_has_exactly_one_winner(store: ShortLivedStore) -> None:
    store.set("one-time", "secret", ttl=60)
    barrier = threading.Barrier(20)

    def take() -> str | None:
        barrier.wait()
        return store.consume("one-time")

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: take(), range(20)))
    assert results.count("secret") == 1 and results.count(None) == 19


def test_add_only_when_absent(store: ShortLivedStore) -> None:
    assert store.add("lock", "a", ttl=60) is True
    assert store.add("lock", "b", ttl=60) is False
    assert store.get("lock") == "a"


def test_counters_are_atomic_and_expire(store: ShortLivedStore) -> None:
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda _: store.incr("n", ttl=1), range(50)))
    assert store.get("n") == "50"
    ttl = store.ttl("n")
    assert ttl is not None and ttl <= 1
    time.sleep(1.3)
    assert store.incr("n", ttl=60) == 1


def test_delete(store: ShortLivedStore) -> None:
    store.set("k", "v", ttl=60)
    store.delete("k")
    assert store.get("k") is None and store.ttl("k") is None


def test_unreachable_redis_fails_closed() -> None:
    dead = RedisStore("redis://127.0.0.1:1/0")
    with pytest.raises(StoreUnavailable):
        dead.get("anything")
    with pytest.raises(StoreUnavailable):
        dead.consume("anything")


def test_open_store_refuses_unknown_schemes() -> None:
    assert isinstance(open_store("memory://"), EmbeddedStore)
    with pytest.raises(ValueError, match="GOSID_STORE_URL"):
        open_store("memcached://x")
