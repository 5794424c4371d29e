"""Losing the short-lived store, as a Redis restarted without persistence does."""

from __future__ import annotations

from flask import Flask

from idp.adapters.store import EmbeddedStore, RedisStore


def empty_the_store(app: Flask) -> None:
    """Every key the app had in its store is gone, as after a Redis restart without persistence."""
    store = app.extensions["gosid"].store
    if isinstance(store, RedisStore):
        store.flush_prefix()  # only this app's keys, in the tests' database 15
        assert not list(store._redis.scan_iter(store._prefix + "*"))
    else:
        assert isinstance(store, EmbeddedStore)
        with store._lock:
            store._data.clear()
