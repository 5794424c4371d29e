"""The issuer on every authorization response, success or error (RFC 9207)."""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri


def with_issuer(location: str, issuer: str) -> str:
    return add_params_to_uri(location, {"iss": issuer}) if "iss=" not in location else location
