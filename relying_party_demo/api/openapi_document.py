"""The OpenAPI 3.1 description of the API, written by hand (a test checks that it and the routes
agree both ways). The IdP's URLs are filled in from the settings."""

from __future__ import annotations

from typing import Any

from relying_party_demo.access.policy import Identity, Reason

READ, EDIT = "medcard.rs", "medcard.cu"
REASONS = [r.value for r in Reason]
JSON = "application/json"

ERROR_RESPONSES = {
    "400": "Malformed request; `field` names the first bad field",
    "401": "No token, an invalid or expired token, or (`insufficient_user_authentication`) a login too weak "
    "for this change: step up with `acr_values`",
    "403": "Refused by the policy: `reason`, `region`, `what_to_do`, `support_contact`; "
    "`insufficient_scope` names the missing `scope`; `identity_not_verified`: the IdP has not confirmed the "
    "caller's SNILS (a medical record is linked only by a confirmed SNILS); `snils_changed`: the IdP gives "
    "another confirmed SNILS than the linked one, which the person must confirm on the “First login” page",
    "404": "No such object",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def _s(kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"type": kind, **extra}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or JSON ``null`` (OpenAPI 3.1: a list of types)."""
    return {**schema, "type": [schema["type"], "null"]}


def _list_of(key: str, schema: str) -> dict[str, Any]:
    return _obj([key], **{key: {"type": "array", "items": _ref(schema)}})


def _param(name: str, where: str = "path", kind: str = "integer", description: str = "") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": _s(kind), "description": description}


def _op(
    summary: str,
    tag: str,
    scope: str | None,
    result: dict[str, Any],
    *,
    status: str = "200",
    params: tuple[dict[str, Any], ...] = (),
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {status: {"description": "OK", "content": {JSON: {"schema": result}}}}
    for code, text in {**ERROR_RESPONSES, **(extra or {})}.items():
        responses[code] = {"description": text, "content": {JSON: {"schema": _ref("Error")}}}
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "security": [{"gosid": [scope] if scope else []}],
        "parameters": list(params),
        "responses": responses,
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": _ref(body)}}}
    return operation


CONFLICT = {"409": "The slot or appointment is no longer in the needed state"}
BOOKING_CONFLICT = {
    "409": "Not booked: `slot_unavailable`, the slot is taken or withdrawn; `slot_in_past`, its time has come; "
    "`booking_limit_reached`, the patient already has as many upcoming appointments in the slot's "
    "organization as the service allows (`upcoming_appointment_limit`, 3 by default; `error_description` "
    "gives the number)"
}


def _paths() -> dict[str, Any]:
    return {**_people_paths(), **_card_paths(), **_appointment_paths()}


def _people_paths() -> dict[str, Any]:
    return {
        "/api/me": {"get": _op(
            "Who the service takes the caller for; pending regional steps", "people", None, _ref("Me")
        )},
        "/api/inbox": {"get": _op(
            "The caller's notifications, newest first", "people", READ, _list_of("notifications", "Notification")
        )},
        "/api/organizations": {"get": _op(
            "Search the directory of medical organizations by code (prefix) or name (any part, any case)",
            "directory", READ, _list_of("organizations", "Organization"),
            params=(_param("q", "query", "string"), _param("region", "query", "string")),
        )},
        "/api/organizations/{oid}": {"get": _op(
            "One organization by its FRMO OID", "directory", READ, _ref("Organization"),
            params=(_param("oid", kind="string"),),
        )},
    }  # fmt: skip


def _card_paths() -> dict[str, Any]:
    card = _param("card_id")
    return {
        "/api/patients": {"get": _op(
            "A doctor's patients (their organization's), or the patient's own record", "cards", READ,
            _list_of("patients", "Patient"),
        )},
        "/api/cards/{card_id}": {"get": _op(
            "A medical card: the patient, entries and documents", "cards", READ, _ref("Card"), params=(card,)
        )},
        "/api/cards/{card_id}/entries": {"post": _op(
            "A doctor adds an entry to a card of their organization (needs the edit acr)", "cards", EDIT,
            _ref("Entry"), status="201", params=(card,), body="EntryInput",
        )},
        "/api/cards/{card_id}/changes": {"get": _op(
            "Who changed what in the card and the patient's appointments", "cards", READ,
            _list_of("changes", "Change"), params=(card,),
        )},
    }  # fmt: skip


def _appointment_paths() -> dict[str, Any]:
    slot, appt = _param("slot_id"), _param("appointment_id")
    conflict = CONFLICT
    return {
        "/api/schedules": {
            "get": _op(
                "Schedules with their upcoming slots (a slot whose time has come is never listed, nor a day "
                "with none left)", "appointments", READ, _list_of("schedules", "Schedule"),
                params=(
                    _param("organization", "query", "string", "organization OID"),
                    _param("doctor", "query", "integer", "doctor id"),
                    _param("from", "query", "string", "first day, YYYY-MM-DD (default: today in the "
                           "organization's time zone)"),
                    _param("days", "query", "integer", "how many days (1-31, default 7)"),
                ),
            ),
            "post": _op(
                "A registrar adds a day of a doctor's schedule, cut into slots", "appointments", EDIT,
                _ref("Schedule"), status="201", body="ScheduleInput",
                extra={"409": "In the past, or overlapping another schedule of the doctor"},
            ),
        },
        "/api/slots/{slot_id}": {"delete": _op(
            "A registrar withdraws a free slot", "appointments", EDIT, _ref("Slot"), params=(slot,), extra=conflict
        )},
        "/api/slots/{slot_id}/appointment": {"post": _op(
            "A patient books a free upcoming slot (never twice, nor past the limit of upcoming appointments, "
            "even under concurrency)", "appointments", EDIT,
            _ref("Appointment"), status="201", params=(slot,), extra=BOOKING_CONFLICT,
        )},
        "/api/appointments": {"get": _op(
            "The caller's appointments: as patient, as doctor, as registrar", "appointments", READ,
            _list_of("appointments", "Appointment"),
        )},
        "/api/appointments/{appointment_id}": {"get": _op(
            "One appointment", "appointments", READ, _ref("Appointment"), params=(appt,)
        )},
        "/api/appointments/{appointment_id}/cancellation": {"post": _op(
            "The patient or a registrar cancels a booked appointment", "appointments", EDIT, _ref("Appointment"),
            params=(appt,), extra=conflict,
        )},
        "/api/appointments/{appointment_id}/attendance": {"post": _op(
            "The appointment's doctor marks it attended or missed", "appointments", EDIT, _ref("Appointment"),
            params=(appt,), body="AttendanceInput", extra=conflict,
        )},
    }  # fmt: skip


NAME_REF = _obj(None, oid=_s(), name=_s())


def _schemas() -> dict[str, Any]:
    return {**_people_schemas(), **_card_schemas(), **_appointment_schemas()}


def _people_schemas() -> dict[str, Any]:
    name_ref = NAME_REF
    return {
        "Error": _obj(
            ["error"], error=_s(), error_description=_s(), field=_s(), scope=_s(), reason=_s(enum=REASONS),
            region=_s(),
            what_to_do=_s(), support_contact=_s(), acr_values=_s(),
        ),
        "Me": _obj(
            ["sub", "roles"], sub=_s(), roles={"type": "array", "items": _s()}, region=_nullable(_s()),
            acr=_nullable(_s()), amr={"type": "array", "items": _s()}, scopes={"type": "array", "items": _s()},
            organization=_nullable(name_ref), regional_doctor_certificate=_s("boolean"),
            card_id=_nullable(_s("integer", description="the caller's own card, null without one")),
            doctor_id=_nullable(_s("integer", description="null unless the caller is a doctor of the directory")),
            pending_requirements={"type": "array", "items": _s()}, region_problem=_nullable(_s(enum=[*REASONS, None])),
            identity=_s(enum=[i.value for i in Identity]),
        ),
        "Notification": _obj(
            ["id", "kind", "text"], id=_s("integer"), kind=_s(), text=_s(), params=_obj(),
            created_at=_s(format="date-time"),
        ),
        "Change": _obj(
            ["id", "at", "actor_sub", "action"], id=_s("integer"), at=_s(format="date-time"), actor_sub=_s(),
            actor_role=_nullable(_s()), action=_s(), object_type=_s(), object_id=_nullable(_s("integer")),
            details=_obj(), token_jti=_nullable(_s()),
        ),
    }  # fmt: skip


def _card_schemas() -> dict[str, Any]:
    name_ref = NAME_REF
    return {
        "Organization": _obj(
            ["oid", "code", "name"], oid=_s(), code=_s(), name=_s(), region=_s(), address=_s(), timezone=_s()
        ),
        "Patient": _obj(
            ["card_id", "name"], card_id=_s("integer"), name=_s(), birth_date=_s(format="date"), snils=_s(),
            oms_policy=_nullable(_s()), region=_s(), organization=name_ref,
        ),
        "Card": {"allOf": [_ref("Patient"), _obj(
            ["entries", "documents"], entries={"type": "array", "items": _ref("Entry")},
            documents={"type": "array", "items": _ref("Document")},
        )]},
        "Entry": _obj(
            ["id", "kind", "text"], id=_s("integer"), kind=_s(), occurred_on=_s(format="date"),
            icd10=_nullable(_s(description="ICD-10 code of a diagnosis, null for other kinds")),
            text=_s(), details=_obj(), doctor=_nullable(_s()), author_sub=_s(), created_at=_s(format="date-time"),
            token_jti=_nullable(_s(description="the access token that made the entry, null for seeded data")),
        ),
        "EntryInput": _obj(
            ["kind", "text"],
            kind=_s(enum=["visit", "diagnosis", "test_result", "procedure", "prescription", "note"]),
            icd10=_s(description="ICD-10 code, required for a diagnosis"), text=_s(maxLength=2000),
            occurred_on=_s(format="date"),
            details=_obj(None, test=_s(), value=_s(), unit=_s(), reference=_s(), drug=_s(), dosage=_s(),
                         procedure=_s()),
        ),
        "Document": _obj(
            ["id", "title"], id=_s("integer"), type=_s(), title=_s(), issued_on=_s(format="date"), issuer=_s()
        ),
    }  # fmt: skip


def _appointment_schemas() -> dict[str, Any]:
    name_ref = NAME_REF
    return {
        "Slot": _obj(
            ["id", "status"], id=_s("integer"), starts_at=_s(format="date-time"), ends_at=_s(format="date-time"),
            status=_s(enum=["free", "booked", "closed"]),
        ),
        "Schedule": _obj(
            ["id", "day", "slots"], id=_s("integer"), day=_s(format="date"), start=_s(), end=_s(),
            slot_minutes=_s("integer"), doctor=_obj(None, id=_s("integer"), name=_s(), specialty=_s()),
            organization=name_ref, slots={"type": "array", "items": _ref("Slot")},
        ),
        "ScheduleInput": _obj(
            ["doctor_id", "day", "start", "end"], doctor_id=_s("integer"), day=_s(format="date"),
            start=_s(description="HH:MM, the organization's local time"), end=_s(), slot_minutes=_s("integer"),
        ),
        "Appointment": _obj(
            ["id", "status"], id=_s("integer"), status=_s(enum=["booked", "cancelled", "attended", "missed"]),
            starts_at=_s(format="date-time"), ends_at=_s(format="date-time"), slot_id=_s("integer"),
            doctor=_obj(), organization=name_ref, patient=_obj(None, card_id=_s("integer"), name=_s()),
            updated_at=_s(format="date-time"),
        ),
        "AttendanceInput": _obj(["attended"], attended=_s("boolean")),
    }  # fmt: skip


def openapi_document(*, issuer: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gosid demo EGISZ service API",
            "version": "1.0.0",
            "description": (
                "Medical cards, appointments and the inbox of the demo EGISZ service. Authorise with an access "
                "token from the gosid IdP (RFC 6750 bearer). medcard.rs reads and searches; medcard.cu creates "
                "and updates. Every refusal names the region, a reason code, what to do and the regional "
                "support contact."
            ),
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "gosid": {
                    "type": "oauth2",
                    "description": (
                        "Access tokens of the gosid IdP (authorization code flow with PKCE S256), sent as "
                        "`Authorization: Bearer <token>`; a DPoP-bound token (cnf.jkt) as "
                        "`Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449)"
                    ),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{issuer}/authorize",
                            "tokenUrl": f"{issuer}/token",
                            "scopes": {READ: "view medical data", EDIT: "create and update medical data"},
                        }
                    },
                }
            },
        },
    }
