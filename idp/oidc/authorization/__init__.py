"""The authorization endpoint as a list of small checks (in the manner of node-oidc-provider)."""
