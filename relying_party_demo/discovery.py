"""The IdP's OpenID Connect discovery document, fetched over HTTP and cached in-process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relying_party_demo.errors import IdpUnavailable, IssuerMismatch
from relying_party_demo.idp_http import get_json_object

REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    iss_parameter_supported: bool
    introspection_endpoint: str | None = None
    # None when the IdP does not say; then any level may be asked for.
    acr_values_supported: tuple[str, ...] | None = None

    @classmethod
    def from_document(cls, data: dict[str, Any], *, expected_issuer: str) -> ProviderMetadata:
        """Validate a discovery document (OIDC Discovery §4.3: issuer must match exactly)."""
        issuer = data.get("issuer")
        if issuer != expected_issuer:
            raise IssuerMismatch(f"discovery reports issuer {issuer!r}, but GOSID_RP_IDP_URL gives {expected_issuer!r}")
        for name in REQUIRED_ENDPOINTS:
            if not isinstance(data.get(name), str):
                raise IdpUnavailable(f"discovery document has no {name}")
        return cls(
            issuer=issuer,
            authorization_endpoint=data["authorization_endpoint"],
            token_endpoint=data["token_endpoint"],
            jwks_uri=data["jwks_uri"],
            userinfo_endpoint=_optional_str(data, "userinfo_endpoint"),
            end_session_endpoint=_optional_str(data, "end_session_endpoint"),
            iss_parameter_supported=data.get("authorization_response_iss_parameter_supported") is True,
            introspection_endpoint=_optional_str(data, "introspection_endpoint"),
            acr_values_supported=_optional_strings(data, "acr_values_supported"),
        )


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) and value else None


def _optional_strings(data: dict[str, Any], name: str) -> tuple[str, ...] | None:
    value = data.get(name)
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, str))


class IdpDiscovery:
    """Fetches ``{issuer}/.well-known/openid-configuration`` lazily; the IdP may start later."""

    def __init__(
        self,
        *,
        issuer: str,
        timeout: float,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.url = f"{issuer}/.well-known/openid-configuration"
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, ProviderMetadata] | None = None

    def metadata(self) -> ProviderMetadata:
        """The current metadata; raises :class:`IdpUnavailable` or :class:`IssuerMismatch`."""
        with self._lock:
            now = self._clock()
            if self._cached and now - self._cached[0] < self._cache_seconds:
                return self._cached[1]
            document = get_json_object(self.url, timeout=self._timeout)
            metadata = ProviderMetadata.from_document(document, expected_issuer=self.issuer)
            self._cached = (now, metadata)
            return metadata
