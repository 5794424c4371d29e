"""The Russian catalog covers every msgid the IdP UI can show (Russian is the default locale).

The msgids are collected by ``pybabel extract`` itself, run as the README says (``babel.cfg``,
``-k N_ -k lazy_gettext``): literal _()/gettext() calls in templates and Python, and the message
constants marked with ``N_()`` where they are defined. When a test here fails, run
``make messages`` and translate the entries with an empty msgstr or a ``fuzzy`` flag in
idp/translations/ru/LC_MESSAGES/messages.po (then ``make translations``).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from gettext import GNUTranslations
from pathlib import Path

import jinja2
import pytest
import werkzeug.exceptions
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch
from jinja2 import nodes

import idp.app  # noqa: F401  # loads every module the app uses: the error classes, the message constants
from idp.accounts.models import AccountLevel
from idp.errors import GosidError
from idp.esia.errors import EsiaError
from idp.esia.scopes import SCOPE_DESCRIPTIONS as ESIA_SCOPE_DESCRIPTIONS
from idp.oidc.claims import SCOPE_DESCRIPTIONS
from idp.web.http_error_names import HTTP_ERROR_NAMES
from idp.web.i18n import TranslationsNotCompiled, require_compiled

REPO_ROOT = Path(__file__).resolve().parents[2]
PO_FILE = REPO_ROOT / "idp" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
# The README's command: pybabel extract -F babel.cfg -k N_ -k lazy_gettext -o /tmp/idp.pot .
EXTRACT = ("extract", "-F", "babel.cfg", "-k", "N_", "-k", "lazy_gettext")
KEYWORDS = {*DEFAULT_KEYWORDS, "lazy_gettext"}  # the calls extraction reads (DEFAULT_KEYWORDS has _, gettext, N_)
HINT = "run `make messages` and translate the new entries in the .po"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
# Packages whose module-level UPPER_CASE English sentences are user messages (validation texts, notices).
MESSAGE_PACKAGES = ("idp.accounts", "idp.authn", "idp.selfservice", "idp.factors", "idp.login")


def extract(root: Path, output: Path) -> Catalog:
    """The catalog template ``pybabel extract`` writes when run in `root` as the README says."""
    with contextlib.chdir(root):
        CommandLineInterface().run(["pybabel", "--quiet", *EXTRACT, "-o", str(output), "."])
    with output.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> list[Message]:
    template = extract(REPO_ROOT, tmp_path_factory.mktemp("pot") / "idp.pot")
    return [message for message in template if message.id]


@pytest.fixture(scope="module")
def ids(collected: list[Message]) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in collected}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_FILE.open("rb") as fh:
        return read_po(fh, abort_invalid=True)  # a syntax error raises instead of being skipped


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or ())


def placeholders(text: str) -> set[str]:
    """Names of the ``%(name)s`` placeholders in `text`."""
    return set(PLACEHOLDER.findall(text))


def is_russian(text: str) -> bool:
    """Mostly Cyrillic letters: an English message may quote a Russian word ("йцукен")."""
    letters = [char for char in text if char.isalpha()]
    return 2 * sum(1 for char in letters if CYRILLIC.match(char)) >= len(letters) > 0


def untranslated(messages: Iterable[Message], catalog: Catalog) -> list[str]:
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

    # Compile as `make translations` (pybabel compile) does and read it back as gettext will.
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


def test_collection_covers_every_source(collected: list[Message], ids: set[str]) -> None:
    files = {path for msg in collected for path, _ in msg.locations}
    sources = {
        "idp/accounts/validation.py",
        "idp/accounts/identity_numbers.py",
        "idp/accounts/contacts.py",
        "idp/accounts/passwords.py",
        "idp/selfservice/registration.py",
        "idp/authn/errors.py",
        "idp/oidc/claims.py",
        "idp/accounts/models.py",
        "idp/web/http_error_names.py",
    }
    assert sources <= files, f"no messages collected from {sorted(sources - files)}"
    assert any(path.startswith("idp/templates/") for path in files)

    expected = {
        "Sign in",  # template literal
        "simplified", "standard", "confirmed",  # _(person.level)
        "Not Found", "Method Not Allowed", "Bad Request", "Forbidden",  # gettext(exc.name)
        "Internal Server Error", "Request Entity Too Large", "Unauthorized", "Too Many Requests",
    }  # fmt: skip
    assert expected <= ids, f"not collected: {sorted(expected - ids)}"
    # The Russian SMS texts are constants too, but they are not msgids.
    russian = [i for i in ids if is_russian(i)]
    assert not russian, russian


def _own_texts(cls: type, *names: str) -> Iterator[str]:
    for name in names:
        value = vars(cls).get(name)
        if isinstance(value, str):
            yield value


def _subclasses(cls: type) -> Iterator[type]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from _subclasses(sub)


def _message_constants() -> Iterator[tuple[str, str]]:
    """(module.NAME, text) of the English UPPER_CASE sentences in the message packages."""
    for name, module in sorted(sys.modules.items()):
        if not name.startswith(MESSAGE_PACKAGES):
            continue
        for constant, value in vars(module).items():
            is_text = isinstance(value, str) and " " in value.strip() and not is_russian(value)
            if is_text and re.fullmatch(r"[A-Z][A-Z0-9_]*", constant):
                yield f"{name}.{constant}", value


def test_every_text_the_code_shows_is_marked_where_it_is_defined(ids: set[str]) -> None:
    """The texts passed to _() as values (not literals) are extracted only when marked with N_()."""
    shown: dict[str, str] = {}
    for cls in _subclasses(GosidError):
        for text in _own_texts(cls, "message"):
            shown[f"{cls.__module__}.{cls.__name__}.message"] = text
    for cls in (EsiaError, *_subclasses(EsiaError)):
        for text in _own_texts(cls, "description"):
            shown[f"{cls.__module__}.{cls.__name__}.description"] = text
    shown |= {f"idp.oidc.claims.SCOPE_DESCRIPTIONS[{k!r}]": v for k, v in SCOPE_DESCRIPTIONS.items()}
    shown |= {f"idp.esia.scopes.SCOPE_DESCRIPTIONS[{k!r}]": v for k, v in ESIA_SCOPE_DESCRIPTIONS.items()}
    shown |= {f"AccountLevel.{level.name}": level.value for level in AccountLevel}
    shown |= {f"HTTP {code}": name for code, name in HTTP_ERROR_NAMES.items()}
    shown |= dict(_message_constants())
    assert len(shown) > 150  # the errors, constants, scopes, levels and HTTP names were all found
    unmarked = sorted(f"{where}: {text!r}" for where, text in shown.items() if text not in ids)
    assert not unmarked, "wrap these in N_() where they are defined:\n" + "\n".join(unmarked)


def test_http_error_names_are_werkzeugs() -> None:
    """``gettext(exc.name)`` finds the Russian name only if the listed msgid is werkzeug's name."""
    for code, name in HTTP_ERROR_NAMES.items():
        assert werkzeug.exceptions.default_exceptions[code]().name == name


