"""Office documents in ZIP containers (Office Open XML: docx, xlsx, pptx; OpenDocument: odt, ods,
odp) recognised without extracting them: the archive's directory is checked for hostile archives
(too many members, paths leaving their folder, compression bombs), then at most one small member
that names the type is read, within a byte budget."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED = 256 * 1024 * 1024
# Office XML compresses 5 to 50 times; a deflate bomb about 1,000 times. Small members may
# compress further without harm, so the ratio is checked from RATIO_FLOOR bytes up.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_CONTENT_TYPES = 1024 * 1024
MAX_MIMETYPE = 100

# OpenDocument (ODF 1.2 part 3, 3.3): the first member is `mimetype`, holding the type.
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
# Office Open XML (ECMA-376 part 2): `[Content_Types].xml` gives the main part's content type.
_OOXML = "application/vnd.openxmlformats-officedocument."
OOXML_MAIN_PARTS = {
    f"{_OOXML}wordprocessingml.document.main+xml": (f"{_OOXML}wordprocessingml.document", "docx"),
    f"{_OOXML}spreadsheetml.sheet.main+xml": (f"{_OOXML}spreadsheetml.sheet", "xlsx"),
    f"{_OOXML}presentationml.presentation.main+xml": (
        f"{_OOXML}presentationml.presentation", "pptx",
    ),
}  # fmt: skip
MEDIA_TYPES = {**dict(OOXML_MAIN_PARTS.values()), **OPENDOCUMENT}
CONTENT_TYPES = "[Content_Types].xml"
_END_OF_DIRECTORY = b"PK\x05\x06"
_OVERRIDE = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Override\b([^<>]*)>")
_ATTRIBUTE = re.compile(r"""([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# What zipfile and its decompressors raise on a damaged or hostile archive.
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
           NotImplementedError, RuntimeError, zlib.error, struct.error, KeyError)  # fmt: skip
UNKNOWN = "the ZIP archive is not a Word, Excel, PowerPoint or OpenDocument file"


class OfficeFileError(ValueError):
    """Not an office file we accept; the message can be shown to the member."""


def _declared_member_count(data: bytes) -> int | None:
    """The member count in the end-of-directory record, read before zipfile parses a directory
    of possibly hundreds of thousands of entries. 0xFFFF defers to the ZIP64 record."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    return None if count == 0xFFFF else count


def _is_unsafe_name(info: zipfile.ZipInfo) -> bool:
    # zipfile cuts a name at its first NUL: the original name still has it.
    name = info.orig_filename
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    if re.match(r"[A-Za-z]:", name):  # a Windows drive
        return True
    return ".." in re.split(r"[/\\]", name)


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise OfficeFileError(f"the archive has more than {MAX_MEMBERS} members")
    names = [m.orig_filename for m in members]
    if len(set(names)) != len(names):
        raise OfficeFileError("the archive names a member twice")
    total = 0
    for member in members:
        if _is_unsafe_name(member):
            raise OfficeFileError("the archive has a member with an absolute or `..` path")
        if member.flag_bits & 0x1:
            raise OfficeFileError("encrypted archives are not accepted")
        total += member.file_size
        if member.file_size > RATIO_FLOOR and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        ):
            raise OfficeFileError("the archive is compressed too much to be a document")
    if total > MAX_UNCOMPRESSED:
        raise OfficeFileError(
            f"the archive holds more than {MAX_UNCOMPRESSED // (1024 * 1024)} MiB uncompressed"
        )


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, refused when it declares or decompresses to more than limit."""
    if member.file_size > limit:
        raise OfficeFileError(f"the archive's {member.filename} is too large")
    with archive.open(member) as opened:
        data = opened.read(limit + 1)
    if len(data) > limit:
        raise OfficeFileError(f"the archive's {member.filename} is too large")
    return data


def _opendocument(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> str | None:
    if not members or members[0].orig_filename != "mimetype":
        return None
    declared = _read(archive, members[0], MAX_MIMETYPE).decode("ascii", "replace").strip()
    if declared not in OPENDOCUMENT:
        raise OfficeFileError(UNKNOWN)
    return declared


def _attributes(element: str) -> dict[str, str]:
    return {m[1]: m[2] or m[3] for m in _ATTRIBUTE.finditer(element)}


def _ooxml(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> str | None:
    by_name = {m.orig_filename: m for m in members}
    if CONTENT_TYPES not in by_name:
        return None
    raw = _read(archive, by_name[CONTENT_TYPES], MAX_CONTENT_TYPES)
    text = raw.decode("utf-8-sig")
    if "macroenabled" in text.lower() or any("vbaproject" in n.lower() for n in by_name):
        raise OfficeFileError("documents with macros are not accepted")
    # OPC part names compare without regard to case (ECMA-376 part 2, 9.1.1.1).
    names = {n.lower() for n in by_name}
    found = set()
    for element in _OVERRIDE.finditer(text):
        attributes = _attributes(element[1])
        main = OOXML_MAIN_PARTS.get(attributes.get("ContentType", ""))
        if main and attributes.get("PartName", "").lstrip("/").lower() in names:
            found.add(main[0])
    if len(found) != 1:
        raise OfficeFileError(UNKNOWN)
    return found.pop()


def media_type_of(data: bytes) -> str:
    """The media type of an office file in a ZIP container; OfficeFileError otherwise."""
    declared = _declared_member_count(data)
    if declared is not None and declared > MAX_MEMBERS:
        raise OfficeFileError(f"the archive has more than {MAX_MEMBERS} members")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_members(members)
            found = _opendocument(archive, members) or _ooxml(archive, members)
    except OfficeFileError:
        raise
    except _BROKEN:
        raise OfficeFileError("the ZIP archive cannot be read") from None
    if found is None:
        raise OfficeFileError(UNKNOWN)
    return found
