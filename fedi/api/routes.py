"""The client API's route table, read like Mastodon's documentation; anything else under /api is
a JSON 404 (apps fall back on a 404, never on a 500 or an HTML page)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedi.api.absent import absent_routes
from fedi.api.account_search import account_search_routes
from fedi.api.accounts import account_routes
from fedi.api.admin.accounts import admin_account_routes
from fedi.api.admin.domain_allows import admin_domain_allow_routes
from fedi.api.admin.domain_blocks import admin_domain_block_routes
from fedi.api.admin.reports import admin_report_routes
from fedi.api.bookmarks import bookmark_routes
from fedi.api.conversations import conversation_routes
from fedi.api.emails import email_routes
from fedi.api.events import event_routes
from fedi.api.featured_tags import featured_routes
from fedi.api.filter_rules import filter_rule_routes
from fedi.api.filters import filter_routes
from fedi.api.grouped_notifications import grouped_notification_routes
from fedi.api.hashtags import hashtag_routes
from fedi.api.instance import instance_routes
from fedi.api.instance_domain_blocks import instance_domain_block_routes
from fedi.api.interactions import interaction_routes
from fedi.api.library import library_routes
from fedi.api.lists import list_routes
from fedi.api.media import media_routes
from fedi.api.mutes import mute_routes
from fedi.api.notification_policy import policy_routes
from fedi.api.notifications import notification_routes
from fedi.api.oauth_routes import oauth_routes
from fedi.api.polls import poll_routes
from fedi.api.push import push_routes
from fedi.api.registrations import registration_routes
from fedi.api.relationships import relationship_routes
from fedi.api.reports import report_routes
from fedi.api.scheduled_statuses import scheduled_routes
from fedi.api.search import search_routes
from fedi.api.status_batch import status_batch_routes
from fedi.api.statuses import status_routes
from fedi.api.streaming import streaming_routes
from fedi.api.tags import tag_routes
from fedi.api.translations import translation_routes
from fedi.web.responses import json_error


async def not_found(request: Request) -> Response:
    return json_error(404, "Record not found")


# The reads apps repeat most, tried first: the router tries routes in order, and a page of a
# timeline should not pay for matching a hundred other paths. No route listed before them in
# the table matches their paths, so the answers stay the same.
BUSIEST = (
    "/api/v1/timelines/home",
    "/api/v1/notifications",
    "/api/v1/timelines/public",
    "/api/v1/accounts/{account_id}/statuses",
)


def busiest_first(table: list[BaseRoute]) -> list[BaseRoute]:
    first = [r for r in table if isinstance(r, Route) and r.path.rstrip("/") in BUSIEST]
    return [*first, *(r for r in table if not any(r is f for f in first))]


api_routes = busiest_first([
    *oauth_routes,
    *instance_routes,
    *instance_domain_block_routes,
    *admin_domain_block_routes,
    *admin_domain_allow_routes,
    *registration_routes,
    *email_routes,
    *account_search_routes,  # before account_routes: /accounts/search is not an id
    *status_batch_routes,
    *relationship_routes,  # before account_routes: /accounts/relationships is not an id
    *account_routes,
    *featured_routes,
    *interaction_routes,
    *bookmark_routes,  # before status_routes: they share the /statuses/{id}/... prefix
    *status_routes,
    *translation_routes,
    *scheduled_routes,
    *policy_routes,  # before the others: /notifications/policy, /requests are no ids
    *grouped_notification_routes,  # /notifications/unread_count is no id either
    *notification_routes,
    *search_routes,
    *conversation_routes,
    *absent_routes,
    *media_routes,
    *mute_routes,
    *list_routes,
    *tag_routes,
    *hashtag_routes,
    *filter_rule_routes,  # before filter_routes: /filters/keywords/:id is not a filter id
    *filter_routes,
    *poll_routes,
    *streaming_routes,
    *push_routes,
    *report_routes,
    *admin_report_routes,
    *admin_account_routes,
    *event_routes,
    *library_routes,
    Route("/api/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
])  # fmt: skip
