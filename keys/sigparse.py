"""Reading HTTP signature headers without their key: draft-cavage `Signature` (or
`Authorization: Signature`) and RFC 9421 `Signature-Input` + `Signature`, parsed strictly.

The inbox parses first to learn the keyId, fetches that key, then verifies (keys.httpsig).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import http_sf

from keys.digest import SignatureError

# A 4096-bit signature plus a long keyId needs under 1.5 KB; anything far larger is hostile.
MAX_FIELD_CHARS = 8192
MAX_COMPONENTS = 32
_RFC9421_PARAMS = {"created", "expires", "keyid", "alg", "nonce", "tag"}
# draft-cavage-12 §2.1: name="value" pairs. No escapes: keyIds, header lists and base64 never
# need them. `created` and `expires` are bare integers in the draft, quoted by some senders.
_CAVAGE_PARAM = re.compile(
    r'[ \t]*([A-Za-z][A-Za-z0-9_-]{0,31})=(?:"([\x20\x21\x23-\x5b\x5d-\x7e]*)"|([0-9]{1,12}))[ \t]*'
)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class ParsedSignature:
    """A signature header read without its key.

    `components` are lower-case header names for cavage and serialized Structured Field items
    (`"@method"`, `"content-digest";key="sha-256"`) for RFC 9421. `source` holds the header
    fields parsed, so verification can refuse headers swapped in between.
    """

    scheme: Literal["cavage", "rfc9421"]
    key_id: str
    algorithm: str | None
    components: tuple[str, ...]
    signature: bytes
    created: int | None
    expires: int | None
    source: tuple[tuple[str, str], ...]


def parse_signature(headers: Mapping[str, str]) -> ParsedSignature:
    fields = joined_fields(headers)
    signature_input = fields.get("signature-input")
    signature = fields.get("signature")
    if signature_input is not None:
        if signature is None:
            raise SignatureError("Signature-Input without Signature")
        return _parse_rfc9421(signature_input, signature)
    if signature is not None:
        return _parse_cavage(signature, ("signature", signature))
    authorization = fields.get("authorization")
    # draft-cavage-12 §3.1: the same parameters in `Authorization: Signature ...`.
    if authorization is not None and authorization[:10].lower() == "signature ":
        return _parse_cavage(authorization[10:], ("authorization", authorization))
    raise SignatureError("no signature")


def _parse_cavage(value: str, source: tuple[str, str]) -> ParsedSignature:
    params = _cavage_params(value)
    key_id = params.get("keyId")
    encoded = params.get("signature")
    if not key_id or not encoded:
        raise SignatureError("signature lacks keyId or signature")
    # draft-cavage: headers defaults to `date` (older drafts; Mastodon) and then fails S4.
    names = params.get("headers", "date").lower().split(" ")
    if "" in names or len(set(names)) != len(names) or len(names) > MAX_COMPONENTS:
        raise SignatureError("malformed headers parameter")
    algorithm = params.get("algorithm")
    return ParsedSignature(
        scheme="cavage",
        key_id=key_id,
        algorithm=None if algorithm is None else algorithm.lower(),
        components=tuple(names),
        signature=_b64decode(encoded),
        created=_cavage_timestamp(params, "created"),
        expires=_cavage_timestamp(params, "expires"),
        source=(source,),
    )


def _cavage_params(value: str) -> dict[str, str]:
    if len(value) > MAX_FIELD_CHARS:
        raise SignatureError("signature header too large")
    params: dict[str, str] = {}
    seen: set[str] = set()
    position = 0
    while True:
        match = _CAVAGE_PARAM.match(value, position)
        if match is None:
            raise SignatureError("malformed signature header")
        name, quoted, bare = match.groups()
        if name.lower() in seen:
            raise SignatureError("duplicate signature parameter")
        if bare is not None and name not in ("created", "expires"):
            raise SignatureError("unquoted signature parameter")
        seen.add(name.lower())
        params[name] = quoted if quoted is not None else bare
        position = match.end()
        if position == len(value):
            return params
        if value[position] != ",":
            raise SignatureError("malformed signature header")
        position += 1


def _cavage_timestamp(params: dict[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is not None and not _TIMESTAMP.fullmatch(value):
        raise SignatureError("malformed signature timestamp")
    return None if value is None else int(value)


def _parse_rfc9421(signature_input: str, signature: str) -> ParsedSignature:
    inputs = _sf_dictionary(signature_input)
    signatures = _sf_dictionary(signature)
    # One signature per request, as Mastodon sends; choosing among several needs a policy.
    if len(inputs) != 1 or inputs.keys() != signatures.keys():
        raise SignatureError("expected exactly one signature label")
    ((label, member),) = inputs.items()
    sent = signatures[label]
    if not (isinstance(member, tuple) and isinstance(member[0], list) and isinstance(sent, tuple)):
        raise SignatureError("malformed signature")
    items, params = member
    raw, raw_params = sent
    if not isinstance(raw, bytes) or raw_params:
        raise SignatureError("malformed signature")
    components = []
    for item in items:
        if not isinstance(item, tuple) or not isinstance(item[0], str):
            raise SignatureError("malformed signature component")
        components.append(http_sf.ser(item))
    if len(set(components)) != len(components) or len(components) > MAX_COMPONENTS:
        raise SignatureError("malformed signature components")
    if not set(params) <= _RFC9421_PARAMS:
        raise SignatureError("unknown signature parameter")
    key_id, alg = params.get("keyid"), params.get("alg")
    created, expires = params.get("created"), params.get("expires")
    if not isinstance(key_id, str) or not key_id or not isinstance(alg, str | None):
        raise SignatureError("signature lacks a keyid")
    if any(value is not None and type(value) is not int for value in (created, expires)):
        raise SignatureError("malformed signature timestamp")
    return ParsedSignature(
        scheme="rfc9421",
        key_id=key_id,
        algorithm=alg,
        components=tuple(components),
        signature=raw,
        created=created if isinstance(created, int) else None,
        expires=expires if isinstance(expires, int) else None,
        source=(("signature-input", signature_input), ("signature", signature)),
    )


def _sf_dictionary(value: str) -> http_sf.DictionaryType:
    if len(value) > MAX_FIELD_CHARS:
        raise SignatureError("signature header too large")

    def refuse_duplicate(key: str, context: str) -> None:
        raise SignatureError("duplicate signature parameter")

    try:
        parsed = http_sf.parse(
            value.encode("ascii"), tltype="dictionary", on_duplicate_key=refuse_duplicate
        )
    except ValueError as error:  # StructuredFieldError and UnicodeEncodeError are ValueErrors
        raise SignatureError("malformed signature header") from error
    if not isinstance(parsed, dict):
        raise SignatureError("malformed signature header")
    return parsed


class JoinedFields(dict[str, str]):
    """Header fields already joined by joined_fields(): lower-case names, repeated fields
    joined. Parsing and verifying one request share it instead of joining twice."""


def joined_fields(headers: Mapping[str, str]) -> JoinedFields:
    # RFC 9110 §5.3 / draft-cavage-12 §2.3: repeated fields are joined with ", " in order.
    # A Mapping such as Starlette's Headers yields repeated names from items().
    if isinstance(headers, JoinedFields):
        return headers
    lines: dict[str, list[str]] = {}
    for name, value in headers.items():
        lines.setdefault(name.lower(), []).append(value.strip(" \t"))
    return JoinedFields((name, ", ".join(values)) for name, values in lines.items())


def joined_raw_fields(raw: Iterable[tuple[bytes, bytes]]) -> JoinedFields:
    """joined_fields() of raw header fields (an ASGI scope's: latin-1 bytes), with no Mapping
    made first."""
    lines: dict[str, list[str]] = {}
    for name, value in raw:
        lines.setdefault(name.decode("latin-1").lower(), []).append(
            value.decode("latin-1").strip(" \t")
        )
    return JoinedFields((name, ", ".join(values)) for name, values in lines.items())


def _b64decode(encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureError("signature is not base64") from error
