"""The IdP and RP the e2e session runs under gunicorn, one pair per backend variant."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tests.support.backends import REDIS_URL
from tests.support.servers import GunicornServer, IdpProcess

E2E_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"


@dataclass
class Stack:
    """The running IdP and RP of one backend variant."""

    backend: str
    idp: IdpProcess
    rp: GunicornServer
    failed: list[str] = field(default_factory=list)

    @property
    def idp_url(self) -> str:
        return self.idp.url

    @property
    def rp_url(self) -> str:
        return self.rp.url

    @property
    def redirect_uri(self) -> str:
        return f"{self.rp_url}/auth/callback"

    def discovery(self) -> dict[str, Any]:
        resp = requests.get(f"{self.idp_url}/.well-known/openid-configuration", timeout=10)
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data

    def servers(self) -> list[GunicornServer]:
        return [self.idp.server, self.rp]


def print_logs(config: pytest.Config, stack: Stack) -> None:
    """The tail of both servers' logs, printed past pytest's capture (after a failed test)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    lines = [f"\n===== e2e [{stack.backend}] failed: {', '.join(stack.failed)} ====="]
    for server in stack.servers():
        lines += [f"----- {server.name} log ({server.log_path}) -----", server.log_tail(300)]
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n".join(lines), flush=True)
