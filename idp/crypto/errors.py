"""The crypto package's one error root: input a parser or verifier does not accept.

It never reaches a response: callers translate it at once into their own family
(``idp.esia.errors.EsiaError``, ``idp.authn.errors.LoginError``) or a CLI message.
"""

from __future__ import annotations


class CryptoError(ValueError):
    """Malformed or unverifiable cryptographic input (a ``ValueError``, as before)."""
