"""The UserInfo endpoint (OIDC Core §5.3): Authlib's ``UserInfoEndpoint`` behind a
``ResourceProtector`` with a Bearer and a DPoP token validator (RFC 6750, RFC 9449).

The access token comes in the ``Authorization`` header (``Bearer`` or ``DPoP``) or, as a
Bearer token, in a form-encoded POST body (RFC 6750 §2.2). A token in the URL has leaked and
is refused; a request presenting it more than one way is ``invalid_request`` (RFC 6750 §2).
Refusals are :mod:`idp.oidc.errors` with their ``WWW-Authenticate`` challenge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.resource_protector import ResourceProtector, TokenValidator
from authlib.oidc.core import UserInfo, UserInfoEndpoint

from idp.accounts.models import Person
from idp.oidc.claims import claims_for, requested_claims
from idp.oidc.dpop import DPoPError, DPoPVerifier
from idp.oidc.errors import InsufficientScope, InvalidRequest, InvalidToken
from idp.oidc.token_endpoints import TokenStatus
from idp.storage.db import db

USERINFO_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="gosid", DPoP algs="ES256 RS256 PS256"'}
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class PresentedToken:
    """The access token as sent; ``claims`` is ``None`` unless it is valid, unexpired and unrevoked."""

    raw: str
    claims: dict[str, Any] | None

    @property
    def scope(self) -> str:
        return str((self.claims or {}).get("scope", ""))

    @property
    def bound_jkt(self) -> str | None:
        """The thumbprint of the DPoP key the token is bound to (RFC 9449 §6), if any."""
        jkt = ((self.claims or {}).get("cnf") or {}).get("jkt")
        return str(jkt) if jkt else None

    def get_scope(self) -> str:
        return self.scope


def _mimetype(request: OAuth2Request) -> str:
    return str(request.headers.get("Content-Type", "")).partition(";")[0].strip().lower()


def _body_tokens(request: OAuth2Request) -> list[str]:
    """``access_token`` of a form-encoded POST body; other bodies carry none."""
    if request.method != "POST" or _mimetype(request) != FORM:
        return []
    return list(request.form.getlist("access_token"))


class AccessTokenProtector(ResourceProtector):
    """Finds the one access token of a request and the validator for its scheme."""

    def parse_request_authorization(self, request: OAuth2Request) -> tuple[TokenValidator, str]:
        if "access_token" in request.args:
            raise InvalidToken("an access token in the URL is not accepted", headers=USERINFO_CHALLENGE)
        scheme, _, value = str(request.headers.get("Authorization", "")).partition(" ")
        in_header = scheme.lower() in {"bearer", "dpop"} and value.strip()
        presented = ([(scheme.lower(), value.strip())] if in_header else []) + [
            ("bearer", token) for token in _body_tokens(request)
        ]
        if len(presented) > 1:
            raise InvalidRequest("send the access token one way only: the header or the body")
        if not presented:
            raise InvalidToken(
                "an access token in the Authorization header or a form-encoded POST body is required",
                headers=USERINFO_CHALLENGE,
            )
        token_type, token = presented[0]
        return self.get_token_validator(token_type), token


class _AccessTokenValidator(TokenValidator):
    SCHEME = "Bearer"

    def __init__(self, status: TokenStatus) -> None:
        super().__init__()
        self._status = status

    def authenticate_token(self, token_string: str) -> PresentedToken:
        return PresentedToken(raw=token_string, claims=self._status.active_access_claims(token_string))

    def validate_token(self, token: PresentedToken, scopes: list[str], request: OAuth2Request) -> None:
        if token.claims is None:
            raise InvalidToken(
                "the access token is invalid, expired or revoked",
                headers={"WWW-Authenticate": f'{self.SCHEME} error="invalid_token"'},
            )
        self.check_binding(token, request)
        if self.scope_insufficient(token.scope, scopes):
            raise InsufficientScope(
                "the token lacks the openid scope",
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="openid"'},
            )

    def check_binding(self, token: PresentedToken, request: OAuth2Request) -> None:
        """How the token is tied to its presenter under this scheme."""


class BearerValidator(_AccessTokenValidator):
    """A Bearer token must not be DPoP-bound: the proof of possession would be skipped."""

    TOKEN_TYPE = "bearer"  # noqa: S105 - an authorization scheme

    def check_binding(self, token: PresentedToken, request: OAuth2Request) -> None:
        if token.bound_jkt:
            raise InvalidToken(
                "a DPoP-bound token was presented as a Bearer token",
                headers={"WWW-Authenticate": 'DPoP error="invalid_token"'},
            )


class DPoPValidator(_AccessTokenValidator):
    """A DPoP token comes with a proof for this request, signed by the key it is bound to."""

    TOKEN_TYPE = "dpop"  # noqa: S105 - an authorization scheme
    SCHEME = "DPoP"

    def __init__(self, status: TokenStatus, *, dpop: DPoPVerifier, url: str) -> None:
        super().__init__(status)
        self._dpop, self._url = dpop, url

    def check_binding(self, token: PresentedToken, request: OAuth2Request) -> None:
        if not token.bound_jkt:
            raise InvalidToken("the token is not DPoP-bound; use the Bearer scheme")
        try:
            self._dpop.verify(
                request.headers.get("DPoP"),
                method=request.method,
                url=self._url,
                access_token=token.raw,
                expected_jkt=token.bound_jkt,
            )
        except DPoPError as exc:
            raise exc.at_resource() from exc


def access_token_protector(status: TokenStatus, *, dpop: DPoPVerifier, url: str) -> AccessTokenProtector:
    protector = AccessTokenProtector()
    protector.register_token_validator(BearerValidator(status))
    protector.register_token_validator(DPoPValidator(status, dpop=dpop, url=url))
    return protector


class GosidUserInfo(UserInfoEndpoint):
    """The claims of the token's scopes, plus those the ``claims`` parameter asked for (``ucl``)."""

    def __init__(self, *, resource_protector: AccessTokenProtector, issuer: str) -> None:
        super().__init__(resource_protector=resource_protector)
        self._protector, self._issuer = resource_protector, issuer

    def __call__(self, request: OAuth2Request) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        token: PresentedToken = self._protector.validate_request(["openid"], request)
        person = _subject(token)
        info = self.generate_user_info(person, token.scope)
        info.update(requested_claims(person, set((token.claims or {}).get("ucl") or [])))
        return 200, dict(info), [("Content-Type", "application/json")]  # no signed userinfo is advertised

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return UserInfo(claims_for(user, scope.split()))

    def get_issuer(self) -> str:
        return self._issuer


def _subject(token: PresentedToken) -> Person:
    sub = str((token.claims or {}).get("sub", ""))
    person = db.session.get(Person, int(sub)) if sub.isdigit() else None
    if person is None or person.disabled:
        raise InvalidToken("the subject no longer exists", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return person
