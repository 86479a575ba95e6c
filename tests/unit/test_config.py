from __future__ import annotations

from pathlib import Path

import pytest

from fedi.core.config import ConfigError, load_settings


def base_env(tmp_path: Path) -> dict[str, str]:
    return {"FEDI_DOMAIN": "social.example.org", "FEDI_DATA_DIR": str(tmp_path)}


def test_defaults_are_production_safe(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path))
    assert settings.scheme == "https"
    assert settings.allow_private_networks is False
    assert settings.registrations == "closed"
    assert settings.base_url == "https://social.example.org"
    assert settings.database_path == tmp_path / "fedi.sqlite3"


def test_environment_overrides_the_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "fedi.toml"
    config.write_text(
        'domain = "from-file.example"\nregistrations = "open"\nallow_private_networks = true\n'
        f'data_dir = "{tmp_path}"\n'
    )
    settings = load_settings({"FEDI_REGISTRATIONS": "approval"}, config)
    assert settings.domain == "from-file.example"
    assert settings.registrations == "approval"
    assert settings.allow_private_networks is True


def test_fedi_config_variable_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "fedi.toml"
    config.write_text(f'domain = "x.example"\ndata_dir = "{tmp_path}"\n')
    assert load_settings({"FEDI_CONFIG": str(config)}).domain == "x.example"


def test_domain_with_port_and_case(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"FEDI_DOMAIN": "LocalHost:8080", "FEDI_SCHEME": "http"}
    settings = load_settings(env)
    assert settings.domain == "localhost:8080"
    assert settings.host == "localhost"
    assert settings.base_url == "http://localhost:8080"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FEDI_DOMAIN", "", "FEDI_DOMAIN is not set"),
        ("FEDI_DOMAIN", "https://social.example", "FEDI_DOMAIN must be a host name"),
        ("FEDI_DOMAIN", "social.example/path", "FEDI_DOMAIN must be a host name"),
        ("FEDI_DOMAIN", "bad_host.example", "FEDI_DOMAIN must be a host name"),
        ("FEDI_DOMAIN", "host.example:99999", "invalid port"),
        ("FEDI_DATA_DIR", "", "FEDI_DATA_DIR is not set"),
        ("FEDI_SCHEME", "ftp", "FEDI_SCHEME must be https or http"),
        ("FEDI_REGISTRATIONS", "sometimes", "FEDI_REGISTRATIONS must be one of"),
        ("FEDI_ALLOW_PRIVATE_NETWORKS", "maybe", "must be true or false"),
        ("FEDI_LISTEN_PORT", "http", "must be a port number"),
        ("FEDI_DEFAULT_LOCALE", "xx", "FEDI_DEFAULT_LOCALE must be one of"),
        ("FEDI_DOMIAN", "typo.example", "unknown setting FEDI_DOMIAN"),
        ("FEDI_WORKERS", "both", "FEDI_WORKERS must be in-process or separate"),
        ("FEDI_WORKER_LEASE_SECONDS", "0", "FEDI_WORKER_LEASE_SECONDS must be at least 1"),
    ],
)
def test_bad_settings_name_the_problem(tmp_path: Path, name: str, value: str, message: str) -> None:
    env = base_env(tmp_path) | {name: value}
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_unknown_key_in_toml_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "fedi.toml"
    config.write_text('domian = "typo.example"\n')
    with pytest.raises(ConfigError, match="unknown setting 'domian'"):
        load_settings({}, config)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("domain = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({}, broken)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, tmp_path / "missing.toml")


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path))
    with pytest.raises(AttributeError):
        settings.domain = "other.example"  # type: ignore[misc]


def test_mail_defaults_write_files_and_pick_the_port_by_security(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path))
    assert settings.smtp_host == ""
    assert settings.mail_dir == tmp_path / "mail"
    assert settings.smtp_security == "starttls"
    assert settings.mail_port == 587
    assert settings.mail_from == "fedi@social.example.org"
    for security, port in (("none", 25), ("starttls", 587), ("tls", 465)):
        chosen = load_settings(base_env(tmp_path) | {"FEDI_SMTP_SECURITY": security})
        assert chosen.mail_port == port
    given = load_settings(
        base_env(tmp_path) | {"FEDI_SMTP_PORT": "2525", "FEDI_SMTP_SECURITY": "TLS"}
    )
    assert (given.mail_port, given.smtp_security) == (2525, "tls")


def test_the_smtp_password_never_shows_in_a_repr(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path) | {"FEDI_SMTP_PASSWORD": "hunter2-secret"})
    assert settings.smtp_password == "hunter2-secret"
    assert "hunter2-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FEDI_SMTP_SECURITY", "ssl", "FEDI_SMTP_SECURITY must be one of none, starttls, tls"),
        ("FEDI_SMTP_PORT", "smtp", "FEDI_SMTP_PORT must be a port number"),
        ("FEDI_SMTP_HOST", "smtp://mail.example.org", "FEDI_SMTP_HOST must be a host name"),
        ("FEDI_SMTP_FROM", "not an address", "FEDI_SMTP_FROM must be an e-mail address"),
    ],
)
def test_bad_mail_settings_are_one_line_errors(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(base_env(tmp_path) | {name: value})
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_a_named_sender_is_accepted(tmp_path: Path) -> None:
    settings = load_settings(
        base_env(tmp_path) | {"FEDI_SMTP_FROM": "Example network <fedi@example.org>"}
    )
    assert settings.mail_from == "Example network <fedi@example.org>"


def test_database_url_defaults_to_the_file_under_data_dir(tmp_path: Path) -> None:
    settings = load_settings(base_env(tmp_path))
    assert settings.database_url == ""
    assert settings.uses_postgresql is False


def test_database_url_names_an_sqlite_file_or_a_postgresql_database(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"FEDI_DATABASE_URL": f"sqlite:///{tmp_path}/elsewhere.db"}
    assert load_settings(env).database_path == tmp_path / "elsewhere.db"
    env["FEDI_DATABASE_URL"] = "postgres://fedi:secret@db.example:5432/fedi"
    settings = load_settings(env)
    assert settings.uses_postgresql is True
    assert settings.database_url == "postgresql://fedi:secret@db.example:5432/fedi"
    assert "secret" not in repr(settings)


def test_a_database_url_of_another_kind_is_refused_without_its_password(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"FEDI_DATABASE_URL": "mysql://fedi:secret@db.example/fedi"}
    with pytest.raises(ConfigError, match="FEDI_DATABASE_URL must be") as error:
        load_settings(env)
    assert "secret" not in str(error.value)
