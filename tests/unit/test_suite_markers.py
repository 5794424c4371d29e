"""The suite says what it runs: ``-m "not postgres and not redis"`` (``make test-fast``) leaves
every PostgreSQL/Redis variant out, a variant without its marker is refused at collection, and
a missing browser stack is a failure under CI=true, as a missing PostgreSQL or Redis is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import browser

REPO = Path(__file__).resolve().parents[2]
# A node id naming a PostgreSQL or Redis variant: test_x[postgres_redis], [postgres], [js-postgres], [redis] ...
VARIANT = re.compile(r"\[(?:[^\]]*-)?(postgres_redis|postgres|redis)(?:-[^\]]*)?\]$")
TWIN = re.compile(r"\[(?:[^\]]*-)?(embedded|sqlite)(?:-[^\]]*)?\]$")


def _collect(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _node_ids(output: str) -> list[str]:
    return [line for line in output.splitlines() if "::" in line]


def test_test_fast_selection_holds_no_postgres_or_redis_variant() -> None:
    fast = _collect("tests", "-m", "not postgres and not redis")
    assert fast.returncode == 0, fast.stdout[-3000:] + fast.stderr[-3000:]
    selected = _node_ids(fast.stdout)
    assert len(selected) > 500, "the fast selection should still hold the unit and integration tests"
    leaked = [node for node in selected if VARIANT.search(node)]
    assert leaked == [], leaked[:20]
    # The embedded twins of the variants are kept.
    assert {"embedded", "sqlite"} <= {m.group(1) for node in selected if (m := TWIN.search(node))}


def test_a_backend_variant_without_its_marker_is_refused_at_collection(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n")
    (tmp_path / "test_unmarked.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture(params=["embedded", "postgres_redis"])
            def backend(request):
                return request.param

            def test_uses_a_backend(backend):
                pass
            """
        )
    )
    result = _collect(str(tmp_path), cwd=tmp_path)
    assert result.returncode != 0
    assert "test_uses_a_backend[postgres_redis] (add: postgres, redis)" in result.stdout + result.stderr
    assert "test_uses_a_backend[embedded] (add" not in result.stdout + result.stderr


@pytest.fixture
def no_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chromium is there, the playwright package is not."""
    monkeypatch.setattr("tests.support.backends.chromium_available", lambda: True)
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)


def test_a_missing_playwright_fails_the_run_under_ci(no_playwright: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with (
        pytest.raises(pytest.fail.Exception, match=r"Playwright .* is required under CI=true"),
        browser.launched_chromium(),
    ):
        pass


def test_a_missing_playwright_skips_locally(no_playwright: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Playwright .* not reachable"), browser.launched_chromium():
        pass
