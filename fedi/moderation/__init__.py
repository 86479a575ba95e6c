"""Moderators' work: roles, audit log, domain blocks, blocklists, reports, account actions."""
