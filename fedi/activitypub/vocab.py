"""ActivityStreams constants: media types, the public collection and JSON-LD contexts."""

from __future__ import annotations

from typing import Any

ACTIVITY_JSON = "application/activity+json"
LD_JSON_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

# Our own extension terms (groups.md): nb:visibility on groups, nb:submittedBy on a private
# group's copy of a member's post.
GROUP_NAMESPACE = "urn:fedi:ns#"

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
    # Groups: Lemmy's term for who may post, and ours for whether a group is members-only.
    "lemmy": "https://join-lemmy.org/ns#",
    "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
    "moderators": {"@id": "lemmy:moderators", "@type": "@id"},
    "nb": GROUP_NAMESPACE,
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
