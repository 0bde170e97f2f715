"""
The parameters of a query (RFC 7644 section 3.4.2): from a query string
or a SearchRequest body, and the projection that ``attributes`` and
``excludedAttributes`` ask for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from ._errors import ScimType, bad_request

SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:searchrequest"
SEARCH_KEYS = frozenset(
    {"filter", "startIndex", "count", "attributes", "excludedAttributes"}
)


def search_value(key: str, value: Any) -> str:
    """
    A SearchRequest member as the query parameter it stands for.
    """
    if key in ("attributes", "excludedAttributes"):
        if not isinstance(value, list) or not all(
            isinstance(v, str) for v in value
        ):
            raise bad_request(
                ScimType.INVALID_VALUE, f"{key} is a list of attribute names"
            )
        return ",".join(value)
    if key == "filter":
        if not isinstance(value, str):
            raise bad_request(ScimType.INVALID_VALUE, "filter is a string")
        return value
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(ScimType.INVALID_VALUE, f"{key} is an integer")
    return str(value)


def projection(
    params: Mapping[str, str],
) -> Callable[[Mapping[str, Any]], Mapping[str, Any]]:
    """
    What the ``attributes`` and ``excludedAttributes`` parameters keep
    of a resource (RFC 7644 section 3.4.2.5).
    ``schemas`` and ``id`` are always returned.
    """
    wanted = _attribute_list(params.get("attributes"))
    unwanted = _attribute_list(params.get("excludedAttributes"))
    if not wanted and not unwanted:
        return lambda resource: resource

    def shown(resource: Mapping[str, Any]) -> Mapping[str, Any]:
        out: dict[str, Any] = {}
        for key, value in resource.items():
            folded = key.casefold()
            if folded in ("schemas", "id"):
                out[key] = value
            elif folded.startswith("urn:") and isinstance(value, Mapping):
                inner = _pick(value, folded, wanted, unwanted)
                if inner:
                    out[key] = inner
            else:
                kept = _keep(key, value, "", wanted, unwanted)
                if kept is not _DROP:
                    out[key] = kept
        return out

    return shown


_DROP = object()


def _attribute_list(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    return frozenset(
        part.strip().casefold() for part in text.split(",") if part.strip()
    )


def _pick(
    value: Mapping[str, Any],
    urn: str,
    wanted: frozenset[str],
    unwanted: frozenset[str],
) -> dict[str, Any]:
    out = {}
    for key, inner in value.items():
        kept = _keep(key, inner, urn + ":", wanted, unwanted)
        if kept is not _DROP:
            out[key] = kept
    return out


def _keep(
    key: str,
    value: Any,
    prefix: str,
    wanted: frozenset[str],
    unwanted: frozenset[str],
) -> Any:
    """
    *value* of attribute *key* as the projection keeps it, or _DROP.
    Names in the lists may be bare or qualified by their schema URN.
    """
    names = {key.casefold(), prefix + key.casefold()}
    if names & unwanted:
        return _DROP
    if not wanted or names & wanted:
        return value
    subs = {
        w.rpartition(".")[2] for w in wanted if w.rpartition(".")[0] in names
    }
    if not subs or not isinstance(value, Mapping):
        return _DROP
    return {k: v for k, v in value.items() if k.casefold() in subs}


def parse_query(query: str) -> dict[str, str]:
    try:
        parsed = parse_qs(
            query,
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=32,
        )
    except ValueError as e:
        raise bad_request(ScimType.INVALID_VALUE, f"query: {e}") from None
    out = {}
    for key, values in parsed.items():
        if len(values) > 1:
            raise bad_request(
                ScimType.INVALID_VALUE,
                f"query parameter {key!r} is given {len(values)} times",
            )
        out[key] = values[0]
    return out


def integer(params: Mapping[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
        raise bad_request(
            ScimType.INVALID_VALUE,
            f"{name} must be an integer, not {text!r}",
        )
    return int(text)
