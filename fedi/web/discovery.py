"""How other servers find us: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.0/2.1.

WebFinger answers for `acct:` handles and for actor URLs, and for the server's own origin, which
names the instance actor (FEP-d556). The NodeInfo index names it too (FEP-2677).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi import __version__
from fedi.activitypub.actor import avatar_url
from fedi.activitypub.vocab import ACTIVITY_JSON
from fedi.context import Context
from fedi.core.config import SUPPORTED_LOCALES
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts
from fedi.web.responses import JRDResponse, JSONResponse, json_error
from fedi.web.state import context_of

APPLICATION_REL = "https://www.w3.org/ns/activitystreams#Application"
NODEINFO_REL = "http://nodeinfo.diaspora.software/ns/schema/{version}"
MAX_RESOURCE_LENGTH = 1024
SOFTWARE_NAME = "fedi"
# The Mastodon client API this server implements: apps that pick their API by the server's
# software (megalodon, for one) read it from NodeInfo's metadata.upstream, as for Mastodon forks.
MASTODON_API_VERSION = "4.3.0"


class MalformedResource(ValueError):
    pass


def parse_resource(resource: str, context: Context) -> tuple[str, str] | None:
    """('username', name) or ('instance', '') for a resource on this server; None if another
    server's. Raises MalformedResource for anything that is not an acct: URI or http(s) URL."""
    if not resource or len(resource) > MAX_RESOURCE_LENGTH or any(c.isspace() for c in resource):
        raise MalformedResource(resource)
    domain = context.settings.domain
    lowered = resource.lower()
    if lowered.startswith(("http://", "https://")):
        try:
            parts = urlsplit(resource)
            hostname = parts.hostname
        except ValueError:
            raise MalformedResource(resource) from None
        if not hostname:
            raise MalformedResource(resource)
        if parts.netloc.lower() != domain:
            return None
        path = parts.path.rstrip("/")
        if path in ("", "/actor"):
            return ("instance", "")
        for prefix in ("/users/", "/@"):
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                return ("username", path[len(prefix) :])
        return None
    if lowered.startswith("acct:"):
        resource = resource[len("acct:") :]
    elif ":" in resource.split("@", 1)[0]:
        raise MalformedResource(resource)
    user, at, host = resource.lstrip("@").rpartition("@")
    if not at or not user or not host:
        raise MalformedResource(resource)
    if host.lower() != domain:
        return None
    return ("username", user)


def _member_jrd(account: Account, context: Context, subject: str) -> dict[str, object]:
    return {
        "subject": subject,
        "aliases": [account.url, account.uri],
        "links": [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": account.url,
            },
            {"rel": "self", "type": ACTIVITY_JSON, "href": account.uri},
            {
                "rel": "http://webfinger.net/rel/avatar",
                "type": "image/png",
                "href": avatar_url(account, context.urls),
            },
        ],
    }


def _instance_jrd(account: Account, subject: str) -> dict[str, object]:
    return {
        "subject": subject,
        "aliases": [account.uri],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": account.uri},
            {"rel": APPLICATION_REL, "type": ACTIVITY_JSON, "href": account.uri},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": account.url},
        ],
    }  # fmt: skip


async def webfinger(request: Request) -> Response:
    context = context_of(request)
    resource = request.query_params.get("resource", "")
    try:
        target = parse_resource(resource, context)
    except MalformedResource:
        return json_error(400, "the resource parameter must be an acct: URI or an actor URL")
    if target is None:
        return json_error(404, "no such resource on this server")
    kind, username = target
    async with context.db.read() as conn:
        if kind == "instance":
            account = await accounts.get_instance_actor(conn)
        else:
            account = await accounts.get_local_actor(conn, username, federated=True)
    if account is None:
        return json_error(404, "no such resource on this server")
    if resource.lower().startswith(("http://", "https://")):
        subject = resource
    else:
        subject = f"acct:{account.username}@{context.settings.domain}"
    if account.actor_type == "Application":
        jrd = _instance_jrd(account, subject)
    else:
        jrd = _member_jrd(account, context, subject)
    wanted_rels = request.query_params.getlist("rel")
    if wanted_rels:  # RFC 7033 section 4.3: only the links with the requested relations
        jrd["links"] = [
            link
            for link in jrd["links"]  # type: ignore[attr-defined]
            if link["rel"] in wanted_rels
        ]
    return JRDResponse(jrd)


def _lrdd_template(context: Context) -> str:
    return f"{context.urls.base}/.well-known/webfinger?resource={{uri}}"


async def host_meta(request: Request) -> Response:
    context = context_of(request)
    accept = request.headers.get("accept", "")
    if request.query_params.get("format") == "json" or ("json" in accept and "xml" not in accept):
        return await host_meta_json(request)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template={quoteattr(_lrdd_template(context))}/>\n'
        "</XRD>\n"
    )
    return Response(body, media_type="application/xrd+xml", headers={"Vary": "Accept"})


async def host_meta_json(request: Request) -> Response:
    context = context_of(request)
    return JRDResponse({"links": [{"rel": "lrdd", "template": _lrdd_template(context)}]})


async def nodeinfo_index(request: Request) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        instance = await accounts.get_instance_actor(conn)
    links: list[dict[str, str]] = [
        {"rel": NODEINFO_REL.format(version=v), "href": f"{context.urls.base}/nodeinfo/{v}"}
        for v in ("2.0", "2.1")
    ]
    if instance is not None:
        links.append({"rel": APPLICATION_REL, "href": instance.uri})
    return JSONResponse({"links": links})


async def nodeinfo(request: Request) -> Response:
    version = request.path_params["version"]
    if version not in ("2.0", "2.1"):
        return json_error(404, "unsupported NodeInfo version")
    context = context_of(request)
    settings = context.settings
    now = utcnow()
    async with context.db.read() as conn:
        stats = await accounts.usage(
            conn, to_db(now - timedelta(days=30)), to_db(now - timedelta(days=180))
        )
        instance = await accounts.get_instance_actor(conn)
    software: dict[str, str] = {"name": SOFTWARE_NAME, "version": __version__}
    if version == "2.1":
        software["homepage"] = context.urls.base
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        # Mastodon counts approval-based sign-up as open registrations too.
        "openRegistrations": settings.registrations != "closed",
        "usage": {
            "users": {
                "total": stats.users_total,
                "activeMonth": stats.users_active_month,
                "activeHalfyear": stats.users_active_halfyear,
            },
            "localPosts": stats.local_posts,
        },
        "metadata": {
            "nodeName": settings.instance_title,
            "nodeDescription": settings.instance_description,
            "registrations": settings.registrations,
            "approvalRequired": settings.registrations == "approval",
            "languages": list(SUPPORTED_LOCALES),
            "applicationActor": instance.uri if instance else None,
            "upstream": {"name": "mastodon", "version": MASTODON_API_VERSION},
        },
    }
    profile = f"http://nodeinfo.diaspora.software/ns/schema/{version}#"
    return JSONResponse(document, media_type=f'application/json; profile="{profile}"')


routes = [
    Route("/.well-known/webfinger", webfinger, methods=["GET"]),
    Route("/.well-known/host-meta", host_meta, methods=["GET"]),
    Route("/.well-known/host-meta.json", host_meta_json, methods=["GET"]),
    Route("/.well-known/nodeinfo", nodeinfo_index, methods=["GET"]),
    Route("/nodeinfo/{version}", nodeinfo, methods=["GET"]),
]
