"""The OpenAPI document and the API routes agree both ways."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.errors import BookingLimitReached, SlotInPast, SlotUnavailable
from relying_party_demo.testing import FakeIdp

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def app_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/openapi.json":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routes |= {(method, path) for method in (rule.methods or set()) & METHODS}
    return routes


def test_every_api_route_is_documented_and_every_documented_route_exists(client: FlaskClient, app: Flask) -> None:
    document = client.get("/api/openapi.json").get_json()
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert documented == app_routes(app)
    assert len(documented) >= 15


def test_document_is_openapi_3_1_with_the_idps_oauth_flow(client: FlaskClient, idp: FakeIdp) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200  # public, like a discovery document
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    flow = document["components"]["securitySchemes"]["gosid"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{idp.issuer}/authorize"
    assert set(flow["scopes"]) == {"medcard.rs", "medcard.cu"}
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            scopes = operation["security"][0]["gosid"]
            expected = ["medcard.cu"] if method in ("post", "delete") else ["medcard.rs"]
            assert scopes in (expected, []), (method, path)
            refs = re.findall(r'"#/components/schemas/(\w+)"', str(operation).replace("'", '"'))
            assert all(ref in schemas for ref in refs), (path, refs)
            assert {"401", "403"} <= set(operation["responses"])


def test_every_refusal_of_a_booking_is_documented_by_its_error_code(client: FlaskClient) -> None:
    booking = client.get("/api/openapi.json").get_json()["paths"]["/api/slots/{slot_id}/appointment"]["post"]
    conflict = booking["responses"]["409"]["description"]
    for error in (SlotUnavailable, SlotInPast, BookingLimitReached):
        assert f"`{error.error}`" in conflict, error
