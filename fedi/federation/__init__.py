"""Other servers' objects and ours: signed fetches, resolving, verifying, publishing."""
