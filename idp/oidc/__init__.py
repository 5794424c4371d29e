"""The OpenID Connect protocol layer, built on Authlib."""
