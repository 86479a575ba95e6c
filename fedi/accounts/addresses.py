"""What an e-mail address may look like here (one address, no spaces or control characters,
a dot in its domain), as sign-up, the settings and the confirmation mail check it."""

from __future__ import annotations

import re

MAX_EMAIL = 254
EMAIL = re.compile(r"^[^\s@\x00-\x1f]+@[^\s@\x00-\x1f]+\.[^\s@\x00-\x1f.]+$")


def is_email(text: str) -> bool:
    return bool(text) and len(text) <= MAX_EMAIL and EMAIL.match(text) is not None
