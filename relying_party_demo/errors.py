"""Every error the RP shows is one of these classes; ``rendering`` turns them into responses.

Each carries a support code (``RP-...``) that a person can quote, an HTTP status, an OAuth-style
``error`` code for API clients, a translatable title for the HTML page and an English detail.
"""

from __future__ import annotations

from typing import ClassVar

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from relying_party_demo.documents import size_limit


class RpError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "RP-500"
    error: ClassVar[str] = "server_error"
    title: ClassVar[LazyString] = _l("Something went wrong on our side")
    hint: LazyString | None = None

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.error)
        self.detail = detail

    def response_status(self) -> int:
        return self.status

    def json_body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.detail:
            body["error_description"] = self.detail
        return body

    def headers(self) -> dict[str, str]:
        return {}

    def notice(self) -> str:
        """One line for a message on a page, in the reader's language: the title, then the
        next step when one is written (else the English detail)."""
        if self.hint is not None:
            return f"{self.title}. {self.hint}"
        return f"{self.title}: {self.detail}" if self.detail else str(self.title)


# --- browser login ------------------------------------------------------------------------


class ClientNotRegistered(RpError):
    status = 503
    code = "RP-101"
    error = "client_not_registered"
    title = _l("This service is not registered with the login provider yet")
    hint = _l("Run `gosid init` to register it, then try again.")


class IdpUnavailable(RpError):
    status = 503
    code = "RP-102"
    error = "temporarily_unavailable"
    title = _l("The login provider is not reachable right now")
    hint = _l("Try again in a few minutes.")


class LoginRejected(RpError):
    status = 400
    code = "RP-103"
    error = "login_rejected"
    title = _l("The login provider did not confirm your login")


class IssuerMismatch(RpError):
    status = 400
    code = "RP-104"
    error = "issuer_mismatch"
    title = _l("The login response came from an unexpected provider")


class LoginStateInvalid(RpError):
    status = 400
    code = "RP-105"
    error = "invalid_state"
    title = _l("This login attempt has expired or was started elsewhere")
    hint = _l("Start the login again from the home page.")


class IdTokenInvalid(RpError):
    status = 400
    code = "RP-106"
    error = "invalid_id_token"
    title = _l("The login provider's answer failed verification")


class LoginRequired(RpError):
    status = 401
    code = "RP-107"
    error = "login_required"
    title = _l("Please sign in to see this page")


class SessionExpired(RpError):
    status = 401
    code = "RP-108"
    error = "session_expired"
    title = _l("Your session with the login provider has expired")
    hint = _l("Sign in again to continue.")


class CsrfFailed(RpError):
    status = 400
    code = "RP-109"
    error = "csrf_failed"
    title = _l("This form has expired")
    hint = _l("Go back, reload the page and try again.")


RETRY_AFTER_SECONDS = 5
"""The ``Retry-After`` of a 503 an outage causes: a restarted PostgreSQL is back by then."""


class DatabaseUnavailable(RpError):
    """The RP's database cannot be reached (a cut or refused connection, an exhausted pool):
    nothing of the request was kept; the client may retry after ``Retry-After``."""

    status = 503
    code = "RP-503"
    error = "temporarily_unavailable"
    title = _l("The service is temporarily unavailable")
    hint = _l("Try again in a minute.")

    def __init__(self) -> None:
        super().__init__("the service's database is not reachable")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


class CrossSiteRequest(RpError):
    """A form sent from another site (``Sec-Fetch-Site``, ``Origin``), even with a valid token."""

    status = 403
    code = "RP-110"
    error = "cross_site_request"
    title = _l("This form was not sent from this site")
    hint = _l("Open the page on this site and send the form from there.")


class NotFound(RpError):
    status = 404
    code = "RP-404"
    error = "not_found"
    title = _l("Page not found")


class HttpProblem(RpError):
    """A plain HTTP error from routing (405, 413, ...); status and error come from Werkzeug."""

    code = "RP-400"
    title = _l("The request could not be processed")

    def __init__(self, status: int, name: str, detail: str) -> None:
        super().__init__(detail)
        self.http_status = status
        self.http_error = name.lower().replace(" ", "_")

    def response_status(self) -> int:
        return self.http_status

    def json_body(self) -> dict[str, str]:
        return {**super().json_body(), "error": self.http_error}


# --- API (RFC 6750 bearer token errors) ----------------------------------------------------


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class BearerError(RpError):
    """An error about the bearer token; adds a ``WWW-Authenticate`` challenge."""

    def challenge_params(self) -> list[tuple[str, str]]:
        params = [("error", self.error)]
        if self.detail:
            params.append(("error_description", self.detail))
        return params

    def headers(self) -> dict[str, str]:
        params = ", ".join(f"{k}={_quote(v)}" for k, v in self.challenge_params())
        return {"WWW-Authenticate": f"Bearer {params}"}


