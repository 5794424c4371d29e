"""Accounts: identity data of a person, its validation, password hashing and policy, regions.

Everything in this package is plain Python (no Flask), so it can be used from the web layer, the
CLI, the persona seeding and unit tests alike.
"""
