"""The directory of medical organizations, searchable by code and name."""

from __future__ import annotations

from typing import Any

from relying_party_demo.access.policy import Action
from relying_party_demo.errors import NotFound
from relying_party_demo.guard import Caller, authorize
from relying_party_demo.medical import records
from relying_party_demo.medical.representation import organization_json

MAX_QUERY = 100


def search(caller: Caller, query: str, *, region: str | None = None) -> dict[str, Any]:
    authorize(caller, Action.SEARCH_DIRECTORY)
    found = records.search_organizations(query[:MAX_QUERY], region=region or None)
    return {"organizations": [organization_json(o) for o in found]}


def organization(caller: Caller, oid: str) -> dict[str, Any]:
    authorize(caller, Action.SEARCH_DIRECTORY)
    found = records.organization_by_oid(oid)
    if found is None:
        raise NotFound(f"there is no organization {oid}")
    return organization_json(found)
