"""docs/SECURITY.md stays true to the test suite.

(a) its checklist table has a row for every item 1-52; (b) every ``path::test_name`` it cites
names a file that defines that test; (c) every test in ``tests/security`` named after an item
(``test_NN_...``) is cited in that item's row. Each row also proves something: it cites a test
or says why the item does not apply.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "SECURITY.md"
ITEMS = range(1, 53)

ROW = re.compile(r"^\|\s*(\d{1,2})\s*\|(.*)$")
CITATION = re.compile(r"(tests/[\w/.-]+\.py)::(test_\w+)")
ITEM_TEST = re.compile(r"^def (test_(\d\d)_\w+)\(", re.M)


def _rows() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            item = int(found.group(1))
            assert item not in rows, f"item {item} has two rows in {DOC.name}"
            rows[item] = found.group(2)
    return rows


def _defines(path: str, name: str) -> bool:
    file = REPO / path
    return (
        file.is_file() and re.search(rf"^def {re.escape(name)}\(", file.read_text(encoding="utf-8"), re.M) is not None
    )


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
    missing = sorted({f"{path}::{name}" for path, name in citations if not _defines(path, name)})
    assert missing == [], f"{DOC.name} cites tests that do not exist: {missing}"


def test_every_item_named_security_test_is_cited_under_its_item() -> None:
    rows = _rows()
    uncited = []
    for file in sorted((REPO / "tests" / "security").glob("test_*.py")):
        path = file.relative_to(REPO).as_posix()
        for name, number in ITEM_TEST.findall(file.read_text(encoding="utf-8")):
            if (path, name) not in CITATION.findall(rows.get(int(number), "")):
                uncited.append(f"{path}::{name} (item {int(number)})")
    assert uncited == [], f"not cited under their item in {DOC.name}: {uncited}"


@pytest.mark.parametrize("line", ["| 7 | x | `tests/a.py::test_b` | met |"])
def test_the_row_pattern_reads_a_table_row(line: str) -> None:
    found = ROW.match(line)
    assert found and found.group(1) == "7"
    assert CITATION.findall(found.group(2)) == [("tests/a.py", "test_b")]
