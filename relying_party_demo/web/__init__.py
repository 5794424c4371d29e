"""The pages a person sees. Each page calls the same operations as the API, with the access
token of the browser's login, and renders what they return."""

from __future__ import annotations

from flask import Blueprint

from relying_party_demo.web import appointments, cards, onboarding, pages

BLUEPRINTS: tuple[Blueprint, ...] = (pages.bp, cards.bp, appointments.bp, onboarding.bp)
