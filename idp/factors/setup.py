"""Build the factor registry once, in the app factory, from settings."""

from __future__ import annotations

from pathlib import Path

from idp.accounts.notifications import notify_replayed_code
from idp.adapters.store import ShortLivedStore
from idp.factors.app_confirm import AppConfirmFactor
from idp.factors.card import CardCheck, CardFactor, HttpAcsClient
from idp.factors.email_link import EmailLinkFactor
from idp.factors.passkey import PasskeyFactor, relying_party
from idp.factors.qes import QesFactor
from idp.factors.registry import FactorRegistry
from idp.factors.secretbox import SecretBox
from idp.factors.send_limits import SendLimits
from idp.factors.sms import SmsCodeFactor
from idp.factors.totp import TotpFactor
from idp.outbox.senders import MessageSender
from idp.replay.used_values import UsedValues
from idp.settings import IdpSettings


def build_factors(
    settings: IdpSettings,
    store: ShortLivedStore,
    sender: MessageSender,
    sms: SmsCodeFactor,
    used: UsedValues,
    limits: SendLimits | None = None,
) -> FactorRegistry:
    totp = TotpFactor(
        store=store,
        used=used,
        box=SecretBox(settings.secret_key, purpose="totp"),
        on_replay=lambda person: notify_replayed_code(sender, person, url=f"{settings.issuer}/profile/sessions"),
    )
    email = EmailLinkFactor(
        store=store, sender=sender, base_url=settings.issuer, ttl=settings.email_link_ttl, limits=limits
    )
    app = AppConfirmFactor(store=store, ttl=settings.app_request_ttl)
    passkey = PasskeyFactor(store=store, rp=relying_party(settings.issuer, rp_id=settings.webauthn_rp_id))
    card = CardFactor(
        CardCheck(
            store=store,
            acs=HttpAcsClient(settings.acs_url),
            acs_url=settings.acs_url,
            public_key_file=Path(settings.acs_public_key_file or settings.keys_dir / "acs" / "public.pem"),
            secret=settings.secret_key,
            notification_url=settings.issuer.rstrip("/") + "/card/3ds/notify",
            timeout=settings.acs_timeout,
        )
    )
    qes_dir = settings.keys_dir / "qes"
    qes = QesFactor(
        store=store,
        ca_files=[Path(p) for p in settings.qes_ca_files.split(",") if p] or [qes_dir / "ca.pem"],
        crl_files=[Path(p) for p in settings.qes_crl_files.split(",") if p] or [qes_dir / "ca.crl"],
    )
    return FactorRegistry([sms, totp, app, email, passkey, card, qes])
