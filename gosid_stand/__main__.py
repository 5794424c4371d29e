"""``python -m gosid_stand``: the ``gosid`` command."""

from gosid_stand.cli import main

main()
