"""Browser sessions at the IdP (server-side, so logout really ends them)."""
