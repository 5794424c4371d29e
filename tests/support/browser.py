"""Debian's Chromium driven by Playwright, as every browser test launches it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support import backends
from tests.support.backends import CHROMIUM, require

# Without the background-networking flags Chromium keeps dialling Google on this closed network.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
STEP_TIMEOUT_MS = 15_000


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A headless Chromium (skipped locally without it or Playwright, a failure under CI=true)."""
    require(backends.chromium_available(), "Debian chromium")
    require(backends.playwright_available(), "Playwright (the playwright Python package)")
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
