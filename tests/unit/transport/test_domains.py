from __future__ import annotations

import pytest

from fedi.transport.domains import DomainError, host_name, normalize_domain, obfuscate, rule_for


def test_rule_covers_subdomains_on_label_boundaries_only() -> None:
    rules = {"evil.example": "evil"}
    assert rule_for("a.b.evil.example", rules) == "evil"
    assert rule_for("evil.example:8443", rules) == "evil"
    assert rule_for("EVIL.example.", rules) == "evil"
    assert rule_for("notevil.example", rules) is None
    assert rule_for("evil.example.org", rules) is None


def test_longest_rule_wins() -> None:
    rules = {"example": "tld", "evil.example": "evil", "ok.evil.example": "ok"}
    assert rule_for("x.ok.evil.example", rules) == "ok"
    assert rule_for("x.evil.example", rules) == "evil"
    assert rule_for("other.example", rules) == "tld"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Evil.Example", "evil.example"),
        ("*.evil.example", "evil.example"),
        (".evil.example", "evil.example"),
        ("https://evil.example/about", "evil.example"),
        ("evil.example:443", "evil.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_normal_form(typed: str, normal: str) -> None:
    assert normalize_domain(typed) == normal


@pytest.mark.parametrize("typed", ["", "   ", "a..b", "-a.example", "a b.example", "x" * 300])
def test_invalid_domains_are_refused(typed: str) -> None:
    with pytest.raises(DomainError):
        normalize_domain(typed)


def test_host_name_drops_port_and_case() -> None:
    assert host_name("Alice.Test:8001") == "alice.test"


def test_obfuscation_hides_the_middle() -> None:
    shown = obfuscate("evil.example")
    assert shown.startswith("evil") and "*" in shown and len(shown) == len("evil.example")
