"""WSGI entry point: ``gunicorn simulators.acs.wsgi:app`` (``gosid run`` starts it)."""

import os
from pathlib import Path

from simulators.acs import create_app

app = create_app(Path(os.environ["GOSID_KEYS_DIR"]) if os.environ.get("GOSID_KEYS_DIR") else None)
