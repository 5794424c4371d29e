"""Import every durable model so that metadata (and Alembic) sees all tables."""

from idp.accounts.models import Person
from idp.audit.models import AuditEvent
from idp.esia.models import EsiaClient, EsiaClientCertificate, EsiaRefreshToken
from idp.oidc.models import Consent, OAuthClient, RefreshToken
from idp.outbox.models import OutboxMessage
from idp.sessions.models import BrowserSession

__all__ = [
    "AuditEvent",
    "BrowserSession",
    "Consent",
    "EsiaClient",
    "EsiaClientCertificate",
    "EsiaRefreshToken",
    "OAuthClient",
    "OutboxMessage",
    "Person",
    "RefreshToken",
]
