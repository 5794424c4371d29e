"""The JSON API: RFC 6750 bearer tokens from the IdP, one blueprint per area, documented in
``/api/openapi.json``. Every route calls one operation; errors are rendered in one place."""

from __future__ import annotations

from flask import Blueprint

from relying_party_demo.api import appointments, cards, directory, openapi, people

BLUEPRINTS: tuple[Blueprint, ...] = (openapi.bp, people.bp, directory.bp, cards.bp, appointments.bp)
