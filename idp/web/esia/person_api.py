"""The ESIA person API (``/rs/prns``, ``/rs/orgs``): Bearer access tokens of this stand,
only the subject's own data, only what the token's scopes allow, in ESIA's JSON shapes.
Refusals are raised (``responses.render_refusal`` answers them, with RFC 6750's challenge)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from idp.accounts.models import Person
from idp.accounts.regions import load_regions
from idp.esia import person_data as pd
from idp.esia.errors import InsufficientScope, InvalidToken, NotFound
from idp.esia.scopes import granted_for
from idp.esia.tokens import verify_access_token
from idp.services import services
from idp.storage.db import db
from idp.web.esia.blueprints import api

PERSON_SCOPES = {"fullname", "birthdate", "gender", "snils", "inn", "id_doc", "birthplace", "medical_doc"}
Elements = Callable[[Person, set[str]], list[dict[str, Any]]]
# path → (embed name, scopes that open it (empty: any token of the subject), elements)
COLLECTIONS: dict[str, tuple[str, set[str], Elements]] = {
    "ctts": ("contacts", {"email", "mobile", "contacts"}, pd.contacts),
    "addrs": ("addresses", {"addresses"}, lambda p, s: pd.addresses(p, s, _region_name(p.region_code))),
    "docs": ("documents", {"id_doc", "medical_doc"}, pd.documents),
    "kids": ("kids", set(), lambda p, s: []),
    "vhls": ("vehicles", set(), lambda p, s: []),
    "orgs": ("organizations", {"usr_org"}, pd.organizations),
}


@lru_cache(maxsize=4)
def _regions(path: Path) -> Any:
    return load_regions(path)


def _region_name(code: str | None) -> str | None:
    region = _regions(services().settings.regions_file).find_region(code) if code else None
    return region.name if region else None


def _bearer_claims() -> dict[str, Any]:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        raise InvalidToken("a Bearer access token is required")
    return verify_access_token(auth[7:].strip(), keys=services().esia.keys, issuer=services().settings.esia_issuer)


def _subject(oid: int, needed: set[str]) -> tuple[Person, set[str]]:
    claims = _bearer_claims()
    if claims["urn:esia:sbj_id"] != oid:
        raise InsufficientScope("the token was issued for another person")
    person = db.session.get(Person, oid)
    if person is None or person.disabled:
        raise InvalidToken("the person no longer exists")
    granted = granted_for(str(claims.get("scope", "")), oid)
    if needed and not needed & granted:
        raise InsufficientScope(f"one of these scopes is needed: {' '.join(sorted(needed))}")
    return person, granted


def _embeds() -> set[str]:
    raw = request.args.get("embed", "").strip()
    return {part.strip() for part in raw.strip("()").split(",") if part.strip()}


def _collection(oid: int, path: str, person: Person, granted: set[str], *, embed: bool) -> dict[str, Any]:
    _, _, elements = COLLECTIONS[path]
    items = elements(person, granted)
    if path == "orgs":
        base = request.url_root.rstrip("/") + "/rs/orgs"
        return pd.collection(
            [{**o, "id": o["oid"]} for o in items] if not embed else items, base_url=None if embed else base
        )
    base = f"{request.url_root.rstrip('/')}/rs/prns/{oid}/{path}"
    return pd.collection(items, base_url=None if embed else base)


@api.get("/rs/prns/<int:oid>")
def person(oid: int) -> ResponseReturnValue:
    found, granted = _subject(oid, PERSON_SCOPES)
    data = pd.person_object(found, granted)
    embeds = _embeds()
    for path, (name, needed, _) in COLLECTIONS.items():
        wanted = {name, f"{name}.elements"} & embeds
        if wanted and (not needed or needed & granted):
            data[name] = _collection(oid, path, found, granted, embed=f"{name}.elements" in wanted)
    return jsonify(data)


@api.get("/rs/prns/<int:oid>/<path>")
def person_collection(oid: int, path: str) -> ResponseReturnValue:
    if path == "roles":
        return _roles(oid)
    if path not in COLLECTIONS:
        raise NotFound(f"/rs/prns/{oid}/{path}")
    found, granted = _subject(oid, COLLECTIONS[path][1])
    return jsonify(_collection(oid, path, found, granted, embed="elements" in _embeds()))


@api.get("/rs/prns/<int:oid>/<path>/<int:item>")
def person_element(oid: int, path: str, item: int) -> ResponseReturnValue:
    if path not in COLLECTIONS:
        raise NotFound(f"/rs/prns/{oid}/{path}")
    found, granted = _subject(oid, COLLECTIONS[path][1])
    for element in COLLECTIONS[path][2](found, granted):
        if element.get("id", element.get("oid")) == item:
            return jsonify(element)
    raise NotFound(f"/rs/prns/{oid}/{path}/{item}")


def _roles(oid: int) -> ResponseReturnValue:
    found, granted = _subject(oid, {"usr_org"})
    return jsonify(pd.collection(pd.organizations(found, granted), base_url=None))


@api.get("/rs/orgs/<int:org>")
def organization(org: int) -> ResponseReturnValue:
    found, granted = _subject(_bearer_claims()["urn:esia:sbj_id"], {"usr_org"})
    for item in pd.organizations(found, granted):
        if item["oid"] == org:
            return jsonify({k: v for k, v in item.items() if k not in ("prnOid", "chief", "admin")})
    raise NotFound(f"/rs/orgs/{org}")
