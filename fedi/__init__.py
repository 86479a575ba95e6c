"""fedi: a federated ActivityPub server for networks whose members' safety depends on
confidentiality."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fedi")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
