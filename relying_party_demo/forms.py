"""HTML forms; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

ENTRY_KIND_NAMES: dict[str, LazyString] = {
    "visit": _l("Visit"),
    "diagnosis": _l("Diagnosis"),
    "prescription": _l("Prescription"),
    "note": _l("Note"),
}


class EntryForm(FlaskForm):
    # cards.parse_entry validates; the form only carries the fields and the CSRF token.
    # The template renders ``kind`` as a <select> of ENTRY_KIND_NAMES.
    kind = StringField(_l("Kind"))
    icd10 = StringField(_l("ICD-10 code"))
    text = TextAreaField(_l("Text"))
