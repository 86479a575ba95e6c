"""Documents members may attach (PDF, office files, plain text, CSV), recognised from their bytes;
the client's type and file name only tell plain text from CSV, which bytes cannot. Office files
are ZIP containers, inspected by fedi.media.office_files. Stored as uploaded by fedi.media.media."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fedi.media import office_files

FILE_NAME_LIMIT = 200


class DocumentError(ValueError):
    """Not a document we accept; the message can be shown to the member."""


@dataclass(frozen=True)
class DocumentType:
    media_type: str
    extension: str


PDF = DocumentType("application/pdf", "pdf")
TXT = DocumentType("text/plain", "txt")
CSV = DocumentType("text/csv", "csv")
TYPES = (
    PDF,
    *(DocumentType(m, e) for m, e in office_files.MEDIA_TYPES.items()),
    TXT,
    CSV,
)
BY_EXTENSION = {t.extension: t for t in TYPES}
BY_MEDIA_TYPE = {t.media_type: t for t in TYPES}
_TEXT_BY_EXTENSION = {"txt": TXT, "csv": CSV}
_TEXT_BY_DECLARED_TYPE = {"text/plain": TXT, "text/csv": CSV}
# `%PDF-1.7`: the header at the very start (readers allow it later; a file with something else
# first is a polyglot we have no reason to keep).
_PDF_HEADER = re.compile(rb"\A%PDF-[0-9]\.[0-9]")
_ZIP_HEADER = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"
_ASCII_SPACE = b" \t\n\r\f"
UNSUPPORTED = (
    "the file is not a supported image (JPEG, PNG, GIF, WebP) or document (PDF, Word, Excel,"
    " PowerPoint, OpenDocument, plain text, CSV)"
)


def _extension(file_name: str | None) -> str | None:
    if not file_name or "." not in file_name:
        return None
    extension = file_name.rsplit(".", 1)[1].lower()
    return extension if 0 < len(extension) <= 10 and extension.isalnum() else None


def _text_type(file_name: str | None, declared_type: str | None) -> DocumentType | None:
    """Whether the client says the file is text: its name's extension if it has one, else the
    declared type."""
    extension = _extension(file_name)
    if extension is not None:
        return _TEXT_BY_EXTENSION.get(extension)
    bare = (declared_type or "").split(";", 1)[0].strip().lower()
    return _TEXT_BY_DECLARED_TYPE.get(bare)


def _check_text(data: bytes) -> None:
    body = data.removeprefix(_BOM)
    if b"\x00" in body:
        raise DocumentError("a text file may not contain NUL bytes")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError("a text file must be UTF-8") from None
    # What a browser would sniff as HTML or XML (WHATWG MIME sniffing starts at a `<` after
    # whitespace): such a file is markup, not text, whatever it is called.
    if body.lstrip(_ASCII_SPACE).startswith(b"<"):
        raise DocumentError("HTML, SVG and XML files are not accepted")


def detect(
    data: bytes, file_name: str | None = None, declared_type: str | None = None
) -> DocumentType:
    """The document type of an upload, from its bytes; DocumentError says why it is refused.
    Reads a ZIP's directory and at most two small members: call it in a worker thread."""
    if not data:
        raise DocumentError("the file is empty")
    if _PDF_HEADER.match(data):
        return PDF
    if data.startswith(_ZIP_HEADER):
        try:
            return BY_MEDIA_TYPE[office_files.media_type_of(data)]
        except office_files.OfficeFileError as exc:
            raise DocumentError(str(exc)) from None
    text = _text_type(file_name, declared_type)
    if text is None:
        raise DocumentError(UNSUPPORTED)
    _check_text(data)
    return text


def clean_file_name(name: str | None) -> str | None:
    """The name a member's file had, safe to keep and show: the last part of a path, without
    control or formatting characters (bidirectional overrides among them), spaces collapsed, no
    leading dot, at most FILE_NAME_LIMIT characters with the extension kept. None if nothing is
    left. It may still contain `<` or `&`: whatever shows it in HTML escapes it."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = " ".join(name.split()).strip(". ")
    if len(name) > FILE_NAME_LIMIT:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: FILE_NAME_LIMIT - len(extension) - 1].rstrip('. ')}.{extension}"
        else:
            name = name[:FILE_NAME_LIMIT].rstrip(". ")
    return name or None


def download_name(file_name: str | None, extension: str) -> str:
    """The name a download gets: the member's, ending in the extension of the type we detected
    (so that `report.html` holding a PDF is saved as `report.html.pdf`)."""
    name = file_name or "document"
    if not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}"
    return name
