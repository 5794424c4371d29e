"""Is an upload a PDF the RP may keep? The one wrapper around pypdf.

A file is a PDF when pypdf reads it (cross-reference table, catalogue, at least one page). It is
refused when it is larger than the limit (checked before parsing), encrypted, or carries active
content: JavaScript (``/JS``, a ``/JavaScript`` name tree, ``/S /JavaScript`` actions, XFA forms)
or ``/Launch`` actions, wherever they are reachable from the trailer (``/OpenAction``, ``/AA``,
annotations, outlines). pypdf raises many kinds of exceptions on malformed input; every one of
them becomes :class:`PdfRefused` with :attr:`PdfProblem.NOT_PDF`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

PDF_MAGIC = b"%PDF-"
MAX_OBJECTS = 100_000  # a 5 MB file has far fewer; more means a crafted reference graph
SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})


class PdfProblem(Enum):
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    ENCRYPTED = "encrypted"
    JAVASCRIPT = "javascript"
    LAUNCH = "launch_action"


class PdfRefused(Exception):
    def __init__(self, problem: PdfProblem, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class PdfSummary:
    pages: int


def check_pdf(content: bytes, *, max_bytes: int) -> PdfSummary:
    """Accept ``content`` as a PDF or raise :class:`PdfRefused` saying why not."""
    if len(content) > max_bytes:
        raise PdfRefused(PdfProblem.TOO_LARGE, f"is larger than {max_bytes} bytes")
    if not content.startswith(PDF_MAGIC):
        raise PdfRefused(PdfProblem.NOT_PDF, "is not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise PdfRefused(PdfProblem.ENCRYPTED, "is encrypted (password-protected)")
        pages = len(reader.pages)
        _refuse_active_content(reader)
    except PdfRefused:
        raise
    except Exception as exc:  # untrusted input: whatever pypdf raises means "unreadable"
        raise PdfRefused(PdfProblem.NOT_PDF, f"is not a readable PDF file ({type(exc).__name__})") from exc
    if pages < 1:
        raise PdfRefused(PdfProblem.NOT_PDF, "is a PDF file without pages")
    return PdfSummary(pages=pages)


def _refuse_active_content(reader: PdfReader) -> None:
    for dictionary in _reachable_dictionaries(reader.trailer):
        action = dictionary.get("/S")
        if action == "/Launch":
            raise PdfRefused(PdfProblem.LAUNCH, "contains a launch action (/Launch)")
        if action == "/JavaScript" or SCRIPT_KEYS.intersection(dictionary.keys()):
            raise PdfRefused(PdfProblem.JAVASCRIPT, "contains JavaScript")


def _reachable_dictionaries(root: PdfObject) -> Iterator[DictionaryObject]:
    """Every dictionary (and stream dictionary) reachable from ``root``, each object once."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject | None] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            if len(seen) > MAX_OBJECTS:
                raise PdfRefused(PdfProblem.NOT_PDF, f"has more than {MAX_OBJECTS} objects")
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))
