"""Settings: read once from a TOML file and FEDI_* environment variables into one frozen object.

Precedence: environment variable > TOML file > default. Any unknown or malformed setting is a
ConfigError whose message names the setting, so the CLI can print one line and exit.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal

from fedi.core.database_url import DatabaseUrlError, as_database_url, is_postgresql, sqlite_path
from fedi.core.setting_values import ConfigError as ConfigError  # raised for every setting
from fedi.core.setting_values import (
    as_bool,
    as_count,
    as_domains,
    as_networks,
    as_port,
    split_host_port,
)
from fedi.core.setting_values import validate_domain as validate_domain  # fedi.groups too

RegistrationMode = Literal["open", "approval", "closed"]
SmtpSecurity = Literal["none", "starttls", "tls"]
SMTP_SECURITIES: tuple[SmtpSecurity, ...] = ("none", "starttls", "tls")
# The usual port of each: plain SMTP, submission with STARTTLS, submission over TLS (RFC 8314).
SMTP_DEFAULT_PORTS: dict[SmtpSecurity, int] = {"none": 25, "starttls": 587, "tls": 465}
REGISTRATION_MODES: tuple[RegistrationMode, ...] = ("open", "approval", "closed")
WorkersMode = Literal["in-process", "separate"]
WORKERS_MODES: tuple[WorkersMode, ...] = ("in-process", "separate")
TranslationEngine = Literal["none", "libretranslate", "deepl"]
TRANSLATION_ENGINES: tuple[TranslationEngine, ...] = ("none", "libretranslate", "deepl")
# The languages the web pages are translated into; Arabic is written right to left.
SUPPORTED_LOCALES = ("en", "fr", "ar", "de", "pt")
ENV_PREFIX = "FEDI_"
# Variables that steer how settings are found rather than being settings themselves.
ENV_META = {"FEDI_CONFIG"}

EMAIL_ADDRESS = re.compile(r"^[^\s@\x00-\x1f<>]+@[^\s@\x00-\x1f<>]+$")


@dataclass(frozen=True)
class Settings:
    domain: str
    data_dir: Path
    scheme: Literal["https", "http"] = "https"
    allow_private_networks: bool = False
    registrations: RegistrationMode = "closed"
    instance_title: str = "fedi"
    instance_description: str = ""
    contact_email: str = ""
    default_locale: str = "en"
    listen_host: str = "127.0.0.1"
    listen_port: int = 8000
    # The OAuth password grant, which Mastodon removed in 4.4: for local set-ups and tests only.
    password_grant: bool = False
    # Partner instances: a new private group accepts join requests from these domains (and from
    # local members); moderators change the list per group.
    partner_domains: tuple[str, ...] = ()
    # Rate limits (fedi/web/rate_limits.py), Mastodon's Rack::Attack figures by default: hits
    # allowed per window. API: per token, per member, and per address without a token (5 min);
    # paging (15 min);
    # media uploads, deletes and unreblogs (30 min); sign-ups from one address (30 min); sign-in
    # attempts from one address (5 min; per account: the same number per hour). Inbox POSTs per
    # claimed remote domain and per address (5 min): our own figures, Mastodon has none.
    rate_limit_api: int = 300
    rate_limit_api_member: int = 1500
    rate_limit_paging: int = 300
    rate_limit_media: int = 30
    rate_limit_deletes: int = 30
    rate_limit_sign_ups: int = 5
    rate_limit_sign_in: int = 25
    rate_limit_inbox_domain: int = 3000
    rate_limit_inbox_address: int = 6000
    # Addresses or networks no limit applies to (Mastodon safelists 127.0.0.1 and ::1; we do
    # not unless told: behind a local proxy uvicorn already gives the visitor's address).
    rate_limit_safelist: tuple[str, ...] = ()
    # Outgoing mail (fedi.mail). Without smtp_host every mail is written as a .eml file under
    # data_dir/mail/ and listed for administrators; smtp_port 0 means the usual port of
    # smtp_security; smtp_from "" means fedi@<host>. The password never appears in a repr.
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""
    smtp_security: SmtpSecurity = "starttls"
    # What a space's library may hold, in MB, unless an admin set another figure for it.
    library_quota_mb: int = 500
    # Machine translation of posts (fedi.statuses.translation): the engine, where it answers
    # (DeepL's own API without it) and its key (never in a repr). Only an engine declared to run
    # on servers the operator controls is ever sent a post that is not public.
    translation_engine: TranslationEngine = "none"
    translation_url: str = ""
    translation_api_key: str = field(default="", repr=False)
    translation_engine_is_self_hosted: bool = False
    # The queues' workers in `fedi serve`'s process, or in `fedi worker` processes only; their
    # claims on rows last this many seconds unless renewed (fedi.db.claims).
    workers: WorkersMode = "in-process"
    worker_lease_seconds: int = 60
    # Where the rows are kept (fedi.core.database_url): "" for data_dir/fedi.sqlite3, an
    # sqlite:/// file, or a postgresql:// database. It may hold a password: never in a repr.
    database_url: str = field(default="", repr=False)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def database_path(self) -> Path:
        """The SQLite file (unused when the database is PostgreSQL)."""
        return sqlite_path(self.database_url, self.data_dir)

    @property
    def uses_postgresql(self) -> bool:
        return is_postgresql(self.database_url)

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def mail_port(self) -> int:
        return self.smtp_port or SMTP_DEFAULT_PORTS[self.smtp_security]

    @property
    def mail_from(self) -> str:
        return self.smtp_from or f"fedi@{self.host}"

    @property
    def host(self) -> str:
        """The domain without a port, as used in acct: handles' host checks."""
        return split_host_port(self.domain)[0]


