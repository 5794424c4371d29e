"""``python -m idp.cli``: the IdP's own commands (the full ``gosid`` command: ``python -m gosid_stand``)."""

from idp.cli import main

main()
