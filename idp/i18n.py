"""Russian by default, English on request (``?lang=en``, ``ui_locales`` or the session).

Message ids are English; ``translations/ru`` holds the Russian text. The .po file is
compiled to .mo at start-up when the .mo is missing or older, so no build step is needed.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

SUPPORTED = ("ru", "en")


def compile_translations(root: Path) -> None:
    for po_path in root.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo_path)


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
    compile_translations(root)
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
