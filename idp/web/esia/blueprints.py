"""The ESIA blueprints: ``esia`` for browsers (CSRF-protected forms) and ``esia_api`` for
machines (token endpoint, person API, certificates; CSRF-exempt), registered with their views
by ``routes``. Both render their refusals (:class:`~idp.esia.errors.EsiaError`) through
``responses.render_refusal``."""

from __future__ import annotations

from flask import Blueprint

from idp.esia.errors import EsiaError
from idp.web.esia import responses

bp = Blueprint("esia", __name__)
api = Blueprint("esia_api", __name__)
bp.register_error_handler(EsiaError, responses.render_refusal)
api.register_error_handler(EsiaError, responses.render_refusal)
