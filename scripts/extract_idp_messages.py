"""Collect every msgid of the IdP UI and merge it into the Russian catalog, keeping translations.

Msgids are English; Russian is the default locale, so every msgid needs a Russian translation in
``idp/translations/ru/LC_MESSAGES/messages.po``. Three kinds of msgids are collected:

1. literal ``_("...")`` / ``gettext("...")`` calls in ``idp/templates/*.html`` and ``idp/**/*.py``,
   found by babel's extractors as configured in ``babel.cfg`` (templates: ``jinja2.ext``);
2. message constants that the code only passes to ``_()`` as variables at render time, so
   extraction cannot see them: login error ``message`` attributes, the user-facing UPPER_CASE
   string constants of the account modules (validation messages, notices), the consent-screen
   ``SCOPE_DESCRIPTIONS`` and the ``AccountLevel`` values (``_(person.level)``);
3. werkzeug's HTTP error names, shown via ``gettext(exc.name)`` in ``idp/web/errors.py``.

Usage, from the repository root::

    .venv/bin/python scripts/extract_idp_messages.py          # update messages.po
    .venv/bin/python scripts/extract_idp_messages.py --check  # change nothing; exit 1 if the
                                                               # catalog is out of date

New msgids get an empty ``msgstr``; a reworded msgid gets the old translation marked
``#, fuzzy``. Translate those entries and delete the ``fuzzy`` flag (fuzzy entries are not
compiled into the .mo). ``tests/unit/test_idp_translations.py`` fails until every msgid has a
Russian translation.

Russian constants (the SMS texts) and constants without a space ("RU", formats) are not messages
and are skipped. A string built at run time (``_(f"...")``, ``_("..." + x)``,
``_("...".format(x))``) cannot be translated: `find_problems` reports such calls.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import werkzeug.exceptions
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from babel.util import pathmatch
from jinja2 import nodes

REPO_ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = "babel.cfg"
PO_FILE = "idp/translations/ru/LC_MESSAGES/messages.po"
LOCALE = "ru"

# gettext functions whose first argument is a msgid (flask-babel adds the lazy_* ones).
KEYWORDS: dict[str, Any] = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)

# Modules whose module-level UPPER_CASE string constants are user-facing messages.
CONSTANT_MODULES = (
    "idp/accounts/validation.py",
    "idp/accounts/identity_numbers.py",
    "idp/accounts/contacts.py",
    "idp/accounts/passwords.py",
    "idp/selfservice/registration.py",
)
LOGIN_ERRORS_MODULE = "idp/authn/errors.py"  # every class's `message = "..."`
SCOPES_MODULE, SCOPES_NAME = "idp/oidc/claims.py", "SCOPE_DESCRIPTIONS"  # the dict's values
LEVELS_MODULE, LEVELS_CLASS = "idp/accounts/models.py", "AccountLevel"  # the enum's values
HTTP_ERRORS_MODULE = "idp/web/errors.py"  # where gettext(exc.name) is called

_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

MsgId = str | tuple[str, ...]


class ExtractionError(RuntimeError):
    """A configured source of constants is gone (renamed or moved): fix the constants above."""


@dataclass
class Msg:
    id: MsgId
    context: str | None = None
    locations: list[tuple[str, int | None]] = field(default_factory=list)
    auto_comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[MsgId, str | None]:
        return self.id, self.context


def placeholders(text: str) -> set[str]:
    """Names of the ``%(name)s`` placeholders in `text`."""
    return set(PLACEHOLDER.findall(text))


# --- 1. literal gettext calls (babel extractors, driven by babel.cfg) ---------------------------


def _method_map(root: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with (root / BABEL_CFG).open(encoding="utf-8") as fh:
        return parse_mapping_cfg(fh, filename=str(root / BABEL_CFG))


def _only_idp(root: Path) -> Callable[[str], bool]:
    def directory_filter(dirpath: str) -> bool:
        relative = Path(dirpath).resolve().relative_to(root.resolve())
        name = relative.name
        return relative.parts[:1] == ("idp",) and not name.startswith((".", "_"))

    return directory_filter


def extract_literal_calls(root: Path = REPO_ROOT) -> Iterator[Msg]:
    method_map, options_map = _method_map(root)
    for filename, lineno, message, comments, context in extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=_only_idp(root),
    ):
        yield Msg(message, context, [(filename, lineno)], list(comments))


# --- 2. message constants passed to _() at render time ------------------------------------------


def _parse(root: Path, relative: str) -> ast.Module:
    path = root / relative
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _assigned(statement: ast.stmt) -> tuple[str, ast.expr] | None:
    """(name, value) of ``NAME = value`` or ``NAME: type = value``; None for anything else."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value is not None:
        return statement.target.id, statement.value
    return None


def _string(value: ast.expr) -> str | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def is_user_message(text: str) -> bool:
    """A constant is an English message if it has words (a space) and is mostly Latin letters.

    Russian texts (the SMS messages) are not msgids; an English message may quote a Russian
    word ("йцукен"), so the test is the share of Cyrillic letters, not their presence.
    """
    letters = [char for char in text if char.isalpha()]
    cyrillic = sum(1 for char in letters if _CYRILLIC.match(char))
    return bool(re.search(r"\s", text.strip())) and 2 * cyrillic < len(letters)


