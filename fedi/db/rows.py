"""Helpers shared by the table modules: booleans, timestamps and JSON columns."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fedi.core.timeutil import from_db


def opt_time(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def json_list(value: str) -> list[Any]:
    if value == "[]":  # most rows' lists are empty: no parse
        return []
    parsed = json.loads(value)
    return parsed if isinstance(parsed, list) else []
