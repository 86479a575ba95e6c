"""Pure cryptography for federation: key pairs, PEM encoding, body digests and HTTP signatures.

Nothing in this package performs I/O; callers decide where keys are stored.
"""
