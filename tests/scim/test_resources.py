"""
SCIM User and Group resources: reading real identity provider bodies,
refusing bad ones with the right error, and writing users back.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dirsync import DirectoryUser, Email, Profile, Role
from dirsync._model import STATEABLE
from dirsync.scim import InvalidProvisioningEvent, ScimType
from dirsync.scim._bodies import (
    _plain_user_body,
    group_display_name,
    group_members,
    validate_group,
    validate_user,
)
from dirsync.scim._resources import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE_USER,
    ENTRA_GROUP,
    Mapping,
    _plain_user,
    resource_from_user,
    user_from_resource,
)
from dirsync.scim._schema import SPELLED
from tests.strategies import directory_users

FIXTURES = Path(__file__).parent / "fixtures"
DEPARTMENT = f"{ENTERPRISE_USER}:department"
INVALID_VALUE = ScimType.INVALID_VALUE
INVALID_SYNTAX = ScimType.INVALID_SYNTAX
BAD_REQUESTS = {(400, INVALID_VALUE), (400, INVALID_SYNTAX)}
# JSON keys are strings, but a Python caller can pass any dict.
NUMBER_KEY: dict[Any, Any] = {1: "x"}


def fixture(name: str, *, reachable: bool = False) -> Any:
    """
    A body from ``fixtures/``; README.md there names its source.

    Okta's examples use ``okta.local``, a special-use domain (RFC 6762)
    that no one can be invited at; *reachable* moves them to the
    ``.test`` domain that `Email.parse` accepts for examples.
    """
    text = (FIXTURES / name).read_text()
    if reachable:
        text = text.replace("@okta.local", "@okta.test")
    return json.loads(text)


PROFILE_ONLY = STATEABLE - {"role"}


def user(email: str, **kwargs: Any) -> DirectoryUser:
    """
    The user the tests expect, with id ``u1``.
    """
    return DirectoryUser(id="u1", email=Email.parse(email), **kwargs)


def body(**attributes: Any) -> dict[str, Any]:
    """
    A minimal valid User body, with *attributes* added or replaced.
    """
    out: dict[str, Any] = {
        "schemas": [CORE_USER],
        "userName": "ana@acme.com",
    }
    out.update(attributes)
    return out


def refused(
    error: pytest.ExceptionInfo[InvalidProvisioningEvent],
    scim_type: ScimType,
    fragment: str,
) -> bool:
    """
    Whether *error* is the 400 of *scim_type* whose detail says
    *fragment*.
    """
    e = error.value
    return (
        e.status == 400 and e.scim_type is scim_type and fragment in e.detail
    )


# 1. Real bodies from Okta and Entra ID.

REAL_USERS = [
    pytest.param(
        "okta_create_user.json",
        user(
            "test.user@okta.test",
            stated=PROFILE_ONLY,
            profile=Profile("Test", "User", None, None),
        ),
        id="okta-create",
    ),
    pytest.param(
        "okta_put_user.json",
        user(
            "test.user@okta.test",
            stated=PROFILE_ONLY,
            profile=Profile("Another", "User", None, None),
        ),
        id="okta-put",
    ),
    pytest.param(
        "entra_create_user.json",
        user(
            "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com",
            profile=Profile("givenName", "familyName", None, None),
        ),
        id="entra-create-username-not-email",
    ),
    pytest.param(
        "entra_user_enterprise_inactive.json",
        user(
            "bjensen@example.com",
            stated=PROFILE_ONLY,
            profile=Profile(
                "Barbara", "Jensen", "Tour Operations", "Tour Guide"
            ),
            active=False,
        ),
        id="entra-enterprise-active-string-false",
    ),
    pytest.param(
        "entra_single_app_role_user.json",
        user("alias@contoso.onmicrosoft.com", role=Role.ADMIN),
        id="entra-single-app-role-email-from-username",
    ),
    pytest.param(
        "entra_app_roles_complex_user.json",
        user("alias@contoso.onmicrosoft.com", role=Role.ADMIN),
        id="entra-app-roles-complex",
    ),
]


@pytest.mark.parametrize(("name", "expected"), REAL_USERS)
def test_reads_real_identity_provider_users(
    name: str, expected: DirectoryUser
) -> None:
    """
    Each body Okta and Entra ID document gives the user SPEC section 9
    maps it to, stating every attribute.
    """
    resource = fixture(name, reachable=True)

    got = user_from_resource(resource, id="u1")

    assert got == expected


@pytest.mark.parametrize(("name", "expected"), REAL_USERS)
def test_validates_real_identity_provider_users(
    name: str, expected: DirectoryUser
) -> None:
    """
    Each real body passes validation, loses its read-only and secret
    attributes, and reads the same afterwards.
    """
    resource = fixture(name, reachable=True)

    valid = validate_user(resource)

    assert {"id", "meta", "groups", "password"}.isdisjoint(valid)
    assert valid["schemas"][0] == CORE_USER
    assert user_from_resource(valid, id="u1") == expected
    assert resource == fixture(name, reachable=True)


@pytest.mark.parametrize(
    "name", ["okta_create_user.json", "okta_put_user.json"]
)
def test_refuses_okta_examples_at_a_special_use_domain(name: str) -> None:
    """
    Okta's examples, as printed, use ``okta.local``: the email does not
    parse, and the error names the attribute and the value.
    """
    resource = fixture(name)

    with pytest.raises(InvalidProvisioningEvent) as error:
        user_from_resource(resource, id="u1")

    assert refused(
        error,
        INVALID_VALUE,
        "emails[0].value: 'test.user@okta.local' is not a valid email",
    )


def test_refuses_entra_example_without_an_email() -> None:
    """
    Entra's own extension example has a ``userName`` that is no email
    and no ``emails``: there is no one to invite, and the error says so.
    """
    resource = fixture("entra_extension_example_no_email.json")
    validate_user(resource)

    with pytest.raises(InvalidProvisioningEvent) as error:
        user_from_resource(resource, id="u1")

    assert refused(error, INVALID_VALUE, "no email: no primary email")
    assert "userName 'bjensen' is not an email address" in error.value.detail


@pytest.mark.parametrize(
    ("name", "display_name", "members"),
    [
        ("okta_create_group.json", "Test SCIMv2", set()),
        (
            "okta_put_group_with_members.json",
            "Test SCIMv2",
            {
                "23a35c27-23d3-4c03-b4c5-6443c09e7173",
                "89bb1940-b905-4575-9e7f-6f887cfb368e",
            },
        ),
        ("entra_create_group.json", "displayName", set()),
    ],
)
def test_reads_real_identity_provider_groups(
    name: str, display_name: str, members: set[str]
) -> None:
    """
    Okta's and Entra's group bodies validate, Entra's Microsoft schema
    URI included, and give their name and members.
    """
    resource = fixture(name)

    valid = validate_group(resource)

    assert {"id", "meta"}.isdisjoint(valid)
    assert valid["members"] == [
        {"value": m["value"], "display": m["display"]}
        for m in resource.get("members", [])
    ]
    assert group_display_name(valid) == display_name
    assert group_members(valid) == members == group_members(resource)


# 2. Reading users.


def test_attribute_names_and_schema_urns_are_case_insensitive() -> None:
    """
    RFC 7643 section 2.1: ``USERNAME``, ``Name.GIVENNAME`` and an
    upper-case extension URN read as their usual spellings.
    """
    resource = {
        "USERNAME": "ana@acme.com",
        "Name": {"GIVENNAME": "Ana", "familyname": "Ng"},
        "Title": "Engineer",
        ENTERPRISE_USER.upper(): {"DEPARTMENT": "R&D"},
        "ACTIVE": "TRUE",
    }

    got = user_from_resource(resource, id="u1")

    assert got == user(
        "ana@acme.com",
        profile=Profile("Ana", "Ng", "R&D", "Engineer"),
        stated=PROFILE_ONLY,
    )


def test_reads_flattened_extension_attributes() -> None:
    """
    An extension attribute may come as a ``URN:name`` key, as Entra ID
    writes them in PATCH values without a path.
    """
    resource = body(**{DEPARTMENT.upper(): "R&D"})

    got = user_from_resource(resource, id="u1")

    assert got.profile.department == "R&D"


def test_flattened_and_nested_extension_attributes_may_agree() -> None:
    """
    The same value nested and flattened is one value.
    """
    resource = body(
        **{DEPARTMENT: "R&D", ENTERPRISE_USER: {"department": "R&D"}}
    )

    got = user_from_resource(resource, id="u1")

    assert got.profile.department == "R&D"


def test_arrays_may_be_tuples() -> None:
    """
    A host that builds a resource in Python may give its arrays as
    tuples: they read as the lists parsed JSON has.
    """
    emails = [{"value": "ana@acme.com", "primary": True}]
    roles = [{"value": "admin"}]

    as_lists = user_from_resource(body(emails=emails, roles=roles), id="u1")
    as_tuples = user_from_resource(
        body(emails=tuple(emails), roles=tuple(roles)), id="u1"
    )

    assert as_tuples == as_lists
    assert as_tuples.role is Role.ADMIN


def test_absent_attributes_are_stated_as_no_value() -> None:
    """
    A full resource that leaves out the profile states it as empty (RFC
    7644 section 3.5.1: PUT replaces), and ``active`` defaults to true.
    Without ``roles``, and with no group deciding roles, the role is not
    stated: the directory does not manage roles.
    """
    got = user_from_resource(body(), id="u1")
    by_group = user_from_resource(body(), id="u1", admin_by_group=False)

    assert got == user("ana@acme.com", stated=PROFILE_ONLY)
    assert by_group.stated == STATEABLE


def test_profile_strings_are_trimmed_and_empty_means_none() -> None:
    """
    Surrounding space is dropped, and ``""`` (Okta's empty value) or
    null is no value.
    """
    resource = body(
        name={"givenName": "  Ana ", "familyName": ""},
        title=None,
        **{ENTERPRISE_USER: {"department": "   "}},
    )

    got = user_from_resource(resource, id="u1")

    assert got.profile == Profile("Ana", None, None, None)


@pytest.mark.parametrize(
    ("value", "active"),
    [
        (True, True),
        (False, False),
        ("True", True),
        ("False", False),
        ("fALSE", False),
        (None, True),
    ],
)
def test_active_is_a_boolean_or_the_strings_entra_sends(
    value: object, active: bool
) -> None:
    """
    ``active`` takes booleans, and ``"True"`` and ``"False"`` in any
    case, which Entra ID sends; null means true.
    """
    got = user_from_resource(body(active=value), id="u1")

    assert got.active is active


@pytest.mark.parametrize(
    ("emails", "user_name", "expected"),
    [
        pytest.param(
            [
                {"value": "home@gmail.com", "type": "home"},
                {"value": "work@acme.com", "type": "work"},
                {"value": "main@acme.com", "primary": True},
            ],
            "ana@acme.com",
            "main@acme.com",
            id="primary-first",
        ),
        pytest.param(
            [
                {"value": "home@gmail.com", "type": "home", "primary": False},
                {"value": "work@acme.com", "type": "Work"},
            ],
            "ana@acme.com",
            "work@acme.com",
            id="then-work-any-case",
        ),
        pytest.param(
            [
                {"value": "home@gmail.com", "type": "home"},
                {"value": "other@gmail.com"},
            ],
            "ana@acme.com",
            "home@gmail.com",
            id="then-first",
        ),
        pytest.param([], "ana@acme.com", "ana@acme.com", id="then-username"),
        pytest.param(
            [{"value": "main@acme.com", "primary": "true"}],
            "ana",
            "main@acme.com",
            id="primary-as-string",
        ),
    ],
)
def test_chooses_the_email_in_spec_order(
    emails: list[dict[str, Any]], user_name: str, expected: str
) -> None:
    """
    SPEC section 9: the primary email, else the ``work`` one, else the
    first, else ``userName`` when it is an email.
    """
    resource = body(userName=user_name, emails=emails)

    got = user_from_resource(resource, id="u1")

    assert got.email == Email.parse(expected)


def test_email_order_is_configurable() -> None:
    """
    A mapping may prefer ``userName``, or another type.
    """
    resource = body(
        userName="login@acme.com",
        emails=[
            {"value": "main@acme.com", "primary": True},
            {"value": "home@gmail.com", "type": "home"},
        ],
    )
    by_name = Mapping(email_order=("userName", "primary"))
    by_home = Mapping(email_order=["type:home"])

    assert user_from_resource(resource, id="u1", mapping=by_name).email == (
        Email.parse("login@acme.com")
    )
    assert user_from_resource(resource, id="u1", mapping=by_home).email == (
        Email.parse("home@gmail.com")
    )


@pytest.mark.parametrize(
    ("roles", "mapping", "role"),
    [
        pytest.param(
            [{"value": "Admin", "type": "WindowsAzureActiveDirectoryRole"}],
            Mapping(),
            Role.ADMIN,
            id="entra-object",
        ),
        pytest.param(["user", " ADMIN "], Mapping(), Role.ADMIN, id="strings"),
        pytest.param(["user"], Mapping(), Role.MEMBER, id="not-admin"),
        pytest.param([], Mapping(), Role.MEMBER, id="empty"),
        pytest.param(
            [{"display": "Admin", "primary": True}],
            Mapping(),
            Role.MEMBER,
            id="display-not-read-by-default",
        ),
        pytest.param(
            [{"display": "Admin", "primary": True}],
            Mapping(role_keys=("value", "display")),
            Role.ADMIN,
            id="display-read-when-mapped",
        ),
        pytest.param(
            [{"value": "Owner"}],
            Mapping(admin_roles={"owner", "Administrator"}),
            Role.ADMIN,
            id="custom-admin-roles",
        ),
        pytest.param(
            [{"value": None}, {"type": "x"}],
            Mapping(),
            Role.MEMBER,
            id="entries-without-value",
        ),
    ],
)
def test_reads_the_workspace_role_from_roles(
    roles: list[Any], mapping: Mapping, role: Role
) -> None:
    """
    ``roles`` entries are objects (Entra ID) or strings; the mapping
    says which sub-attributes name the role and which names mean admin,
    in any case.
    """
    got = user_from_resource(body(roles=roles), id="u1", mapping=mapping)

    assert got.role is role
    assert "role" in got.stated


def test_admin_by_group_makes_an_admin() -> None:
    """
    Group-based admin roles are decided by the caller and win over
    ``roles``.
    """
    got = user_from_resource(
        body(roles=["user"]), id="u1", admin_by_group=True
    )

    assert got.role is Role.ADMIN


@pytest.mark.parametrize("roles", [[5], 0, "", {}])
def test_groups_do_not_excuse_malformed_roles(roles: Any) -> None:
    """
    ``roles`` is checked even when groups already make an admin.
    """
    with pytest.raises(InvalidProvisioningEvent, match="roles"):
        user_from_resource(body(roles=roles), id="u1", admin_by_group=True)


@pytest.mark.parametrize(
    ("mapping", "resource"),
    [
        pytest.param(
            Mapping(department="urn:example:custom:2.0:User:org.dept"),
            body(**{"urn:example:custom:2.0:User": {"org": {"dept": "R&D"}}}),
            id="nested-in-custom-extension",
        ),
        pytest.param(
            Mapping(department="division"),
            body(division="R&D"),
            id="core-attribute",
        ),
        pytest.param(
            Mapping(department=f"{CORE_USER}:x.dept"),
            body(X={"Dept": "R&D"}),
            id="core-urn-qualified",
        ),
    ],
)
def test_department_can_come_from_elsewhere(
    mapping: Mapping, resource: dict[str, Any]
) -> None:
    """
    The department path may name a core attribute, a sub-attribute, or
    an attribute of another extension.
    """
    got = user_from_resource(resource, id="u1", mapping=mapping)

    assert got.profile.department == "R&D"


def test_title_can_come_from_the_enterprise_extension() -> None:
    """
    Some directories keep the job title elsewhere; the mapping says
    where.
    """
    mapping = Mapping(title=f"{ENTERPRISE_USER}:organization")
    resource = body(
        title="ignored", **{ENTERPRISE_USER: {"organization": "Engineer"}}
    )

    got = user_from_resource(resource, id="u1", mapping=mapping)

    assert got.profile.title == "Engineer"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"department": "userName"},
        {"title": "Name.givenName"},
        {"department": "a..b"},
        {"department": "urn:department"},
        {"department": "title"},
        {"email_order": ()},
        {"email_order": "primary"},
        {"email_order": ("primary", "type:")},
        {"email_order": ("secondary",)},
        {"admin_roles": ()},
        {"admin_roles": "admin"},
        {"role_keys": ("value", "")},
    ],
)
def test_mapping_refuses_bad_configuration(kwargs: dict[str, Any]) -> None:
    """
    A malformed path, a path dirsync reads itself, the same path twice,
    and empty or string-for-list settings are host mistakes.
    """
    with pytest.raises(ValueError):  # noqa: PT011
        Mapping(**kwargs)


# 3. Bad users.

BAD_USERS = [
    (
        {"userName": 7},
        INVALID_VALUE,
        "userName must be a string, not a number",
    ),
    ({"userName": "  "}, INVALID_VALUE, "userName is required"),
    ({"userName": None}, INVALID_VALUE, "userName is required"),
    (
        {"name": "Ana Ng"},
        INVALID_VALUE,
        "name must be an object, not a string",
    ),
    ({"name": {"givenName": 1}}, INVALID_VALUE, "name.givenName must be a"),
    (
        {"title": ["CEO"]},
        INVALID_VALUE,
        "title must be a string, not an array",
    ),
    (
        {ENTERPRISE_USER: "R&D"},
        INVALID_VALUE,
        f"{ENTERPRISE_USER} must be an object",
    ),
    (
        {ENTERPRISE_USER: {"department": True}},
        INVALID_VALUE,
        f"{DEPARTMENT} must be a string, not a boolean",
    ),
    (
        {DEPARTMENT: "A", ENTERPRISE_USER: {"department": "B"}},
        INVALID_SYNTAX,
        f"{DEPARTMENT} is given twice",
    ),
    ({"USERNAME": "bo@acme.com"}, INVALID_SYNTAX, "userName is given twice"),
    ({"active": "yes"}, INVALID_VALUE, "active must be true or false"),
    ({"active": 1}, INVALID_VALUE, "active must be true or false, not a n"),
    ({"emails": {"value": "a@acme.com"}}, INVALID_VALUE, "emails must be an"),
    ({"emails": [None]}, INVALID_VALUE, "emails[0] must be an object"),
    ({"emails": ["a@acme.com"]}, INVALID_VALUE, "emails[0] must be an obj"),
    ({"emails": [{"type": "work"}]}, INVALID_VALUE, "emails[0].value is req"),
    (
        {"emails": [{"value": "ana at acme"}]},
        INVALID_VALUE,
        "emails[0].value: 'ana at acme' is not a valid email address",
    ),
    (
        {"emails": [{"value": "a@acme.com", "type": 1}]},
        INVALID_VALUE,
        "emails[0].type must be a string",
    ),
    (
        {"emails": [{"value": "a@acme.com", "primary": "maybe"}]},
        INVALID_VALUE,
        "emails[0].primary must be true or false",
    ),
    (
        {
            "emails": [
                {"value": "a@acme.com", "primary": True},
                {"value": "b@acme.com", "primary": "True"},
            ]
        },
        INVALID_VALUE,
        "more than one is primary",
    ),
    (
        {"userName": "ana", "emails": []},
        INVALID_VALUE,
        "no email: no primary email; no email of type 'work'; no emails; "
        "userName 'ana' is not an email address",
    ),
    ({"roles": "admin"}, INVALID_VALUE, "roles must be an array, not a str"),
    ({"roles": [3]}, INVALID_VALUE, "roles[0] must be a string or an object"),
    ({"roles": [{"value": 3}]}, INVALID_VALUE, "roles[0].value must be a st"),
]


@pytest.mark.parametrize(("attributes", "scim_type", "fragment"), BAD_USERS)
def test_refuses_bad_users(
    attributes: dict[str, Any], scim_type: ScimType, fragment: str
) -> None:
    """
    Every bad value is a 400 with its ``scimType``, naming the
    attribute.
    """
    with pytest.raises(InvalidProvisioningEvent) as error:
        user_from_resource(body(**attributes), id="u1")

    assert refused(error, scim_type, fragment), error.value


def test_refuses_a_wrong_type_inside_a_mapped_path() -> None:
    """
    A path through a sub-object names the sub-object that is wrong.
    """
    mapping = Mapping(department="urn:example:custom:2.0:User:org.dept")
    resource = body(**{"urn:example:custom:2.0:User": {"org": "R&D"}})

    with pytest.raises(InvalidProvisioningEvent) as error:
        user_from_resource(resource, id="u1", mapping=mapping)

    assert refused(
        error, INVALID_VALUE, "urn:example:custom:2.0:User:org must be an"
    )


def test_the_same_value_in_two_spellings_is_accepted() -> None:
    """
    Repeating an attribute in another case is harmless when the values
    agree.
    """
    got = user_from_resource(body(USERNAME="ana@acme.com"), id="u1")

    assert got.email == Email.parse("ana@acme.com")


# 4. Validating bodies.

BAD_USER_BODIES = [
    (["not", "an", "object"], INVALID_SYNTAX, "a User is a JSON object, no"),
    ("text", INVALID_SYNTAX, "a User is a JSON object, not a string"),
    (None, INVALID_SYNTAX, "a User is a JSON object, not null"),
    ({"userName": "a@acme.com"}, INVALID_SYNTAX, "schemas is required"),
    (body(schemas=CORE_USER), INVALID_SYNTAX, "schemas is required"),
    (body(schemas=[CORE_USER, 1]), INVALID_SYNTAX, "schemas is required"),
    (body(schemas=[ENTERPRISE_USER]), INVALID_SYNTAX, "schemas must include"),
    (
        body(schemas=[CORE_USER, "urn:example:custom:2.0:User"]),
        INVALID_SYNTAX,
        "schemas: 'urn:example:custom:2.0:User' is not a User schema",
    ),
    (body(schemas=[CORE_GROUP]), INVALID_SYNTAX, "is not a User schema"),
    ({**NUMBER_KEY, **body()}, INVALID_SYNTAX, "a key is not a string"),
    (body(userName=None), INVALID_VALUE, "userName is required"),
    (body(userName=""), INVALID_VALUE, "userName is required"),
    (body(userName=["a"]), INVALID_VALUE, "userName must be a string"),
    (body(userName={"a"}), INVALID_VALUE, "must be a string, not set"),
    (body(USERNAME="b@acme.com"), INVALID_SYNTAX, "userName is given twice"),
    (body(externalId=5), INVALID_VALUE, "externalId must be a string"),
    (body(displayName={}), INVALID_VALUE, "displayName must be a string"),
    (body(name=[]), INVALID_VALUE, "name must be an object, not an array"),
    (
        body(name={"givenName": "A", "GivenName": "B"}),
        INVALID_SYNTAX,
        "name.givenName is given twice",
    ),
    (body(name={"familyName": 1}), INVALID_VALUE, "name.familyName must be"),
    (body(active="no"), INVALID_VALUE, "active must be true or false"),
    (body(emails="a@acme.com"), INVALID_VALUE, "emails must be an array"),
    (body(emails=[1]), INVALID_VALUE, "emails[0] must be an object"),
    (body(emails=[{}]), INVALID_VALUE, "emails[0].value is required"),
    (
        body(emails=[{"value": "a@acme.com", "display": 1}]),
        INVALID_VALUE,
        "emails[0].display must be a string",
    ),
    (
        body(emails=[{"value": "a@acme.com", "primary": "x"}]),
        INVALID_VALUE,
        "emails[0].primary must be true or false",
    ),
    (body(roles={"value": "a"}), INVALID_VALUE, "roles must be an array"),
    (body(roles=[None]), INVALID_VALUE, "roles[0] must be a string or an o"),
    (body(roles=[{"type": 1}]), INVALID_VALUE, "roles[0].type must be a str"),
    (
        body(roles=[{"value": "a", "primary": 2}]),
        INVALID_VALUE,
        "roles[0].primary must be true or false",
    ),
    (
        body(**{ENTERPRISE_USER: []}),
        INVALID_VALUE,
        f"{ENTERPRISE_USER} must be an object",
    ),
    (
        body(**{ENTERPRISE_USER: {"Department": 7}}),
        INVALID_VALUE,
        f"{DEPARTMENT} must be a string",
    ),
    (
        body(**{DEPARTMENT: "A", ENTERPRISE_USER: {"department": "B"}}),
        INVALID_SYNTAX,
        f"{DEPARTMENT} is given twice",
    ),
    (
        body(**{f"{ENTERPRISE_USER}:costCenter": 7}),
        INVALID_VALUE,
        f"{ENTERPRISE_USER}:costCenter must be a string",
    ),
]


@pytest.mark.parametrize(("raw", "scim_type", "fragment"), BAD_USER_BODIES)
def test_refuses_bad_user_bodies(
    raw: Any, scim_type: ScimType, fragment: str
) -> None:
    """
    RFC 7644 section 3.3: a body that is not a User of ours is a 400;
    structure problems are ``invalidSyntax`` and bad values
    ``invalidValue`` (section 3.12).
    """
    with pytest.raises(InvalidProvisioningEvent) as error:
        validate_user(raw)

    assert refused(error, scim_type, fragment), error.value


def test_validated_user_has_canonical_names() -> None:
    """
    Known names get the RFC's spelling, ``active`` and ``primary``
    become booleans, flattened extension keys move under the extension
    (whose URN is added to ``schemas``), and nulls, ``id``, ``meta``,
    ``groups`` and ``password`` go.
    Unknown attributes are kept as sent.
    """
    raw = {
        "SCHEMAS": [CORE_USER.upper()],
        "ID": "client-chosen",
        "Meta": {"resourceType": "User"},
        "Groups": [],
        "PASSWORD": "secret",
        "UserName": "Ana@Acme.com",
        "NAME": {"GivenName": "Ana", "FAMILYNAME": None, "nickname": "A"},
        "EMAILS": [
            {"VALUE": "ana@acme.com", "Type": "work", "PRIMARY": "True"}
        ],
        "Active": "false",
        "ROLES": ["admin", {"VALUE": "Owner", "Primary": "False"}],
        "ExternalID": "00u1",
        "title": None,
        "x-custom": {"Keep": 1},
        f"{ENTERPRISE_USER.upper()}:DEPARTMENT": "R&D",
        ENTERPRISE_USER.lower(): {
            "Manager": {"value": "m1"},
            "Division": None,
        },
    }

    valid = validate_user(raw)

    assert valid == {
        "schemas": [CORE_USER, ENTERPRISE_USER],
        "userName": "Ana@Acme.com",
        "name": {"givenName": "Ana", "nickname": "A"},
        "emails": [{"value": "ana@acme.com", "type": "work", "primary": True}],
        "active": False,
        "roles": ["admin", {"value": "Owner", "primary": False}],
        "externalId": "00u1",
        "x-custom": {"Keep": 1},
        ENTERPRISE_USER: {"manager": {"value": "m1"}, "department": "R&D"},
    }


def test_validate_user_accepts_the_extensions_it_is_given() -> None:
    """
    The endpoint can allow more extension schemas; their attributes are
    gathered like the enterprise extension's.
    """
    custom = "urn:example:custom:2.0:User"
    raw = body(
        schemas=[CORE_USER, custom], **{f"{custom}:Badge": "7", custom: {}}
    )

    valid = validate_user(raw, extensions={ENTERPRISE_USER, custom})

    assert valid["schemas"] == [CORE_USER, custom]
    assert valid[custom] == {"Badge": "7"}
    assert ENTERPRISE_USER not in valid


def test_validate_user_does_not_repeat_a_listed_schema() -> None:
    """
    A schema listed twice, in two spellings, is listed once.
    """
    raw = body(schemas=[CORE_USER, CORE_USER.upper()])

    assert validate_user(raw)["schemas"] == [CORE_USER]


BAD_GROUP_BODIES = [
    ([], INVALID_SYNTAX, "a Group is a JSON object, not an array"),
    (
        {"schemas": [CORE_USER], "displayName": "G"},
        INVALID_SYNTAX,
        "is not a Group schema",
    ),
    ({"schemas": [ENTRA_GROUP]}, INVALID_SYNTAX, "schemas must include"),
    ({"schemas": [CORE_GROUP]}, INVALID_VALUE, "displayName is required"),
    (
        {"schemas": [CORE_GROUP], "displayName": 1},
        INVALID_VALUE,
        "displayName must be a string",
    ),
    (
        {"schemas": [CORE_GROUP], "displayName": "G", "externalId": 1},
        INVALID_VALUE,
        "externalId must be a string",
    ),
    (
        {"schemas": [CORE_GROUP], "displayName": "G", "members": {}},
        INVALID_VALUE,
        "members must be an array",
    ),
    (
        {"schemas": [CORE_GROUP], "displayName": "G", "members": ["u1"]},
        INVALID_VALUE,
        "members[0] must be an object",
    ),
    (
        {"schemas": [CORE_GROUP], "displayName": "G", "members": [{}]},
        INVALID_VALUE,
        "members[0].value is required",
    ),
    (
        {
            "schemas": [CORE_GROUP],
            "displayName": "G",
            "members": [{"value": 1}],
        },
        INVALID_VALUE,
        "members[0].value must be a string",
    ),
]


@pytest.mark.parametrize(("raw", "scim_type", "fragment"), BAD_GROUP_BODIES)
def test_refuses_bad_group_bodies(
    raw: Any, scim_type: ScimType, fragment: str
) -> None:
    """
    RFC 7643 section 4.2: ``displayName`` is required and ``members``
    are objects with a ``value``.
    """
    with pytest.raises(InvalidProvisioningEvent) as error:
        validate_group(raw)

    assert refused(error, scim_type, fragment), error.value


def test_validated_group_has_canonical_names() -> None:
    """
    Names get the RFC's spelling, ``members`` is always there (a PUT
    without it empties the group), and ``id`` and ``meta`` go.
    """
    raw = {
        "Schemas": [CORE_GROUP.upper()],
        "ID": "g1",
        "DISPLAYNAME": "Admins",
        "MEMBERS": [{"VALUE": "u1", "$REF": None, "Display": "Ana"}],
    }

    assert validate_group(raw) == {
        "schemas": [CORE_GROUP],
        "displayName": "Admins",
        "members": [{"value": "u1", "display": "Ana"}],
    }
    assert validate_group({"schemas": [CORE_GROUP], "displayName": "G"}) == {
        "schemas": [CORE_GROUP],
        "displayName": "G",
        "members": [],
    }


@pytest.mark.parametrize(
    ("group", "fragment"),
    [
        ({"members": "u1"}, "members must be an array"),
        ({"members": [None]}, "members[0] must be an object"),
        ({"members": [{"value": ""}]}, "members[0].value is required"),
        ({"members": [{"value": 1}]}, "members[0].value must be a string"),
    ],
)
def test_group_members_refuses_bad_members(
    group: dict[str, Any], fragment: str
) -> None:
    """
    Members are read from raw resources too, with the same errors.
    """
    with pytest.raises(InvalidProvisioningEvent) as error:
        group_members(group)

    assert refused(error, INVALID_VALUE, fragment)


def test_group_members_reads_any_spelling() -> None:
    """
    ``Members`` and ``VALUE`` are ``members`` and ``value``; no members
    is an empty set.
    """
    group = {"Members": [{"VALUE": "u1"}, {"value": "u2"}, {"Value": "u1"}]}

    assert group_members(group) == {"u1", "u2"}
    assert group_members({"members": None}) == frozenset()
    assert group_display_name({"DisplayName": "Admins "}) == "Admins "


def test_group_display_name_is_required() -> None:
    """
    A group without a name is refused.
    """
    with pytest.raises(InvalidProvisioningEvent) as error:
        group_display_name({"displayName": ""})

    assert refused(error, INVALID_VALUE, "displayName is required")


# 5. Writing users back.


def test_writes_the_canonical_user() -> None:
    """
    Core attributes, the enterprise extension, one primary work email,
    and ``roles`` for an admin.
    """
    directory_user = user(
        "ana@acme.com",
        profile=Profile("Ana", None, "R&D", "Engineer"),
        role=Role.ADMIN,
        active=False,
    )

    resource = resource_from_user(
        directory_user, id="s1", user_name="ana", external_id="00u1"
    )

    assert resource == {
        "schemas": [CORE_USER, ENTERPRISE_USER],
        "id": "s1",
        "externalId": "00u1",
        "userName": "ana",
        "name": {"givenName": "Ana"},
        "title": "Engineer",
        "emails": [{"value": "ana@acme.com", "type": "work", "primary": True}],
        "active": False,
        "roles": [{"value": "admin"}],
        ENTERPRISE_USER: {"department": "R&D"},
        "meta": {"resourceType": "User"},
    }


def test_writes_a_member_without_roles_or_extension() -> None:
    """
    A member whose role is not stated, with no department, has neither
    ``roles`` nor the extension, and no ``externalId`` when the client
    gave none.
    """
    resource = resource_from_user(
        user("ana@acme.com", stated=PROFILE_ONLY),
        id="s1",
        user_name="ana",
        external_id=None,
    )

    assert resource == {
        "schemas": [CORE_USER],
        "id": "s1",
        "userName": "ana",
        "emails": [{"value": "ana@acme.com", "type": "work", "primary": True}],
        "active": True,
        "meta": {"resourceType": "User"},
    }


MAPPINGS = st.sampled_from(
    [
        Mapping(),
        Mapping(
            department="division", title=f"{ENTERPRISE_USER}:organization"
        ),
        Mapping(
            department="urn:example:custom:2.0:User:org.dept",
            title=f"{CORE_USER}:title",
            email_order=("type:work", "first"),
            admin_roles={"Owner", "admin"},
            role_keys=("display",),
        ),
    ]
)
# A member may leave its role unstated (a directory that sends no
# ``roles``); an admin's role is always stated.
full_users = st.builds(
    lambda u, roles: attrs.evolve(
        u,
        stated=STATEABLE if roles or u.role is Role.ADMIN else PROFILE_ONLY,
    ),
    directory_users,
    st.booleans(),
)


@given(
    directory_user=full_users,
    mapping=MAPPINGS,
    id=st.text(min_size=1),
    user_name=st.text().filter(str.strip),
    external_id=st.none() | st.text(),
)
def test_round_trips_every_full_user(
    directory_user: DirectoryUser,
    mapping: Mapping,
    id: str,
    user_name: str,
    external_id: str | None,
) -> None:
    """
    Reading back the resource written for a user gives the same user,
    and the resource is a valid User body.
    """
    resource = resource_from_user(
        directory_user,
        id=id,
        user_name=user_name,
        external_id=external_id,
        mapping=mapping,
    )
    extensions = {urn for urn in resource["schemas"] if urn != CORE_USER}

    again = user_from_resource(resource, id=directory_user.id, mapping=mapping)
    valid = validate_user(resource, extensions=extensions)

    assert again == directory_user
    assert user_from_resource(
        valid, id=directory_user.id, mapping=mapping
    ) == (directory_user)


# 6. Arbitrary input.

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def recased(names: list[str]) -> st.SearchStrategy[str]:
    """
    One of *names*, in a random case.
    """
    return st.sampled_from(names).flatmap(
        lambda name: st.sampled_from([name, name.upper(), name.lower()])
    )


# Near-valid resources: the names dirsync reads, with any JSON values,
# reach deeper than purely random objects.
KNOWN = [
    "schemas",
    "userName",
    "name",
    "givenName",
    "familyName",
    "emails",
    "value",
    "type",
    "primary",
    "active",
    "title",
    "roles",
    "display",
    "members",
    "displayName",
    "externalId",
    ENTERPRISE_USER,
    DEPARTMENT,
    "department",
]
near_values = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from(["True", "false", "", "a@acme.com", "admin", CORE_USER])
    | st.sampled_from(
        [[CORE_USER], [CORE_GROUP], [CORE_USER, ENTERPRISE_USER]]
    )
    | json_values,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(recased(KNOWN), inner, max_size=5)
    ),
    max_leaves=25,
)
near_resources = st.dictionaries(recased(KNOWN), near_values, max_size=8)


def error_of(call: Callable[[], object]) -> InvalidProvisioningEvent | None:
    """
    The `InvalidProvisioningEvent` *call* raises, if it raises one.
    """
    try:
        call()
    except InvalidProvisioningEvent as e:
        return e
    return None


@given(raw=json_values | near_resources)
def test_any_json_gives_a_result_or_a_scim_error(raw: Any) -> None:
    """
    Whatever JSON a client sends, each function returns or raises
    `InvalidProvisioningEvent` with a 400, never anything else.
    """
    calls: list[Callable[[], object]] = [
        lambda: validate_user(raw),
        lambda: validate_group(raw),
        lambda: user_from_resource(raw, id="u1"),
        lambda: group_members(raw),
        lambda: group_display_name(raw),
    ]

    errors = [error_of(call) for call in calls]

    assert all(
        e is None or (e.status, e.scim_type) in BAD_REQUESTS for e in errors
    )


def test_no_two_known_names_fold_alike() -> None:
    """
    An object whose keys are all RFC spellings is read without folding
    (`_index`); that is sound only if no two spellings fold alike.
    """
    assert len({name.lower() for name in SPELLED}) == len(SPELLED)


def test_a_name_given_twice_is_refused_only_when_read() -> None:
    """
    Two spellings of an attribute dirsync does not read, with different
    values, do not stop a user being read; of one it reads, they do.
    """
    body = {
        "userName": "b@acme.com",
        "nickName": "Babs",
        "NICKNAME": "Bee",
    }
    assert user_from_resource(body, id="1").email.address == "b@acme.com"
    with pytest.raises(InvalidProvisioningEvent, match="twice"):
        user_from_resource({**body, "USERNAME": "c@acme.com"}, id="1")


@given(
    raw=near_resources
    | full_users.map(
        lambda u: resource_from_user(
            u, id=u.id, user_name=u.email.address, external_id=None
        )
    ),
    admin_by_group=st.booleans(),
)
def test_groups_decide_only_the_role(raw: Any, admin_by_group: bool) -> None:
    """
    Groups that make an admin change only the role a user maps to, and
    state it: an admin when the groups or ``roles`` make one.  They
    never excuse a malformed resource.
    """
    failed = error_of(lambda: user_from_resource(raw, id="u1"))
    if failed is not None:
        error = error_of(
            lambda: user_from_resource(
                raw, id="u1", admin_by_group=admin_by_group
            )
        )
        assert error is not None
        assert error.detail == failed.detail
        return
    alone = user_from_resource(raw, id="u1")
    mapped = user_from_resource(raw, id="u1", admin_by_group=admin_by_group)

    admin = admin_by_group or alone.role is Role.ADMIN
    assert mapped == attrs.evolve(
        alone,
        role=Role.ADMIN if admin else Role.MEMBER,
        stated=STATEABLE,
    )


def test_keys_that_are_not_strings_name_nothing() -> None:
    """
    A resource built in Python may have keys JSON cannot; they are not
    attributes, and do not stop the rest being read.
    """
    raw: dict[Any, Any] = {1: "x", "USERNAME": "b@acme.com"}

    assert user_from_resource(raw, id="1").email.address == "b@acme.com"


_PARTS = st.dictionaries(
    st.sampled_from(
        ["givenName", "GIVENNAME", "familyName", "department", "manager", "x"]
    ),
    st.none() | st.sampled_from(["", "R&D", 7, {"value": "m1"}]),
    max_size=4,
)


@given(_PARTS, _PARTS | st.sampled_from([None, "R&D"]))
def test_objects_of_strings_take_a_shortcut_to_the_same_answer(
    name: Any, enterprise: Any
) -> None:
    """
    ``name`` and an extension object of strings spelled as the RFC does
    are copied without the checks; with the checks they would come out
    the same, and anything else is refused the same way.
    """
    resource = body(name=name, **{ENTERPRISE_USER: enterprise})

    def outcome() -> Any:
        try:
            return validate_user(resource)
        except InvalidProvisioningEvent as e:
            return e.detail

    fast = outcome()
    with mock.patch("dirsync.scim._bodies._plain_strings", return_value=False):
        slow = outcome()

    assert fast == slow


_TEXTS = st.sampled_from(["R&D", " Ops ", "", " "])
# Bodies of the shape identity providers send and `validate_user`
# returns: every key spelled as the RFC does, every value one the
# shortcut reads.
plain_bodies = st.fixed_dictionaries(
    {
        "schemas": st.sampled_from(
            [[CORE_USER], [CORE_USER, ENTERPRISE_USER]]
        ),
        "userName": st.sampled_from(["ana@acme.com", "ana@acme.com", "ana"]),
        "emails": st.lists(
            st.fixed_dictionaries(
                {"value": st.sampled_from(["a@acme.com", "B@acme.com"])},
                optional={
                    "type": st.sampled_from(["work", "Work", "home"]),
                    "primary": st.booleans(),
                },
            ),
            max_size=3,
        ),
    },
    optional={
        "id": st.just("s1"),
        "meta": st.just({"resourceType": "User"}),
        "password": st.just("secret"),
        "groups": st.just([]),
        "externalId": _TEXTS,
        "displayName": _TEXTS,
        "locale": st.just("en-US"),
        "name": st.fixed_dictionaries(
            {},
            optional={
                "givenName": _TEXTS,
                "familyName": _TEXTS,
                "formatted": _TEXTS,
            },
        ),
        "roles": st.just([]),
        "active": st.booleans(),
        "title": _TEXTS,
        "division": _TEXTS,
        ENTERPRISE_USER: st.fixed_dictionaries(
            {}, optional={"department": _TEXTS, "organization": _TEXTS}
        ),
    },
)
# What makes a body leave that shape: another value, another spelling
# of a name read, keys that name nothing read or that a mapping reads.
_ODD = st.sampled_from(
    [
        ("userName", None),
        ("userName", " "),
        ("userName", 5),
        ("emails", None),
        ("emails", ()),
        ("emails", [{"value": "a@acme"}]),
        ("emails", [{"value": " "}]),
        ("emails", [{"value": "a@acme.com", "primary": None}]),
        ("emails", [{"value": "a@acme.com", "primary": "true"}]),
        ("emails", [{"value": "a@acme.com", "type": 7}]),
        ("emails", [{"VALUE": "a@acme.com"}]),
        ("emails", [{"value": "a@acme.com", "primary": True}] * 2),
        ("name", None),
        ("name", {"GIVENNAME": "Ana"}),
        ("name", {"givenName": 7}),
        ("roles", ["admin"]),
        ("roles", [{"value": "Owner"}]),
        ("roles", ()),
        ("active", None),
        ("active", "True"),
        ("title", 7),
        (ENTERPRISE_USER, {"Department": "Ops"}),
        (ENTERPRISE_USER, {"department": 7}),
        (ENTERPRISE_USER, []),
        ("urn:example:custom:2.0:User", {"org": {"dept": "Ops"}}),
        ("urn:example:custom:2.0:User", {"org": {"Dept": "Ops"}}),
        ("urn:example:custom:2.0:User", {"x": 1}),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
            {"department": "Sales"},
        ),
        (DEPARTMENT, "R&D"),
        ("costCode", "R&D"),
        ("Title", "R&D"),
        ("ACTIVE", True),
        (1, "x"),
        ("schemas", [CORE_USER.upper()]),
        ("schemas", [ENTERPRISE_USER, CORE_USER]),
        ("schemas", [CORE_USER, CORE_USER]),
        ("schemas", (CORE_USER,)),
        ("schemas", None),
        ("externalId", 7),
        ("displayName", None),
        ("groups", None),
        ("locale", None),
        ("emails", [{"value": "a@acme.com", "display": 7}]),
        ("name", {"givenName": None}),
        ("roles", ["admin", {"value": "Owner"}]),
    ]
)
odd_bodies = st.builds(
    lambda body, odd: {**body, odd[0]: odd[1]},
    plain_bodies,
    _ODD | _ODD,  # twice as likely as a body left plain
)


@settings(max_examples=1000)
@given(
    raw=plain_bodies | odd_bodies | near_resources,
    mapping=MAPPINGS,
    admin_by_group=st.none() | st.booleans(),
)
def test_plain_users_take_a_shortcut_to_the_same_answer(
    raw: Any, mapping: Mapping, admin_by_group: bool | None
) -> None:
    """
    A resource of the shape identity providers send is read with the
    checks inline; the general reading gives the same user (and the
    same address), and anything else is refused the same way.
    """

    def outcome() -> Any:
        try:
            user = user_from_resource(
                raw, id="u1", mapping=mapping, admin_by_group=admin_by_group
            )
        except InvalidProvisioningEvent as e:
            return e.detail
        return user, user.email.address, user.email.domain.name

    fast = outcome()
    with (
        mock.patch("dirsync.scim._resources._plain_user", return_value=None),
        mock.patch(
            "dirsync.scim._resources._plain_profile", return_value=None
        ),
    ):
        slow = outcome()

    assert fast == slow


@pytest.mark.parametrize(("name", "expected"), REAL_USERS)
def test_real_users_take_the_shortcut(
    name: str, expected: DirectoryUser
) -> None:
    """
    The bodies Okta and Entra ID send are read by the shortcut once
    validated (Entra's string booleans are not, before), so that the
    endpoint's reading takes it.
    """
    valid = validate_user(fixture(name, reachable=True))
    read = _plain_user(valid, "u1", Mapping(), None, Email.parse)

    assert read is None or read == expected
    if not valid.get("roles"):
        assert read == expected


@settings(max_examples=1000)
@given(raw=plain_bodies | odd_bodies | near_resources)
def test_plain_bodies_take_a_shortcut_to_the_same_answer(raw: Any) -> None:
    """
    A body of the shape identity providers send is checked inline; the
    whole check makes the same canonical body of it, key for key and in
    the same order, and refuses anything else the same way.
    """

    before = copy.deepcopy(raw)

    def outcome() -> Any:
        try:
            valid = validate_user(raw)
        except InvalidProvisioningEvent as e:
            return e.detail
        # What it shares with the body it was given, besides its values.
        shared = {
            key: value is raw.get(key)
            for key, value in valid.items()
            if isinstance(value, list | dict)
        }
        emails = [list(e) for e in valid.get("emails", [])]
        return valid, list(valid), emails, shared

    fast = outcome()
    with mock.patch(
        "dirsync.scim._bodies._plain_user_body", return_value=None
    ):
        slow = outcome()

    assert fast == slow
    assert raw == before


@pytest.mark.parametrize(
    "name", ["okta_create_user.json", "entra_create_user.json"]
)
def test_real_bodies_take_the_shortcut(name: str) -> None:
    """
    The POST bodies of Okta and Entra ID are checked by the shortcut.
    """
    raw = fixture(name, reachable=True)

    assert _plain_user_body(raw) == validate_user(raw)
    assert _plain_user_body(raw) is not None
