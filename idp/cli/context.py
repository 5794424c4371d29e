"""The app a command works in: built by the app factory, with the system clock unless Click's
context object (``obj=``) is a :class:`Clock` (tests freeze the date this way)."""

from __future__ import annotations

import click
from flask import Flask

from idp.adapters.clock import Clock
from idp.app import create_app


def command_app() -> Flask:
    found = click.get_current_context().find_root().obj
    return create_app(clock=found if isinstance(found, Clock) else None)
