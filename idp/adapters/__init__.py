"""Every external I/O behind an interface with a real and a development implementation."""