def message_constants(root: Path, relative: str) -> Iterator[Msg]:
    """Module-level UPPER_CASE string constants of `relative` that are English messages."""
    for statement in _parse(root, relative).body:
        assigned = _assigned(statement)
        if assigned is None or not _CONSTANT_NAME.fullmatch(assigned[0]):
            continue
        text = _string(assigned[1])
        if text is not None and is_user_message(text):
            module = Path(relative).stem
            yield Msg(text, None, [(relative, statement.lineno)], [f"{module}.{assigned[0]}"])


def login_error_messages(root: Path, relative: str = LOGIN_ERRORS_MODULE) -> Iterator[Msg]:
    """The ``message`` class attribute of every class (the login errors), with its error code."""
    for statement in _parse(root, relative).body:
        if not isinstance(statement, ast.ClassDef):
            continue
        attributes = {}
        for item in statement.body:
            assigned = _assigned(item)
            if assigned is not None and _string(assigned[1]) is not None:
                attributes[assigned[0]] = (_string(assigned[1]), item.lineno)
        if "message" in attributes:
            text, lineno = attributes["message"]
            code = attributes.get("code", ("", 0))[0]
            comment = f"{statement.name} {code}".strip()
            yield Msg(text, None, [(relative, lineno)], [comment])


def dict_values(root: Path, relative: str, name: str) -> Iterator[Msg]:
    """The string values of the module-level dict `name` (the consent-screen scope texts)."""
    for statement in _parse(root, relative).body:
        assigned = _assigned(statement)
        if assigned is None or assigned[0] != name or not isinstance(assigned[1], ast.Dict):
            continue
        for key, value in zip(assigned[1].keys, assigned[1].values, strict=True):
            text = _string(value)
            if text is not None:
                label = _string(key) if key is not None else None
                yield Msg(text, None, [(relative, value.lineno)], [f"{name}[{label!r}]"])


def enum_values(root: Path, relative: str, class_name: str) -> Iterator[Msg]:
    """The string values of the enum class `class_name` (account levels shown as _(level))."""
    for statement in _parse(root, relative).body:
        if not isinstance(statement, ast.ClassDef) or statement.name != class_name:
            continue
        for item in statement.body:
            assigned = _assigned(item)
            text = _string(assigned[1]) if assigned is not None else None
            if assigned is not None and text is not None:
                yield Msg(text, None, [(relative, item.lineno)], [f"{class_name}.{assigned[0]}"])


def _required(source: str, messages: Iterable[Msg]) -> list[Msg]:
    found = list(messages)
    if not found:
        raise ExtractionError(f"no messages found in {source}; update scripts/extract_idp_messages.py")
    return found


def collect_constants(root: Path = REPO_ROOT) -> Iterator[Msg]:
    for relative in CONSTANT_MODULES:
        yield from _required(relative, message_constants(root, relative))
    yield from _required(LOGIN_ERRORS_MODULE, login_error_messages(root))
    yield from _required(f"{SCOPES_MODULE}:{SCOPES_NAME}", dict_values(root, SCOPES_MODULE, SCOPES_NAME))
    yield from _required(f"{LEVELS_MODULE}:{LEVELS_CLASS}", enum_values(root, LEVELS_MODULE, LEVELS_CLASS))


# --- 3. werkzeug HTTP error names ----------------------------------------------------------------


def http_error_names() -> Iterator[Msg]:
    """The ``name`` of every HTTP error werkzeug raises (abort(), routing, request limits)."""
    for code, exc_class in sorted(werkzeug.exceptions.default_exceptions.items()):
        yield Msg(exc_class().name, None, [(HTTP_ERRORS_MODULE, None)], [f"HTTP {code}"])
    # HTTPException.name of an exception without a known status code.
    yield Msg(werkzeug.exceptions.HTTPException().name, None, [(HTTP_ERRORS_MODULE, None)], [])


# --- all together -------------------------------------------------------------------------------


def collect_messages(root: Path = REPO_ROOT) -> dict[tuple[MsgId, str | None], Msg]:
    """Every msgid the IdP UI can show, keyed by (msgid, context), in a stable order."""
    collected: dict[tuple[MsgId, str | None], Msg] = {}
    for msg in (*extract_literal_calls(root), *collect_constants(root), *http_error_names()):
        known = collected.get(msg.key)
        if known is None:
            collected[msg.key] = msg
            continue
        known.locations.extend(loc for loc in msg.locations if loc not in known.locations)
        known.auto_comments.extend(c for c in msg.auto_comments if c not in known.auto_comments)
    return collected


# --- calls whose msgid cannot be extracted -------------------------------------------------------


