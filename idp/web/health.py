"""Health checks for load balancers and orchestrators.

- ``GET /healthz`` (liveness): the process answers; no dependency is touched, so a database or
  Redis outage never makes a balancer kill healthy workers.
- ``GET /readyz`` (readiness): one round trip to the database and one to the short-lived store;
  200 when both answer, else 503 with ``Retry-After`` and which one failed, so a balancer stops
  sending traffic to an instance that cannot serve it and resumes when it can.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from idp.adapters.store import StoreUnavailable
from idp.errors import RETRY_AFTER_SECONDS
from idp.services import services
from idp.storage.db import db

bp = Blueprint("health", __name__)


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/healthz")
def live() -> Response:
    return _no_store(jsonify(status="ok"))


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "unavailable"
    return "ok"


def _store() -> str:
    try:
        services().store.get("health:probe")
    except StoreUnavailable:
        return "unavailable"
    return "ok"


@bp.get("/readyz")
def ready() -> Response:
    checks = {"database": _database(), "store": _store()}
    if all(state == "ok" for state in checks.values()):
        return _no_store(jsonify(status="ready", **checks))
    resp = _no_store(jsonify(status="unavailable", **checks))
    resp.status_code = 503
    resp.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return resp