class NoToken(BearerError):
    status = 401
    code = "RP-201"
    error = "unauthorized"
    title = _l("An access token is required")

    def __init__(self, realm: str) -> None:
        super().__init__("an access token is required in the Authorization header")
        self.realm = realm

    def challenge_params(self) -> list[tuple[str, str]]:
        return [("realm", self.realm)]

    def headers(self) -> dict[str, str]:
        # Both schemes this API accepts (RFC 9449 §7.1: DPoP announces its algorithms).
        return {"WWW-Authenticate": f'Bearer realm={_quote(self.realm)}, DPoP algs="{InvalidDpopProof.ALGS}"'}


class InvalidRequest(BearerError):
    status = 400
    code = "RP-202"
    error = "invalid_request"
    title = _l("The request is malformed")


class InvalidToken(BearerError):
    status = 401
    code = "RP-203"
    error = "invalid_token"
    title = _l("The access token is not valid")


class InvalidDpopProof(BearerError):
    """RFC 9449 §7.1: the DPoP proof of a request is missing, malformed, stale or replayed."""

    status = 401
    code = "RP-212"
    error = "invalid_dpop_proof"
    title = _l("The access token's proof of possession is not valid")
    ALGS = "ES256 RS256 PS256"

    def headers(self) -> dict[str, str]:
        params = ", ".join(f"{k}={_quote(v)}" for k, v in self.challenge_params())
        return {"WWW-Authenticate": f'DPoP {params}, algs="{self.ALGS}"'}


class InvalidField(RpError):
    """A request body field is missing or malformed; ``field`` names it."""

    status = 400
    code = "RP-206"
    error = "invalid_request"
    title = _l("Some of the data you entered is not valid")

    def __init__(self, field: str, problem: str, *, message: LazyString | None = None) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        self.message = message  # for people, in their language; the API keeps the English detail

    def json_body(self) -> dict[str, str]:
        return {**super().json_body(), "field": self.field}

    def notice(self) -> str:
        return str(self.message) if self.message is not None else super().notice()


class UnreadableBody(RpError):
    """The server could not hand over the request body (malformed chunks, a cut connection)."""

    status = 400
    code = "RP-207"
    error = "invalid_request"
    title = _l("The request could not be read")
    hint = _l("Send it again.")

    def __init__(self) -> None:
        super().__init__("the request body could not be read")


class PayloadTooLarge(RpError):
    """The request body is over the app's limit (``MAX_CONTENT_LENGTH``): nothing of it is read."""

    status = 413
    code = "RP-413"
    error = "request_too_large"
    title = _l("The file is too large")

    def __init__(self, *, limit_bytes: int, field: str | None = None, label: LazyString | None = None) -> None:
        super().__init__(f"the request body is larger than this service accepts (files up to {limit_bytes} bytes)")
        self.field = field
        limit = size_limit(limit_bytes)
        if field is not None and label is not None:
            self.hint = _l(
                "The file in “%(label)s” (%(field)s) must be at most %(limit)s.", label=label, field=field, limit=limit
            )
        else:
            self.hint = _l("Files sent to this service must be at most %(limit)s.", limit=limit)

    def json_body(self) -> dict[str, str]:
        body = super().json_body()
        return {**body, "field": self.field} if self.field else body


# --- conflicts with the current state ---------------------------------------------------------


class SlotUnavailable(RpError):
    status = 409
    code = "RP-220"
    error = "slot_unavailable"
    title = _l("This time is no longer free")
    hint = _l("Choose another time in the schedule.")


class AppointmentClosed(RpError):
    status = 409
    code = "RP-221"
    error = "appointment_not_active"
    title = _l("This appointment can no longer be changed")


class ScheduleConflict(RpError):
    status = 409
    code = "RP-222"
    error = "schedule_conflict"
    title = _l("The schedule cannot be changed this way")


class SlotInPast(RpError):
    """The slot's time has come or gone: it can no longer be booked."""

    status = 409
    code = "RP-223"
    error = "slot_in_past"
    title = _l("This time has already passed")
    hint = _l("Choose a later time in the schedule.")


class BookingLimitReached(RpError):
    """The patient already has as many upcoming appointments in the organization as allowed."""

    status = 409
    code = "RP-224"
    error = "booking_limit_reached"
    title = _l("You have reached the limit of upcoming appointments")

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"a patient may have at most {limit} upcoming appointments in one medical organization; "
            "cancel one to book another time"
        )
        self.limit = limit

    def notice(self) -> str:
        return gettext(
            "You have reached the limit of upcoming appointments in one medical organization: "
            "%(limit)d. Cancel one of them to book another time.",
            limit=self.limit,
        )
