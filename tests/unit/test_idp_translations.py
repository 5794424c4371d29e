"""The Russian catalog covers every msgid the IdP UI can show (Russian is the default locale).

The msgids are collected exactly as `scripts/extract_idp_messages.py` does: literal _()/gettext()
calls in templates and Python, plus the constants the code passes to _() at render time. When a
test here fails, run ``.venv/bin/python scripts/extract_idp_messages.py`` and translate the
entries with an empty msgstr or a ``fuzzy`` flag in idp/translations/ru/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import sys
from gettext import GNUTranslations
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "extract_idp_messages.py"
HINT = "run scripts/extract_idp_messages.py and translate the new entries in the .po"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _load_script() -> ModuleType:
    name = "extract_idp_messages"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


extract = _load_script()


@pytest.fixture(scope="module")
def collected() -> dict:
    return extract.collect_messages(REPO_ROOT)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with (REPO_ROOT / extract.PO_FILE).open("rb") as fh:
        return read_po(fh, abort_invalid=True)  # a syntax error raises instead of being skipped


def _strings(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def untranslated(messages, catalog: Catalog) -> list[str]:
    """One line per collected msgid that has no usable Russian translation in `catalog`."""
    failures = []
    for msg in messages:
        entry = catalog.get(msg.id, context=msg.context)
        where = ", ".join(path for path, _ in msg.locations)
        if entry is None:
            failures.append(f"missing from the .po: {msg.id!r} ({where})")
        elif entry.fuzzy:
            failures.append(f"marked fuzzy (not compiled): {msg.id!r}")
        elif not all(s.strip() for s in _strings(entry.string)):
            failures.append(f"empty translation: {msg.id!r}")
        elif not all(CYRILLIC.search(s) for s in _strings(entry.string)):
            failures.append(f"translation is not Russian: {msg.id!r} -> {entry.string!r}")
    return failures


def test_po_parses_and_compiles(catalog: Catalog) -> None:
    assert str(catalog.locale) == "ru"
    errors = [f"{message.id!r}: {error}" for message, errs in catalog.check() for error in errs]
    assert not errors, "\n".join(errors)

    # Compile as idp.i18n.compile_translations does and read it back as gettext will.
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = GNUTranslations(buffer)
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
            if message.context:
                assert translations.pgettext(message.context, message.id) == message.string
            else:
                assert translations.gettext(message.id) == message.string


def test_collection_covers_every_source(collected: dict) -> None:
    files = {path for msg in collected.values() for path, _ in msg.locations}
    sources = {
        *extract.CONSTANT_MODULES,
        extract.LOGIN_ERRORS_MODULE,
        extract.SCOPES_MODULE,
        extract.LEVELS_MODULE,
        extract.HTTP_ERRORS_MODULE,
    }
    assert sources <= files, f"no messages collected from {sorted(sources - files)}"
    assert any(path.startswith("idp/templates/") for path in files)

    ids = {msg.id for msg in collected.values()}
    expected = {
        "Sign in",  # template literal
        "simplified", "standard", "confirmed",  # _(person.level)
        "Not Found", "Method Not Allowed", "Bad Request", "Forbidden",  # gettext(exc.name)
        "Internal Server Error", "Request Entity Too Large", "Unauthorized", "Too Many Requests",
    }  # fmt: skip
    assert expected <= ids, f"not collected: {sorted(expected - ids)}"
    # The Russian SMS texts are constants too, but they are not msgids.
    russian = [i for i in ids if isinstance(i, str) and not extract.is_user_message(i) and " " in i]
    assert not russian, russian


def test_every_msgid_has_a_russian_translation(collected: dict, catalog: Catalog) -> None:
    failures = untranslated(collected.values(), catalog)
    assert not failures, f"{len(failures)} msgids lack a translation ({HINT}):\n" + "\n".join(failures)


def test_placeholders_survive_translation(collected: dict, catalog: Catalog) -> None:
    failures = []
    for msg in collected.values():
        entry = catalog.get(msg.id, context=msg.context)
        if entry is None or not entry.string:
            continue  # reported by test_every_msgid_has_a_russian_translation
        expected = set().union(*(extract.placeholders(i) for i in _strings(msg.id)))
        values = dict.fromkeys(expected, "x")
        for text in _strings(entry.string):
            found = extract.placeholders(text)
            if found != expected:
                failures.append(f"{msg.id!r}: placeholders {sorted(found)} != {sorted(expected)}")
                continue
            try:  # Jinja's newstyle gettext applies `% values` even when there are none
                text % values
            except (KeyError, ValueError, TypeError) as exc:
                failures.append(f"{msg.id!r}: {text!r} cannot be formatted: {exc!r}")
    assert not failures, "\n".join(failures)


def test_no_gettext_call_builds_its_msgid_at_run_time() -> None:
    problems = extract.find_problems(REPO_ROOT)
    assert not problems, "these msgids cannot be extracted or formatted:\n" + "\n".join(problems)


# --- the checks above catch what they should -----------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of babel.cfg with a template and a module that use strings nobody translated."""
    shutil.copy(REPO_ROOT / extract.BABEL_CFG, tmp_path / extract.BABEL_CFG)
    (tmp_path / "idp" / "templates").mkdir(parents=True)
    (tmp_path / "idp" / "templates" / "new.html").write_text(
        '<h1>{{ _("Sign in") }}</h1><p>{{ _("A sentence nobody has translated, %(name)s", name=person) }}</p>\n',
        encoding="utf-8",
    )
    (tmp_path / "idp" / "views.py").write_text(
        "from flask_babel import gettext\n\n\n"
        "def notice() -> str:\n"
        '    return gettext("Another untranslated sentence.")\n',
        encoding="utf-8",
    )
    return tmp_path


def test_a_new_untranslated_string_is_reported(project: Path, catalog: Catalog) -> None:
    messages = list(extract.extract_literal_calls(project))
    assert {msg.id for msg in messages} == {
        "Sign in",
        "A sentence nobody has translated, %(name)s",
        "Another untranslated sentence.",
    }
    failures = untranslated(messages, catalog)
    assert len(failures) == 2
    assert all("missing from the .po" in failure for failure in failures)
    assert not any("'Sign in'" in failure for failure in failures)


def test_msgids_built_at_run_time_are_reported(project: Path) -> None:
    (project / "idp" / "templates" / "built.html").write_text(
        '{{ _("Hello, " ~ name) }}{{ _(title or "Untitled") }}{{ _("Wait %(seconds)s s.") }}{{ _(message) }}\n',
        encoding="utf-8",
    )
    (project / "idp" / "built.py").write_text(
        "from flask_babel import gettext as _\n\n\n"
        "def hello(name: str, count: int, message: str) -> list[str]:\n"
        '    return [_(f"Hello, {name}"), _("%d codes" % count), _("{}".format(name)),\n'
        '            _("Hello, %(name)s"), _(message)]\n',
        encoding="utf-8",
    )
    problems = extract.find_problems(project)
    assert len(problems) == 7, "\n".join(problems)
    assert sum("built.html" in problem for problem in problems) == 3
    assert any("f-string" in problem for problem in problems)
    assert any("no value for name" in problem for problem in problems)
    assert any("cannot be formatted" in problem for problem in problems)
