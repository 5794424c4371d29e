"""gosid identity provider: a local stand-in for Gosuslugi / ESIA."""
