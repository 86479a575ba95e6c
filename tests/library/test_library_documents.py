"""A space's library without the web: uploads without a post, versions under an existing name,
folders, search, removal and the space's quota."""

from __future__ import annotations

import dataclasses

import pytest

from fedi.context import Context
from fedi.db import audit_log
from fedi.db import library as library_rows
from fedi.library import documents, folders
from fedi.library.documents import Upload
from fedi.library.rules import MAX_FOLDER_DEPTH, LibraryError, QuotaExceeded
from fedi.moderation.library_quota import QuotaError, set_library_quota
from fedi.moderation.roles import change_role
from tests.testrig import documents as files
from tests.testrig.library import Space, private_space
from tests.testrig.pictures import jpeg_with_gps


@pytest.fixture
async def space(context: Context) -> Space:
    return await private_space(context)


def pdf_upload(text: str = "Minutes", name: str = "minutes.pdf", **details: object) -> Upload:
    return Upload(data=files.pdf(text), file_name=name, **details)  # type: ignore[arg-type]


async def test_an_upload_without_a_post_keeps_its_name_and_details(
    context: Context, space: Space
) -> None:
    document = await documents.upload_document(
        context, space.group, space.mia.account,
        pdf_upload(title="Minutes of May", description="Signed copy", language="fr"),
    )  # fmt: skip
    assert (document.name, document.title, document.description, document.language) == (
        "minutes.pdf", "Minutes of May", "Signed copy", "fr",
    )  # fmt: skip
    assert document.latest.media_type == "application/pdf"
    assert document.latest.size == len(files.pdf("Minutes"))
    assert document.uploaded_by_id == space.mia.account.id
    assert document.uri == f"{space.group.account.uri}/library/{document.id}"
    assert document.latest.file and (context.settings.media_dir / document.latest.file).is_file()


async def test_a_new_upload_under_the_same_name_is_a_new_version(
    context: Context, space: Space
) -> None:
    first = await documents.upload_document(
        context, space.group, space.mia.account, pdf_upload("one", title="Draft")
    )
    second = await documents.upload_document(
        context, space.group, space.olga.account, pdf_upload("two", name="MINUTES.pdf")
    )
    assert second.id == first.id and second.version_count == 2
    assert second.title == "Draft"  # an upload without a title keeps the document's
    versions = await documents.versions_of(context, second)
    assert [v.size for v in versions] == [len(files.pdf("two")), len(files.pdf("one"))]
    assert versions[0].uploaded_by_id == space.olga.account.id
    for version in versions:  # each one kept, and downloadable
        assert version.file and (context.settings.media_dir / version.file).is_file()
    folder = await folders.create_folder(context, space.group, space.mia.account, "2026", None)
    elsewhere = await documents.upload_document(
        context, space.group, space.mia.account, pdf_upload(folder_id=folder.id)
    )
    assert elsewhere.id != first.id and elsewhere.version_count == 1


async def test_images_are_stripped_of_their_metadata(context: Context, space: Space) -> None:
    photo = jpeg_with_gps()
    document = await documents.upload_document(
        context, space.group, space.mia.account, Upload(photo, "scene.jpg")
    )
    assert document.latest.media_type == "image/jpeg"
    assert document.latest.file is not None
    kept = (context.settings.media_dir / document.latest.file).read_bytes()
    assert b"GPS" not in kept and kept != photo


async def test_folders_nest_to_a_limit_with_names_unique_per_parent(
    context: Context, space: Space
) -> None:
    top = await folders.create_folder(context, space.group, space.mia.account, "Cases", None)
    with pytest.raises(LibraryError, match="already holds"):
        await folders.create_folder(context, space.group, space.mia.account, "cases", None)
    parent = top
    for depth in range(2, MAX_FOLDER_DEPTH + 1):
        parent = await folders.create_folder(
            context, space.group, space.mia.account, "Cases", parent.id
        )
        assert parent.depth == depth
    with pytest.raises(LibraryError, match="deep"):
        await folders.create_folder(context, space.group, space.mia.account, "x", parent.id)
    listing = await documents.listing(context, space.group, parent.id)
    assert [f.depth for f in listing.path] == list(range(1, MAX_FOLDER_DEPTH + 1))