def _python_problem(arg: ast.expr) -> str | None:
    def has_literal(node: ast.AST) -> bool:
        return any(_string(n) is not None for n in ast.walk(node) if isinstance(n, ast.expr))

    if isinstance(arg, ast.JoinedStr):
        return "f-string: the msgid changes with the values; use %(name)s placeholders"
    if isinstance(arg, ast.BinOp) and has_literal(arg):
        return "string built with an operator; use one literal with %(name)s placeholders"
    if (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr
        in {
            "format",
            "join",
        }
    ):
        return f"str.{arg.func.attr}() result; use one literal with %(name)s placeholders"
    if isinstance(arg, ast.BoolOp | ast.IfExp) and has_literal(arg):
        return "literal inside a conditional expression is not extracted; call _() on each literal"
    return None


def _python_problems(root: Path, relative: str) -> Iterator[str]:
    for node in ast.walk(_parse(root, relative)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in KEYWORDS:
            continue
        where = f"{relative}:{node.lineno}"
        problem = _python_problem(node.args[0])
        if problem:
            yield f"{where}: {name}(...): {problem}"
            continue
        text = _string(node.args[0])
        if text is None:
            continue  # a variable: its values must be collected as constants
        given = {kw.arg for kw in node.keywords if kw.arg}
        missing = placeholders(text) - given
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
    tree = env.parse(source, filename=relative)
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name not in KEYWORDS:
            continue
        if not call.args:
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


def find_problems(root: Path = REPO_ROOT) -> list[str]:
    """gettext calls whose msgid is built at run time, or whose placeholders get no value.

    Looks at the same files as extraction: those under idp/ matched by a babel.cfg pattern.
    """
    method_map, _ = _method_map(root)
    keep_directory = _only_idp(root)
    problems: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root / "idp"):
        dirnames[:] = sorted(d for d in dirnames if keep_directory(os.path.join(dirpath, d)))
        for filename in sorted(filenames):
            path = Path(dirpath, filename)
            relative = path.relative_to(root).as_posix()
            method = next((m for pattern, m in method_map if pathmatch(pattern, relative)), None)
            if method == "python":
                problems.extend(_python_problems(root, relative))
            elif method is not None and method.startswith("jinja2"):
                problems.extend(_template_problems(relative, path.read_text(encoding="utf-8")))
    return problems


# --- merging into the .po ------------------------------------------------------------------------

HEADER_COMMENT = """\
# Russian translations of the gosid IdP UI (Russian is the default locale).
# Msgids are English. Refresh with: .venv/bin/python scripts/extract_idp_messages.py
# tests/unit/test_idp_translations.py fails while any msgid lacks a translation."""


def read_catalog(po_path: Path) -> Catalog:
    if po_path.exists() and po_path.stat().st_size:
        with po_path.open("rb") as fh:
            return read_po(fh, locale=LOCALE, domain="messages")
    return Catalog(locale=LOCALE, domain="messages")


def is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return not message.fuzzy and bool(strings) and all(s and s.strip() for s in strings)


def merged_catalog(messages: Iterable[Msg], po_path: Path) -> Catalog:
    catalog = read_catalog(po_path)
    template = Catalog(locale=LOCALE, domain="messages")
    for msg in messages:
        template.add(
            msg.id,
            "" if isinstance(msg.id, str) else ("",) * len(msg.id),
            locations=msg.locations,
            auto_comments=msg.auto_comments,
            context=msg.context,
        )
    catalog.update(template, update_creation_date=False)
    catalog.project, catalog.version = "gosid", "IdP"
    catalog.header_comment = HEADER_COMMENT
    # Replace babel's placeholders; keep whatever a translator put there.
    if catalog.msgid_bugs_address == "EMAIL@ADDRESS":
        catalog.msgid_bugs_address = ""
    if "FULL NAME" in catalog.last_translator:
        catalog.last_translator = "gosid developers"
    if "LL@li.org" in catalog.language_team:
        catalog.language_team = "Russian"
    catalog.fuzzy = False
    return catalog


def render_po(catalog: Catalog, *, drop_obsolete: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, include_lineno=False, ignore_obsolete=drop_obsolete)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if outdated")
    parser.add_argument("--drop-obsolete", action="store_true", help="drop #~ entries")
    args = parser.parse_args(argv)

    po_path = REPO_ROOT / PO_FILE
    messages = collect_messages()
    catalog = merged_catalog(messages.values(), po_path)
    content = render_po(catalog, drop_obsolete=args.drop_obsolete)
    old = po_path.read_bytes() if po_path.exists() else b""
    untranslated = [m for m in catalog if m.id and not is_translated(m)]
    problems = find_problems()

    obsolete = 0 if args.drop_obsolete else len(catalog.obsolete)
    print(f"{len(messages)} msgids; {len(untranslated)} untranslated or fuzzy; {obsolete} obsolete")
    for message in untranslated:
        print(f"  untranslated: {message.id!r}")
    for problem in problems:
        print(f"  not translatable: {problem}")
    if content == old:
        print(f"{PO_FILE} is up to date")
    elif args.check:
        print(f"{PO_FILE} is out of date: run scripts/extract_idp_messages.py")
    else:
        tmp = po_path.with_suffix(".po.tmp")
        tmp.write_bytes(content)
        tmp.replace(po_path)
        print(f"wrote {PO_FILE}")
    if args.check and (content != old or untranslated or problems):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
