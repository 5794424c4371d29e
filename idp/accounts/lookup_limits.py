"""Limits and audit for look-ups that can answer "already bound to another account".

Gosuslugi tells a person when the SNILS, phone or e-mail they typed belongs to another account
(registration, the profile, a contact change), and gosid keeps those messages where Gosuslugi
shows them. Each such answer tells the asker something about an account that is not theirs,
so every look-up that *can* give it goes through this module:

- it is counted before the query, atomically (the short-lived store's ``incr``, so parallel
  requests cannot slip past), per asking account and per IP, for an hour. Over
  ``GOSID_LOOKUP_CHECKS_PER_ACCOUNT`` (10) or ``GOSID_LOOKUP_CHECKS_PER_IP`` (50) the query is
  not made: :class:`~idp.authn.errors.LookupLimitReached`, HTTP 429, «Слишком много проверок…»,
  and the refusal is audited (``identity_lookup``, result ``limited``);
- every "already bound" answer is audited (``identity_lookup``, result ``bound``, the kind).

Use it around every uniqueness check that can show "already bound" (``lookups`` is the
:class:`LookupLimits` of the app's services, ``ip`` the asking request's address)::

    from idp.accounts import lookup_limits

    lookups.check(account=str(person.oid), ip=ip)   # before the query; raises LookupLimitReached
    owner = db.session.scalar(select(Person.oid).where(Person.snils == snils))
    if owner is not None and owner != person.oid:
        lookup_limits.bound("snils", person_oid=person.oid)
        raise fail("snils", SNILS_TAKEN)

``account`` names who asks: the signed-in person's OID, or ``phone:<E.164>`` for a registration
that has no account yet. Call :meth:`LookupLimits.check` once per submitted form, not per field.
"""

from __future__ import annotations

from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import LookupLimitReached

HOUR = 3600


class LookupLimits:
    def __init__(self, store: ShortLivedStore, *, per_account: int, per_ip: int) -> None:
        self._store, self._per_account, self._per_ip = store, per_account, per_ip

    def check(self, *, account: str, ip: str, person_oid: int | None = None) -> None:
        """Count one look-up for ``account`` and ``ip`` ("" when unknown: not counted); refuse
        over either limit."""
        limits = [(f"lookup-acct:{account}", self._per_account)]
        if ip:
            limits.append((f"lookup-ip:{ip}", self._per_ip))
        for key, limit in limits:
            if self._store.incr(key, ttl=HOUR) > limit:
                audit.record("identity_lookup", result="limited", person_oid=person_oid, scope=key.split(":")[0])
                raise LookupLimitReached(self._store.ttl(key) or HOUR)


def bound(kind: str, *, person_oid: int | None = None) -> None:
    """Audit one "already bound to another account" answer (``kind``: snils, phone, email)."""
    audit.record("identity_lookup", result="bound", person_oid=person_oid, kind=kind)
