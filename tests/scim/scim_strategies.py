"""
Hypothesis strategies for SCIM: resources, filters, paths and PATCH
operations.

Values come from small pools so that generated filters often match
generated resources, and letter case varies so that the case rules are
exercised.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dirsync.scim._path import (
    And,
    AttrPath,
    Compare,
    CompareOp,
    Filter,
    Not,
    Or,
    Present,
    ValueFilter,
)
from dirsync.scim._schema import ENTERPRISE_USER_URN, PATCH_OP_URN

WORDS = ("a", "A", "ab", "Ab", "b", "work", "Work", "home", "x@y.com", "")
TYPES = ("work", "home", "other", "WORK")

words = st.sampled_from(WORDS)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """
    Any JSON value, small.
    """
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-10, 10)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=6)
        | words
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "value",
                        "type",
                        "primary",
                        "op",
                        "path",
                        "x",
                        "Operations",
                    ]
                )
                | st.text(max_size=4),
                inner,
                max_size=3,
            )
        ),
        max_leaves=max_leaves,
    )


@st.composite
def emails(draw: st.DrawFn) -> dict[str, Any]:
    """
    One value of ``emails``.
    """
    out: dict[str, Any] = {"value": draw(words)}
    if draw(st.booleans()):
        out["type"] = draw(st.sampled_from(TYPES))
    if draw(st.booleans()):
        out["primary"] = draw(st.booleans())
    return out


@st.composite
def users(draw: st.DrawFn) -> dict[str, Any]:
    """
    A User resource as a client could have sent it.
    """
    out: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": draw(st.sampled_from(["u1", "U1"])),
        "userName": draw(words),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "displayName": words,
        "externalId": words,
        "title": words,
        "active": st.booleans(),
        "name": st.fixed_dictionaries(
            {}, optional={"givenName": words, "familyName": words}
        ),
        "emails": st.lists(emails(), max_size=3),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            out[key] = draw(strategy)
    if draw(st.booleans()):
        out["schemas"].append(ENTERPRISE_USER_URN)
        out[ENTERPRISE_USER_URN] = {"department": draw(words)}
    return out


# Filters: only ones that are valid for the User schema, so that the
# reference evaluator of the tests need not know the error rules.

_STRING_PATHS = (
    AttrPath(None, "userName"),
    AttrPath(None, "USERNAME"),
    AttrPath(None, "displayName"),
    AttrPath(None, "externalId"),
    AttrPath(None, "title"),
    AttrPath(None, "name", "givenName"),
    AttrPath(None, "name", "familyName"),
    AttrPath(None, "emails"),
    AttrPath(None, "emails", "value"),
    AttrPath(None, "emails", "type"),
    AttrPath(ENTERPRISE_USER_URN, "department"),
    AttrPath("urn:ietf:params:scim:schemas:core:2.0:User", "userName"),
)
_BOOL_PATHS = (AttrPath(None, "active"), AttrPath(None, "emails", "primary"))
_EMAIL_STRING = (AttrPath(None, "value"), AttrPath(None, "TYPE"))
_EMAIL_BOOL = (AttrPath(None, "primary"),)
_ANY_OP = st.sampled_from(list(CompareOp))
_EQ_NE = st.sampled_from([CompareOp.EQ, CompareOp.NE])


def _leaves(
    strings: tuple[AttrPath, ...], bools: tuple[AttrPath, ...]
) -> st.SearchStrategy[Filter]:
    string_paths = st.sampled_from(strings)
    bool_paths = st.sampled_from(bools)
    return st.one_of(
        st.builds(Compare, string_paths, _ANY_OP, words),
        st.builds(Compare, bool_paths, _EQ_NE, st.booleans() | st.none()),
        st.builds(Compare, string_paths, _EQ_NE, st.none()),
        st.builds(Present, string_paths | bool_paths),
    )


def _combine(
    leaves: st.SearchStrategy[Filter],
) -> st.SearchStrategy[Filter]:
    return st.recursive(
        leaves,
        lambda inner: (
            st.builds(And, st.tuples(inner, inner))
            | st.builds(Or, st.tuples(inner, inner, inner))
            | st.builds(Not, inner)
        ),
        max_leaves=6,
    )


def user_filters() -> st.SearchStrategy[Filter]:
    """
    Filters over the User schema that `matches` accepts.
    """
    value_filters = st.builds(
        ValueFilter,
        st.just(AttrPath(None, "emails")),
        _combine(_leaves(_EMAIL_STRING, _EMAIL_BOOL)),
    )
    return _combine(_leaves(_STRING_PATHS, _BOOL_PATHS) | value_filters)


# Text that looks like filters and paths, to reach deep into the parser.

_PIECES = (
    "userName",
    "emails",
    "name.givenName",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:",
    "urn:x:",
    " eq ",
    " pr",
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    "[",
    "]",
    ".",
    '"x"',
    '"\\u00e9"',
    '"\\q"',
    "12",
    "-1.5e3",
    "true",
    "NULL",
    " ",
    "$ref",
    ":",
)

filterish = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@st.composite
def replace_ops(draw: st.DrawFn) -> dict[str, Any]:
    """
    A valid replace operation on a User.
    """
    return draw(
        st.sampled_from(
            [
                {"op": "replace", "path": "active", "value": False},
                {"op": "Replace", "path": "active", "value": "True"},
                {"op": "replace", "value": {"active": "false"}},
                {"op": "replace", "path": "displayName", "value": "D"},
                {"op": "replace", "path": "name.givenName", "value": "G"},
                {"op": "replace", "path": "name", "value": {"givenName": "H"}},
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "w@x.com",
                },
                {
                    "op": "replace",
                    "path": 'emails[type eq "work"]',
                    "value": {"value": "v@x.com", "primary": True},
                },
                {
                    "op": "replace",
                    "path": "emails",
                    "value": [{"value": "e@x.com", "primary": True}],
                },
                {
                    "op": "replace",
                    "value": {
                        "name.familyName": "F",
                        f"{ENTERPRISE_USER_URN}:department": "Eng",
                    },
                },
                {"op": "replace", "path": "title", "value": None},
                {"op": "replace", "path": "id", "value": "u1"},
            ]
        )
    )


@st.composite
def valid_ops(draw: st.DrawFn) -> dict[str, Any]:
    """
    A valid operation of any kind on a User.
    """
    return draw(
        replace_ops()
        | st.sampled_from(
            [
                {"op": "add", "path": "emails", "value": [{"value": "n@x"}]},
                {"op": "Add", "path": "title", "value": "T"},
                {"op": "remove", "path": "title"},
                {"op": "Remove", "path": 'emails[type eq "home"]'},
                {"op": "remove", "path": f"{ENTERPRISE_USER_URN}:department"},
                {
                    "op": "add",
                    "value": {ENTERPRISE_USER_URN: {"division": "D"}},
                },
            ]
        )
    )


invalid_ops = st.sampled_from(
    [
        {"op": "replace", "path": "active", "value": "maybe"},
        {"op": "replace", "path": "groups", "value": []},
        {"op": "remove"},
        {"op": "add", "path": "nickName"},
        {"op": "replace", "path": "nope", "value": 1},
        {"op": "replace", "path": "emails[", "value": 1},
        {"op": "move", "path": "title"},
        {"op": "replace", "path": 'emails[type co "q"].value', "value": "x"},
    ]
)


def patch_body(ops: list[dict[str, Any]]) -> dict[str, Any]:
    """
    A PatchOp message holding *ops*.
    """
    return {"schemas": [PATCH_OP_URN], "Operations": ops}


@st.composite
def random_bodies(draw: st.DrawFn) -> Any:
    """
    PatchOp-shaped messages with arbitrary operations, and arbitrary JSON.
    """
    op = st.fixed_dictionaries(
        {},
        optional={
            "op": st.sampled_from(["add", "Replace", "remove", "x"])
            | json_values(2),
            "path": filterish | json_values(2),
            "value": json_values(),
        },
    )
    shaped = st.builds(patch_body, st.lists(op, min_size=1, max_size=4))
    return draw(shaped | json_values())
