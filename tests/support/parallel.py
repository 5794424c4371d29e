"""Requests released together from several threads, as separate attackers would send them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def in_parallel(
    app: Flask, count: int, request: Callable[[FlaskClient], TestResponse]
) -> list[tuple[int, dict[str, Any] | None]]:
    """Run ``request(test_client)`` in ``count`` threads released together; (status, JSON) each.

    Each thread has its own test client (its own cookies), as separate attackers would.
    """
    barrier = threading.Barrier(count)
    results: list[tuple[int, dict[str, Any] | None]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        web = app.test_client()
        try:
            barrier.wait(timeout=10)
            resp = request(web)
            outcome = (resp.status_code, resp.get_json(silent=True))
        except BaseException as exc:
            with lock:
                failures.append(exc)
            return
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, f"a request raised instead of answering: {failures[0]!r}"
    assert len(results) == count
    return results
