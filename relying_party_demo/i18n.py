"""Russian by default, English on request (``?lang=en``, remembered in the session); the JSON
API always answers in English.

Compiled catalogues (``*.mo``) are not committed; they are built from the ``.po`` files when
the app starts, if missing or older than their source.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel

log = logging.getLogger(__name__)

SUPPORTED_LOCALES = ("ru", "en")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def init_i18n(app: Flask, *, default_locale: str) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(_compiled_translations())
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


def _compiled_translations() -> Path:
    """The directory to load catalogues from: the package's own, or a temporary copy when the
    package is installed read-only."""
    try:
        compile_catalogues(TRANSLATIONS_DIR)
        return TRANSLATIONS_DIR
    except OSError:
        copy = Path(tempfile.mkdtemp(prefix="gosid-rp-translations-"))
        shutil.copytree(TRANSLATIONS_DIR, copy, dirs_exist_ok=True)
        log.warning("%s is not writable; compiled translations into %s", TRANSLATIONS_DIR, copy)
        compile_catalogues(copy)
        return copy


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile every stale ``messages.po`` under ``directory``; returns the files written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        _compile(po_path, mo_path)
        written.append(mo_path)
    return written


def _compile(po_path: Path, mo_path: Path) -> None:
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    # Write then rename: several workers may start at once and must never read half a file.
    fd, tmp_name = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp_name, mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    log.info("compiled %s", mo_path)
