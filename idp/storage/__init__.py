"""Durable storage (SQLAlchemy 2.0) and the short-lived store."""
