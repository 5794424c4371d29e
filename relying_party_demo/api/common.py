"""What every API route needs: the caller behind the bearer token, and the JSON body."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from relying_party_demo.bearer import bearer_token
from relying_party_demo.errors import InvalidField
from relying_party_demo.guard import Caller, caller_for
from relying_party_demo.services import services

MAX_JSON_BYTES = 64 * 1024


def api_caller() -> Caller:
    """The caller of this request; :class:`NoToken`, :class:`InvalidToken` and friends otherwise."""
    rp = services()
    raw = bearer_token(request, realm=rp.settings.client_id)
    return caller_for(rp.access_tokens.verify(raw), raw)


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise InvalidField("body", "send the request body as application/json")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise InvalidField("body", f"must be at most {MAX_JSON_BYTES} bytes")
    try:
        return json.loads(request.get_data(as_text=True))
    except ValueError as exc:
        raise InvalidField("body", f"is not valid JSON ({exc})") from exc


def int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidField(name, "must be an integer") from None
