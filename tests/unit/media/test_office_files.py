"""Office files in ZIP containers: Office Open XML and OpenDocument known from what they declare
inside, hostile archives refused from their directory alone (nothing is extracted)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fedi.media import office_files
from fedi.media.office_files import OfficeFileError, media_type_of
from tests.testrig import documents as made


def test_ooxml_is_known_by_its_main_part_and_opendocument_by_its_mimetype() -> None:
    assert media_type_of(made.ooxml("docx")).endswith("wordprocessingml.document")
    assert media_type_of(made.ooxml("xlsx")).endswith("spreadsheetml.sheet")
    assert media_type_of(made.ooxml("pptx")).endswith("presentationml.presentation")
    assert media_type_of(made.opendocument("text")) == "application/vnd.oasis.opendocument.text"


@pytest.mark.parametrize(
    ("archive", "reason"),
    [
        (lambda: made.plain_zip("readme.txt", "setup.exe"), "not a Word"),
        (lambda: made.opendocument("graphics"), "not a Word"),  # odg: not one we take
        (lambda: made.plain_zip("mimetype"), "not a Word"),
        (lambda: made.ooxml("docx", extra=[("../evil", b"x")]), r"\.\."),
        (lambda: made.ooxml("docx", extra=[("word/../../evil", b"x")]), r"\.\."),
        (lambda: made.ooxml("docx", extra=[("/etc/cron.d/evil", b"x")]), "absolute"),
        (lambda: made.ooxml("docx", extra=[("\\windows\\evil", b"x")]), "absolute"),
        (lambda: made.ooxml("docx", extra=[("C:evil", b"x")]), "absolute"),
        (lambda: made.ooxml("docx", extra=[("word/vbaProject.bin", b"x")]), "macros"),
        (lambda: made.ooxml("docx", extra=[("_rels/.rels", b"twice")]), "twice"),
        (
            lambda: made.declaring_size(made.ooxml("docx"), "word/document.xml", 2**32 - 1),
            "compressed",
        ),
        (lambda: made.deflate_bomb(), "compressed"),
        (lambda: made.many_members(office_files.MAX_MEMBERS + 1), "members"),
        (lambda: b"PK\x03\x04" + b"\x00" * 100, "cannot be read"),
        (lambda: made.ooxml("docx")[:-30], "cannot be read"),
    ],
)
def test_hostile_or_unknown_archives_are_refused(archive: Callable[[], bytes], reason: str) -> None:
    with pytest.raises(OfficeFileError, match=reason):
        media_type_of(archive())


def test_the_total_declared_size_is_capped_even_when_no_member_looks_like_a_bomb() -> None:
    # 300 members of 1 MiB each, every one at the ratio floor: 300 MiB in all, over the cap.
    archive = made.many_members(300)
    for i in range(300):
        archive = made.declaring_size(archive, f"part{i}.xml", office_files.RATIO_FLOOR)
    with pytest.raises(OfficeFileError, match="256 MiB"):
        media_type_of(archive)


def test_a_content_types_part_that_would_decompress_too_far_is_not_read() -> None:
    bloated = made.declaring_size(made.ooxml("docx"), "[Content_Types].xml", 2 * 1024 * 1024)
    with pytest.raises(OfficeFileError):
        media_type_of(bloated)
