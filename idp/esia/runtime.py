"""The ESIA dialect's per-process objects, built once in the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from idp.adapters.store import ShortLivedStore
from idp.esia.codes import EsiaCodes
from idp.esia.stand_keys import StandKeys
from idp.settings import IdpSettings


@dataclass(frozen=True)
class EsiaRuntime:
    keys: StandKeys
    codes: EsiaCodes


def init_runtime(app: Flask, settings: IdpSettings, store: ShortLivedStore) -> None:
    app.extensions["gosid_esia"] = EsiaRuntime(
        keys=StandKeys.load_or_create(settings.keys_dir),
        codes=EsiaCodes(store, ttl=settings.esia_code_ttl),
    )


def esia() -> EsiaRuntime:
    found: EsiaRuntime = current_app.extensions["gosid_esia"]
    return found
