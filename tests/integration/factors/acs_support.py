"""The simulated bank ACS in process, wired into the IdP's card check (the real one is HTTP)."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from idp.factors.card import AcsTimeout
from simulators.acs import create_app

ACS_BASE = "http://acs.test"
HIDDEN = re.compile(r'name="(\w+)" value="([^"]*)"')


class InProcessAcs:
    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def authenticate(self, areq: dict[str, Any], *, timeout: float) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def call() -> None:
            found["ares"] = self.client.post("/3ds/areq", json=areq, base_url=ACS_BASE).get_json()

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise AcsTimeout()
        return dict(found["ares"])


def wire_acs(idp_app: Any, keys_dir: Path, *, timeout_delay: float = 1.0, timeout: float = 0.3) -> Any:
    acs_app = create_app(keys_dir, timeout_delay=timeout_delay)
    check = idp_app.extensions["gosid"].login.factors.get("card").check
    check.acs = InProcessAcs(acs_app)
    check._key_file = keys_dir / "acs" / "public.pem"
    check.timeout = timeout
    return acs_app


def hidden_fields(html: str) -> dict[str, str]:
    return dict(HIDDEN.findall(html))
