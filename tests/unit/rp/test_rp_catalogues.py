"""Translations are compiled from .po at start-up when the .mo is missing or stale."""

from __future__ import annotations

import os
import shutil
from gettext import GNUTranslations
from pathlib import Path

from relying_party_demo.i18n import TRANSLATIONS_DIR, compile_catalogues


def _copy_catalogues(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def test_missing_mo_is_compiled_and_translates(tmp_path: Path) -> None:
    directory = _copy_catalogues(tmp_path)
    written = compile_catalogues(directory)
    mo_path = directory / "ru" / "LC_MESSAGES" / "messages.mo"
    assert written == [mo_path]
    with mo_path.open("rb") as fh:
        catalog = GNUTranslations(fh)
    assert catalog.gettext("Sign in with Gosuslugi") == "Войти через Госуслуги"


def test_fresh_mo_is_left_alone_and_stale_one_rebuilt(tmp_path: Path) -> None:
    directory = _copy_catalogues(tmp_path)
    compile_catalogues(directory)
    assert compile_catalogues(directory) == []
    po_path = directory / "ru" / "LC_MESSAGES" / "messages.po"
    mo_path = po_path.with_suffix(".mo")
    old = mo_path.stat().st_mtime
    os.utime(po_path, (old + 10, old + 10))
    assert compile_catalogues(directory) == [mo_path]


def test_every_message_has_a_russian_translation() -> None:
    from babel.messages.pofile import read_po

    with (TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []


def test_every_string_in_the_code_and_templates_is_in_the_catalogue() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    package = TRANSLATIONS_DIR.parent
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    found = {msg[2] for msg in extract_from_dir(package, method_map, keywords=keywords)}
    found = {m if isinstance(m, str) else m[0] for m in found}
    with (TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    assert len(found) > 150  # the extraction really ran over code and templates
    assert sorted(found - translated) == []
