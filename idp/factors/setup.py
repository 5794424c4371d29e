"""Build the factor registry once, in the app factory, from settings."""

from __future__ import annotations

from idp.adapters.store import ShortLivedStore
from idp.factors.registry import FactorRegistry
from idp.factors.sms import SmsCodeFactor
from idp.outbox.senders import MessageSender
from idp.settings import IdpSettings


def build_factors(
    settings: IdpSettings, store: ShortLivedStore, sender: MessageSender, sms: SmsCodeFactor
) -> FactorRegistry:
    return FactorRegistry([sms])
