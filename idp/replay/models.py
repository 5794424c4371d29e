"""Replay guards and revocations whose loss would re-open an attack (durable, not in the store).

- :class:`UsedValue`: a value that may be used once until ``expires_at`` (a DPoP proof ``jti``,
  a client-assertion ``jti``, a redeemed authorization code with what it produced).
- :class:`AccessTokenRevocation`: an access token revoked by ``jti``, or every access token
  issued in a browser session (``sid``) up to ``revoked_at``; kept until such tokens expire.

Values are stored as SHA-256 digests (codes are secrets; the others are bounded to 64 characters
this way). Times are Unix seconds from the injected clock. Expired rows are purged on write
(:mod:`idp.replay.used_values`, :mod:`idp.oidc.revocation`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import db


class UsedValue(db.Model):  # type: ignore[name-defined]
    __tablename__ = "used_value"

    namespace: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class AccessTokenRevocation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "access_token_revocation"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "jti" or "sid"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
