"""Receiving side of federation: inbox routes, signature verification and the inbox worker.

Imports point one way: inbox -> fedi -> keys. inbox never imports outbox: they meet in
database rows.
"""
