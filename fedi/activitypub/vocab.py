"""ActivityStreams constants: media types, the public collection and JSON-LD contexts."""

from __future__ import annotations

from typing import Any

ACTIVITY_JSON = "application/activity+json"
LD_JSON_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

# The extension terms Mastodon declares on actors; other servers read these names as they are.
ACTOR_EXTENSIONS: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "discoverable": "toot:discoverable",
    "suspended": "toot:suspended",
    "memorial": "toot:memorial",
    "indexable": "toot:indexable",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
}
ACTOR_CONTEXT: list[Any] = [AS_CONTEXT, SECURITY_CONTEXT, ACTOR_EXTENSIONS]

NOTE_EXTENSIONS: dict[str, Any] = {
    "sensitive": "as:sensitive",
    "toot": "http://joinmastodon.org/ns#",
    "Hashtag": "as:Hashtag",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
}
NOTE_CONTEXT: list[Any] = [AS_CONTEXT, NOTE_EXTENSIONS]
