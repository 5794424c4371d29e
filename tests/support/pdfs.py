"""Real PDF files for upload tests, written with pypdf: a valid one and the kinds the RP refuses."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
    TextStringObject,
)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # A4 in points
    return writer


def valid_pdf() -> bytes:
    return _written(_one_page())


def _action(kind: str, **entries: str) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def open_action_javascript_pdf() -> bytes:
    """``/OpenAction`` runs JavaScript when the file is opened."""
    writer = _one_page()
    writer._root_object[NameObject("/OpenAction")] = _action("/JavaScript", JS="app.alert('pwned');")
    return _written(writer)


def names_tree_javascript_pdf() -> bytes:
    """Document-level JavaScript in the catalogue's ``/Names`` tree (what pypdf's open action writes)."""
    writer = _one_page()
    writer.add_open_action(JavaScript("this.print({bUI:false,bSilent:true});"))
    return _written(writer)


def launch_pdf() -> bytes:
    """``/OpenAction`` launches a program."""
    writer = _one_page()
    writer._root_object[NameObject("/OpenAction")] = _action("/Launch", F="cmd.exe")
    return _written(writer)


def link_launch_pdf() -> bytes:
    """A link annotation on the page whose action launches a program (not in the catalogue)."""
    writer = _one_page()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): RectangleObject([0, 0, 595, 842]),
            NameObject("/A"): _action("/Launch", F="calc.exe"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def encrypted_pdf() -> bytes:
    writer = _one_page()
    writer.encrypt(user_password="1234", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def truncated_pdf() -> bytes:
    whole = valid_pdf()
    return whole[: len(whole) // 2]


def garbage_pdf() -> bytes:
    """Starts like a PDF, is not one (the old magic-bytes check accepted it)."""
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_of_size(size: int) -> bytes:
    """A valid, readable PDF of exactly ``size`` bytes (the page carries an unused data stream)."""
    padding = 0
    for _ in range(5):
        writer = _one_page()
        stream = DecodedStreamObject()
        stream.set_data(b"0" * padding)
        writer.pages[0][NameObject("/PieceInfo")] = writer._add_object(stream)
        written = _written(writer)
        if len(written) == size:
            return written
        padding += size - len(written)
    raise AssertionError(f"could not write a PDF of exactly {size} bytes")
