"""Third-party front-end files: htmx and its SSE extension for the pages, axe-core for the browser
tests. vendor.lock.json pins each one (npm tarball, the registry's sha512 integrity, the file to
take); `fetch` downloads, checks and writes them. They are never committed, and pages name them
only when they are there (`page_scripts`, asked once at start)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import tarfile
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

LOCK_FILE = Path(__file__).with_name("vendor.lock.json")
STATIC_VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
URL_PREFIX = "/static/vendor/"
MAX_TARBALL_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 60

Use = Literal["pages", "tests"]
Download = Callable[[str], bytes]


class VendorError(Exception):
    """A pinned file could not be fetched, or what was fetched is not what the lock pins."""


@dataclass(frozen=True)
class VendorFile:
    package: str
    version: str
    tarball: str
    integrity: str  # "sha512-<base64>", npm's dist.integrity of the whole tarball
    extract: str  # the member of the tarball to keep
    save_as: str
    sha256: str  # of the extracted file, to check a file already on disk without the tarball
    use: Use


def load_lock(path: Path = LOCK_FILE) -> tuple[VendorFile, ...]:
    entries = json.loads(path.read_text(encoding="utf-8"))["files"]
    files = tuple(VendorFile(**entry) for entry in entries)
    for file in files:
        if file.use not in ("pages", "tests") or "/" in file.save_as or file.save_as[:1] == ".":
            raise VendorError(f"{path.name}: {file.package} has a bad `use` or `save_as`")
    return files


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_current(file: VendorFile, directory: Path) -> bool:
    """The file is on disk with the pinned content."""
    path = directory / file.save_as
    return path.is_file() and hmac.compare_digest(sha256_of(path), file.sha256)


def missing(directory: Path, tests_directory: Path | None = None) -> list[VendorFile]:
    """The pinned files that are absent or differ: page files in `directory`, test files in
    `tests_directory` (left out without one)."""
    found = []
    for file in load_lock():
        target = directory if file.use == "pages" else tests_directory
        if target is not None and not is_current(file, target):
            found.append(file)
    return found


def check_integrity(data: bytes, integrity: str) -> None:
    """npm's Subresource-Integrity string: `sha512-` and the base64 digest of the tarball."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"unsupported integrity {algorithm!r}: the lock pins sha512 only")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if not hmac.compare_digest(actual, expected):
        raise VendorError(f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}")


def extract(tarball: bytes, member: str) -> bytes:
    """One regular file of a gzipped tarball, read in memory: nothing else is written."""
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            info = archive.getmember(member)
            handle = archive.extractfile(info) if info.isfile() else None
            if handle is None:
                raise VendorError(f"{member} is not a regular file in the tarball")
            return handle.read()
    except (tarfile.TarError, KeyError, EOFError, OSError) as exc:
        raise VendorError(f"cannot read {member} from the tarball: {exc}") from None


def download(url: str) -> bytes:
    """The bytes at `url`, at most MAX_TARBALL_BYTES."""
    request = urllib.request.Request(url, headers={"User-Agent": "fedi-vendor"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    except OSError as exc:
        raise VendorError(f"cannot download {url}: {exc}") from None
    if len(data) > MAX_TARBALL_BYTES:
        raise VendorError(f"{url} is larger than {MAX_TARBALL_BYTES} bytes")
    return data


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch_file(file: VendorFile, directory: Path, get: Download = download) -> None:
    """Download the tarball, check its integrity, keep the one file, check it, write it."""
    tarball = get(file.tarball)
    try:
        check_integrity(tarball, file.integrity)
    except VendorError as exc:
        raise VendorError(f"{file.package} {file.version}: {exc}") from None
    content = extract(tarball, file.extract)
    if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), file.sha256):
        raise VendorError(f"{file.package} {file.version}: {file.extract} is not the pinned file")
    write_atomically(directory / file.save_as, content)


def fetch(
    files: Sequence[VendorFile], directory: Path, get: Download = download
) -> list[VendorFile]:
    """Bring each file into `directory` unless it is there already; the ones fetched."""
    fetched = []
    for file in files:
        if not is_current(file, directory):
            fetch_file(file, directory, get)
            fetched.append(file)
    return fetched


def page_scripts(directory: Path = STATIC_VENDOR_DIR) -> tuple[str, ...]:
    """The URLs of the page scripts, in the lock's order (htmx before its extension); none at
    all unless every one of them is there, so a page never loads an extension without htmx."""
    names = [file.save_as for file in load_lock() if file.use == "pages"]
    if not all((directory / name).is_file() for name in names):
        return ()
    return tuple(URL_PREFIX + name for name in names)
