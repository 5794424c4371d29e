"""Documents people upload to the RP (the OMS policy copy) and the checks they pass first."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

MEGABYTE = 1024 * 1024

# The file field of each form that takes one, by endpoint, with the label the form shows: an
# over-large body cannot be read, so this is how its error page names the field.
UPLOAD_FIELDS: dict[str, tuple[str, LazyString]] = {
    "web_onboarding.documents": ("policy_pdf", _l("Copy of the OMS policy (PDF)")),
}


def size_limit(size: int) -> LazyString:
    """``5 MB`` for 5 MiB, as people read a file size limit (``5 МБ`` in Russian)."""
    number = f"{size / MEGABYTE:.1f}".removesuffix(".0")
    return _l("%(number)s MB", number=number)
