"""Development-only surfaces; registered only when dev mode is on."""
