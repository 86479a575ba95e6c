"""A member's own settings pages (/settings/...): profile, account, sessions and apps."""
