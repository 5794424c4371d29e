"""The operator's fault suite (`make faults`, `python -m faults`): a private PostgreSQL and Redis,
two IdP instances under gunicorn behind haproxy, and scenarios that inject one fault each under
load (README, "Operating in production" → "Fault suite")."""
