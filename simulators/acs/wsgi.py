"""WSGI entry point of the simulators (``gosid run`` starts it): the bank's ACS at ``/`` and the
identity-document registry at ``/registry``."""

import os
from pathlib import Path

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from simulators import registry
from simulators.acs import create_app

acs = create_app(Path(os.environ["GOSID_KEYS_DIR"]) if os.environ.get("GOSID_KEYS_DIR") else None)
app = DispatcherMiddleware(acs, {"/registry": registry.create_app()})
