"""Diagnostics for refusals (dev mode): what the stand expected and what it received.

Each refusal is kept in the short-lived store for an hour under a random id, written to the
log, and shown at ``/esia/diagnostics/<id>`` (HTML, or JSON with ``.json``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request, url_for

from idp.esia.errors import EsiaError
from idp.esia.timestamps import BadTimestamp, parse_timestamp
from idp.security.hashes import new_token
from idp.services import services

TTL = 3600
SECRET_PARAMS = ("client_secret", "code", "refresh_token")


def _received() -> dict[str, str]:
    params = {**request.args.to_dict(), **request.form.to_dict()}
    shown = {}
    for name, value in params.items():
        if name in SECRET_PARAMS and value:
            shown[name] = f"<{len(value)} characters> {value[:12]}…"
        else:
            shown[name] = value
    return shown


def _clock(received: dict[str, str]) -> dict[str, Any]:
    """The timestamp skew of every refused request, not only of timestamp refusals."""
    found: dict[str, Any] = {"stand_time": datetime.now(UTC).strftime("%Y.%m.%d %H:%M:%S %z")}
    try:
        stamp = parse_timestamp(received.get("timestamp", ""), strict=False)
    except BadTimestamp:
        return found
    window = services().settings.esia_timestamp_window
    return {**found, "received": received["timestamp"], "skew_seconds": stamp.skew(), "window_seconds": window}


def record(error: EsiaError, *, endpoint: str, client_id: str | None) -> str | None:
    """Keep and log a report of ``error``; returns its id (``None`` outside dev mode)."""
    if not services().settings.dev_mode:
        return None
    diag_id = new_token(12)
    received = _received()
    report: dict[str, Any] = {
        "id": diag_id,
        "at": datetime.now(UTC).isoformat(),
        "endpoint": endpoint,
        "client_id": client_id,
        "error": error.error,
        "error_description": error.error_description,
        "strict_mode": services().settings.esia_strict,
        "received": received,
        "timestamp": _clock(received),
    }
    report.update(error.report)
    services().store.set(f"esia:diag:{diag_id}", json.dumps(report, default=str), ttl=TTL)
    current_app.logger.warning("ESIA refusal %s: %s", diag_id, json.dumps(report, default=str, ensure_ascii=False))
    return diag_id


def load(diag_id: str) -> dict[str, Any] | None:
    raw = services().store.get(f"esia:diag:{diag_id}")
    return json.loads(raw) if raw else None


def link(diag_id: str | None) -> str | None:
    return url_for("esia.diagnostics_page", diag_id=diag_id, _external=True) if diag_id else None
