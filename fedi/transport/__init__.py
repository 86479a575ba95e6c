"""Reaching other servers: the HTTP client, its address guard, domain rules, keys."""
