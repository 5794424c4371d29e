"""Import every durable model so that metadata (and Alembic) sees all tables."""

from idp.accounts.models import Person
from idp.accounts.security_models import InPersonCode, KnownDevice, PasswordHistory
from idp.audit.models import AuditEvent
from idp.esia.models import EsiaClient, EsiaClientCertificate, EsiaRefreshToken
from idp.factors.models import EnrolledFactor
from idp.oidc.backchannel_models import BackchannelDelivery
from idp.oidc.models import Consent, OAuthClient, RefreshToken
from idp.outbox.models import OutboxMessage
from idp.replay.models import AccessTokenRevocation, UsedValue
from idp.sessions.models import BrowserSession

__all__ = [
    "AccessTokenRevocation",
    "AuditEvent",
    "BackchannelDelivery",
    "BrowserSession",
    "Consent",
    "EnrolledFactor",
    "EsiaClient",
    "EsiaClientCertificate",
    "EsiaRefreshToken",
    "InPersonCode",
    "KnownDevice",
    "OAuthClient",
    "OutboxMessage",
    "PasswordHistory",
    "Person",
    "RefreshToken",
    "UsedValue",
]
