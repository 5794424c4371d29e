"""The per-request budget for short-lived store calls (``GOSID_STORE_REQUEST_BUDGET``).

Each request gets a fresh :class:`~idp.adapters.budget.StoreBudget` before any view or hook
touches the store; the Redis store charges its calls to it and answers ``StoreUnavailable``
(503) once it is spent. Requests that never call the store (discovery, JWKS) spend nothing.
"""

from __future__ import annotations

from flask import Flask

from idp.adapters import budget


def init_app(app: Flask, *, seconds: float) -> None:
    """Register right after the unit of work, before any hook that may use the store."""

    def _bind() -> None:
        budget.bind(budget.StoreBudget(seconds))

    def _clear(_exc: BaseException | None) -> None:
        budget.clear()

    app.before_request(_bind)
    app.teardown_request(_clear)
