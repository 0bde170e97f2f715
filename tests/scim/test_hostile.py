"""
Hostile and broken input: every class gets its status, its ``scimType``
and a detail that says what is wrong, and changes nothing, in the mirror
or in the inbox.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dirsync.scim import Limits, Settings

from .harness import Harness, patch, user

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def encoded(value: Any) -> bytes:
    return json.dumps(value).encode()


def setup() -> tuple[Harness, str]:
    """
    Acme's directory with one user, Nina (``id-1``).
    """
    h = Harness()
    ident = h.create(user("nina@acme.com"))
    return h, ident


# (name, method, path, raw body, query, status, scimType, detail fragment)
# "{id}" in the path is Nina's id.
CASES: list[tuple[str, str, str, bytes, str, int, str | None, str]] = [
    (
        "invalid JSON",
        "POST",
        "/Users",
        b'{"userName": ',
        "",
        400,
        "invalidSyntax",
        "JSON",
    ),
    (
        "non-UTF-8 body",
        "POST",
        "/Users",
        b'{"userName": "\xff\xfe"}',
        "",
        400,
        "invalidSyntax",
        "UTF-8",
    ),
    (
        "duplicate JSON keys",
        "POST",
        "/Users",
        b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],'
        b' "userName": "a@acme.com", "userName": "b@acme.com"}',
        "",
        400,
        "invalidSyntax",
        "userName",
    ),
    (
        "duplicate keys differing in case",
        "POST",
        "/Users",
        b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],'
        b' "userName": "a@acme.com", "USERNAME": "b@acme.com"}',
        "",
        400,
        "invalidSyntax",
        "USERNAME",
    ),
    (
        "NaN",
        "POST",
        "/Users",
        b'{"userName": "a@acme.com", "x": NaN}',
        "",
        400,
        "invalidValue",
        "NaN",
    ),
    (
        "huge integer",
        "POST",
        "/Users",
        b'{"userName": "a@acme.com", "x": ' + b"9" * 40 + b"}",
        "",
        400,
        "invalidValue",
        "integer",
    ),
    (
        "NUL character",
        "POST",
        "/Users",
        encoded(user("nina\u0000@acme.com")),
        "",
        400,
        "invalidValue",
        "control character",
    ),
    (
        "other control character",
        "POST",
        "/Users",
        encoded(user("nina@acme.com", title="Eng\u001bineer")),
        "",
        400,
        "invalidValue",
        "control character",
    ),
    (
        "unpaired surrogate",
        "POST",
        "/Users",
        b'{"userName": "nina\\ud800@acme.com"}',
        "",
        400,
        "invalidValue",
        "surrogate",
    ),
    (
        "deep nesting",
        "POST",
        "/Users",
        b"[" * 5_000 + b"]" * 5_000,
        "",
        400,
        "invalidValue",
        "deep",
    ),
    (
        "oversized body",
        "POST",
        "/Users",
        b" " * (Limits().max_body_bytes + 1),
        "",
        413,
        None,
        "bytes",
    ),
    (
        "oversized list",
        "POST",
        "/Users",
        encoded(
            user(
                "nina@acme.com",
                phoneNumbers=[{"value": "1"}] * (Limits().max_list_length + 1),
            )
        ),
        "",
        400,
        "invalidValue",
        "items",
    ),
    (
        "oversized string",
        "POST",
        "/Users",
        encoded(user("a@acme.com", title="x" * 70_000)),
        "",
        400,
        "invalidValue",
        "characters",
    ),
    (
        "body is not an object",
        "POST",
        "/Users",
        b'["userName"]',
        "",
        400,
        "invalidSyntax",
        "object",
    ),
    (
        "missing schemas",
        "POST",
        "/Users",
        encoded({"userName": "a@acme.com"}),
        "",
        400,
        "invalidSyntax",
        "schemas",
    ),
    (
        "wrong schemas",
        "POST",
        "/Users",
        encoded(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "userName": "a@acme.com",
            }
        ),
        "",
        400,
        "invalidSyntax",
        "schemas",
    ),
    (
        "missing userName",
        "POST",
        "/Users",
        encoded(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "emails": [{"value": "a@acme.com"}],
            }
        ),
        "",
        400,
        "invalidValue",
        "userName",
    ),
    (
        "wrong type",
        "POST",
        "/Users",
        encoded(user("a@acme.com") | {"userName": 42}),
        "",
        400,
        "invalidValue",
        "userName",
    ),
    (
        "string boolean other than True or False",
        "POST",
        "/Users",
        encoded(user("a@acme.com", active="yes")),
        "",
        400,
        "invalidValue",
        "active",
    ),
    (
        "email that does not parse",
        "POST",
        "/Users",
        encoded(user("a@acme.com", email="not an email")),
        "",
        400,
        "invalidValue",
        "not an email",
    ),
    (
        "two primary emails",
        "POST",
        "/Users",
        encoded(
            user("a@acme.com")
            | {
                "emails": [
                    {"value": "a@acme.com", "primary": True},
                    {"value": "b@acme.com", "primary": True},
                ]
            }
        ),
        "",
        400,
        "invalidValue",
        "primary",
    ),
    (
        "confusable email",
        "POST",
        "/Users",
        encoded(user("nina@\u0430cme.com")),
        "",
        400,
        "invalidValue",
        "Cyrillic and Latin",
    ),
    (
        "case-variant userName",
        "POST",
        "/Users",
        encoded(user("NINA@ACME.COM")),
        "",
        409,
        "uniqueness",
        "already taken",
    ),
    (
        "unknown PATCH op",
        "PATCH",
        "/Users/{id}",
        encoded(patch({"op": "move", "path": "title", "value": "x"})),
        "",
        400,
        "invalidSyntax",
        "move",
    ),
    (
        "PATCH of read-only id",
        "PATCH",
        "/Users/{id}",
        encoded(patch({"op": "replace", "path": "id", "value": "x"})),
        "",
        400,
        "mutability",
        "id",
    ),
    (
        "PATCH of read-only meta",
        "PATCH",
        "/Users/{id}",
        encoded(
            patch({"op": "replace", "path": "meta.created", "value": "x"})
        ),
        "",
        400,
        "mutability",
        "meta",
    ),
    (
        "PATCH path that does not resolve",
        "PATCH",
        "/Users/{id}",
        encoded(patch({"op": "replace", "path": "nickname[", "value": 1})),
        "",
        400,
        "invalidPath",
        "nickname[",
    ),
    (
        "PATCH of an unknown attribute",
        "PATCH",
        "/Users/{id}",
        encoded(patch({"op": "replace", "path": "shoeSize", "value": 1})),
        "",
        400,
        "invalidPath",
        "shoeSize",
    ),
    (
        "empty Operations",
        "PATCH",
        "/Users/{id}",
        encoded({"schemas": [PATCH_OP], "Operations": []}),
        "",
        400,
        "invalidSyntax",
        "Operations",
    ),
    (
        "PATCH without the PatchOp schema",
        "PATCH",
        "/Users/{id}",
        encoded({"Operations": [{"op": "add", "path": "title", "value": 1}]}),
        "",
        400,
        "invalidSyntax",
        "schemas",
    ),
    (
        "too many operations",
        "PATCH",
        "/Users/{id}",
        encoded(
            patch(
                *[{"op": "add", "path": "title", "value": "x"}]
                * (Limits().max_operations + 1)
            )
        ),
        "",
        413,
        None,
        "operations",
    ),
    (
        "PATCH that removes a required attribute",
        "PATCH",
        "/Users/{id}",
        encoded(patch({"op": "remove", "path": "emails"})),
        "",
        400,
        "mutability",
        "required",
    ),
    (
        "PATCH that leaves no usable email",
        "PATCH",
        "/Users/{id}",
        encoded(
            patch(
                {
                    "op": "replace",
                    "path": "emails",
                    "value": [{"value": "nina at acme", "primary": True}],
                },
                {"op": "replace", "path": "userName", "value": "nina"},
            )
        ),
        "",
        400,
        "invalidValue",
        "nina at acme",
    ),
    (
        "unsupported filter operator",
        "GET",
        "/Users",
        b"",
        'filter=userName regex "n.*"',
        400,
        "invalidFilter",
        "regex",
    ),
    (
        "broken filter",
        "GET",
        "/Users",
        b"",
        'filter=(userName eq "nina@acme.com"',
        400,
        "invalidFilter",
        "position",
    ),
    (
        "filter too long",
        "GET",
        "/Users",
        b"",
        "filter=" + "userName pr or " * 400 + "userName pr",
        400,
        "invalidFilter",
        "characters",
    ),
    (
        "startIndex not an integer",
        "GET",
        "/Users",
        b"",
        "startIndex=abc",
        400,
        "invalidValue",
        "startIndex",
    ),
    (
        "count too large an integer",
        "GET",
        "/Users",
        b"",
        "count=99999999999999999999",
        400,
        "invalidValue",
        "count",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "raw", "query", "status", "scim_type", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_refused_and_nothing_changes(
    method: str,
    path: str,
    raw: bytes,
    query: str,
    status: int,
    scim_type: str | None,
    fragment: str,
) -> None:
    """
    Each class of bad input gets its status and scimType, a detail that
    names the problem, and leaves the mirror and the inbox as they were.
    """
    h, ident = setup()
    before = h.snapshot()

    response = h.call(
        method, path.replace("{id}", ident), raw=raw, query=query
    )

    assert response.status == status, response.body
    assert response.body is not None
    assert response.body.get("scimType") == scim_type
    assert fragment.lower() in response.body["detail"].lower()
    assert h.snapshot() == before


def test_at_least_twenty_classes() -> None:
    """
    The table covers the classes the issue lists, and more.
    """
    assert len(CASES) >= 20


def test_idn_and_punycode_are_one_username() -> None:
    """
    An internationalised domain and its punycode spelling are the same
    address, so the second user is a uniqueness conflict.
    """
    h = Harness()
    h.create(user("nina@b\u00fccher.example"))
    before = h.snapshot()

    response = h.call("POST", "/Users", user("nina@xn--bcher-kva.example"))

    assert response.status == 409
    assert h.snapshot() == before


def test_limits_are_configurable() -> None:
    """
    A host can lower a limit; the lower one holds.
    """
    h = Harness()
    h.endpoint.settings = Settings(limits=Limits(max_body_bytes=64))

    response = h.call("POST", "/Users", user("nina@acme.com"))

    assert response.status == 413


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "schemas",
                    "userName",
                    "emails",
                    "value",
                    "primary",
                    "active",
                    "name",
                    "givenName",
                    "Operations",
                    "op",
                    "path",
                    "members",
                    "displayName",
                    "title",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(
    method=st.sampled_from(["POST", "PUT", "PATCH"]),
    body=json_values,
    kind=st.sampled_from(["/Users", "/Groups"]),
)
def test_arbitrary_bodies_never_raise(
    method: str, body: Any, kind: str
) -> None:
    """
    Whatever JSON a client sends, the endpoint answers; a refusal
    changes nothing.
    """
    h, ident = setup()
    if kind == "/Groups":
        ident = h.create(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "G",
            }
        )
    before = h.snapshot()
    path = kind if method == "POST" else f"{kind}/{ident}"

    response = h.call(method, path, body)

    assert response.status in (200, 201, 400, 409, 413)
    if response.status >= 400:
        assert h.snapshot() == before
