"""Russian by default, English on request (``?lang=en``, remembered in the session); the JSON
API always answers in English.

Compiled catalogues (``*.mo``) are not committed; ``make translations`` (``pybabel compile``)
builds them from the ``.po`` files. The app refuses to start without them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel

log = logging.getLogger(__name__)

SUPPORTED_LOCALES = ("ru", "en")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
COMPILE_COMMAND = "make translations"


class TranslationsNotCompiled(RuntimeError):
    """A ``.po`` catalogue has no compiled ``.mo`` beside it."""


def init_i18n(app: Flask, *, default_locale: str) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    require_compiled(TRANSLATIONS_DIR)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    Babel(app, locale_selector=lambda: _select_locale(default_locale))
    app.before_request(_remember_requested_locale)


def _remember_requested_locale() -> None:
    lang = request.args.get("lang")
    if lang in SUPPORTED_LOCALES:
        session["lang"] = lang


def _select_locale(default_locale: str) -> str:
    if request.path.startswith("/api/"):
        return "en"  # API clients get English texts (notifications, what_to_do), like error codes
    lang = session.get("lang")
    return lang if lang in SUPPORTED_LOCALES else default_locale


def require_compiled(directory: Path) -> None:
    """Refuse to start without a ``.mo`` for every ``messages.po`` under `directory`; warn
    about stale ones."""
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            raise TranslationsNotCompiled(
                f"{mo_path} is missing: compile the translations with `{COMPILE_COMMAND}` "
                f"(pybabel compile -d {directory})"
            )
        if mo_path.stat().st_mtime < po_path.stat().st_mtime:
            log.warning("%s is older than its .po: run `%s` to use the new texts", mo_path, COMPILE_COMMAND)
