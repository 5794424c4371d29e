"""WSGI entry point: ``gunicorn relying_party_demo.wsgi:app``."""

from relying_party_demo import create_app

app = create_app()
