# gunicorn settings shared by both apps; worker and thread counts come from the command line.
import os

accesslog = "-" if os.environ.get("GOSID_ACCESS_LOG", "1") == "1" else None
errorlog = "-"
loglevel = os.environ.get("GOSID_LOG_LEVEL", "info")
timeout = 60
graceful_timeout = 10
# preload keeps key loading and settings checks to one place before workers fork
preload_app = True
# gunicorn >= 27 opens a control socket at one fixed path per user; two servers (IdP and RP)
# would fight over it and nothing here uses it.
control_socket_disable = True


def post_fork(server, worker):
    """Start the app's per-process background work in each worker (the IdP: back-channel logout
    delivery, idp/oidc/backchannel.py): threads of the preloaded master do not survive the fork."""
    app = worker.app.wsgi()
    for start in getattr(app, "extensions", {}).get("post_fork", ()):
        start()
