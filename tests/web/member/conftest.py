"""Fixtures of the member-page tests: a served instance, as the streaming API tests use."""

from tests.api.conftest import served as served