def _as_smtp_host(value: object) -> str:
    host = str(value).strip()
    if any(c in host for c in "/@?#\\ \t") or "://" in host:
        raise ConfigError(f"FEDI_SMTP_HOST must be a host name or address, not {value!r}")
    return host


def _as_smtp_security(value: object) -> SmtpSecurity:
    text = str(value).strip().lower()
    for security in SMTP_SECURITIES:
        if text == security:
            return security
    raise ConfigError(f"FEDI_SMTP_SECURITY must be one of none, starttls, tls, not {value!r}")


def _as_mail_from(value: object) -> str:
    """An address, or a name and an address ("Network <fedi@example.org>"): one header line."""
    text = str(value).strip()
    address = parseaddr(text)[1]
    if text and (not EMAIL_ADDRESS.match(address) or any(c in text for c in "\r\n")):
        raise ConfigError(f"FEDI_SMTP_FROM must be an e-mail address, not {value!r}")
    return text


def _as_translation(raw: dict[str, object]) -> tuple[TranslationEngine, str]:
    """The translation engine and its base URL (no trailing slash), checked together."""
    text = str(raw.get("translation_engine", "none")).strip().lower()
    engine = next((e for e in TRANSLATION_ENGINES if e == text), None)
    if engine is None:
        choices = ", ".join(TRANSLATION_ENGINES)
        raise ConfigError(f"FEDI_TRANSLATION_ENGINE must be one of {choices}, not {text!r}")
    url = str(raw.get("translation_url", "")).strip().rstrip("/")
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if url and (scheme not in ("http", "https") or not host or any(c in url for c in "@?# \t")):
        raise ConfigError(f"FEDI_TRANSLATION_URL must be an http(s) URL, not {url!r}")
    if engine == "libretranslate" and not url:
        raise ConfigError("FEDI_TRANSLATION_URL is needed for libretranslate")
    if engine == "deepl" and not raw.get("translation_api_key"):
        raise ConfigError("FEDI_TRANSLATION_API_KEY is needed for deepl")
    return engine, url


