"""Mastodon's admin API: domain blocks and allows, reports and accounts, behind the staff check."""
