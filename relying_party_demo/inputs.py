"""One check at the door for text no endpoint can store or look up: the NUL character.

PostgreSQL text cannot hold ``\\x00`` (psycopg refuses the query), so a NUL in a query string,
form field, file name, path segment or JSON string would reach the database as a 5xx. Every
request is checked once, before its view runs: a NUL anywhere is the endpoint's own
:class:`InvalidField` (JSON under /api, the error page elsewhere), naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from relying_party_demo.errors import InvalidField

NUL = "\x00"
PROBLEM = "must not contain the NUL character"


def install_input_checks(app: Flask) -> None:
    app.before_request(refuse_nul_in_request)


def refuse_nul_in_request() -> None:
    if request.blueprint == "auth":
        return  # the login routes store no text; a bad ``next`` there is ignored (redirects.py)
    for name, value in _request_texts():
        name, value = name or "", value or ""  # a multipart part may lack either
        if NUL in name or NUL in value:
            raise InvalidField(name.replace(NUL, "\\0"), PROBLEM)


def refuse_nul_in_json(value: Any) -> None:
    """Raise :class:`InvalidField` for the first string (or key) in a JSON ``value`` that holds a
    NUL, naming the key it is under (iteratively: a parsed body may be nested deeply)."""
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:
        field, item = stack.pop()
        if isinstance(item, str) and NUL in item:
            raise InvalidField(field.replace(NUL, "\\0"), PROBLEM)
        if isinstance(item, dict):
            stack.extend((str(key), str(key)) for key in item)
            stack.extend((str(key), child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((field, child) for child in item)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _request_texts() -> Iterator[tuple[str, str]]:
    yield from request.args.items(multi=True)
    yield from ((name, str(value)) for name, value in (request.view_args or {}).items())
    if request.mimetype in FORM_TYPES:
        yield from request.form.items(multi=True)
        yield from ((name, file.filename or "") for name, file in request.files.items(multi=True))
