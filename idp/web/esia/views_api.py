"""Machine-facing ESIA endpoints: the token endpoint (v1 and v3), the stand's signing
certificates (like ESIA's published ones) and diagnostics as JSON."""

from __future__ import annotations

import base64
import io
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Response, abort, jsonify, request
from flask.typing import ResponseReturnValue

from idp.crypto.certs import to_der
from idp.esia import token_exchange
from idp.esia.stand_keys import StandKey
from idp.services import services
from idp.web.esia import diagnostics, responses
from idp.web.esia.blueprints import api


@api.post("/aas/oauth2/te")
def token_v1() -> ResponseReturnValue:
    return _token("te/v1")


@api.post("/aas/oauth2/v3/te")
def token_v3() -> ResponseReturnValue:
    return _token("te/v3")


def _token(endpoint: str) -> ResponseReturnValue:
    responses.reply_to(endpoint, client_id=request.form.get("client_id"), state=request.form.get("state"))
    deps = services().esia_deps()
    return responses.token_response(token_exchange.exchange(deps, request.form, endpoint=endpoint))


@api.get("/esia/diagnostics/<diag_id>.json")
def diagnostics_json(diag_id: str) -> ResponseReturnValue:
    report = diagnostics.load(diag_id) if services().settings.dev_mode else None
    if report is None:
        abort(404)
    return jsonify(report)


def _pem(key: StandKey) -> bytes:
    return b"-----BEGIN CERTIFICATE-----\n" + _wrap(key.cert_der) + b"-----END CERTIFICATE-----\n"


def _wrap(der: bytes) -> bytes:
    text = base64.b64encode(der)
    return b"".join(text[i : i + 64] + b"\n" for i in range(0, len(text), 64))


def _public_pem(key: StandKey) -> bytes:
    if key.alg == "RS256":
        public = x509.load_der_x509_certificate(to_der(key.cert_der)).public_key()
        return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    spki = key.certificate.spki_der
    return b"-----BEGIN PUBLIC KEY-----\n" + _wrap(spki) + b"-----END PUBLIC KEY-----\n"


@api.get("/esia/certs")
def certificates() -> ResponseReturnValue:
    base = request.url_root.rstrip("/")
    listing = []
    for key in services().esia.keys.all():
        entry = {"id": key.id, "alg": key.alg, "status": key.status, **key.certificate.describe()}
        entry["valid_until"] = key.valid_until.isoformat() if key.valid_until else None
        entry["downloads"] = [f"{base}/esia/certs/{key.id}.{ext}" for ext in ("cer", "pem", "pub.pem")]
        listing.append(entry)
    return jsonify({"certificates": listing, "issuer": services().settings.esia_issuer})


@api.get("/esia/certs/<filename>")
def certificate_file(filename: str) -> ResponseReturnValue:
    ext = next((e for e in ("pub.pem", "cer", "pem") if filename.endswith("." + e)), "")
    name = filename[: -len(ext) - 1] if ext else filename
    keys = services().esia.keys
    key = keys.find(name)
    if key is None and name in ("RS256", "GOST3410_2012_256"):
        key = keys.active(name)
    if key is None or not ext:
        abort(404)
    body = {"cer": key.cert_der, "pem": _pem(key), "pub.pem": _public_pem(key)}[ext]
    mime = "application/pkix-cert" if ext == "cer" else "application/x-pem-file"
    resp = Response(body, mimetype=mime)
    resp.headers["Content-Disposition"] = f'attachment; filename="{key.id}.{ext}"'
    return resp


@api.get("/public/esia.zip")
def certificates_zip() -> ResponseReturnValue:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key in services().esia.keys.all():
            archive.writestr(f"{key.id}.cer", key.cert_der)
    return Response(buffer.getvalue(), mimetype="application/zip")
