"""One transaction around work that is not a request: CLI commands, seeding, start-up tasks,
background threads. Requests get theirs from :mod:`idp.web.unit_of_work`.

Domain code only changes the session; whoever runs it decides when it commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from idp.storage.db import db


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block changed if it ends normally; roll everything back if it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
