"""The IdP's services, built once per process in the app factory from settings."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from idp.accounts import passwords
from idp.accounts.passwords import HashParameters, PasswordHashing
from idp.adapters.clock import Clock, SystemClock
from idp.adapters.store import ShortLivedStore, open_store
from idp.authn.transaction import TransactionRepository
from idp.factors.send_limits import SendLimits
from idp.factors.setup import build_factors, login_limits
from idp.factors.sms import SmsCodeFactor
from idp.login.captcha import CaptchaStore
from idp.login.limits import LoginLimiter
from idp.login.service import LoginService
from idp.oidc.authorization.par import PushedRequests
from idp.oidc.codes import CodeRepository
from idp.oidc.dpop import DPoPVerifier
from idp.oidc.keys import KeyRing
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import AccessTokenDenyList
from idp.oidc.token_endpoints import TokenStatus
from idp.oidc.tokens import TokenSigner
from idp.outbox.senders import DevOutbox, HttpSmsGateway, MessageSender, RealSender, SmtpMail
from idp.sessions.service import SessionService
from idp.settings import IdpSettings


@dataclass(frozen=True)
class Services:
    settings: IdpSettings
    store: ShortLivedStore
    keyring: KeyRing
    signer: TokenSigner
    sender: MessageSender
    login: LoginService
    sessions: SessionService
    codes: CodeRepository
    refresh: RefreshTokenService
    deny_list: AccessTokenDenyList
    token_status: TokenStatus
    pushed: PushedRequests
    dpop: DPoPVerifier
    captcha: CaptchaStore
    send_limits: SendLimits
    clock: Clock  # the date rules' clock (idp.adapters.clock); token lifetimes keep time.time()
    passwords: PasswordHashing


def build_sender(settings: IdpSettings) -> MessageSender:
    if settings.dev_mode:
        return DevOutbox()
    return RealSender(
        mail=SmtpMail(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_sender),
        sms=HttpSmsGateway(url=settings.sms_gateway_url, token=settings.sms_gateway_token),
    )


def build_password_hashing(settings: IdpSettings) -> PasswordHashing:
    """argon2id with the configured cost, also made the process's hasher for registration,
    password changes and seeding (``idp.accounts.passwords.configure``)."""
    hashing = PasswordHashing(
        HashParameters(
            memory_kib=settings.password_hash_memory_kib,
            time_cost=settings.password_hash_time_cost,
            parallelism=settings.password_hash_parallelism,
        )
    )
    passwords.configure(hashing)
    return hashing


def build_services(
    settings: IdpSettings, *, store: ShortLivedStore | None = None, clock: Clock | None = None
) -> Services:
    store = store or open_store(settings.store_url)
    keyring = KeyRing.load_or_create(settings.keys_dir)
    signer = TokenSigner(
        keyring=keyring,
        issuer=settings.issuer,
        access_ttl=settings.access_token_ttl,
        id_ttl=settings.id_token_ttl,
    )
    sender = build_sender(settings)
    send_limits = SendLimits(store, per_recipient=settings.code_sends_per_recipient, per_ip=settings.code_sends_per_ip)
    sms = SmsCodeFactor(
        store=store,
        sender=sender,
        ttl=settings.sms_code_ttl,
        attempts=settings.sms_code_attempts,
        cooldown=settings.sms_resend_cooldown,
        limits=send_limits,
    )
    captcha = CaptchaStore(store)
    transactions = TransactionRepository(store, ttl=settings.login_transaction_ttl)
    refresh = RefreshTokenService(ttl=settings.refresh_token_ttl, idle_ttl=settings.refresh_token_idle_ttl)
    deny_list = AccessTokenDenyList(store)
    hashing = build_password_hashing(settings)
    return Services(
        settings=settings,
        store=store,
        keyring=keyring,
        signer=signer,
        sender=sender,
        login=LoginService(
            transactions=transactions,
            sms=sms,
            factors=build_factors(settings, store, sender, sms, send_limits),
            guard=LoginLimiter(store=store, captcha=captcha, limits=login_limits(settings)),
            hashing=hashing,
        ),
        sessions=SessionService(ttl=settings.session_ttl, idle_ttl=settings.session_idle_ttl),
        codes=CodeRepository(store, ttl=settings.authorization_code_ttl),
        refresh=refresh,
        deny_list=deny_list,
        token_status=TokenStatus(signer=signer, deny_list=deny_list, refresh=refresh),
        pushed=PushedRequests(store, ttl=settings.par_ttl),
        dpop=DPoPVerifier(store=store, require_nonce=settings.dpop_require_nonce),
        captcha=captcha,
        send_limits=send_limits,
        clock=clock or SystemClock(),
        passwords=hashing,
    )


def services() -> Services:
    found: Services = current_app.extensions["gosid"]
    return found
