"""Sending side of federation: audience expansion, signed delivery and the delivery worker.

Imports point one way: outbox -> fedi -> keys. outbox never imports inbox: they meet in
database rows.
"""
