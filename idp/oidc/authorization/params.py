"""Reading the authorization request's OIDC parameters: prompt, max_age, acr_values, claims."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from idp.authn.assurance import ACR_VALUES

PROMPTS = {"none", "login", "consent", "select_account"}


class InvalidParameter(ValueError):
    """A malformed OIDC parameter; the message goes into ``error_description``."""


@dataclass(frozen=True)
class OidcParams:
    prompts: frozenset[str]
    max_age: int | None
    acr_values: tuple[str, ...]
    essential_acr: tuple[str, ...]
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    login_hint: str | None = None
    id_token_hint: str | None = None
    response_mode: str = "query"


def _prompts(raw: str | None) -> frozenset[str]:
    prompts = frozenset((raw or "").split())
    unknown = prompts - PROMPTS
    if unknown:
        raise InvalidParameter(f"unsupported prompt value {sorted(unknown)[0]!r}")
    if "none" in prompts and len(prompts) > 1:
        raise InvalidParameter("prompt=none cannot be combined with other values")
    return prompts


def _max_age(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise InvalidParameter("max_age must be a non-negative integer")
    return int(raw)


def _claims(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise InvalidParameter("claims must be a JSON object") from None
    if not isinstance(parsed, dict) or any(not isinstance(parsed.get(k, {}), dict) for k in ("id_token", "userinfo")):
        raise InvalidParameter("claims must be a JSON object with id_token and userinfo members")
    return parsed


def _essential_acr(claims: dict[str, Any]) -> tuple[str, ...]:
    acr = (claims.get("id_token") or {}).get("acr")
    if not isinstance(acr, dict) or not acr.get("essential"):
        return ()
    values = acr.get("values") or ([acr["value"]] if acr.get("value") else list(ACR_VALUES))
    return tuple(str(v) for v in values)


def parse_oidc_params(values: MultiDict[str, str]) -> OidcParams:
    repeated = sorted(k for k in values if len(values.getlist(k)) > 1)
    if repeated:
        raise InvalidParameter(f"parameter {repeated[0]!r} is repeated")
    claims = _claims(values.get("claims"))
    mode = values.get("response_mode") or "query"
    if mode not in {"query", "form_post"}:
        raise InvalidParameter("response_mode must be query or form_post")
    return OidcParams(
        prompts=_prompts(values.get("prompt")),
        max_age=_max_age(values.get("max_age")),
        acr_values=tuple((values.get("acr_values") or "").split()),
        essential_acr=_essential_acr(claims),
        id_token_claims=dict(claims.get("id_token") or {}),
        userinfo_claims=dict(claims.get("userinfo") or {}),
        login_hint=values.get("login_hint"),
        id_token_hint=values.get("id_token_hint"),
        response_mode=mode,
    )
