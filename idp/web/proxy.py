"""Behind a load balancer or TLS-terminating proxy: believe its X-Forwarded-* headers.

``GOSID_TRUSTED_PROXY_HOPS`` says how many proxies stand in front of the IdP. With ``n > 0``
werkzeug's ProxyFix takes the client's address, the scheme, the host and the port from the
last ``n`` values of ``X-Forwarded-For``, ``-Proto``, ``-Host`` and ``-Port``, so
``request.remote_addr`` (the address the login limits, device notices and audit rows use) is the
real client's and ``request.is_secure`` is true behind TLS. Values further left were written by
the client and are ignored. With 0 (the default) the headers are ignored altogether: a client
could write them, and an IdP reached directly must not believe them.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask, *, hops: int) -> None:
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
