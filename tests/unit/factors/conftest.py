"""A test CA with the personas' certificates, made once per session (about a second)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def qes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from simulators import test_ca

    with (REPO / "config" / "personas.toml").open("rb") as fh:
        personas = tomllib.load(fh)["person"]
    return test_ca.ensure(tmp_path_factory.mktemp("qes-keys"), personas)
