"""Validation problems read as Rails' full messages and give Mastodon's `details` shape."""

from __future__ import annotations

from fedi.core.validation import BASE, Invalid, Problem, label_of


def test_fields_are_labelled_as_rails_humanizes_them() -> None:
    assert label_of("scheduled_at") == "Scheduled at"
    assert label_of("poll.options") == "Poll options"
    assert label_of("source[privacy]") == "Source privacy"


def test_every_problem_is_in_the_message_and_grouped_by_field_in_the_details() -> None:
    refused = Invalid(
        Problem("username", "ERR_TAKEN", "has already been taken"),
        Problem("password", "ERR_TOO_SHORT", "is too short (minimum is 8 characters)"),
        Problem("password", "ERR_BLANK", "can't be blank"),
        Problem(BASE, "ERR_INVALID", "You cannot report yourself"),
        Problem("account_id", "ERR_INVALID", "Account must be followed", is_sentence=True),
    )
    assert str(refused) == (
        "Validation failed: Username has already been taken, Password is too short (minimum is"
        " 8 characters), Password can't be blank, You cannot report yourself, Account must be"
        " followed"
    )
    assert refused.details()["password"] == [
        {"error": "ERR_TOO_SHORT", "description": "is too short (minimum is 8 characters)"},
        {"error": "ERR_BLANK", "description": "can't be blank"},
    ]
    assert list(refused.details()) == ["username", "password", BASE, "account_id"]


def test_a_subclass_keeps_its_type_when_made_from_one_problem() -> None:
    class PostError(Invalid):
        pass

    refused = PostError.of("text", "ERR_BLANK", "can't be blank")
    assert isinstance(refused, PostError) and refused.message.endswith("Text can't be blank")
