"""Shared by every package: the settings, domain models, ids, times, local URLs, safe JSON and
HTML, rates."""
