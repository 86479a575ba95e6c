"""Documents made on the spot for upload tests: a real one-page PDF, Office Open XML and
OpenDocument files built with zipfile, and hostile archives (a member declaring a huge size, a
deflate bomb, a `../` path, too many members)."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile

_OOXML = "application/vnd.openxmlformats-officedocument."
# kind -> (main part, its content type, the XML it holds)
_OOXML_PARTS = {
    "docx": (
        "word/document.xml", f"{_OOXML}wordprocessingml.document.main+xml",
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Minutes of the meeting</w:t></w:r></w:p></w:body></w:document>",
    ),
    "xlsx": (
        "xl/workbook.xml", f"{_OOXML}spreadsheetml.sheet.main+xml",
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheets/></workbook>",
    ),
    "pptx": (
        "ppt/presentation.xml", f"{_OOXML}presentationml.presentation.main+xml",
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    ),
}  # fmt: skip
ODF = "application/vnd.oasis.opendocument."


def pdf(text: str = "Minutes of the meeting") -> bytes:
    """A one-page PDF 1.4 with a line of Helvetica, its cross-reference table exact."""
    content = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(out)


def _zip(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # a name given twice is a case the tests want
        for position, (name, data) in enumerate(members):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            stored = stored_first and position == 0
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def ooxml(kind: str = "docx", extra: list[tuple[str, bytes]] | None = None) -> bytes:
    """A docx, xlsx or pptx: `[Content_Types].xml`, the package relationships, the main part."""
    part, content_type, xml = _OOXML_PARTS[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
    )
    relationships = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="' + part + '" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    return _zip([
        ("[Content_Types].xml", types.encode()),
        ("_rels/.rels", relationships.encode()),
        (part, xml.encode()),
        *(extra or []),
    ])  # fmt: skip


def opendocument(kind: str = "text", extra: list[tuple[str, bytes]] | None = None) -> bytes:
    """An odt, ods or odp (kind: text, spreadsheet, presentation): `mimetype` first and stored,
    then the manifest and the content."""
    media_type = f"{ODF}{kind}"
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        f' manifest:media-type="{media_type}"/><manifest:file-entry'
        ' manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' office:version="1.2"><office:body/></office:document-content>'
    )
    return _zip(
        [("mimetype", media_type.encode()), ("META-INF/manifest.xml", manifest.encode()),
         ("content.xml", content.encode()), *(extra or [])],
        stored_first=True,
    )  # fmt: skip


def plain_zip(*names: str) -> bytes:
    """A ZIP of small text members, nothing office about it."""
    return _zip([(name, b"hello\n") for name in names or ("readme.txt",)])


def declaring_size(archive: bytes, member: str, size: int) -> bytes:
    """The archive with `member` claiming `size` uncompressed bytes in the central directory
    (what zipfile reads), its data unchanged: a bomb on paper."""
    out = bytearray(archive)
    start = 0
    encoded = member.encode()
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        name_length = struct.unpack_from("<H", out, start + 28)[0]
        if bytes(out[start + 46 : start + 46 + name_length]) == encoded:
            struct.pack_into("<I", out, start + 24, size)
        start += 4
    return bytes(out)


def bomb_on_paper() -> bytes:
    """A docx whose main part claims 4 GiB uncompressed."""
    return declaring_size(ooxml("docx"), "word/document.xml", 2**32 - 1)


def deflate_bomb(megabytes: int = 20) -> bytes:
    """A docx with a member of zeros that compresses about a thousand times."""
    return ooxml("docx", extra=[("word/media/zeros.bin", bytes(megabytes * 1024 * 1024))])


def many_members(count: int) -> bytes:
    return _zip([(f"part{i}.xml", b"") for i in range(count)])
