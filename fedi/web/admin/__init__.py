"""The /admin pages for staff: accounts, reports, domain blocks, blocklists and the audit log."""
