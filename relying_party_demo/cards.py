"""Medical cards: find or open a person's card, read it, add entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from relying_party_demo.errors import InvalidField
from relying_party_demo.models import CardEntry, MedicalCard, db

ENTRY_KINDS = ("visit", "diagnosis", "prescription", "note")
ENTRY_FIELDS = ("kind", "icd10", "text")
ICD10_PATTERN = re.compile(r"[A-Z][0-9]{2}(\.[0-9]{1,2})?")
MAX_TEXT_LENGTH = 2000
SEED_AUTHOR = "demo-seed"


@dataclass(frozen=True)
class EntryInput:
    kind: str
    icd10: str | None
    text: str


def parse_entry(data: object) -> EntryInput:
    """Validate a new entry's fields; :class:`InvalidField` names the first bad one."""
    if not isinstance(data, dict):
        raise InvalidField("body", "expected a JSON object with kind, icd10 and text")
    for name in data:
        if name not in ENTRY_FIELDS:
            raise InvalidField(str(name), "unknown field; allowed are kind, icd10, text")
    kind = data.get("kind")
    if kind not in ENTRY_KINDS:
        raise InvalidField("kind", f"must be one of {', '.join(ENTRY_KINDS)}")
    icd10 = _parse_icd10(data.get("icd10"), kind)
    return EntryInput(kind=kind, icd10=icd10, text=_parse_text(data))


def _parse_icd10(value: Any, kind: str) -> str | None:
    if value in (None, ""):
        if kind == "diagnosis":
            raise InvalidField("icd10", "a diagnosis needs an ICD-10 code such as J06.9")
        return None
    if not isinstance(value, str) or not ICD10_PATTERN.fullmatch(value.strip().upper()):
        raise InvalidField("icd10", "must be an ICD-10 code such as J06.9")
    return value.strip().upper()


def _parse_text(data: dict[str, Any]) -> str:
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidField("text", "must be a non-empty string")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidField("text", f"must be at most {MAX_TEXT_LENGTH} characters")
    return text.strip()


def find_card(patient_oid: int) -> MedicalCard | None:
    return db.session.scalars(select(MedicalCard).where(MedicalCard.patient_oid == patient_oid)).one_or_none()


def open_card(patient_oid: int, *, snils: str | None = None) -> MedicalCard:
    """The person's card, created with one demo entry the first time it is needed."""
    card = find_card(patient_oid)
    if card is None:
        card = MedicalCard(patient_oid=patient_oid, patient_snils=snils)
        card.entries.append(_demo_entry())
        db.session.add(card)
        try:
            db.session.commit()
        except IntegrityError:
            # Another request opened the same card at the same moment; use theirs.
            db.session.rollback()
            card = find_card(patient_oid)
            assert card is not None
    elif snils and card.patient_snils != snils:
        card.patient_snils = snils
        db.session.commit()
    return card


def _demo_entry() -> CardEntry:
    return CardEntry(
        kind="visit",
        icd10="Z00.0",
        text="Профилактический осмотр у терапевта. Жалоб нет, давление 120/80.",
        author_sub=SEED_AUTHOR,
    )


def add_entry(card: MedicalCard, entry: EntryInput, *, author_sub: str, token_jti: str) -> CardEntry:
    row = CardEntry(
        kind=entry.kind,
        icd10=entry.icd10,
        text=entry.text,
        author_sub=author_sub,
        token_jti=token_jti,
    )
    card.entries.append(row)
    db.session.commit()
    return row


def entry_json(entry: CardEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "icd10": entry.icd10,
        "text": entry.text,
        "author_sub": entry.author_sub,
        "created_at": entry.created_at.isoformat(),
        "token_jti": entry.token_jti,
    }


def card_json(card: MedicalCard) -> dict[str, Any]:
    return {
        "patient_oid": card.patient_oid,
        "patient_snils": card.patient_snils,
        "created": card.created.isoformat(),
        "entries": [entry_json(e) for e in card.entries],
    }
