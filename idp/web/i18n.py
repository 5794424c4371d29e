"""Russian by default, English on request (``?lang=en``, ``ui_locales`` or the session).

Message ids are English; ``idp/translations/ru`` holds the Russian text. The ``.mo`` files
are built from the ``.po`` files by ``make translations`` (``pybabel compile``), not at
start-up: the app refuses to start without them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

SUPPORTED = ("ru", "en")
COMPILE_COMMAND = "make translations"

log = logging.getLogger(__name__)


class TranslationsNotCompiled(RuntimeError):
    """A ``.po`` catalogue has no compiled ``.mo`` beside it."""


def require_compiled(root: Path) -> None:
    """Refuse to start without a ``.mo`` for every ``.po`` under `root`; warn about stale ones."""
    for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            raise TranslationsNotCompiled(
                f"{mo_path} is missing: compile the translations with `{COMPILE_COMMAND}` (pybabel compile -d {root})"
            )
        if mo_path.stat().st_mtime < po_path.stat().st_mtime:
            log.warning("%s is older than its .po: run `%s` to use the new texts", mo_path, COMPILE_COMMAND)


def select_locale() -> str:
    requested = request.args.get("lang") or request.args.get("ui_locales", "").split(" ")[0]
    if requested in SUPPORTED:
        session["lang"] = requested
        return requested
    stored = session.get("lang")
    if stored in SUPPORTED:
        return str(stored)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask, *, default_locale: str) -> None:
    root = Path(app.root_path) / "translations"
    require_compiled(root)
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(root)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale

    @app.before_request
    def _remember_requested_locale() -> None:
        # A redirect (/authorize → /login) renders nothing, so Babel never asks for the locale
        # and ui_locales would be lost; remember it now for the pages that follow.
        if request.args.get("lang") or request.args.get("ui_locales"):
            select_locale()
