"""What every API route needs: the caller behind the bearer token, and the JSON body."""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any

from flask import request

from relying_party_demo import dpop
from relying_party_demo.bearer import presented_token
from relying_party_demo.errors import InvalidDpopProof, InvalidField, InvalidToken
from relying_party_demo.guard import Caller, caller_for
from relying_party_demo.ids import MAX_ID, parse_id
from relying_party_demo.inputs import refuse_nul_in_json
from relying_party_demo.services import services
from relying_party_demo.tokens import AccessToken

MAX_JSON_BYTES = 64 * 1024


def api_caller() -> Caller:
    """The caller of this request; :class:`NoToken`, :class:`InvalidToken` and friends otherwise.

    A DPoP-bound token is accepted only with the DPoP scheme and a valid proof of its key; an
    unbound token only with the Bearer scheme (RFC 9449 §7.1)."""
    rp = services()
    presented = presented_token(request, realm=rp.settings.client_id)
    token = rp.access_tokens.verify(presented.token)
    if presented.scheme == "bearer" and token.dpop_jkt is not None:
        raise InvalidToken("the token is bound to a DPoP key: present it with the DPoP scheme and a proof")
    if presented.scheme == "dpop":
        _check_possession(
            token, presented.token, presented.proof or "", base_url=rp.settings.base_url, now=rp.token_clock.now()
        )
    return caller_for(token, presented.token)


def _check_possession(token: AccessToken, raw: str, proof_text: str, *, base_url: str, now: datetime) -> None:
    if token.dpop_jkt is None:
        raise InvalidToken("the token is not bound to a DPoP key: present it with the Bearer scheme")
    url = base_url.rstrip("/") + request.path  # the public URL the client called
    proof = dpop.verify_proof(proof_text, method=request.method, url=url, access_token=raw, now=now.timestamp())
    if not hmac.compare_digest(proof.jkt, token.dpop_jkt):
        raise InvalidDpopProof("the proof is signed with another key than the one the token is bound to")
    dpop.remember_once(proof, now=now)


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise InvalidField("body", "send the request body as application/json")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise InvalidField("body", f"must be at most {MAX_JSON_BYTES} bytes")
    try:
        body = json.loads(request.get_data(as_text=True))
    except (ValueError, RecursionError) as exc:
        raise InvalidField("body", f"is not valid JSON ({exc})") from exc
    refuse_nul_in_json(body)
    return body


def int_arg(name: str) -> int | None:
    """A whole-number query parameter (an id, a count) that fits the schema's integers."""
    value = request.args.get(name)
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise InvalidField(name, f"must be a whole number from 0 to {MAX_ID}")
    return number
