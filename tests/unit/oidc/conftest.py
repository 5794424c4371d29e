"""The DPoP and client-assertion replay guards remember ``jti``s in the database (idp.replay.used_values)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.replay_db import replay_database


@pytest.fixture(autouse=True)
def durable_db() -> Iterator[None]:
    with replay_database():
        yield
