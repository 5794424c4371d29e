"""The IdP's services: every dependency, built once per app in the app factory from settings
(the one place objects are wired together); ``services()`` is the accessor of idp.web and
idp.dev, the code below them gets what it needs as arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import Flask, current_app

from idp.accounts import passwords
from idp.accounts.levels import HttpRegistry, Registry
from idp.accounts.lookup_limits import LookupLimits
from idp.accounts.passwords import HashParameters, PasswordHashing
from idp.accounts.regions import RegionDirectory, load_regions
from idp.adapters.clock import Clock, SystemClock
from idp.adapters.store import ShortLivedStore, open_store
from idp.authn.transaction import TransactionRepository
from idp.esia.runtime import EsiaDeps, EsiaRuntime, build_runtime
from idp.factors.send_limits import SendLimits
from idp.factors.setup import build_factors
from idp.factors.sms import SmsCodeFactor
from idp.login.captcha import CaptchaStore
from idp.login.limits import LoginLimiter, login_limits
from idp.login.service import LoginService
from idp.login.signed_in import SignedInBrowsers
from idp.oidc.authorization.par import PushedRequests
from idp.oidc.backchannel import BackchannelOutbox, DeliveryWorker
from idp.oidc.code_replay import code_replay_revoker
from idp.oidc.codes import CodeRepository
from idp.oidc.discovery import discovery_document
from idp.oidc.dpop import DPoPVerifier
from idp.oidc.keys import KeyRing
from idp.oidc.logout import SessionLogout
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import AccessTokenDenyList
from idp.oidc.server import create_authorization_server
from idp.oidc.token_endpoints import TokenStatus
from idp.oidc.tokens import TokenSigner
from idp.outbox.senders import DevOutbox, HttpSmsGateway, MessageSender, RealSender, SmtpMail
from idp.replay.used_values import UsedValues
from idp.selfservice.factors_admin import FactorsAdmin
from idp.selfservice.lifecycle import AccountLifecycle
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
    lookup_limits: LookupLimits  # "already bound to another account" look-ups (idp.accounts.lookup_limits)
    lifecycle: AccountLifecycle  # ends everything hanging on an account (password change, disable)
    factors_admin: FactorsAdmin  # the person's own enrolment and removal of factors
    clock: Clock  # the date rules' clock (idp.adapters.clock); token lifetimes keep time.time()
    passwords: PasswordHashing
    oauth: AuthorizationServer  # Authlib's server with our grants (idp.oidc.server)
    backchannel: BackchannelOutbox  # the back-channel logout outbox (idp.oidc.backchannel)
    backchannel_worker: DeliveryWorker  # this process's delivery thread (started after fork)
    logout: SessionLogout
    registry: Registry  # the SNILS/passport registry (account levels)
    regions: Callable[[], RegionDirectory]  # config/regions.toml, loaded on first use
    esia: EsiaRuntime
    browsers: SignedInBrowsers  # who is signed in to a browser (idp.web.current keeps the cookie)

    def esia_deps(self) -> EsiaDeps:
        """What the ESIA dialect's checks need, with this container's current settings."""
        esia = self.esia
        return EsiaDeps(settings=self.settings, store=self.store, keys=esia.keys, codes=esia.codes, used=esia.used)


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
    app: Flask, settings: IdpSettings, *, store: ShortLivedStore | None = None, clock: Clock | None = None
) -> Services:
    """Every dependency of the IdP, built once (``app`` for Authlib's server and background work)."""
    store = store or open_store(
        settings.store_url,
        connect_timeout=settings.store_connect_timeout,
        read_timeout=settings.store_read_timeout,
        breaker_failures=settings.store_breaker_failures,
        breaker_cool_down=settings.store_breaker_cool_down,
    )
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
    used = UsedValues()  # replay guards in the database (idp/replay/used_values.py)
    deny_list = AccessTokenDenyList()
    hashing = build_password_hashing(settings)
    factors = build_factors(settings, store, sender, sms, used, send_limits)
    codes = CodeRepository(store, ttl=settings.authorization_code_ttl, used=used, family_ttl=settings.refresh_token_ttl)
    sessions = SessionService(ttl=settings.session_ttl, idle_ttl=settings.session_idle_ttl)
    clock = clock or SystemClock()
    backchannel = BackchannelOutbox(signer=signer, clock=clock, attempts=settings.backchannel_logout_attempts)
    backchannel_worker = DeliveryWorker(backchannel, app.app_context)
    token_status = TokenStatus(signer=signer, deny_list=deny_list, refresh=refresh)
    dpop = DPoPVerifier(store=store, require_nonce=settings.dpop_require_nonce, used=used)
    return Services(
        settings=settings,
        store=store,
        keyring=keyring,
        signer=signer,
        sender=sender,
        login=LoginService(
            transactions=transactions,
            sms=sms,
            factors=factors,
            guard=LoginLimiter(store=store, captcha=captcha, limits=login_limits(settings)),
            hashing=hashing,
        ),
        sessions=sessions,
        codes=codes,
        refresh=refresh,
        deny_list=deny_list,
        token_status=token_status,
        pushed=PushedRequests(store, ttl=settings.par_ttl),
        dpop=dpop,
        captcha=captcha,
        send_limits=send_limits,
        lookup_limits=LookupLimits(
            store, per_account=settings.lookup_checks_per_account, per_ip=settings.lookup_checks_per_ip
        ),
        lifecycle=AccountLifecycle(refresh=refresh, deny_list=deny_list, access_token_ttl=settings.access_token_ttl),
        factors_admin=FactorsAdmin(store=store, sender=sender, factors=factors),
        clock=clock,
        passwords=hashing,
        oauth=create_authorization_server(
            app,
            signer=signer,
            codes=codes,
            refresh=refresh,
            issuer=settings.issuer,
            store=store,
            used=used,
            revoke_code_tokens=code_replay_revoker(codes=codes, refresh=refresh, deny_list=deny_list),
            token_status=token_status,
            dpop=dpop,
            registration_token=lambda: services().settings.registration_token,  # read per request
            metadata=discovery_document(settings),
            production=settings.production,
        ),
        backchannel=backchannel,
        backchannel_worker=backchannel_worker,
        logout=SessionLogout(
            refresh=refresh,
            deny_list=deny_list,
            outbox=backchannel,
            worker=backchannel_worker,
            access_token_ttl=settings.access_token_ttl,
        ),
        registry=HttpRegistry(settings.registry_url),
        regions=cache(lambda: load_regions(settings.regions_file)),
        esia=build_runtime(settings, store, used),
        browsers=SignedInBrowsers(sessions),
    )


def services_of(app: Flask) -> Services:
    """The container :func:`idp.app.create_app` built for ``app`` (commands use this one)."""
    found: Services = app.extensions["gosid"]
    return found


def services() -> Services:
    """The current app's container: the accessor of idp.web and idp.dev (below them, arguments)."""
    return services_of(current_app)
