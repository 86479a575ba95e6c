"""docker-compose.yml describes what the README says a larger instance runs: PostgreSQL, two web
processes and a worker, each fedi process with settings fedi accepts, the same database and the
same /data volume, the migrations applied once before the others start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from fedi.cli.main import build_parser
from fedi.core.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def substituted(value: str) -> str:
    """${NAME:?message} as compose fills it in, with test values."""
    given = {"FEDI_DOMAIN": "social.example.org", "POSTGRES_PASSWORD": "s3cret"}
    return re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: given[m[1]], value)


def test_postgresql_two_web_processes_and_a_worker() -> None:
    services = compose()["services"]
    fedi = {name: s for name, s in services.items() if name != "postgres"}
    commands = sorted(s["command"][0] for s in fedi.values())
    assert commands == ["migrate", "serve", "serve", "worker"]
    assert services["postgres"]["image"].startswith("postgres:")
    ports = [s["ports"] for s in fedi.values() if s["command"] == ["serve"]]
    assert sorted(p[0].split(":")[1] for p in ports) == ["8001", "8002"]  # one each


def test_every_fedi_process_has_the_same_settings_database_and_volume() -> None:
    services = compose()["services"]
    parser = build_parser()
    seen = set()
    for name, service in services.items():
        if name == "postgres":
            continue
        parser.parse_args(service["command"])  # a command fedi has
        env = {key: substituted(str(value)) for key, value in service["environment"].items()}
        settings = load_settings(env)  # every FEDI_ variable accepted
        assert settings.uses_postgresql and settings.workers == "separate"
        assert str(settings.data_dir) == "/data" and "fedi-data:/data" in service["volumes"]
        seen.add(settings.database_url)
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {
                "condition": "service_completed_successfully"
            }
    assert seen == {"postgresql://fedi:s3cret@postgres:5432/fedi"}
    database = services["postgres"]["environment"]
    assert (database["POSTGRES_USER"], database["POSTGRES_DB"]) == ("fedi", "fedi")
