"""Shared by every package: domain models, ids, times, local URLs, safe JSON and HTML, rates."""