def test_every_msgid_has_a_russian_translation(collected: list[Message], catalog: Catalog) -> None:
    failures = untranslated(collected, catalog)
    assert not failures, f"{len(failures)} msgids lack a translation ({HINT}):\n" + "\n".join(failures)


def test_placeholders_survive_translation(collected: list[Message], catalog: Catalog) -> None:
    failures = []
    for msg in collected:
        entry = catalog.get(msg.id, context=msg.context)
        if entry is None or not entry.string:
            continue  # reported by test_every_msgid_has_a_russian_translation
        expected = set().union(*(placeholders(i) for i in _strings(msg.id)))
        values = dict.fromkeys(expected, "x")
        for text in _strings(entry.string):
            found = placeholders(text)
            if found != expected:
                failures.append(f"{msg.id!r}: placeholders {sorted(found)} != {sorted(expected)}")
                continue
            try:  # Jinja's newstyle gettext applies `% values` even when there are none
                text % values
            except (KeyError, ValueError, TypeError) as exc:
                failures.append(f"{msg.id!r}: {text!r} cannot be formatted: {exc!r}")
    assert not failures, "\n".join(failures)


# --- gettext calls whose msgid cannot be extracted -----------------------------------------------


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _python_problem(arg: ast.expr) -> str | None:
    def has_literal(node: ast.AST) -> bool:
        return any(_literal(n) is not None for n in ast.walk(node))

    if isinstance(arg, ast.JoinedStr):
        return "f-string: the msgid changes with the values; use %(name)s placeholders"
    if isinstance(arg, ast.BinOp) and has_literal(arg):
        return "string built with an operator; use one literal with %(name)s placeholders"
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr in {"format", "join"}:
        return f"str.{arg.func.attr}() result; use one literal with %(name)s placeholders"
    if isinstance(arg, ast.BoolOp | ast.IfExp) and has_literal(arg):
        return "literal inside a conditional expression is not extracted; call _() on each literal"
    return None


def _python_problems(relative: str, source: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source, filename=relative)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        where = f"{relative}:{node.lineno}"
        problem = _python_problem(node.args[0])
        if problem:
            yield f"{where}: {name}(...): {problem}"
            continue
        text = _literal(node.args[0])
        if text is None:
            continue  # a variable: its values are marked with N_() where they are defined
        missing = placeholders(text) - {kw.arg for kw in node.keywords if kw.arg}
        if missing and name in {"_", "gettext", "lazy_gettext"}:
            yield f"{where}: {text!r}: no value for {', '.join(sorted(missing))}"


