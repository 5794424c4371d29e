"""``/dev/outbox``: every SMS and e-mail the IdP sent, newest first (dev mode only)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from sqlalchemy import select

from idp.outbox.models import OutboxMessage
from idp.storage.db import db

bp = Blueprint("dev_outbox", __name__)


def _messages(recipient: str | None, limit: int = 200) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(query))


@bp.get("/dev/outbox")
def outbox() -> Response | str:
    recipient = request.args.get("to")
    wanted = (recipient or "").strip()
    if wanted.isdigit() and len(wanted) == 11:
        wanted = "+" + wanted  # an unencoded "+" in the query arrives as a space
    messages = _messages(wanted or None)
    if recipient is not None or request.args.get("format") == "json":
        return jsonify(
            [
                {
                    "id": m.id,
                    "channel": m.channel,
                    "to": m.recipient,
                    "subject": m.subject,
                    "body": m.body,
                    "created_at": m.created_at.isoformat(),
                }
                for m in messages
            ]
        )
    return render_template("outbox.html", messages=messages)
