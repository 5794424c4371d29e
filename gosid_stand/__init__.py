"""The stand around the IdP: the ``gosid`` command and the ``gosid run`` process supervisor
(the IdP, the demo RP and, in dev mode, the simulators)."""