async def test_only_members_add_and_only_uploader_or_moderators_remove(
    context: Context, space: Space
) -> None:
    with pytest.raises(LibraryError) as refused:
        await documents.upload_document(context, space.group, space.nils.account, pdf_upload())
    assert refused.value.status == 403
    with pytest.raises(LibraryError):
        await folders.create_folder(context, space.group, space.nils.account, "x", None)
    mine = await documents.upload_document(context, space.group, space.mia.account, pdf_upload())
    theirs = await documents.upload_document(
        context, space.group, space.olga.account, pdf_upload(name="owner.pdf")
    )
    with pytest.raises(LibraryError) as denied:
        await documents.delete_document(context, space.group, space.mia, theirs.id)
    assert denied.value.status == 404
    with pytest.raises(LibraryError):
        await documents.delete_document(context, space.group, space.nils, mine.id)
    assert mine.latest.file is not None
    await documents.delete_document(context, space.group, space.mia, mine.id)
    assert not (context.settings.media_dir / mine.latest.file).exists()
    await documents.delete_document(context, space.group, space.olga, theirs.id)
    assert (await documents.listing(context, space.group, None)).documents == []


async def test_search_by_name_or_title_whatever_the_case(context: Context, space: Space) -> None:
    await documents.upload_document(
        context, space.group, space.mia.account, pdf_upload(name="Témoignage.pdf")
    )
    await documents.upload_document(
        context, space.group, space.mia.account,
        pdf_upload(name="b.pdf", title="Plan for the HEARING"),
    )  # fmt: skip
    await documents.upload_document(
        context, space.group, space.mia.account, pdf_upload(name="100%_sure.pdf")
    )
    found = await documents.listing(context, space.group, None, query="TÉMOIGNAGE")
    assert [d.name for d in found.documents] == ["Témoignage.pdf"]
    found = await documents.listing(context, space.group, None, query="hearing")
    assert [d.name for d in found.documents] == ["b.pdf"]
    found = await documents.listing(context, space.group, None, query="%_")
    assert [d.name for d in found.documents] == ["100%_sure.pdf"]


async def test_an_upload_past_the_quota_is_refused(context: Context, space: Space) -> None:
    await context.db.write(lambda conn: library_rows.set_quota_mb(conn, space.group.id, 1))
    big = files.pdf("x" * 600_000)
    await documents.upload_document(context, space.group, space.mia.account, Upload(big, "a.pdf"))
    with pytest.raises(QuotaExceeded, match="1 MB"):
        await documents.upload_document(
            context, space.group, space.mia.account, Upload(big, "b.pdf")
        )
    assert len(list(context.settings.media_dir.glob("*.pdf"))) == 1  # the refused file is gone


async def test_details_are_checked(context: Context, space: Space) -> None:
    bad_details = (
        dataclasses.replace(pdf_upload(), language="french"),
        dataclasses.replace(pdf_upload(), title="x" * 201),
        dataclasses.replace(pdf_upload(), description="x" * 1501),
    )
    for bad in bad_details:
        with pytest.raises(LibraryError):
            await documents.upload_document(context, space.group, space.mia.account, bad)
    with pytest.raises(LibraryError):
        await documents.upload_document(
            context, space.group, space.mia.account, Upload(b"MZ\x90\x00binary", "tool.exe")
        )


async def test_admins_set_a_spaces_quota_and_the_audit_log_records_it(
    context: Context, space: Space
) -> None:
    with pytest.raises(QuotaError):
        await set_library_quota(context, space.olga, space.group, 5)  # the owner is no admin
    admin = await change_role(context, None, "olga", "admin")
    await set_library_quota(context, admin, space.group, 5)
    async with context.db.read() as conn:
        assert await library_rows.quota_mb(conn, space.group.id) == 5
        entries = await audit_log.entries(conn, limit=5)
    assert entries[0].action == "change_library_quota"
    assert entries[0].details == {"quota_mb": 5}
    with pytest.raises(QuotaError):
        await set_library_quota(context, admin, space.group, 0)
