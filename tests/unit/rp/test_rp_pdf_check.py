"""What the RP accepts as a PDF: a file pypdf reads, with pages, no scripts or launch actions, not
encrypted, within the size limit; pypdf's own exceptions never escape."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from relying_party_demo.documents.pdf_check import PdfProblem, PdfRefused, check_pdf
from tests.support import pdfs

LIMIT = 5 * 1024 * 1024


def refusal(content: bytes, limit: int = LIMIT) -> PdfProblem:
    with pytest.raises(PdfRefused) as refused:
        check_pdf(content, max_bytes=limit)
    return refused.value.problem


def test_a_valid_pdf_is_accepted() -> None:
    assert check_pdf(pdfs.valid_pdf(), max_bytes=LIMIT).pages == 1


def test_a_pdf_of_exactly_the_limit_is_accepted() -> None:
    assert check_pdf(pdfs.pdf_of_size(LIMIT), max_bytes=LIMIT).pages == 1


def test_one_byte_over_the_limit_is_refused_before_parsing() -> None:
    assert refusal(pdfs.pdf_of_size(LIMIT + 1)) is PdfProblem.TOO_LARGE


@pytest.mark.parametrize(
    "build", [pdfs.open_action_javascript_pdf, pdfs.names_tree_javascript_pdf], ids=["open_action", "names_tree"]
)
def test_javascript_is_refused(build: Callable[[], bytes]) -> None:
    assert refusal(build()) is PdfProblem.JAVASCRIPT


@pytest.mark.parametrize("build", [pdfs.launch_pdf, pdfs.link_launch_pdf], ids=["open_action", "link"])
def test_launch_actions_are_refused(build: Callable[[], bytes]) -> None:
    assert refusal(build()) is PdfProblem.LAUNCH


def test_an_escaped_javascript_name_is_still_javascript() -> None:
    # "/J#61vaScript" is the name /JavaScript written with a hex escape.
    content = pdfs.open_action_javascript_pdf().replace(b"/S /JavaScript", b"/S /J#61vaScript")
    assert b"/J#61vaScript" in content
    assert refusal(content) is PdfProblem.JAVASCRIPT


def test_an_encrypted_pdf_is_refused() -> None:
    assert refusal(pdfs.encrypted_pdf()) is PdfProblem.ENCRYPTED


@pytest.mark.parametrize(
    "content",
    [
        pdfs.truncated_pdf(),
        pdfs.garbage_pdf(),
        b"GIF89a" + pdfs.valid_pdf(),
        b"",
        b"%PDF-",
        b"%PDF-1.7\n" + bytes(range(256)) * 40,
        pdfs.valid_pdf().replace(b"/Pages", b"/Pagez"),
    ],
    ids=["truncated", "garbage", "gif", "empty", "magic_only", "binary", "no_page_tree"],
)
def test_files_pypdf_cannot_read_are_not_pdfs(content: bytes) -> None:
    assert refusal(content) is PdfProblem.NOT_PDF


def test_refusals_say_what_is_wrong_in_english_for_logs_and_api() -> None:
    with pytest.raises(PdfRefused) as refused:
        check_pdf(pdfs.launch_pdf(), max_bytes=LIMIT)
    assert "launch" in refused.value.detail