def _env_name(key: str) -> str:
    return ENV_PREFIX + key.upper()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except PermissionError:
        raise ConfigError(f"configuration file {path} is not readable") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Build Settings from a TOML file (if given or named by FEDI_CONFIG) and the environment."""
    env = dict(os.environ if environ is None else environ)
    known = {f.name for f in fields(Settings)}
    raw: dict[str, object] = {}

    path = config_file or (Path(env["FEDI_CONFIG"]) if env.get("FEDI_CONFIG") else None)
    if path is not None:
        for key, value in _read_toml(path).items():
            if key not in known:
                raise ConfigError(f"unknown setting {key!r} in {path}")
            raw[key] = value

    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in ENV_META:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in known:
            raise ConfigError(f"unknown setting {name} in the environment")
        raw[key] = value

    return _build(raw)


def _build(raw: dict[str, object]) -> Settings:
    if not raw.get("domain"):
        raise ConfigError(
            "FEDI_DOMAIN is not set: give the public host name, e.g. social.example.org"
        )
    if not raw.get("data_dir"):
        raise ConfigError(
            "FEDI_DATA_DIR is not set: give a directory for the database, media and keys"
        )
    scheme = str(raw.get("scheme", "https")).lower()
    if scheme not in ("https", "http"):
        raise ConfigError(f"FEDI_SCHEME must be https or http, not {raw['scheme']!r}")
    registrations = str(raw.get("registrations", "closed")).lower()
    if registrations not in REGISTRATION_MODES:
        raise ConfigError(
            "FEDI_REGISTRATIONS must be one of open, approval, closed, "
            f"not {raw['registrations']!r}"
        )
    default_locale = str(raw.get("default_locale", "en"))
    if default_locale not in SUPPORTED_LOCALES:
        raise ConfigError(
            f"FEDI_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, "
            f"not {default_locale!r}"
        )
    workers = str(raw.get("workers", "in-process")).strip().lower()
    if workers not in WORKERS_MODES:
        raise ConfigError(f"FEDI_WORKERS must be in-process or separate, not {raw['workers']!r}")
    defaults = {f.name: f.default for f in fields(Settings)}
    try:
        database_url = as_database_url(raw.get("database_url", ""))
    except DatabaseUrlError as exc:
        raise ConfigError(str(exc)) from None
    translation_engine, translation_url = _as_translation(raw)

    def count(name: str) -> int:
        return as_count(_env_name(name), raw.get(name, defaults[name]))

    return Settings(
        domain=validate_domain(str(raw["domain"])),
        data_dir=Path(str(raw["data_dir"])).expanduser().absolute(),
        scheme="http" if scheme == "http" else "https",
        allow_private_networks=as_bool(
            _env_name("allow_private_networks"), raw.get("allow_private_networks", False)
        ),
        registrations=registrations,
        instance_title=str(raw.get("instance_title", "fedi")),
        instance_description=str(raw.get("instance_description", "")),
        contact_email=str(raw.get("contact_email", "")),
        default_locale=default_locale,
        listen_host=str(raw.get("listen_host", "127.0.0.1")),
        listen_port=as_port(_env_name("listen_port"), raw.get("listen_port", 8000)),
        password_grant=as_bool(_env_name("password_grant"), raw.get("password_grant", False)),
        partner_domains=as_domains(_env_name("partner_domains"), raw.get("partner_domains", "")),
        rate_limit_safelist=as_networks(
            _env_name("rate_limit_safelist"), raw.get("rate_limit_safelist", "")
        ),
        rate_limit_api=count("rate_limit_api"),
        rate_limit_api_member=count("rate_limit_api_member"),
        rate_limit_paging=count("rate_limit_paging"),
        rate_limit_media=count("rate_limit_media"),
        rate_limit_deletes=count("rate_limit_deletes"),
        rate_limit_sign_ups=count("rate_limit_sign_ups"),
        rate_limit_sign_in=count("rate_limit_sign_in"),
        rate_limit_inbox_domain=count("rate_limit_inbox_domain"),
        rate_limit_inbox_address=count("rate_limit_inbox_address"),
        smtp_host=_as_smtp_host(raw.get("smtp_host", "")),
        smtp_port=(
            as_port(_env_name("smtp_port"), raw["smtp_port"]) if raw.get("smtp_port") else 0
        ),
        smtp_username=str(raw.get("smtp_username", "")),
        smtp_password=str(raw.get("smtp_password", "")),
        smtp_from=_as_mail_from(raw.get("smtp_from", "")),
        smtp_security=_as_smtp_security(raw.get("smtp_security", "starttls")),
        library_quota_mb=count("library_quota_mb"),
        translation_engine=translation_engine,
        translation_url=translation_url,
        translation_api_key=str(raw.get("translation_api_key", "")),
        translation_engine_is_self_hosted=as_bool(
            _env_name("translation_engine_is_self_hosted"),
            raw.get("translation_engine_is_self_hosted", False),
        ),
        workers="separate" if workers == "separate" else "in-process",
        worker_lease_seconds=count("worker_lease_seconds"),
        database_url=database_url,
    )
