"""A simulated issuer ACS for EMV 3-D Secure 2 (browser flow, ``messageCategory`` 02: non-payment).

Server to server: ``POST /3ds/areq`` (AReq JSON) answers an ARes. In the browser: the 3DS
Requestor posts ``creq`` (base64url JSON CReq) to ``/3ds/challenge``; the person enters the
bank's code; the ACS posts ``cres`` (base64url JSON CRes) to the requestor's notification URL.
Every final result carries ``signedResult``, a JWS (ES256) by the bank's key, so a browser in
the middle cannot turn a failure into a success. Dev mode only: the cards are test data.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, render_template, request
from joserfc import jws
from joserfc.jwk import ECKey

from simulators.acs.cards import BY_PAN, CARDS, CHALLENGE_CODE
from simulators.acs.keys import load_or_create

ECI = {"Y": "05", "A": "06", "N": "07", "U": "07", "R": "07"}


def b64u_json(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def from_b64u_json(text: str) -> dict[str, Any]:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    data: dict[str, Any] = json.loads(raw)
    return data


class Acs:
    def __init__(self, keys_dir: Path, *, timeout_delay: float = 10.0) -> None:
        self.key = ECKey.import_key(load_or_create(keys_dir))
        self.timeout_delay = timeout_delay
        self._transactions: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def sign(self, result: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {**result, "iss": "gosid-test-acs", "iat": now, "exp": now + 300}
        return jws.serialize_compact({"alg": "ES256", "typ": "3ds-result+jwt"}, json.dumps(claims), self.key)

    def result(self, areq: dict[str, Any], status: str, acs_trans_id: str, holder: str) -> dict[str, Any]:
        pan = str(areq.get("acctNumber", ""))
        body = {
            "threeDSServerTransID": areq.get("threeDSServerTransID"), "acsTransID": acs_trans_id,
            "messageCategory": areq.get("messageCategory"), "transStatus": status, "eci": ECI.get(status, "07"),
            "authenticationValue": base64.b64encode(uuid.uuid4().bytes).decode() if status in "YA" else None,
            "cardholderName": holder, "panLast4": pan[-4:], "bin": pan[:6],
        }  # fmt: skip
        return body

    def areq(self, areq: dict[str, Any]) -> dict[str, Any]:
        card = BY_PAN.get(str(areq.get("acctNumber", "")))
        acs_trans_id = str(uuid.uuid4())
        base = {"messageType": "ARes", "messageVersion": areq.get("messageVersion", "2.2.0"),
                "threeDSServerTransID": areq.get("threeDSServerTransID"), "acsTransID": acs_trans_id}  # fmt: skip
        if areq.get("messageCategory") != "02" or areq.get("deviceChannel") != "02":
            return {
                **base,
                "messageType": "Erro",
                "errorCode": "203",
                "errorDescription": "messageCategory 02, deviceChannel 02 only",
            }
        if card is None:
            return {**base, "transStatus": "N", "transStatusReason": "08",
                    "signedResult": self.sign(self.result(areq, "N", acs_trans_id, ""))}  # fmt: skip
        if card.outcome == "timeout":
            time.sleep(self.timeout_delay)
        if card.outcome.startswith("C-"):
            with self._lock:
                self._transactions[acs_trans_id] = {"areq": areq, "card": card.pan, "started": time.time()}
            return {**base, "transStatus": "C", "acsURL": request.host_url.rstrip("/") + "/3ds/challenge"}
        status = "U" if card.outcome == "timeout" else card.outcome
        return {
            **base,
            "transStatus": status,
            "signedResult": self.sign(self.result(areq, status, acs_trans_id, card.holder)),
        }

    def take(self, acs_trans_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._transactions.pop(acs_trans_id, None)

    def peek(self, acs_trans_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._transactions.get(acs_trans_id)


def create_app(keys_dir: Path | None = None, *, timeout_delay: float = 10.0) -> Flask:
    from gosid_config import REPO_ROOT

    app = Flask(__name__)
    acs = Acs(keys_dir or REPO_ROOT / "keys", timeout_delay=timeout_delay)
    app.extensions["acs"] = acs

    @app.get("/")
    def cards() -> str:
        return render_template("acs_cards.html", cards=CARDS, code=CHALLENGE_CODE)

    @app.post("/3ds/areq")
    def areq() -> Any:
        return jsonify(acs.areq(request.get_json(force=True, silent=True) or {}))

    @app.post("/3ds/challenge")
    def challenge() -> Any:
        try:
            creq = from_b64u_json(request.form.get("creq", ""))
        except (ValueError, json.JSONDecodeError):
            abort(400)
        found = acs.peek(str(creq.get("acsTransID")))
        if found is None or creq.get("messageType") != "CReq":
            abort(400)
        card = BY_PAN[found["card"]]
        return render_template("acs_challenge.html", creq=creq, card=card, code=CHALLENGE_CODE, error=False)

    @app.post("/3ds/challenge/answer")
    def answer() -> Any:
        acs_trans_id = request.form.get("acsTransID", "")
        found = acs.take(acs_trans_id)
        if found is None:
            abort(400)
        card, areq_ = BY_PAN[found["card"]], found["areq"]
        passed = card.outcome == "C-Y" and request.form.get("otp", "").strip() == CHALLENGE_CODE
        status = "Y" if passed and request.form.get("action") != "cancel" else "N"
        cres = {"threeDSServerTransID": areq_.get("threeDSServerTransID"), "acsTransID": acs_trans_id,
                "messageType": "CRes", "messageVersion": areq_.get("messageVersion", "2.2.0"),
                "transStatus": status, "challengeCompletionInd": "Y",
                "signedResult": acs.sign(acs.result(areq_, status, acs_trans_id, card.holder))}  # fmt: skip
        return render_template("acs_post.html", url=areq_.get("notificationURL", ""), cres=b64u_json(cres))

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
