"""The RP's catalogue is complete, and compiled by `make translations`, not at start-up."""

from __future__ import annotations

import shutil
from gettext import GNUTranslations
from pathlib import Path

import pytest

from relying_party_demo.i18n import TRANSLATIONS_DIR, TranslationsNotCompiled, require_compiled


def _copy_catalogues(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def test_missing_mo_stops_the_start_naming_the_command(tmp_path: Path) -> None:
    directory = _copy_catalogues(tmp_path)
    with pytest.raises(TranslationsNotCompiled, match="make translations"):
        require_compiled(directory)
    assert not (directory / "ru" / "LC_MESSAGES" / "messages.mo").exists()  # nothing compiled behind our back


def test_the_compiled_catalogue_translates() -> None:
    require_compiled(TRANSLATIONS_DIR)  # `make test` compiles it first
    with (TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        catalog = GNUTranslations(fh)
    assert catalog.gettext("Sign in with Gosuslugi") == "Войти через Госуслуги"


def test_every_message_has_a_russian_translation() -> None:
    from babel.messages.pofile import read_po

    with (TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []


def test_every_string_in_the_code_and_templates_is_in_the_catalogue() -> None:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    package = TRANSLATIONS_DIR.parent
    # As relying_party_demo/babel.cfg documents: pybabel extract -F relying_party_demo/babel.cfg -k _l -k lazy_gettext
    with (package / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = {msg[2] for msg in extract_from_dir(package, method_map, options_map, keywords=keywords)}
    found = {m if isinstance(m, str) else m[0] for m in found}
    with (TRANSLATIONS_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    assert len(found) > 150  # the extraction really ran over code and templates
    assert sorted(found - translated) == []
