"""
The schema definitions (RFC 7643 sections 4, 6 and 7).
"""

from __future__ import annotations

import pytest

from dirsync.scim._path import Compare, parse_filter, parse_path
from dirsync.scim._schema import (
    ENTERPRISE_USER_SCHEMA,
    ENTERPRISE_USER_URN,
    GROUP_SCHEMA,
    GROUP_TYPE,
    USER_SCHEMA,
    USER_TYPE,
    USER_URN,
    AttributeType,
    Mutability,
    Returned,
    attribute_for,
    find_extension,
    lookup_attribute,
    resource_type_json,
    schema_json,
)


def test_looks_attributes_up_in_any_case() -> None:
    """
    Names compare case-insensitively (RFC 7643 section 2.1), and the
    definition keeps the RFC's casing.
    """
    found = USER_SCHEMA.attribute("USERNAME")

    assert found is not None
    assert found.name == "userName"
    assert found.required
    assert not found.case_exact
    assert USER_SCHEMA.attribute("nope") is None


@pytest.mark.parametrize(
    ("path", "name", "kind"),
    [
        ("id", "id", AttributeType.STRING),
        ("EXTERNALID", "externalId", AttributeType.STRING),
        ("meta.lastmodified", "lastModified", AttributeType.DATE_TIME),
        (f"{USER_URN}:active", "active", AttributeType.BOOLEAN),
        ('emails[type eq "work"].Value', "value", AttributeType.STRING),
        (
            f"{ENTERPRISE_USER_URN.lower()}:manager.$ref",
            "$ref",
            AttributeType.REFERENCE,
        ),
        ("x509Certificates.value", "value", AttributeType.BINARY),
    ],
)
def test_finds_the_definition_a_path_names(
    path: str, name: str, kind: AttributeType
) -> None:
    """
    Core, common and extension attributes and their sub-attributes are
    found from a parsed path.
    """
    found = attribute_for(USER_TYPE, parse_path(path))

    assert found is not None
    assert (found.name, found.type) == (name, kind)


@pytest.mark.parametrize(
    "path",
    [
        "nope",
        "name.nope",
        "urn:acme:x:User:department",
        f"{ENTERPRISE_USER_URN}:userName",
    ],
)
def test_an_unknown_path_has_no_definition(path: str) -> None:
    """
    A path that names nothing defined gives None.
    """
    assert attribute_for(USER_TYPE, parse_path(path)) is None


def test_groups_know_their_members() -> None:
    """
    A Group's members have immutable values; filters' paths work too.
    """
    value = attribute_for(GROUP_TYPE, parse_path("members.value"))
    node = parse_filter('displayName eq "x"')

    assert value is not None
    assert value.mutability is Mutability.IMMUTABLE
    assert isinstance(node, Compare)
    assert attribute_for(GROUP_TYPE, node.attribute) is not None
    assert attribute_for(GROUP_TYPE, parse_path("userName")) is None


def test_marks_what_a_client_may_not_set() -> None:
    """
    id, meta and groups are read-only; password is write-only and never
    returned; id and externalId are case-exact.
    """
    for name in ("id", "meta", "groups"):
        found = lookup_attribute(USER_SCHEMA, (), None, name)
        assert found is not None
        assert found.mutability is Mutability.READ_ONLY
    password = USER_SCHEMA.attribute("password")

    assert password is not None
    assert password.mutability is Mutability.WRITE_ONLY
    assert password.returned is Returned.NEVER
    for name in ("id", "externalId"):
        found = lookup_attribute(GROUP_SCHEMA, (), None, name)
        assert found is not None
        assert found.case_exact


def test_finds_extensions_in_any_case() -> None:
    """
    Extension URNs compare case-insensitively too.
    """
    exts = (ENTERPRISE_USER_SCHEMA,)

    assert find_extension(exts, ENTERPRISE_USER_URN.upper()) is exts[0]
    assert find_extension(exts, USER_URN) is None


def test_renders_a_schema_for_the_schemas_endpoint() -> None:
    """
    schema_json gives the section 7 representation, with sub-attributes,
    canonical values and reference types where they apply.
    """
    out = schema_json(USER_SCHEMA)
    by_name = {a["name"]: a for a in out["attributes"]}
    emails = by_name["emails"]
    subs = {s["name"]: s for s in emails["subAttributes"]}

    assert out["id"] == USER_URN
    assert out["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
    assert "id" not in by_name
    assert emails["multiValued"] is True
    assert emails["type"] == "complex"
    assert subs["type"]["canonicalValues"] == ["work", "home", "other"]
    assert by_name["profileUrl"]["referenceTypes"] == ["external"]
    assert by_name["password"]["returned"] == "never"
    assert by_name["groups"]["mutability"] == "readOnly"
    assert "subAttributes" not in by_name["userName"]
    assert by_name["userName"]["uniqueness"] == "server"


def test_renders_resource_types() -> None:
    """
    The User type lists the enterprise extension as optional; the Group
    type has none.
    """
    user = resource_type_json(USER_TYPE)
    group = resource_type_json(GROUP_TYPE)

    assert user["endpoint"] == "/Users"
    assert user["schema"] == USER_URN
    assert user["schemaExtensions"] == [
        {"schema": ENTERPRISE_USER_URN, "required": False}
    ]
    assert group["name"] == "Group"
    assert "schemaExtensions" not in group
