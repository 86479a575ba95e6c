"""The Mastodon client API: one module per resource, and the route table in routes.py."""
