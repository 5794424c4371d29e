"""Pieces of diagnostics reports that several checks share."""

from __future__ import annotations

from typing import Any

from idp.crypto.certs import ClientCertificate


def certificates(received_hash: str | None, registered: list[ClientCertificate]) -> dict[str, Any]:
    return {
        "certificate": {
            "client_certificate_hash_received": received_hash,
            "registered": [c.describe() for c in registered],
            "accepted_forms": "hex GOST R 34.11-2012-256 of the certificate DER (documented); in lenient mode "
            "also its SHA-256 and the byte-reversed GOST hash",
        }
    }
