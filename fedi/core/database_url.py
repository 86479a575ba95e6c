"""The database_url setting: an SQLite file (the default, under data_dir) or a PostgreSQL
database, checked once when the settings are read."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

SQLITE_PREFIX = "sqlite:///"
POSTGRESQL_SCHEMES = ("postgresql", "postgres")


class DatabaseUrlError(ValueError):
    """The URL names no database fedi can use; the message is fit for an operator."""


def as_database_url(value: object) -> str:
    """The URL as given, or "" for the default file; `postgres://` is spelt `postgresql://`.
    An SQLite path follows the usual URL form: `sqlite:///fedi.sqlite3` is relative to the
    working directory, `sqlite:////var/lib/fedi/fedi.sqlite3` absolute."""
    text = str(value).strip()
    if not text:
        return ""
    if text.startswith(SQLITE_PREFIX) and len(text) > len(SQLITE_PREFIX):
        return text
    scheme, _, rest = text.partition("://")
    if scheme in POSTGRESQL_SCHEMES and rest:
        try:
            urlsplit(text).port  # noqa: B018 (raises on a malformed port)
        except ValueError:
            raise DatabaseUrlError(f"FEDI_DATABASE_URL has an invalid port in {text!r}") from None
        return f"postgresql://{rest}"
    raise DatabaseUrlError(
        "FEDI_DATABASE_URL must be sqlite:///PATH or postgresql://USER@HOST/NAME, "
        f"not {_without_password(text)!r}"
    )


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql://")


def sqlite_path(url: str, data_dir: Path) -> Path:
    """The SQLite file of `url` (the default file under data_dir when it is empty)."""
    if not url.startswith(SQLITE_PREFIX):
        return data_dir / "fedi.sqlite3"
    return Path(url[len(SQLITE_PREFIX) :]).expanduser().absolute()


def _without_password(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    user, at, host = rest.rpartition("@")
    if not at or ":" not in user:
        return text
    return f"{scheme}{sep}{user.split(':', 1)[0]}:***@{host}"
