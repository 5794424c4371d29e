"""An IdP wired to the simulated bank ACS, both under gunicorn on free ports (embedded storage).

The shared ``stack`` fixture cannot point the IdP at an ACS, so the factor e2e tests start their
own pair, the same way (``gosid init`` then gunicorn; the ACS shares the IdP's keys directory so
the IdP finds the bank's public key there).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulators import test_ca
from tests.support.servers import REPO, GunicornServer, HarnessError, clean_environ, free_port, load_personas


@dataclass
class FactorStack:
    idp: GunicornServer
    acs: GunicornServer
    root: Path

    @property
    def idp_url(self) -> str:
        return self.idp.url

    @property
    def qes_dir(self) -> Path:
        return self.root / "keys" / "qes"


def start_factor_stack(root: Path) -> FactorStack:
    idp_port, acs_port = free_port(), free_port()
    keys = root / "keys"
    env = clean_environ({
        "GOSID_MODE": "development", "GOSID_DEV_MODE": "true", "GOSID_ISSUER": f"http://127.0.0.1:{idp_port}",
        "GOSID_DATABASE_URL": f"sqlite:///{root / 'idp.sqlite3'}", "GOSID_STORE_URL": "memory://",
        "GOSID_KEYS_DIR": str(keys), "GOSID_VAR_DIR": str(root / "var"), "GOSID_SECRET_KEY": secrets.token_urlsafe(32),
        "GOSID_RP_BASE_URL": "http://127.0.0.1:9", "GOSID_ACS_URL": f"http://127.0.0.1:{acs_port}",
        "GOSID_ACS_TIMEOUT": "2",
    })  # fmt: skip
    (root / "var").mkdir(parents=True, exist_ok=True)
    init = subprocess.run([sys.executable, "-m", "idp.cli", "init"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    if init.returncode != 0:
        raise HarnessError(f"gosid init failed:\n{init.stdout}{init.stderr}")
    test_ca.ensure(keys, list(load_personas().values()))  # as `gosid run` does in dev mode
    acs = GunicornServer("ACS", "simulators.acs.wsgi:app", acs_port, env, root / "acs.log", threads=4)
    acs.start("/")
    idp = GunicornServer("IdP", "idp.wsgi:app", idp_port, env, root / "idp.log", threads=4)
    try:
        idp.start("/.well-known/openid-configuration")
    except BaseException:
        acs.stop()
        raise
    return FactorStack(idp, acs, root)


@pytest.fixture(scope="module")
def factor_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FactorStack]:
    running = start_factor_stack(tmp_path_factory.mktemp("factor-stack"))
    try:
        yield running
    finally:
        running.idp.stop()
        running.acs.stop()
