"""Groups and confidential spaces: joining, submissions, FEP-1b12 relays, private copies."""
