"""docs/SECURITY.md stays true to the test suite.

(a) its checklist table has a row for every item 1-52; (b) every ``path::test_name`` it cites
names a file that defines that test; (c) every test marked ``@pytest.mark.checklist(NN, ...)``
is cited in the row of each of its items, and every test of ``tests/security`` cited in a row
carries that row's item in its marker. Each row also proves something: it cites a test or says
why the item does not apply. The markers are read from the source with :mod:`ast`, so nothing
is imported or collected.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "SECURITY.md"
SECURITY_TESTS = "tests/security/"
ITEMS = range(1, 53)

ROW = re.compile(r"^\|\s*(\d{1,2})\s*\|(.*)$")
CITATION = re.compile(r"(tests/[\w/.-]+\.py)::(test_\w+)")


def _rows() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            item = int(found.group(1))
            assert item not in rows, f"item {item} has two rows in {DOC.name}"
            rows[item] = found.group(2)
    return rows


def _is_checklist(decorator: ast.expr) -> bool:
    """``@pytest.mark.checklist(...)``."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "checklist"
        and isinstance(decorator.func.value, ast.Attribute)
        and decorator.func.value.attr == "mark"
    )


def _items_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    items: set[int] = set()
    for decorator in function.decorator_list:
        if _is_checklist(decorator):
            assert isinstance(decorator, ast.Call)
            for arg in decorator.args:
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, int) and arg.value in ITEMS, (
                    f"{function.name}: {ast.unparse(arg)}"
                )
                items.add(arg.value)
    return items


def checklist_markers(source: str) -> dict[str, set[int]]:
    """The module-level test functions of ``source`` and the checklist items they are marked with."""
    return {
        node.name: _items_of(node)
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    }


@cache
def _tests_in(path: str) -> dict[str, set[int]]:
    file = REPO / path
    return checklist_markers(file.read_text(encoding="utf-8")) if file.is_file() else {}


def _test_files() -> list[str]:
    return sorted(file.relative_to(REPO).as_posix() for file in (REPO / "tests").rglob("test_*.py"))


def test_every_checklist_item_has_a_row() -> None:
    rows = _rows()
    assert sorted(rows) == list(ITEMS), (
        f"missing: {sorted(set(ITEMS) - set(rows))}, extra: {sorted(set(rows) - set(ITEMS))}"
    )


def test_every_row_cites_a_test_or_says_why_not() -> None:
    for item, text in _rows().items():
        assert CITATION.search(text) or "not applicable" in text, f"item {item} proves nothing"


def test_every_cited_test_exists() -> None:
    citations = CITATION.findall(DOC.read_text(encoding="utf-8"))
    assert len(citations) > 52
    missing = sorted({f"{path}::{name}" for path, name in citations if name not in _tests_in(path)})
    assert missing == [], f"{DOC.name} cites tests that do not exist: {missing}"


def test_checklist_markers_and_citations_agree() -> None:
    rows = _rows()
    cited = {item: set(CITATION.findall(text)) for item, text in rows.items()}
    uncited = [
        f"{path}::{name} (item {item})"
        for path in _test_files()
        for name, items in _tests_in(path).items()
        for item in sorted(items)
        if (path, name) not in cited.get(item, set())
    ]
    assert uncited == [], f"marked but not cited under their item in {DOC.name}: {uncited}"
    unmarked = [
        f"{path}::{name} (item {item})"
        for item, citations in sorted(cited.items())
        for path, name in sorted(citations)
        if path.startswith(SECURITY_TESTS) and item not in _tests_in(path).get(name, set())
    ]
    assert unmarked == [], f"cited in {DOC.name} without @pytest.mark.checklist of that item: {unmarked}"


@pytest.mark.parametrize(
    ("line", "source"),
    [("| 7 | x | `tests/a.py::test_b` | met |", "@pytest.mark.checklist(7, 33)\ndef test_b() -> None: ...\n")],
)
def test_the_patterns_read_a_table_row_and_a_marker(line: str, source: str) -> None:
    found = ROW.match(line)
    assert found and found.group(1) == "7"
    assert CITATION.findall(found.group(2)) == [("tests/a.py", "test_b")]
    assert checklist_markers(source) == {"test_b": {7, 33}}
