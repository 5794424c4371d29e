"""Benchmarks of the IdP under gunicorn on loopback: ``python -m bench.run`` (``make bench``)."""
