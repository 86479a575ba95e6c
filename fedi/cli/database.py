"""`fedi db copy --to postgresql://…`: an instance on SQLite moved to PostgreSQL. The instance is
stopped first (the copy holds the file's write lock and refuses while a process writes); the
target database is empty (`createdb`, nothing else): it is migrated here, then every row is
copied in one transaction (fedi.db.copy). The keys and media stay in `data_dir`, which every
process of the instance must share; `--data-dir` copies them into another folder as well."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from fedi.cli.base import CommandError
from fedi.core.config import Settings
from fedi.core.database_url import DatabaseUrlError, as_database_url, is_postgresql
from fedi.db import connect
from fedi.db.copy import CopyError, copy_all, holds_an_instance, target_versions, versions
from fedi.db.migrate import apply_migrations
from fedi.db.pg_migrate import apply_pg_migrations
from fedi.db.postgres import PgConnection

LOCK_SECONDS = 5


def add_parser(commands: Any) -> None:
    database = commands.add_parser("db", help="the instance's database").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    copy = database.add_parser(
        "copy", help="copy this instance's SQLite database into an empty PostgreSQL database"
    )
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/name")
    copy.add_argument(
        "--data-dir", type=Path, metavar="DIR", help="also copy the keys and media into DIR"
    )


def command_db(args: argparse.Namespace, settings: Settings) -> None:
    if settings.uses_postgresql:
        raise CommandError("this instance's database is PostgreSQL already")
    try:
        url = as_database_url(args.to)
    except DatabaseUrlError as exc:
        raise CommandError(str(exc)) from None
    if not is_postgresql(url):
        raise CommandError("--to must be a postgresql:// URL")
    if not settings.database_path.exists():
        raise CommandError(f"there is no database at {settings.database_path}")
    copied = _copy(settings, url)
    print(f"copied {sum(c.rows for c in copied)} rows of {len(copied)} tables to PostgreSQL")
    if args.data_dir is not None:
        _copy_files(settings.data_dir, args.data_dir)
        print(f"copied the keys and media into {args.data_dir}")
    print("set database_url (FEDI_DATABASE_URL) to that URL for every process of the instance")


def _copy(settings: Settings, url: str) -> list[Any]:
    source = connect(settings.database_path)
    try:
        apply_migrations(source)
        source.execute(f"PRAGMA busy_timeout={LOCK_SECONDS * 1000}")
        try:
            source.execute("BEGIN IMMEDIATE")  # nobody writes while the rows are read
        except sqlite3.OperationalError:
            raise CommandError("the instance is running: stop it first") from None
        try:
            target = PgConnection.connect(url)
        except psycopg.Error as exc:
            raise CommandError(f"cannot open the PostgreSQL database: {_first_line(exc)}") from None
        try:
            apply_pg_migrations(target)
            if target_versions(target) != versions(source):
                raise CommandError("the two databases are at different migrations")
            if holds_an_instance(target):
                raise CommandError("the PostgreSQL database holds an instance already")
            return copy_all(source, target)
        except CopyError as exc:
            raise CommandError(str(exc)) from None
        except psycopg.Error as exc:
            raise CommandError(f"the copy failed: {_first_line(exc)}") from None
        finally:
            target.close()
    finally:
        source.close()


def _copy_files(data_dir: Path, destination: Path) -> None:
    if destination.resolve() == data_dir.resolve():
        return
    for folder in ("keys", "media"):
        if (data_dir / folder).is_dir():
            shutil.copytree(data_dir / folder, destination / folder, dirs_exist_ok=True)
    destination.chmod(0o700)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
