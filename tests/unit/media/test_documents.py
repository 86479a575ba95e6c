"""Documents recognised from their bytes: PDF, office files and text whatever the client calls
them, markup and binary refused; the names files had, cleaned for keeping and downloading."""

from __future__ import annotations

import pytest

from fedi.media import documents
from fedi.media.documents import DocumentError, clean_file_name, detect, download_name
from tests.testrig import documents as made
from tests.testrig import pictures

ODF = "application/vnd.oasis.opendocument."
OOXML = "application/vnd.openxmlformats-officedocument."


@pytest.mark.parametrize(
    ("data", "media_type", "extension"),
    [
        (made.pdf(), "application/pdf", "pdf"),
        (made.ooxml("docx"), f"{OOXML}wordprocessingml.document", "docx"),
        (made.ooxml("xlsx"), f"{OOXML}spreadsheetml.sheet", "xlsx"),
        (made.ooxml("pptx"), f"{OOXML}presentationml.presentation", "pptx"),
        (made.opendocument("text"), f"{ODF}text", "odt"),
        (made.opendocument("spreadsheet"), f"{ODF}spreadsheet", "ods"),
        (made.opendocument("presentation"), f"{ODF}presentation", "odp"),
    ],
)
def test_binary_documents_are_known_by_their_bytes_whatever_they_are_called(
    data: bytes, media_type: str, extension: str
) -> None:
    for name, declared in ((f"file.{extension}", media_type), ("photo.png", "image/png"),
                           (None, None), ("notes.txt", "text/plain")):  # fmt: skip
        found = detect(data, name, declared)
        assert (found.media_type, found.extension) == (media_type, extension)


def test_text_is_plain_or_csv_as_the_name_or_else_the_declared_type_says() -> None:
    assert detect(b"Agenda\n1. Budget\n", "agenda.txt", "application/octet-stream") == documents.TXT
    assert detect(b"name,votes\nyes,12\n", "results.CSV", "text/plain") == documents.CSV
    assert detect("Ordre du jour : été\n".encode(), None, "text/plain") == documents.TXT
    assert detect(b"a;b\n", "", "text/csv; charset=utf-8") == documents.CSV
    assert detect(b"\xef\xbb\xbfwith a byte order mark\n", "bom.txt") == documents.TXT


@pytest.mark.parametrize(
    ("data", "name", "declared"),
    [
        (b"plain text, renamed", "photo.png", "image/png"),
        (b"plain text, no name, no type", None, None),
        (b"# notes", "notes.md", "text/plain"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "page.html", "text/html"),
        (b"\n  <html><script>alert(1)</script></html>", "page.txt", "text/plain"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "a.txt", "text/plain"),
        (b"<?xml version='1.0'?><x/>", "data.csv", "text/csv"),
        (b"text\x00with a NUL", "nul.txt", "text/plain"),
        (b"latin-1 \xe9t\xe9", "latin.txt", "text/plain"),
        (b"", "empty.txt", "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", "application/octet-stream"),
        (b"%PDX-1.4 not quite", "a.pdf", "application/pdf"),
        (b"<html>%PDF-1.4</html>", "a.pdf", "application/pdf"),
        (pictures.png_with_text(), "a.txt", "text/plain"),
    ],
)
def test_everything_else_is_refused(data: bytes, name: str | None, declared: str | None) -> None:
    with pytest.raises(DocumentError):
        detect(data, name, declared)


def test_a_hostile_archive_is_refused_by_detection_with_a_reason() -> None:
    with pytest.raises(DocumentError, match=r"\.\."):
        detect(made.ooxml("docx", extra=[("../evil", b"x")]), "minutes.docx")
    with pytest.raises(DocumentError, match="not a Word"):
        detect(made.plain_zip(), "archive.zip")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Minutes 2024.pdf", "Minutes 2024.pdf"),
        ("C:\\Users\\ana\\Documents\\budget.xlsx", "budget.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("  ..hidden.txt  ", "hidden.txt"),
        ("re\u202egnp.pdf", "regnp.pdf"),  # a right-to-left override would show it as fdp.png
        ("line\r\nbreak\t\x00.txt", "linebreak.txt"),
        ("two   spaces.txt", "two spaces.txt"),
        ("Cafe\u0301.odt", "Café.odt"),
        ("<img src=x onerror=alert(1)>.txt", "<img src=x onerror=alert(1)>.txt"),
        ("", None),
        (None, None),
        ("\u200f\u202e", None),
        ("...", None),
    ],
)
def test_file_names_are_cleaned(given: str | None, kept: str | None) -> None:
    assert clean_file_name(given) == kept


def test_long_file_names_keep_their_extension() -> None:
    kept = clean_file_name("x" * 500 + ".docx")
    assert kept is not None and len(kept) == 200 and kept.endswith("x.docx")
    kept = clean_file_name("y" * 500)
    assert kept == "y" * 200


def test_a_download_is_named_with_the_detected_extension() -> None:
    assert download_name("Minutes.PDF", "pdf") == "Minutes.PDF"
    assert download_name("page.html", "pdf") == "page.html.pdf"
    assert download_name(None, "txt") == "document.txt"
