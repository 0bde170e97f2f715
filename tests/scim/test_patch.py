"""
The PATCH engine (RFC 7644 section 3.5.2) and the dialects Okta and
Microsoft Entra ID really send.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dirsync import DirectoryUser
from dirsync.scim._bodies import _fresh, validate_user
from dirsync.scim._errors import InvalidProvisioningEvent, ScimType
from dirsync.scim._patch import (
    _operation,
    _read_operation,
    _same,
    _same_as,
    apply_patch,
    copy_json,
)
from dirsync.scim._resources import (
    DEFAULT_MAPPING,
    Mapping,
    updated_user,
    user_from_resource,
)
from dirsync.scim._schema import (
    ENTERPRISE_USER_SCHEMA,
    ENTERPRISE_USER_URN,
    GROUP_SCHEMA,
    PATCH_OP_URN,
    USER_SCHEMA,
    USER_URN,
    Attribute,
    AttributeType,
    Schema,
)

from .scim_strategies import (
    invalid_ops,
    patch_body,
    random_bodies,
    replace_ops,
    users,
    valid_ops,
)

ENT = ENTERPRISE_USER_URN
EXT = (ENTERPRISE_USER_SCHEMA,)

# A schema with the types the core schemas lack, for the value rules.
COUNTS = Schema(
    id="urn:example:Counts",
    name="Counts",
    description="Test schema",
    attributes=(
        Attribute(name="size", type=AttributeType.INTEGER),
        Attribute(name="ratio", type=AttributeType.DECIMAL),
        Attribute(name="tags", multi_valued=True),
    ),
)


def user() -> dict[str, Any]:
    """
    A user as an identity provider created it.
    """
    return {
        "schemas": [USER_URN],
        "id": "u1",
        "userName": "bjensen@example.com",
        "active": True,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "b@home.org", "type": "home", "primary": True},
        ],
    }


def group() -> dict[str, Any]:
    """
    A group with three members.
    """
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "g1",
        "displayName": "Admins",
        "members": [{"value": "id1"}, {"value": "id2"}, {"value": "id3"}],
    }


def patch_user(
    resource: dict[str, Any], *ops: dict[str, Any]
) -> dict[str, Any]:
    """
    Apply *ops* to a User.
    """
    return apply_patch(
        resource, patch_body(list(ops)), USER_SCHEMA, EXT, max_operations=10
    )


def patch_group(
    resource: dict[str, Any], *ops: dict[str, Any]
) -> dict[str, Any]:
    """
    Apply *ops* to a Group.
    """
    return apply_patch(
        resource, patch_body(list(ops)), GROUP_SCHEMA, (), max_operations=10
    )


def refused(
    resource: dict[str, Any],
    *ops: dict[str, Any],
    schema: Schema = USER_SCHEMA,
) -> InvalidProvisioningEvent:
    """
    The error applying *ops* raises; the resource must be unchanged.
    """
    before = copy_json(resource)
    with pytest.raises(InvalidProvisioningEvent) as info:
        apply_patch(
            resource,
            patch_body(list(ops)),
            schema,
            EXT,
            max_operations=10,
        )
    assert resource == before
    return info.value


# 1. The message.


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ([], ScimType.INVALID_SYNTAX),
        ({"Operations": [{"op": "add"}]}, ScimType.INVALID_SYNTAX),
        ({"schemas": ["x"], "Operations": []}, ScimType.INVALID_SYNTAX),
        ({"schemas": "x"}, ScimType.INVALID_SYNTAX),
        ({"schemas": [PATCH_OP_URN]}, ScimType.INVALID_SYNTAX),
        (
            {"schemas": [PATCH_OP_URN], "Operations": []},
            ScimType.INVALID_SYNTAX,
        ),
        (
            {"schemas": [PATCH_OP_URN], "Operations": {}},
            ScimType.INVALID_SYNTAX,
        ),
        (
            {"schemas": [PATCH_OP_URN], "Operations": ["add"]},
            ScimType.INVALID_SYNTAX,
        ),
        (patch_body([{"op": "move", "path": "x"}]), ScimType.INVALID_SYNTAX),
        (patch_body([{"op": 1}]), ScimType.INVALID_SYNTAX),
        (patch_body([{"path": "title"}]), ScimType.INVALID_SYNTAX),
        (
            patch_body([{"op": "add", "path": 3, "value": 1}]),
            ScimType.INVALID_PATH,
        ),
        (patch_body([{"op": "add", "path": "title"}]), ScimType.INVALID_VALUE),
        (patch_body([{"op": "Replace"}]), ScimType.INVALID_VALUE),
        (patch_body([{"op": "remove"}]), ScimType.NO_TARGET),
        (patch_body([{"op": "remove", "value": "x"}]), ScimType.NO_TARGET),
    ],
)
def test_refuses_a_malformed_message(body: Any, kind: ScimType) -> None:
    """
    The envelope and each operation are checked as section 3.5.2 says,
    each with its scimType.
    """
    with pytest.raises(InvalidProvisioningEvent) as info:
        apply_patch(user(), body, USER_SCHEMA, EXT, max_operations=10)

    assert info.value.status == 400
    assert info.value.scim_type is kind


def test_accepts_member_names_in_any_case() -> None:
    """
    "SCHEMAS", "operations", "OP", "Path" and "VALUE" are the same
    members (RFC 7643 section 2.1), and the URN compares in any case.
    """
    body = {
        "SCHEMAS": [PATCH_OP_URN.upper()],
        "operations": [{"OP": "REPLACE", "Path": "title", "VALUE": "Boss"}],
    }

    out = apply_patch(user(), body, USER_SCHEMA, EXT, max_operations=1)

    assert out["title"] == "Boss"


def test_too_many_operations_is_payload_too_large() -> None:
    """
    More operations than allowed is 413 without a scimType, as for a
    bulk request over maxOperations (section 3.7.4).
    """
    ops = [{"op": "add", "path": "title", "value": "x"}] * 3
    with pytest.raises(InvalidProvisioningEvent) as info:
        apply_patch(
            user(), patch_body(ops), USER_SCHEMA, EXT, max_operations=2
        )

    assert info.value.status == 413
    assert info.value.scim_type is None


def test_names_the_failing_operation_and_changes_nothing() -> None:
    """
    A failing operation after good ones raises with its number; the
    input resource is untouched.
    """
    error = refused(
        user(),
        {"op": "replace", "path": "title", "value": "Boss"},
        {"op": "replace", "path": "active", "value": "maybe"},
    )

    assert error.detail.startswith("operation 2 (replace): ")
    assert error.scim_type is ScimType.INVALID_VALUE


def test_shares_untouched_parts_with_the_input() -> None:
    """
    The result is a new resource that shares what no operation touched:
    adding a member copies neither the group's other members nor the
    resource, and the input is unchanged.
    """
    members = [{"value": f"u{n}", "display": f"U{n}"} for n in range(50)]
    before = {**group(), "members": members}

    out = patch_group(
        before, {"op": "add", "path": "members", "value": [{"value": "x"}]}
    )

    assert out is not before
    assert out["members"] is not members
    assert all(a is b for a, b in zip(out["members"], members, strict=False))
    assert out["members"][-1] == {"value": "x"}
    assert len(before["members"]) == 50


def _rich_user() -> dict[str, Any]:
    return {
        **user(),
        "schemas": [USER_URN, ENT],
        "emails": [
            {"value": "b@home.org", "type": "home", "primary": True},
            {"value": "b@work.org", "type": "work"},
        ],
        ENT: {"department": "R&D", "manager": {"value": "m1"}},
    }


# Each operation changes the resource where an object or array of the
# input would be written in place if it were not copied first.
_WRITES_IN_PLACE = [
    {"op": "add", "path": "emails", "value": [{"value": "B@WORK.ORG"}]},
    {"op": "replace", "path": 'emails[type eq "work"].value', "value": "c@x"},
    {"op": "add", "path": "emails", "value": [{"value": "n@x", "primary": 1}]},
    {
        "op": "add",
        "path": "emails",
        "value": {"value": "n@x", "primary": True},
    },
    {"op": "remove", "path": "emails.type"},
    {"op": "remove", "path": 'emails[type eq "home"]'},
    {"op": "remove", "path": "name.givenName"},
    {"op": "replace", "path": "name.givenName", "value": "Babs"},
    {"op": "replace", "path": f"{ENT}:department", "value": "Ops"},
    {"op": "replace", "path": f"{ENT}:manager.value", "value": "m2"},
    {"op": "remove", "path": f"{ENT}:manager.value"},
    {"op": "remove", "path": f"{ENT}:department"},
    {"op": "remove", "path": ENT},
    {"op": "replace", "path": ENT, "value": {"department": "Ops"}},
    {"op": "replace", "value": {"name": {"givenName": "Babs"}}},
]


@pytest.mark.parametrize("op", _WRITES_IN_PLACE)
@pytest.mark.parametrize("start", [user, _rich_user])
def test_the_input_is_never_written(
    op: dict[str, Any], start: Callable[[], dict[str, Any]]
) -> None:
    """
    Whatever an operation changes, it changes in a copy: the input is as
    it was, and applying the patch to a deep copy gives the same result.
    """
    resource = start()
    with contextlib.suppress(InvalidProvisioningEvent):
        out = patch_user(resource, op)
        assert out == patch_user(copy_json(resource), op)
    assert resource == start()


@given(users(), st.lists(valid_ops(), max_size=4), valid_ops())
def test_a_later_patch_never_changes_an_earlier_result(
    resource: dict[str, Any],
    ops: list[dict[str, Any]],
    later: dict[str, Any],
) -> None:
    """
    Results are copied on write: patching a result again, as the
    endpoint patches what it stored, leaves that result, the input and
    the bodies as they were.
    """
    snapshot = copy_json(resource)
    try:
        once = patch_user(resource, *ops)
    except InvalidProvisioningEvent:
        return
    kept = copy_json(once)
    later_body = copy_json(later)

    with contextlib.suppress(InvalidProvisioningEvent):
        patch_user(once, later)

    assert resource == snapshot
    assert once == kept
    assert later == later_body


# 2. Values.


@pytest.mark.parametrize(
    ("path", "value", "stored"),
    [
        ("active", "False", False),
        ("active", "TRUE", True),
        ("active", False, False),
        ("title", "Boss", "Boss"),
        ("size", 3, 3),
        ("ratio", 2, 2),
        ("ratio", 0.5, 0.5),
        ("tags", "one", ["one"]),
        ("tags", ["a", None, "b"], ["a", "b"]),
    ],
)
def test_turns_values_into_the_attribute_type(
    path: str, value: Any, stored: Any
) -> None:
    """
    Booleans may come as "True" or "False" in any case (Entra); numbers
    keep their type; a single value for a multi-valued attribute is a
    list of one.
    """
    schema = COUNTS if path in ("size", "ratio", "tags") else USER_SCHEMA

    out = apply_patch(
        {"userName": "x"},
        patch_body([{"op": "replace", "path": path, "value": value}]),
        schema,
        (),
        max_operations=1,
    )

    assert out[path] == stored


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        ("active", "yes", "must be true or false"),
        ("active", 1, "must be true or false"),
        ("title", {"a": 1}, "must be a string"),
        ("title", ["a"], "takes one value, not a list"),
        ("size", 1.5, "must be an integer"),
        ("size", True, "must be an integer"),
        ("ratio", "1", "must be a number"),
        ("name", 3, "must be an object"),
        ("emails", [{"value": 1}], "must be a string"),
        ("emails", [{"value": "a", "primary": "sure"}], "true or false"),
        (
            "emails",
            [{"value": "a", "primary": True}, {"value": "b", "primary": True}],
            "more than one primary",
        ),
    ],
)
def test_refuses_values_of_the_wrong_type(
    path: str, value: Any, why: str
) -> None:
    """
    A value the attribute cannot hold is invalidValue.
    """
    schema = COUNTS if path in ("size", "ratio") else USER_SCHEMA

    error = refused(
        {"userName": "x"},
        {"op": "add", "path": path, "value": value},
        schema=schema,
    )

    assert error.scim_type is ScimType.INVALID_VALUE
    assert why in error.detail


def test_cleans_complex_values() -> None:
    """
    Sub-attribute names take the schema's case, nulls are dropped
    (Entra's "$ref": null) and read-only sub-attributes are ignored.
    """
    out = patch_user(
        user(),
        {
            "op": "add",
            "path": f"{ENT}:manager",
            "value": {"VALUE": "m1", "$ref": None, "displayName": "Boss"},
        },
    )

    assert out[ENT] == {"manager": {"value": "m1"}}


def test_ignores_unknown_sub_attributes_in_a_value() -> None:
    """
    A value object with a key the attribute does not define keeps the
    keys it does define (members sent with "displayName").
    """
    out = patch_group(
        group(),
        {
            "op": "add",
            "path": "members",
            "value": [{"value": "id9", "displayName": "Nina"}],
        },
    )

    assert out["members"][-1] == {"value": "id9"}


# 3. Paths.


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("nickname.x", "has no sub-attribute"),
        ("name.nope", "has no sub-attribute"),
        ("nope", "unknown attribute"),
        (f"{ENT}:userName", "unknown attribute"),
        ("urn:acme:custom:2.0:User:tier", "unknown schema"),
        ('name[givenName eq "x"]', "single-valued"),
        ("emails[", "expected"),
    ],
)
def test_refuses_paths_that_do_not_resolve(path: str, why: str) -> None:
    """
    Unknown attributes, sub-attributes and extension URNs, and filters on
    single-valued attributes, are invalidPath.
    """
    error = refused(user(), {"op": "replace", "path": path, "value": "x"})

    assert error.scim_type is ScimType.INVALID_PATH
    assert why in error.detail


def test_accepts_the_core_urn_as_a_prefix() -> None:
    """
    A path qualified with the core schema's URN, in any case, names the
    core attribute.
    """
    out = patch_user(
        user(),
        {"op": "replace", "path": f"{USER_URN.upper()}:title", "value": "T"},
    )

    assert out["title"] == "T"


# 4. Read-only, immutable and required attributes.


def test_repeating_the_id_is_ignored() -> None:
    """
    Okta's group rename repeats the read-only id; the same value changes
    nothing.
    """
    # Okta, "SCIM 2.0 reference", Update a specific Group name.
    out = patch_group(
        group(),
        {"op": "replace", "value": {"id": "g1", "displayName": "Ops"}},
    )

    assert out == {**group(), "displayName": "Ops"}
    assert list(out) == list(group())


@pytest.mark.parametrize(
    "op",
    [
        {"op": "replace", "path": "id", "value": "other"},
        {"op": "add", "value": {"meta": {"version": "2"}}},
        {"op": "replace", "path": "groups", "value": []},
        {"op": "add", "path": 'groups[value eq "g"].display', "value": "x"},
        {"op": "replace", "path": f"{ENT}:manager.displayName", "value": "x"},
        {"op": "remove", "path": "id"},
        {"op": "remove", "path": f"{ENT}:manager.displayName"},
        {"op": "remove", "path": "userName"},
    ],
)
def test_refuses_to_change_read_only_or_required_attributes(
    op: dict[str, Any],
) -> None:
    """
    Changing a read-only attribute, or removing a required one, is a
    mutability error (sections 3.5.2 and 3.5.2.2).
    """
    error = refused(user(), op)

    assert error.scim_type is ScimType.MUTABILITY
    assert error.status == 400


def test_a_null_read_only_sub_attribute_that_is_absent_changes_nothing() -> (
    None
):
    """
    Setting a read-only sub-attribute to what it is (absent) passes.
    """
    start = {**user(), ENT: {"manager": {"value": "m"}}}

    out = patch_user(
        start,
        {"op": "replace", "path": f"{ENT}:manager.displayName", "value": None},
    )

    assert out == start


@pytest.mark.parametrize(
    "op",
    [
        {
            "op": "replace",
            "path": 'members[value eq "id1"].value',
            "value": "z",
        },
        {
            "op": "add",
            "path": 'members[value eq "id1"]',
            "value": {"value": "z"},
        },
        {"op": "remove", "path": 'members[value eq "id1"].value'},
    ],
)
def test_refuses_to_change_immutable_member_values(op: dict[str, Any]) -> None:
    """
    A member's value is immutable (RFC 7643 section 8.7.1).
    """
    error = refused(group(), op, schema=GROUP_SCHEMA)

    assert error.scim_type is ScimType.MUTABILITY


def test_may_set_an_immutable_value_to_what_it_is() -> None:
    """
    Writing a member's value unchanged, with its display, is allowed.
    """
    out = patch_group(
        group(),
        {
            "op": "replace",
            "path": 'members[value eq "id1"]',
            "value": {"value": "id1", "display": "One"},
        },
    )

    assert out["members"][0] == {"value": "id1", "display": "One"}


def test_refuses_to_remove_a_required_group_name() -> None:
    """
    displayName is required on a Group (RFC 7643 section 4.2).
    """
    error = refused(
        group(), {"op": "remove", "path": "displayName"}, schema=GROUP_SCHEMA
    )

    assert error.scim_type is ScimType.MUTABILITY


# 5. Add and replace.


def test_sets_single_values_and_merges_complex_ones() -> None:
    """
    A simple attribute is set; a complex one keeps the sub-attributes not
    given (sections 3.5.2.1 and 3.5.2.3).
    """
    out = patch_user(
        user(),
        {"op": "add", "path": "title", "value": "Boss"},
        {"op": "replace", "path": "name", "value": {"givenName": "Babs"}},
        {"op": "add", "path": "nickName", "value": "B"},
    )

    assert out["title"] == "Boss"
    assert out["name"] == {"givenName": "Babs", "familyName": "Jensen"}
    assert out["nickName"] == "B"


def test_creates_a_complex_attribute_for_a_sub_attribute() -> None:
    """
    name.middleName on a user with no name creates the name; a name that
    is not an object is replaced.
    """
    out = patch_user(
        {"userName": "x"},
        {"op": "add", "path": "name.middleName", "value": "Q"},
    )
    odd = patch_user(
        {"userName": "x", "name": "N"},
        {"op": "add", "path": "name", "value": {"givenName": "G"}},
    )

    assert out["name"] == {"middleName": "Q"}
    assert odd["name"] == {"givenName": "G"}


def test_null_clears_in_replace_and_adds_nothing_in_add() -> None:
    """
    Null is the unassigned state (RFC 7643 section 2.5).
    """
    out = patch_user(
        user(),
        {"op": "replace", "path": "name.givenName", "value": None},
        {"op": "add", "path": "title", "value": None},
        {"op": "replace", "path": "emails", "value": []},
    )

    assert out["name"] == {"familyName": "Jensen"}
    assert "title" not in out
    assert "emails" not in out


def test_add_to_a_multi_valued_attribute_merges_duplicates() -> None:
    """
    Adding a value that is there (same value and type) updates it rather
    than adding it twice (section 3.5.2.1).
    """
    out = patch_user(
        user(),
        {
            "op": "add",
            "path": "emails",
            "value": [
                {"value": "B@HOME.ORG", "type": "home", "display": "Home"},
                {"value": "b@home.org", "type": "work"},
            ],
        },
    )

    assert out["emails"] == [
        {
            "value": "B@HOME.ORG",
            "type": "home",
            "primary": True,
            "display": "Home",
        },
        {"value": "b@home.org", "type": "work"},
    ]


def test_add_of_plain_values_skips_those_already_there() -> None:
    """
    For a multi-valued attribute of strings, a value already present is
    not added again.
    """
    out = apply_patch(
        {"tags": ["a"]},
        patch_body([{"op": "add", "path": "tags", "value": ["a", "b"]}]),
        COUNTS,
        (),
        max_operations=1,
    )

    assert out["tags"] == ["a", "b"]


def test_values_without_a_value_compare_whole() -> None:
    """
    Addresses have no value sub-attribute; an identical address is a
    duplicate, a different one is added.
    """
    home = {"locality": "Oslo", "type": "home"}

    out = patch_user(
        {"addresses": [home]},
        {
            "op": "add",
            "path": "addresses",
            "value": [home, {"locality": "Bergen"}],
        },
    )

    assert out["addresses"] == [home, {"locality": "Bergen"}]


def test_a_new_primary_value_demotes_the_old_one() -> None:
    """
    RFC 7643 section 2.4: one primary value at most; the value made
    primary now wins.
    """
    out = patch_user(
        user(),
        {
            "op": "add",
            "path": "emails",
            "value": {
                "value": "b@work.com",
                "type": "work",
                "primary": "True",
            },
        },
    )

    assert [e.get("primary") for e in out["emails"]] == [False, True]


def test_refuses_to_make_every_value_primary() -> None:
    """
    Setting primary on all values at once would leave two primaries.
    """
    start = {**user(), "emails": [{"value": "a"}, {"value": "b"}]}

    error = refused(
        start, {"op": "replace", "path": "emails.primary", "value": True}
    )

    assert error.scim_type is ScimType.INVALID_VALUE


def test_a_sub_attribute_without_filter_applies_to_every_value() -> None:
    """
    emails.type without a filter sets every value's type; with no values
    it makes one.
    """
    start = {**user(), "emails": [{"value": "a"}, "junk", {"value": "b"}]}

    out = patch_user(
        start, {"op": "replace", "path": "emails.type", "value": "work"}
    )
    made = patch_user(
        {"userName": "x"},
        {"op": "add", "path": "emails.value", "value": "a@x"},
    )

    assert out["emails"] == [
        {"value": "a", "type": "work"},
        "junk",
        {"value": "b", "type": "work"},
    ]
    assert made["emails"] == [{"value": "a@x"}]


def test_a_filter_selects_the_values_to_change() -> None:
    """
    With a filter, only matching values change; without a sub-attribute
    the value's sub-attributes are merged in.
    """
    start = {
        **user(),
        "phoneNumbers": [
            {"value": "1", "type": "work"},
            {"value": "2", "type": "mobile"},
        ],
    }

    out = patch_user(
        start,
        {
            "op": "replace",
            "path": 'phoneNumbers[type eq "mobile"].value',
            "value": "3",
        },
        {
            "op": "replace",
            "path": 'phoneNumbers[type eq "work"]',
            "value": {"display": "Desk"},
        },
    )

    assert out["phoneNumbers"] == [
        {"value": "1", "type": "work", "display": "Desk"},
        {"value": "3", "type": "mobile"},
    ]


def test_a_filter_of_equalities_that_matches_nothing_creates_the_value() -> (
    None
):
    """
    Entra's replace of emails[type eq "work"].value on a user without a
    work email creates it (the documented tolerance), in add too.
    """
    # Microsoft, "Tutorial: Develop and plan provisioning for a SCIM
    # endpoint", Update User [Multi-valued properties].
    out = patch_user(
        user(),
        {
            "op": "Replace",
            "path": 'emails[type eq "work"].value',
            "value": "w@x.com",
        },
        {
            "op": "Add",
            "path": 'addresses[type eq "work" and primary eq "true"]',
            "value": {"locality": "Oslo"},
        },
    )

    assert out["emails"][1] == {"type": "work", "value": "w@x.com"}
    assert out["addresses"] == [
        {"type": "work", "primary": True, "locality": "Oslo"}
    ]


@pytest.mark.parametrize(
    "path",
    [
        'emails[type ne "work"].value',
        'emails[type eq "x" or type eq "y"].value',
        "emails[type eq null].value",
        'emails[type.x eq "w"].value',
        'emails[nope eq "w"].value',
    ],
)
def test_any_other_filter_that_matches_nothing_is_no_target(path: str) -> None:
    """
    Outside the tolerance, a filter that selects nothing in replace is
    noTarget (section 3.5.2.3).
    """
    start = {**user(), "emails": [{"value": "a", "type": "work"}]}

    error = refused(start, {"op": "replace", "path": path, "value": "x"})

    assert error.scim_type is ScimType.NO_TARGET


def test_refuses_a_filter_value_the_sub_attribute_cannot_hold() -> None:
    """
    A created value takes the filter's values, so they must fit.
    """
    error = refused(
        user(),
        {"op": "add", "path": 'emails[primary eq "yes"].value', "value": "x"},
    )

    assert error.scim_type is ScimType.INVALID_VALUE


def test_a_stored_value_of_the_wrong_shape_is_replaced() -> None:
    """
    A multi-valued attribute stored as a single object is rebuilt.
    """
    out = patch_user(
        {"emails": {"value": "a"}},
        {"op": "add", "path": "emails", "value": [{"value": "b"}]},
    )

    assert out["emails"] == [{"value": "b"}]


def test_writes_attribute_names_in_the_schema_case() -> None:
    """
    A client's "Title" key is replaced by the canonical "title".
    """
    out = patch_user(
        {"Title": "a", "TITLE": "b"},
        {"op": "replace", "path": "title", "value": "c"},
    )

    assert out == {"title": "c"}


# 6. Extensions.


def test_adding_an_extension_attribute_lists_its_schema() -> None:
    """
    The first enterprise attribute creates the extension object and
    adds its URN to schemas; removing the last one takes both away.
    """
    added = patch_user(
        user(),
        {"op": "add", "path": f"{ENT}:department", "value": "Eng"},
    )
    removed = patch_user(added, {"op": "remove", "path": f"{ENT}:department"})

    assert added["schemas"] == [USER_URN, ENT]
    assert added[ENT] == {"department": "Eng"}
    assert removed == user()


def test_an_extension_keeps_its_listing_and_other_attributes() -> None:
    """
    A URN already listed in another case is not listed twice; a resource
    without schemas gets none; an extension with attributes left stays.
    """
    start = {
        "schemas": [USER_URN, ENT.upper()],
        ENT.lower(): {"department": "Eng", "division": "R"},
    }

    out = patch_user(
        start,
        {"op": "remove", "path": f"{ENT}:department"},
        {"op": "add", "path": f"{ENT}:costCenter", "value": "1"},
    )
    bare = patch_user(
        {}, {"op": "add", "path": f"{ENT}:division", "value": "D"}
    )
    gone = patch_user(
        {ENT: {"division": "D"}}, {"op": "remove", "path": f"{ENT}:division"}
    )

    assert out["schemas"] == [USER_URN, ENT.upper()]
    assert out[ENT.lower()] == {"division": "R", "costCenter": "1"}
    assert bare == {ENT: {"division": "D"}}
    assert gone == {}


def test_an_extension_that_is_not_an_object_is_replaced() -> None:
    """
    A stored extension value that is not an object is rebuilt on write and
    ignored on remove.
    """
    start = {ENT: "junk"}

    out = patch_user(
        start, {"op": "add", "path": f"{ENT}:division", "value": "D"}
    )
    same = patch_user(start, {"op": "remove", "path": f"{ENT}:division"})

    assert out[ENT] == {"division": "D"}
    assert same == start


def test_entra_sends_the_manager_as_an_id() -> None:
    """
    A string for the complex manager means its value.
    """
    out = patch_user(
        user(), {"op": "Replace", "path": f"{ENT}:manager", "value": "m-1"}
    )

    assert out[ENT]["manager"] == {"value": "m-1"}


# 7. Operations without a path.


def test_okta_deactivates_without_a_path() -> None:
    """
    Okta's deactivation is a replace whose value holds the attributes.
    """
    # Okta, "SCIM 2.0 reference", Update a specific User (PATCH).
    out = patch_user(user(), {"op": "replace", "value": {"active": False}})

    assert out["active"] is False


def test_entra_no_path_values_with_dotted_and_urn_keys() -> None:
    """
    Keys may be paths: dotted, URN-qualified, or an extension URN whose
    value is an object; "schemas" is ignored.
    """
    # Microsoft, "Known issues and resolutions with SCIM 2.0 protocol
    # compliance", PATCH without a path.
    out = patch_user(
        user(),
        {
            "op": "Replace",
            "value": {
                "schemas": ["ignored"],
                "name.givenName": "Babs",
                f"{ENT}:department": "Eng",
                ENT: {"manager.value": "m-1", "employeeNumber": "7"},
                "active": "False",
            },
        },
    )

    assert out["name"]["givenName"] == "Babs"
    assert out["active"] is False
    assert out[ENT] == {
        "department": "Eng",
        "manager": {"value": "m-1"},
        "employeeNumber": "7",
    }
    assert out["schemas"] == [USER_URN, ENT]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("x", ScimType.INVALID_VALUE),
        ({ENT: "x"}, ScimType.INVALID_VALUE),
        ({ENT: {f"{USER_URN}:title": "x"}}, ScimType.INVALID_PATH),
        ({"nope": 1}, ScimType.INVALID_PATH),
        ({"urn:acme:x:2.0:User": {"a": 1}}, ScimType.INVALID_PATH),
    ],
)
def test_refuses_no_path_values_that_name_nothing(
    value: Any, kind: ScimType
) -> None:
    """
    A no-path value must be an object whose keys resolve.
    """
    error = refused(user(), {"op": "add", "value": value})

    assert error.scim_type is kind


# 8. Remove.


def test_entra_removes_only_the_listed_members() -> None:
    """
    Entra's remove of members with a value list removes those members,
    and ignores members already gone.
    """
    # Microsoft, "Tutorial: Develop and plan provisioning for a SCIM
    # endpoint", Update Group [Remove Members].
    out = patch_group(
        group(),
        {
            "op": "Remove",
            "path": "members",
            "value": [{"$ref": None, "value": "id1"}, {"value": "gone"}],
        },
    )

    assert out["members"] == [{"value": "id2"}, {"value": "id3"}]


def test_entra_adds_members_with_null_refs() -> None:
    """
    Entra adds members with "$ref": null; the null is dropped and a
    member already there is not added twice.
    """
    # Microsoft, "Tutorial: Develop and plan provisioning for a SCIM
    # endpoint", Update Group [Add Members].
    out = patch_group(
        group(),
        {
            "op": "Add",
            "path": "members",
            "value": [{"$ref": None, "value": "id4"}, {"value": "id1"}],
        },
    )

    assert out["members"] == [{"value": f"id{i}"} for i in (1, 2, 3, 4)]


def test_okta_removes_one_member_by_filter() -> None:
    """
    Okta removes a member with a filter path; a filter that matches
    nothing is a no-op.
    """
    # Okta, "SCIM 2.0 reference", Update Group membership (remove).
    out = patch_group(
        group(),
        {"op": "remove", "path": 'members[value eq "id2"]'},
        {"op": "remove", "path": 'members[value eq "nobody"]'},
    )

    assert out["members"] == [{"value": "id1"}, {"value": "id3"}]


def test_removing_every_value_removes_the_attribute() -> None:
    """
    Remove without a filter, or with value null, removes the whole
    attribute; so does removing the last value by filter.
    """
    one = {**group(), "members": [{"value": "id1"}]}

    assert "members" not in patch_group(
        group(), {"op": "remove", "path": "members"}
    )
    assert "members" not in patch_group(
        group(), {"op": "remove", "path": "members", "value": None}
    )
    assert "members" not in patch_group(
        one, {"op": "remove", "path": 'members[value eq "id1"]'}
    )


def test_removes_sub_attributes() -> None:
    """
    A sub-attribute goes from a single value (and the value when it is
    left empty) or from each selected value (and the values left empty).
    """
    start = {
        **user(),
        "name": {"givenName": "B"},
        "emails": [{"value": "a", "type": "work"}, {"type": "home"}, "junk"],
    }

    out = patch_user(
        start,
        {"op": "remove", "path": "name.givenName"},
        {"op": "remove", "path": "emails.type"},
    )
    some = patch_user(
        start, {"op": "remove", "path": 'emails[type eq "work"].type'}
    )

    assert "name" not in out
    assert out["emails"] == [{"value": "a"}]
    assert some["emails"] == [{"value": "a"}, {"type": "home"}, "junk"]


def test_removing_what_is_not_there_changes_nothing() -> None:
    """
    An absent attribute, sub-attribute or extension is a no-op, and so
    is a sub-attribute of a value that is not an object.
    """
    start = {"userName": "x", "name": "N"}

    out = patch_user(
        start,
        {"op": "remove", "path": "title"},
        {"op": "remove", "path": "name.givenName"},
        {"op": "remove", "path": f"{ENT}:department"},
    )

    assert out == start


def test_removes_a_single_value_stored_for_a_multi_valued_attribute() -> None:
    """
    A multi-valued attribute stored as one object is handled as a list of
    one.
    """
    out = patch_user(
        {"emails": {"value": "a", "type": "work"}},
        {"op": "remove", "path": 'emails[type eq "work"]'},
    )

    assert out == {}


# 9. Properties.


@given(users(), st.lists(valid_ops(), max_size=4), invalid_ops)
def test_a_failing_operation_leaves_the_resource_as_it_was(
    resource: dict[str, Any],
    ops: list[dict[str, Any]],
    bad: dict[str, Any],
) -> None:
    """
    Valid operations followed by an invalid one raise, and the resource
    is equal to what it was.
    """
    before = copy_json(resource)

    with pytest.raises(InvalidProvisioningEvent):
        patch_user(resource, *ops, bad)

    assert resource == before


@given(users(), st.lists(valid_ops(), min_size=1, max_size=4))
def test_a_patch_never_changes_the_resource_it_is_given(
    resource: dict[str, Any], ops: list[dict[str, Any]]
) -> None:
    """
    Applied or refused, a PATCH leaves the resource it was given as it
    was: the endpoint passes its stored resource itself, which earlier
    responses and the memo of mapped users still hold.
    """
    before = copy_json(resource)

    with contextlib.suppress(InvalidProvisioningEvent):
        patch_user(resource, *ops)

    assert resource == before


@given(users(), replace_ops())
def test_replace_is_idempotent(
    resource: dict[str, Any], op: dict[str, Any]
) -> None:
    """
    Applying the same replace twice gives what applying it once gives.
    """
    try:
        once = patch_user(resource, op)
    except InvalidProvisioningEvent:
        # A generated user may carry a different id than the one repeated.
        return

    assert patch_user(once, op) == once


@given(users(), random_bodies())
def test_any_body_gives_a_resource_or_a_scim_error(
    resource: dict[str, Any], body: Any
) -> None:
    """
    Whatever JSON arrives, apply_patch returns a resource or raises
    InvalidProvisioningEvent, and never changes its input.
    """
    before = copy_json(resource)

    with contextlib.suppress(InvalidProvisioningEvent):
        apply_patch(resource, body, USER_SCHEMA, EXT, max_operations=3)

    assert resource == before


def _validated(validate: Callable[[], dict[str, Any]]) -> dict[str, Any] | str:
    try:
        return validate()
    except InvalidProvisioningEvent as e:
        return e.detail


@given(users(), st.lists(valid_ops(), min_size=1, max_size=4))
def test_checking_a_patched_user_again_checks_only_what_changed(
    raw: dict[str, Any], ops: list[dict[str, Any]]
) -> None:
    """
    The endpoint checks a patched user with the stored one as
    ``previous``, so that what the PATCH left alone is not checked
    again; the answer is the one a full check gives.
    """
    try:
        stored = validate_user(raw)
        patched = patch_user(stored, *ops)
    except InvalidProvisioningEvent:
        return

    full = _validated(lambda: validate_user(patched))
    quick = _validated(lambda: validate_user(patched, previous=stored))

    assert quick == full


def _read(read: Callable[[], DirectoryUser]) -> DirectoryUser | str:
    try:
        return read()
    except InvalidProvisioningEvent as e:
        return e.detail


_MAPPINGS = st.sampled_from(
    [
        DEFAULT_MAPPING,
        Mapping(department="displayName", title=f"{ENT}:division"),
        Mapping(email_order=("userName", "type:home")),
    ]
)
_ADDRESSES = st.sampled_from(["a@acme.com", "b@acme.com", "not an address"])
_NAMES = st.sampled_from(["Ann", "Bo", " ", "Ann "])


@st.composite
def _mappable_users(draw: st.DrawFn) -> dict[str, Any]:
    # Users that often map, and often differ in one attribute only.
    out: dict[str, Any] = {
        "schemas": draw(st.sampled_from([[USER_URN, ENT], [USER_URN]])),
        "userName": draw(_ADDRESSES),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "emails": st.lists(
            st.fixed_dictionaries(
                {"value": _ADDRESSES},
                optional={
                    "type": st.sampled_from(["work", "home"]),
                    "primary": st.booleans(),
                },
            ),
            max_size=2,
        ),
        "name": st.fixed_dictionaries(
            {}, optional={"givenName": _NAMES, "familyName": _NAMES}
        ),
        "displayName": _NAMES,
        "title": _NAMES,
        "active": st.booleans(),
        "roles": st.sampled_from([[], ["Admin"], [{"value": "admin"}]]),
        ENT: st.fixed_dictionaries(
            {}, optional={"department": _NAMES, "division": _NAMES}
        ),
        "x-extra": st.just("kept as sent"),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            out[key] = draw(strategy)
    return out


_TARGETED_OPS = st.sampled_from(
    [
        {"op": "replace", "path": "userName", "value": "b@acme.com"},
        {"op": "replace", "path": "emails", "value": ["b@acme.com"]},
        {"op": "remove", "path": "emails"},
        {"op": "replace", "path": "name.givenName", "value": "Bo"},
        {"op": "replace", "path": f"{ENT}:department", "value": "Ops"},
        {"op": "replace", "path": f"{ENT}:division", "value": "Ops"},
        {"op": "replace", "path": "title", "value": "Bo"},
        {"op": "replace", "path": "displayName", "value": "Bo"},
        {"op": "add", "path": "roles", "value": ["admin"]},
        {"op": "remove", "path": "roles"},
        {"op": "replace", "value": {"active": False}},
    ]
)


@given(
    _mappable_users(),
    st.lists(_TARGETED_OPS | valid_ops(), min_size=1, max_size=3)
    | _mappable_users()
    | st.just("copy"),
    _MAPPINGS,
    st.none() | st.booleans(),
)
@example(
    raw={"schemas": [USER_URN], "userName": "a@acme.com", ENT: {}},
    change=[{"op": "add", "path": f"{ENT}:department", "value": "Ops"}],
    mapping=DEFAULT_MAPPING,
    admin_by_group=None,
)
@example(
    raw={"schemas": [USER_URN], "userName": "a@acme.com", "title": "Bo"},
    change=[{"op": "replace", "path": "title", "value": "Ann"}],
    mapping=DEFAULT_MAPPING,
    admin_by_group=None,
)
@example(
    raw={"schemas": [USER_URN], "userName": "a@acme.com", "name": {}},
    change=[{"op": "add", "path": "name.givenName", "value": "Bo"}],
    mapping=DEFAULT_MAPPING,
    admin_by_group=None,
)
def test_a_changed_user_is_read_again_only_where_it_changed(
    raw: dict[str, Any],
    change: list[dict[str, Any]] | dict[str, Any] | str,
    mapping: Mapping,
    admin_by_group: bool | None,
) -> None:
    """
    The endpoint maps a patched or replaced user from the user it mapped
    before (`updated_user`), reading again only what changed; the
    answer is the one reading the whole user gives, with or without
    groups that make an admin.
    """
    try:
        stored = validate_user(raw)
        user = user_from_resource(
            stored, id="u1", mapping=mapping, admin_by_group=admin_by_group
        )
        if change == "copy":
            body = copy_json(stored)
        elif isinstance(change, list):
            body = patch_user(stored, *change)
        else:
            body = change
        changed = validate_user(body, previous=stored)
    except InvalidProvisioningEvent:
        return

    full = _read(
        lambda: user_from_resource(
            changed, id="u1", mapping=mapping, admin_by_group=admin_by_group
        )
    )
    quick = _read(
        lambda: updated_user(
            changed,
            stored,
            user,
            mapping=mapping,
            admin_by_group=admin_by_group,
        )
    )

    assert quick == full
    if change == "copy" and "x-extra" not in raw:
        assert quick is user  # nothing read again


#: Changes to a stored user, each as the whole check would take it: a
#: value to convert or respell, one to refuse, or a null to drop.
_CHANGES = st.sampled_from(
    [
        ("userName", "b@acme.com"),
        ("userName", " "),
        ("userName", None),
        ("-userName", None),  # taken out
        ("-title", None),
        ("active", "False"),
        ("active", False),
        ("active", "maybe"),
        ("name", {"givenName": "Bo", "FamilyName": "Ng"}),
        ("name", {"givenName": 5}),
        ("name", "Bo"),
        ("emails", [{"Value": "b@acme.com", "primary": "True"}]),
        ("emails", [{"value": "b@acme.com", "primary": "yes"}]),
        ("emails", [{"value": "b@acme.com", "type": "work"}]),
        ("roles", ["Admin", {"VALUE": "admin", "primary": "false"}]),
        ("roles", [7]),
        ("title", "Ops"),
        ("title", 7),
        ("displayName", ["Bo"]),
        ("externalId", None),
        ("nickName", 7),
        ("Title", "Ops"),
        ("id", "u2"),
        ("x-extra", {"any": "thing"}),
        (ENT, {"department": "Ops", "Division": "D"}),
        (ENT, {"department": ["Ops"]}),
        (ENT, "Ops"),
        (f"{ENT}:department", "Ops"),
    ]
)


@given(_mappable_users(), st.lists(_CHANGES, min_size=1, max_size=3))
@example(  # the whole check, sparing the extension object it kept
    raw={"schemas": [USER_URN], "userName": "a@acme.com", ENT: {}},
    changes=[("x-extra", "new")],
)
def test_checking_only_what_changed_answers_as_the_whole_check(
    raw: dict[str, Any], changes: list[tuple[str, Any]]
) -> None:
    """
    Whatever a body changes of the user it shares the rest with, valid
    or not, in any spelling, the check of only what changed gives what
    the whole check gives: the same user, or the same first problem.
    """
    try:
        # As the endpoint stores it: with its id and meta.
        stored = {**validate_user(raw), "id": "u1", "meta": {"version": "1"}}
    except InvalidProvisioningEvent:
        return
    body = dict(stored)
    for key, value in changes:
        if key.startswith("-"):
            body.pop(key[1:], None)
        else:
            body[key] = value

    full = _validated(lambda: validate_user(body))
    quick = _validated(lambda: validate_user(body, previous=stored))

    assert quick == full


@pytest.mark.parametrize(
    "change",
    [
        {"name": {"givenName": 5}},
        {"emails": [{"value": "b@acme.com", "primary": "yes"}]},
        {"roles": [7]},
        {ENT: {"department": ["R&D"]}},
    ],
)
def test_a_new_value_is_checked_whatever_the_previous_one(
    change: dict[str, Any],
) -> None:
    """
    Only the very objects of ``previous`` go unchecked: a PUT body,
    parsed afresh, is checked whole.
    """
    stored = validate_user(
        {**_rich_user(), "roles": [], ENT: {"department": "R&D"}}
    )
    body = {**copy_json(stored), **change}

    with pytest.raises(InvalidProvisioningEvent):
        validate_user(body, previous=stored)


_SCALARS = st.sampled_from(
    ["u1", "U1", "ß", "SS", "ss", "u1\x00", "\x00", 1, True, None]
)
_VALUES = st.one_of(
    st.dictionaries(
        st.sampled_from(["value", "Value", "type", "display"]),
        _SCALARS | st.lists(_SCALARS, max_size=2),
        max_size=3,
    ),
    _SCALARS,
)


@given(st.lists(_VALUES, max_size=6), _VALUES)
@example([{"value": "ß"}, {"value": "SS", "type": "x"}, "ss"], {"value": "ss"})
@example([{"value": "u1"}, {"Value": "U1"}], {"value": "U1", "type": "w"})
def test_finding_the_same_value_agrees_with_same(
    values: list[Any], item: Any
) -> None:
    """
    `_same_as`, which compares folded values in C when it can, finds
    exactly the values `_same` calls the same as *item*.
    """
    assert _same_as(values, item) == [
        i for i, v in enumerate(values) if _same(v, item)
    ]


def test_removes_a_sub_attribute_whatever_its_spelling() -> None:
    """
    A stored object whose keys are not spelled as the RFC does loses the
    sub-attribute in every spelling it has.
    """
    resource = {**user(), "name": {"GIVENNAME": "B", "familyName": "J"}}

    out = patch_user(resource, {"op": "remove", "path": "name.givenName"})

    assert out["name"] == {"familyName": "J"}


_OP_ITEMS = st.one_of(
    st.builds(
        lambda item, extra: {**item, **extra},
        st.fixed_dictionaries(
            {},
            optional={
                "op": st.sampled_from(
                    ["add", "Add", "replace", "remove", "REMOVE", "move", 7]
                ),
                "path": st.sampled_from(["title", None, True, ["a"]]),
                "value": st.sampled_from([1, None, "x"]),
            },
        ),
        st.dictionaries(
            st.sampled_from(["Op", "PATH", "Value", "x"]),
            st.sampled_from(["remove", "title", 1]),
            max_size=1,
        ),
    ),
    st.just(["not", "an", "object"]),
)


@given(st.integers(0, 3), _OP_ITEMS)
@example(index=0, item={"op": "add", "PATH": "title", "value": "x"})
def test_an_operation_reads_as_the_general_reader_reads_it(
    index: int, item: Any
) -> None:
    """
    The shortcut for an operation spelled as the RFC spells it gives what
    reading it in any case gives, or the same error.
    """

    def read(how: Callable[[int, Any], Any]) -> Any:
        try:
            return how(index, item)
        except InvalidProvisioningEvent as e:
            return e.detail

    assert read(_operation) == read(_read_operation)


@given(
    st.integers(0, 6),
    st.lists(
        st.tuples(
            st.sampled_from(["append", "remove", "insert", "replace", "swap"]),
            st.integers(0, 8),
        ),
        max_size=3,
    ),
)
def test_the_entries_to_check_are_the_ones_not_kept(
    size: int, edits: list[tuple[str, int]]
) -> None:
    """
    Of a member list a PATCH edited, `_fresh` names every position that
    does not hold one of the very objects checked before, and only
    those may go unchecked.
    """
    kept = [{"value": str(i)} for i in range(size)]
    given: list[Any] = list(kept)
    for edit, at in edits:
        at = at % (len(given) + 1)
        if edit == "append":
            given.append({"value": "new"})
        elif edit == "insert":
            given.insert(at, {"value": "new"})
        elif given and edit == "remove":
            del given[at % len(given)]
        elif given and edit == "replace":
            given[at % len(given)] = {"value": "new"}
        elif len(given) > 1:
            given[0], given[-1] = given[-1], given[0]

    fresh = set(_fresh(given, kept))

    assert fresh <= set(range(len(given)))
    for i, entry in enumerate(given):
        if not any(entry is k for k in kept):
            assert i in fresh
