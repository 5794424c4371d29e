"""The werkzeug HTTP errors the IdP can answer with, their names marked for ``pybabel extract``.

``idp.web.errors`` shows any ``HTTPException`` as ``gettext(exc.name)``; werkzeug's names are
English and live outside our code, so the ones the IdP can raise are listed here to be extracted
and translated. ``tests/unit/test_idp_translations.py`` checks they still equal werkzeug's names.
"""

from __future__ import annotations

from idp.errors import N_

HTTP_ERROR_NAMES: dict[int, str] = {
    400: N_("Bad Request"),  # a form or JSON body that cannot be parsed, a missing form field
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),  # no such route, abort(404)
    405: N_("Method Not Allowed"),  # a route without this method
    413: N_("Request Entity Too Large"),  # beyond MAX_CONTENT_LENGTH or the form limits
    415: N_("Unsupported Media Type"),  # request.json on a body that is not JSON
    416: N_("Requested Range Not Satisfiable"),  # a static file asked for with a bad Range
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),  # any exception no handler took
}
