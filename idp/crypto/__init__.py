"""Neutral cryptography: GOST R 34.10/34.11-2012, ASN.1 structures, X.509 and CMS, JWS helpers.

Shared by ``esia`` (client secrets, stand keys), ``factors`` (qualified signatures) and the
simulators; it knows nothing of HTTP, accounts or protocols.
"""