def _template_problem(arg: nodes.Expr) -> str | None:
    def has_literal(node: nodes.Node) -> bool:
        return any(isinstance(n.value, str) for n in node.find_all(nodes.Const))

    if isinstance(arg, nodes.Concat | nodes.Add | nodes.Mod) and has_literal(arg):
        return "string built with ~, + or %; use one literal with %(name)s placeholders"
    if isinstance(arg, nodes.Filter) and has_literal(arg):
        return f"|{arg.name} result; use one literal with %(name)s placeholders"
    if isinstance(arg, nodes.Or | nodes.And | nodes.CondExpr) and has_literal(arg):
        return "literal inside a conditional expression is not extracted; call _() on each literal"
    return None


def _template_problems(relative: str, source: str) -> Iterator[str]:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # as flask-babel installs it
    for call in env.parse(source, filename=relative).find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name not in KEYWORDS or not call.args:
            continue
        where = f"{relative}:{call.lineno}"
        problem = _template_problem(call.args[0])
        if problem:
            yield f"{where}: {call.node.name}(...): {problem}"
            continue
        if not (isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str)):
            continue
        text = call.args[0].value
        given = {kw.key: "x" for kw in call.kwargs}
        try:  # newstyle gettext always applies `% variables`, even with none
            text % given
        except (KeyError, ValueError, TypeError) as exc:
            yield f"{where}: {text!r} cannot be formatted with {sorted(given)}: {exc!r}"


def find_problems(root: Path) -> list[str]:
    """gettext calls whose msgid is built at run time, or whose placeholders get no value, in the
    files under idp/ that babel.cfg maps (as extraction, skipping directories named ``.*``/``_*``)."""
    with (root / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, _ = parse_mapping_cfg(fh)
    problems: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root / "idp"):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for filename in sorted(filenames):
            relative = Path(dirpath, filename).relative_to(root).as_posix()
            method = next((m for pattern, m in method_map if pathmatch(pattern, relative)), None)
            if method is None:
                continue
            source = (root / relative).read_text(encoding="utf-8")
            if method == "python":
                problems.extend(_python_problems(relative, source))
            elif method.startswith("jinja2"):
                problems.extend(_template_problems(relative, source))
    return problems


def test_no_gettext_call_builds_its_msgid_at_run_time() -> None:
    problems = find_problems(REPO_ROOT)
    assert not problems, "these msgids cannot be extracted or formatted:\n" + "\n".join(problems)


# --- the checks above catch what they should -----------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of babel.cfg with a template and modules that use strings nobody translated."""
    root = tmp_path / "project"
    (root / "idp" / "templates").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "babel.cfg", root / "babel.cfg")
    (root / "idp" / "templates" / "new.html").write_text(
        '<h1>{{ _("Sign in") }}</h1><p>{{ _("A sentence nobody has translated, %(name)s", name=person) }}</p>\n',
        encoding="utf-8",
    )
    (root / "idp" / "views.py").write_text(
        "from flask_babel import gettext\n\n\n"
        "def notice() -> str:\n"
        '    return gettext("Another untranslated sentence.")\n',
        encoding="utf-8",
    )
    (root / "idp" / "new_errors.py").write_text(
        "from idp.errors import N_, GosidError\n\n"
        'NOTICE = N_("A marked constant nobody has translated.")\n\n\n'
        "class Refused(GosidError):\n"
        '    message = N_("Incorrect login or password. Check them and try again.")\n',
        encoding="utf-8",
    )
    return root


def test_a_new_untranslated_string_is_reported(project: Path, catalog: Catalog) -> None:
    messages = [m for m in extract(project, project / "idp.pot") if m.id]
    assert {msg.id for msg in messages} == {
        "Sign in",
        "A sentence nobody has translated, %(name)s",
        "Another untranslated sentence.",
        "A marked constant nobody has translated.",
        "Incorrect login or password. Check them and try again.",
    }
    failures = untranslated(messages, catalog)
    assert len(failures) == 3, failures
    assert all("missing from the .po" in failure for failure in failures)
    assert not any("'Sign in'" in failure or "Incorrect login" in failure for failure in failures)


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
    problems = find_problems(project)
    assert len(problems) == 7, "\n".join(problems)
    assert sum("built.html" in problem for problem in problems) == 3
    assert any("f-string" in problem for problem in problems)
    assert any("no value for name" in problem for problem in problems)
    assert any("cannot be formatted" in problem for problem in problems)


def test_the_app_refuses_to_start_without_compiled_catalogs(tmp_path: Path) -> None:
    translations = tmp_path / "translations"
    shutil.copytree(PO_FILE.parents[2], translations, ignore=shutil.ignore_patterns("*.mo"))
    with pytest.raises(TranslationsNotCompiled, match="make translations"):
        require_compiled(translations)
