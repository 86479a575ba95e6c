"""Readers of single setting values (fedi.core.config): each turns what a TOML file or an
environment variable gave into its type, or raises a ConfigError naming the setting."""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class ConfigError(Exception):
    """A setting is missing or invalid; the message is fit to show an operator as is."""


def split_host_port(domain: str) -> tuple[str, int | None]:
    if domain.startswith("["):
        host, _, rest = domain[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
        return host, int(port) if port else None
    if domain.count(":") == 1:
        host, port = domain.split(":")
        return host, int(port)
    return domain, None


def validate_domain(value: str) -> str:
    """A host or host:port, lower-cased; no scheme, path, user info or spaces."""
    domain = value.strip().lower()
    problem = "FEDI_DOMAIN must be a host name or host:port (for example social.example.org)"
    if not domain or any(c in domain for c in "/@?#\\ \t") or "://" in value:
        raise ConfigError(f"{problem}, not {value!r}")
    try:
        host, port = split_host_port(domain)
    except ValueError:
        raise ConfigError(f"{problem}, not {value!r}") from None
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"FEDI_DOMAIN has an invalid port in {value!r}")
    try:
        ipaddress.ip_address(host)
        return domain
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ConfigError(f"{problem}, not {value!r}")
    return domain


def as_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def as_port(name: str, value: object) -> int:
    try:
        port = int(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a port number, not {value!r}") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{name} must be between 1 and 65535, not {port}")
    return port


def as_domains(name: str, value: object) -> tuple[str, ...]:
    """A TOML list or a comma-separated string of host names (host:port allowed)."""
    items = value if isinstance(value, list) else str(value).split(",")
    domains: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            domains.append(validate_domain(text))
        except ConfigError:
            raise ConfigError(f"{name} must list host names, not {text!r}") from None
    return tuple(dict.fromkeys(domains))


def as_count(name: str, value: object) -> int:
    try:
        count = int(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if count < 1:
        raise ConfigError(f"{name} must be at least 1, not {count}")
    return count


def as_networks(name: str, value: object) -> tuple[str, ...]:
    """A TOML list or a comma-separated string of addresses or networks (CIDR)."""
    items = value if isinstance(value, list) else str(value).split(",")
    networks: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            networks.append(str(ipaddress.ip_network(text, strict=False)))
        except ValueError:
            raise ConfigError(f"{name} must list addresses or networks, not {text!r}") from None
    return tuple(dict.fromkeys(networks))
