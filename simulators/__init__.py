"""Dev-mode stand-ins for the outside world, reached over HTTP like the real ones: the bank's
3-D Secure ACS (``simulators.acs``), the identity-document registry (``simulators.registry``).
They are separate applications; the IdP never imports their code."""
