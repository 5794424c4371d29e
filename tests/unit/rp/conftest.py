"""Fixtures for the demo RP's unit tests: a loopback IdP serving JWKS, keys, a manual clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from relying_party_demo.jwks import HttpJwksFetcher
from relying_party_demo.testing import FakeIdp, ManualClock, SigningKey, generate_signing_key
from relying_party_demo.tokens import AccessTokenVerifier


@pytest.fixture(scope="session")
def rsa_key() -> SigningKey:
    # Generating an RSA key takes a while; one per test session is enough.
    return generate_signing_key("RS256", "rsa-1")


@pytest.fixture
def idp(rsa_key: SigningKey) -> Iterator[FakeIdp]:
    with FakeIdp(signing_key=rsa_key) as fake:
        yield fake


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def jwks(idp: FakeIdp, clock: ManualClock) -> HttpJwksFetcher:
    return HttpJwksFetcher(f"{idp.issuer}/jwks", timeout=5, cache_seconds=300, clock=clock)


@pytest.fixture
def verifier(idp: FakeIdp, jwks: HttpJwksFetcher) -> AccessTokenVerifier:
    return AccessTokenVerifier(idp.issuer, "egisz-demo", jwks)
