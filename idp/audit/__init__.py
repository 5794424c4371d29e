"""Append-only audit log of every authentication and token event."""
