"""The ESIA dialect: ``/aas/oauth2`` endpoints, signed ``client_secret``, ESIA-shaped tokens
and the ``/rs`` person API, so ESIA client libraries run against gosid unchanged."""
