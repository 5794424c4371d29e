"""The ESIA dialect's dependencies, passed in by its callers (the ESIA views)."""

from __future__ import annotations

from dataclasses import dataclass

from idp.adapters.store import ShortLivedStore
from idp.esia.codes import EsiaCodes
from idp.esia.stand_keys import StandKeys
from idp.replay.used_values import UsedValues
from idp.settings import IdpSettings


@dataclass(frozen=True)
class EsiaRuntime:
    """The per-process objects, built once with the other services."""

    keys: StandKeys
    codes: EsiaCodes
    used: UsedValues  # the database's replay guards: used ``state`` values (idp/esia/checks.py)


@dataclass(frozen=True)
class EsiaDeps:
    """What the authorization and token checks need for one request."""

    settings: IdpSettings
    store: ShortLivedStore
    keys: StandKeys
    codes: EsiaCodes
    used: UsedValues


def build_runtime(settings: IdpSettings, store: ShortLivedStore, used: UsedValues) -> EsiaRuntime:
    return EsiaRuntime(
        keys=StandKeys.load_or_create(settings.keys_dir),
        codes=EsiaCodes(store, ttl=settings.esia_code_ttl, used=used, family_ttl=settings.refresh_token_ttl),
        used=used,
    )
