"""What an attacker (or a client) sees: small helpers shared by the attack tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.support.flows import RP_REDIRECT, authorize_code
from tests.support.oidc_client import AuthRequest, csrf_token, query_of

ISSUER = "http://localhost:8000"
TOKEN_URL = f"{ISSUER}/token"
USERINFO_URL = f"{ISSUER}/userinfo"


def demo_request(**extra: str) -> AuthRequest:
    return AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra=dict(extra))


def error_redirect(resp: Any, redirect_uri: str) -> dict[str, str]:
    """The query of an error sent back to ``redirect_uri``; asserts it is an error, not a code."""
    assert resp.status_code in (302, 303), (resp.status_code, resp.text[:300])
    location = resp.headers["Location"]
    assert location.startswith(redirect_uri + "?"), location
    params = query_of(location)
    assert "code" not in params and "error" in params, params
    return params


def error_page(resp: Any) -> str:
    """An error shown on the IdP itself: 4xx, no redirect anywhere."""
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.headers.get("Location"))
    assert "Location" not in resp.headers
    return str(resp.text)


def json_error(resp: Any, status: int | tuple[int, ...] = 400) -> str:
    statuses = status if isinstance(status, tuple) else (status,)
    assert resp.status_code in statuses, (resp.status_code, resp.text[:300])
    body = resp.get_json()
    assert isinstance(body, dict) and "error" in body, resp.text[:300]
    return str(body["error"])


def code_for(client: Any, req: AuthRequest, persona: dict[str, Any]) -> str:
    """A code after the full front channel (password, SMS, consent)."""
    return authorize_code(client, req, persona)["code"]


def next_code(client: Any, req: AuthRequest) -> str:
    """Another code from an existing session (consent is asked once per client)."""
    resp = client.get("/authorize?" + req.query())
    if resp.status_code == 200:
        resp = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(resp.text), "decision": "allow"})
    assert resp.status_code in (302, 303), (resp.status_code, resp.text[:300])
    params = query_of(resp.headers["Location"])
    assert "code" in params, params
    return params["code"]


def browser_code(client: Any, req: AuthRequest, persona: dict[str, Any]) -> str:
    """A code: from the browser's session if it has one, else after signing ``persona`` in."""
    if client.get("/profile").status_code == 200:
        return next_code(client, req)
    return code_for(client, req, persona)


def code_exchange(req: AuthRequest, code: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": req.redirect_uri,
        "code_verifier": req.verifier,
        **extra,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expire_now(store: Any, prefix: str) -> int:
    """Let the lifetime of every store key starting with ``prefix`` run out now.

    The short-lived store's TTL is the only clock codes, request URIs and nonces have, so this
    is the same as waiting for it (without waiting). Returns how many keys it aged.
    """
    data = getattr(store, "_data", None)
    if data is not None:  # the embedded store: (value, expires_at) by key
        with store._lock:
            keys = [k for k in data if k.startswith(prefix)]
            for key in keys:
                data[key] = (data[key][0], store._clock() - 1)
        return len(keys)
    redis, full_prefix = store._redis, store._prefix + prefix
    keys = list(redis.scan_iter(full_prefix + "*"))
    for key in keys:
        redis.pexpireat(key, 1)  # an instant in the past: Redis drops the key now
    return len(keys)


def in_parallel(app: Any, count: int, request: Callable[[Any], Any]) -> list[tuple[int, dict[str, Any] | None]]:
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
