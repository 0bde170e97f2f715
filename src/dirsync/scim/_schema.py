"""
SCIM schemas as data: the attributes of a User, an enterprise User and a
Group, and what each attribute allows (RFC 7643 sections 2, 4 and 7).

The PATCH engine and the filter evaluator read these definitions to learn
an attribute's canonical name, type, plurality, case rule and mutability;
the endpoint renders them for ``/Schemas`` and ``/ResourceTypes``.
Only the attributes real identity providers send are defined: an
attribute that is not here is unknown, and a request that names it gets
``invalidPath``.

Names compare case-insensitively (RFC 7643 section 2.1), so every lookup
here folds case, and every definition keeps the casing of the RFC so that
the attributes we create are spelled as clients expect.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from ._path import AttrPath, Path

#: The core User schema (RFC 7643 section 4.1).
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
#: The enterprise User extension (RFC 7643 section 4.3).
ENTERPRISE_USER_URN = (
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)
#: The core Group schema (RFC 7643 section 4.2).
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
#: A Group schema URI that Microsoft Entra ID lists on every group it
#: creates ("Create Group" in Entra's "Tutorial: Develop and plan
#: provisioning for a SCIM endpoint"); rejecting it would break group
#: provisioning from Entra.
ENTRA_GROUP_URN = (
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
)
#: The message schema of a PATCH body (RFC 7644 section 3.5.2).
PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#: The message schema of a query response (RFC 7644 section 3.4.2).
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#: The schema of a schema definition (RFC 7643 section 7).
SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
#: The schema of a resource type definition (RFC 7643 section 6).
RESOURCE_TYPE_URN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"


class AttributeType(enum.Enum):
    """
    The data types of RFC 7643 section 2.3.

    .. versionadded:: 0.1.0
    """

    STRING = "string"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATE_TIME = "dateTime"
    REFERENCE = "reference"
    COMPLEX = "complex"
    BINARY = "binary"


class Mutability(enum.Enum):
    """
    Whether and when a client may change an attribute (RFC 7643
    section 7).

    .. versionadded:: 0.1.0
    """

    #: Set by the service provider only; a client never changes it.
    READ_ONLY = "readOnly"
    #: A client may change it at any time.
    READ_WRITE = "readWrite"
    #: A client may set it once (creation, or a first value), never change
    #: it afterwards.
    IMMUTABLE = "immutable"
    #: A client may set it, but it is never returned (``password``).
    WRITE_ONLY = "writeOnly"


class Returned(enum.Enum):
    """
    When an attribute appears in responses (RFC 7643 section 7).

    .. versionadded:: 0.1.0
    """

    ALWAYS = "always"
    NEVER = "never"
    DEFAULT = "default"
    REQUEST = "request"


class Uniqueness(enum.Enum):
    """
    How unique an attribute's value must be (RFC 7643 section 7).

    .. versionadded:: 0.1.0
    """

    NONE = "none"
    SERVER = "server"
    GLOBAL = "global"


def _index(items: tuple[Attribute, ...]) -> dict[str, Attribute]:
    # Lower-casing is enough: ATTRNAME is ASCII (RFC 7644 section 3.10).
    return {a.name.lower(): a for a in items}


@attrs.frozen(kw_only=True)
class Attribute:
    """
    The definition of one attribute or sub-attribute (RFC 7643 section 7).

    Args:
        name: The name, in the casing of the RFC.
        type: The data type.
        multi_valued: Whether the value is a list.
        required: Whether a resource must have a value.
        case_exact: Whether string values compare case-sensitively.
        mutability: Whether a client may change it.
        returned: When it appears in responses.
        uniqueness: How unique its values must be.
        sub_attributes: The sub-attributes of a complex attribute.
        canonical_values: Suggested values, such as ``work`` for a type.
        reference_types: What a reference may point to.
        description: A sentence for ``/Schemas``.

    .. versionadded:: 0.1.0
    """

    name: str
    type: AttributeType = AttributeType.STRING
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = Mutability.READ_WRITE
    returned: Returned = Returned.DEFAULT
    uniqueness: Uniqueness = Uniqueness.NONE
    sub_attributes: tuple[Attribute, ...] = ()
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()
    description: str = ""
    _by_name: dict[str, Attribute] = attrs.field(
        init=False, eq=False, repr=False
    )

    @_by_name.default
    def _make_index(self) -> dict[str, Attribute]:
        return _index(self.sub_attributes)

    def sub_attribute(self, name: str) -> Attribute | None:
        """
        The sub-attribute called *name*, in any case; None if there is
        none.

        .. versionadded:: 0.1.0
        """
        return self._by_name.get(name.lower())


@attrs.frozen(kw_only=True)
class Schema:
    """
    A schema: a URN and the attributes it defines (RFC 7643 section 7).

    Args:
        id: The schema URN.
        name: A short name, such as ``User``.
        description: A sentence for ``/Schemas``.
        attributes: The top-level attributes.

    .. versionadded:: 0.1.0
    """

    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]
    _by_name: dict[str, Attribute] = attrs.field(
        init=False, eq=False, repr=False
    )

    @_by_name.default
    def _make_index(self) -> dict[str, Attribute]:
        return _index(self.attributes)

    def attribute(self, name: str) -> Attribute | None:
        """
        The attribute called *name*, in any case; None if there is none.

        .. versionadded:: 0.1.0
        """
        return self._by_name.get(name.lower())


@attrs.frozen(kw_only=True)
class ResourceType:
    """
    A kind of resource the service provider offers (RFC 7643 section 6).

    Args:
        name: The name, such as ``User``; also its id.
        endpoint: The path under the base URL, such as ``/Users``.
        description: A sentence for ``/ResourceTypes``.
        schema: The core schema.
        extensions: The schema extensions a resource may carry; none is
            required.

    .. versionadded:: 0.1.0
    """

    name: str
    endpoint: str
    description: str
    schema: Schema
    extensions: tuple[Schema, ...] = ()


# 1. Building blocks shared by several attributes.

_RO = Mutability.READ_ONLY


def _plural(
    name: str,
    types: tuple[str, ...],
    description: str,
    *,
    value_type: AttributeType = AttributeType.STRING,
    reference_types: tuple[str, ...] = (),
    required: bool = False,
) -> Attribute:
    # The usual shape of a multi-valued attribute (RFC 7643 section 2.4):
    # value, display, type and primary.
    return Attribute(
        name=name,
        type=AttributeType.COMPLEX,
        multi_valued=True,
        required=required,
        description=description,
        sub_attributes=(
            Attribute(
                name="value",
                type=value_type,
                reference_types=reference_types,
                required=required,
            ),
            Attribute(name="display"),
            Attribute(name="type", canonical_values=types),
            Attribute(name="primary", type=AttributeType.BOOLEAN),
        ),
    )


#: The common attributes every resource has (RFC 7643 section 3.1).
#: They belong to no schema, so `schema_json` does not list them.
COMMON_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        name="id",
        case_exact=True,
        mutability=_RO,
        returned=Returned.ALWAYS,
        uniqueness=Uniqueness.SERVER,
        description="The service provider's identifier of the resource.",
    ),
    Attribute(
        name="externalId",
        case_exact=True,
        description="The client's identifier of the resource.",
    ),
    Attribute(
        name="meta",
        type=AttributeType.COMPLEX,
        mutability=_RO,
        description="Metadata the service provider keeps.",
        sub_attributes=(
            Attribute(name="resourceType", case_exact=True, mutability=_RO),
            Attribute(
                name="created", type=AttributeType.DATE_TIME, mutability=_RO
            ),
            Attribute(
                name="lastModified",
                type=AttributeType.DATE_TIME,
                mutability=_RO,
            ),
            Attribute(
                name="location",
                type=AttributeType.REFERENCE,
                case_exact=True,
                mutability=_RO,
                reference_types=("uri",),
            ),
            Attribute(name="version", case_exact=True, mutability=_RO),
        ),
    ),
)
_COMMON = _index(COMMON_ATTRIBUTES)

_NAME = Attribute(
    name="name",
    type=AttributeType.COMPLEX,
    description="The parts of the user's name.",
    sub_attributes=tuple(
        Attribute(name=n)
        for n in (
            "formatted",
            "familyName",
            "givenName",
            "middleName",
            "honorificPrefix",
            "honorificSuffix",
        )
    ),
)

_ADDRESSES = Attribute(
    name="addresses",
    type=AttributeType.COMPLEX,
    multi_valued=True,
    description="Postal addresses.",
    # Addresses have no "value" (RFC 7643 section 4.1.2).
    sub_attributes=(
        *(
            Attribute(name=n)
            for n in (
                "formatted",
                "streetAddress",
                "locality",
                "region",
                "postalCode",
                "country",
            )
        ),
        Attribute(name="type", canonical_values=("work", "home", "other")),
        Attribute(name="primary", type=AttributeType.BOOLEAN),
    ),
)

_GROUPS = Attribute(
    name="groups",
    type=AttributeType.COMPLEX,
    multi_valued=True,
    mutability=_RO,
    description="The groups the user belongs to; set through Groups.",
    sub_attributes=(
        Attribute(name="value", mutability=_RO),
        Attribute(
            name="$ref",
            type=AttributeType.REFERENCE,
            mutability=_RO,
            reference_types=("User", "Group"),
        ),
        Attribute(name="display", mutability=_RO),
        Attribute(
            name="type",
            mutability=_RO,
            canonical_values=("direct", "indirect"),
        ),
    ),
)

# 2. The schemas.

#: The core User schema (RFC 7643 sections 4.1 and 8.7.1).
#:
#: .. versionadded:: 0.1.0
USER_SCHEMA = Schema(
    id=USER_URN,
    name="User",
    description="User Account",
    attributes=(
        Attribute(
            name="userName",
            required=True,
            uniqueness=Uniqueness.SERVER,
            description="The unique name the user signs in with.",
        ),
        _NAME,
        Attribute(name="displayName", description="The name to show."),
        Attribute(name="nickName", description="A casual name."),
        Attribute(
            name="profileUrl",
            type=AttributeType.REFERENCE,
            reference_types=("external",),
            description="A URL of the user's online profile.",
        ),
        Attribute(name="title", description="The user's job title."),
        Attribute(
            name="userType", description="The user's relation to the org."
        ),
        Attribute(
            name="preferredLanguage", description="An Accept-Language tag."
        ),
        Attribute(name="locale", description="A language tag for formats."),
        Attribute(name="timezone", description="An IANA time zone name."),
        Attribute(
            name="active",
            type=AttributeType.BOOLEAN,
            description="Whether the user may use the service.",
        ),
        Attribute(
            name="password",
            mutability=Mutability.WRITE_ONLY,
            returned=Returned.NEVER,
            description="A clear-text password to set; never returned.",
        ),
        # RFC 7643 makes emails optional; dirsync needs an address for
        # every person (SPEC section 9), so its schema says so, and
        # clients that read /Schemas send one.  A userName that is an
        # email is accepted in place of emails all the same.
        _plural(
            "emails",
            ("work", "home", "other"),
            "The user's email addresses; at least one is needed, unless "
            "the userName is an email address.",
            required=True,
        ),
        _plural(
            "phoneNumbers",
            ("work", "home", "mobile", "fax", "pager", "other"),
            "The user's phone numbers.",
        ),
        _plural(
            "ims",
            ("aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
            "Instant messaging addresses.",
        ),
        _plural(
            "photos",
            ("photo", "thumbnail"),
            "URLs of images of the user.",
            value_type=AttributeType.REFERENCE,
            reference_types=("external",),
        ),
        _ADDRESSES,
        _GROUPS,
        _plural("entitlements", (), "What the user is entitled to."),
        _plural("roles", (), "The user's roles."),
        _plural(
            "x509Certificates",
            (),
            "The user's certificates, DER in base64.",
            value_type=AttributeType.BINARY,
        ),
    ),
)

#: The enterprise User extension (RFC 7643 sections 4.3 and 8.7.1).
#:
#: .. versionadded:: 0.1.0
ENTERPRISE_USER_SCHEMA = Schema(
    id=ENTERPRISE_USER_URN,
    name="EnterpriseUser",
    description="Enterprise User",
    attributes=(
        *(
            Attribute(name=n, description=d)
            for n, d in (
                ("employeeNumber", "The number the organisation assigns."),
                ("costCenter", "The cost center."),
                ("organization", "The organisation."),
                ("division", "The division."),
                ("department", "The department."),
            )
        ),
        Attribute(
            name="manager",
            type=AttributeType.COMPLEX,
            description="The user's manager.",
            sub_attributes=(
                Attribute(name="value"),
                Attribute(
                    name="$ref",
                    type=AttributeType.REFERENCE,
                    reference_types=("User",),
                ),
                Attribute(name="displayName", mutability=_RO),
            ),
        ),
    ),
)

#: The core Group schema (RFC 7643 sections 4.2 and 8.7.1).
#:
#: .. versionadded:: 0.1.0
GROUP_SCHEMA = Schema(
    id=GROUP_URN,
    name="Group",
    description="Group",
    attributes=(
        # Section 4.2 calls displayName REQUIRED, though the JSON of
        # section 8.7.1 says false; we follow the prose.
        Attribute(
            name="displayName",
            required=True,
            description="The group's name.",
        ),
        Attribute(
            name="members",
            type=AttributeType.COMPLEX,
            multi_valued=True,
            description="The users and groups in the group.",
            sub_attributes=(
                Attribute(name="value", mutability=Mutability.IMMUTABLE),
                Attribute(
                    name="$ref",
                    type=AttributeType.REFERENCE,
                    mutability=Mutability.IMMUTABLE,
                    reference_types=("User", "Group"),
                ),
                Attribute(name="display"),
                Attribute(
                    name="type",
                    mutability=Mutability.IMMUTABLE,
                    canonical_values=("User", "Group"),
                ),
            ),
        ),
    ),
)

#: The ``User`` resource type, with the enterprise extension.
#:
#: .. versionadded:: 0.1.0
USER_TYPE = ResourceType(
    name="User",
    endpoint="/Users",
    description="User Account",
    schema=USER_SCHEMA,
    extensions=(ENTERPRISE_USER_SCHEMA,),
)

#: The ``Group`` resource type.
#:
#: .. versionadded:: 0.1.0
GROUP_TYPE = ResourceType(
    name="Group",
    endpoint="/Groups",
    description="Group",
    schema=GROUP_SCHEMA,
)

#: Every schema URN we define, for the path parser to recognise.
KNOWN_URNS: tuple[str, ...] = (USER_URN, ENTERPRISE_USER_URN, GROUP_URN)


def spellings(attributes: Iterable[Attribute]) -> dict[str, str]:
    """
    The RFC's spelling of each of *attributes*' names, by its lower case.
    """
    return {a.name.lower(): a.name for a in attributes}


def _every(attributes: Iterable[Attribute]) -> Iterator[Attribute]:
    for attribute in attributes:
        yield attribute
        yield from _every(attribute.sub_attributes)


#: Every attribute and sub-attribute name the schemas above define,
#: ``schemas``, and the extension URNs, each as the RFC spells it, by its
#: lower case.  All are ASCII, and no two share a lower case, so an
#: object whose keys are all in `SPELLED` cannot hold one attribute
#: under two spellings: readers use that to skip folding its keys.
SPELLING: dict[str, str] = {
    **spellings(
        _every(
            (
                *COMMON_ATTRIBUTES,
                *USER_SCHEMA.attributes,
                *ENTERPRISE_USER_SCHEMA.attributes,
                *GROUP_SCHEMA.attributes,
            )
        )
    ),
    "schemas": "schemas",
    ENTERPRISE_USER_URN.lower(): ENTERPRISE_USER_URN,
    ENTRA_GROUP_URN.lower(): ENTRA_GROUP_URN,
}
SPELLED = frozenset(SPELLING.values())


# 3. Lookups.


def lookup_attribute(
    schema: Schema,
    extensions: tuple[Schema, ...],
    urn: str | None,
    name: str,
    sub_attribute: str | None = None,
) -> Attribute | None:
    """
    Find the definition an attribute path names.

    Args:
        schema: The resource's core schema.
        extensions: Its schema extensions.
        urn: The schema URN the path gives, if any; the core schema when
            None.
        name: The attribute name, in any case.
        sub_attribute: The sub-attribute name, if any.

    Returns:
        The definition, or None when the path names nothing defined.

    .. versionadded:: 0.1.0
    """
    # 1. Pick the schema the name belongs to.
    found: Attribute | None
    if urn is None or urn.lower() == schema.id.lower():
        found = schema.attribute(name) or _COMMON.get(name.lower())
    else:
        ext = find_extension(extensions, urn)
        found = None if ext is None else ext.attribute(name)

    # 2. Descend into the sub-attribute.
    if found is None or sub_attribute is None:
        return found
    return found.sub_attribute(sub_attribute)


def find_extension(extensions: tuple[Schema, ...], urn: str) -> Schema | None:
    """
    The extension whose id is *urn*, in any case; None if there is none.
    Schema ids are URNs (RFC 7643 section 3), so a text without a colon
    names none.

    .. versionadded:: 0.1.0
    """
    if ":" not in urn:
        return None  # an attribute name, as most texts asked about are
    for ext in extensions:
        if ext.id == urn:
            return ext  # as the RFC spells it, as it mostly comes
    wanted = urn.lower()
    for ext in extensions:
        if ext.id.lower() == wanted:
            return ext
    return None


def attribute_for(
    resource_type: ResourceType, path: Path | AttrPath
) -> Attribute | None:
    """
    The definition of the attribute a parsed path names, for a kind of
    resource.

    A path with a value filter (``emails[type eq "work"].value``) names
    the attribute it selects from, or its sub-attribute.

    Args:
        resource_type: `USER_TYPE` or `GROUP_TYPE`.
        path: A path from `parse_path`, or an attribute path of a filter.

    Returns:
        The definition, or None when the path names nothing defined.

    .. versionadded:: 0.1.0
    """
    return lookup_attribute(
        resource_type.schema,
        resource_type.extensions,
        path.schema,
        path.attribute,
        path.sub_attribute,
    )


# 4. Representations for the discovery endpoints.


def _attribute_json(attr: Attribute) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": attr.name,
        "type": attr.type.value,
        "multiValued": attr.multi_valued,
        "description": attr.description,
        "required": attr.required,
        "caseExact": attr.case_exact,
        "mutability": attr.mutability.value,
        "returned": attr.returned.value,
        "uniqueness": attr.uniqueness.value,
    }
    if attr.canonical_values:
        out["canonicalValues"] = list(attr.canonical_values)
    if attr.reference_types:
        out["referenceTypes"] = list(attr.reference_types)
    if attr.sub_attributes:
        out["subAttributes"] = [
            _attribute_json(s) for s in attr.sub_attributes
        ]
    return out


def schema_json(schema: Schema) -> dict[str, Any]:
    """
    The representation of *schema* that ``/Schemas`` returns (RFC 7643
    section 7).

    ``meta.location`` is left to the endpoint, which knows the base URL.

    .. versionadded:: 0.1.0
    """
    return {
        "schemas": [SCHEMA_URN],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": [_attribute_json(a) for a in schema.attributes],
        "meta": {"resourceType": "Schema"},
    }


def resource_type_json(resource_type: ResourceType) -> dict[str, Any]:
    """
    The representation of *resource_type* that ``/ResourceTypes`` returns
    (RFC 7643 section 6).

    .. versionadded:: 0.1.0
    """
    out: dict[str, Any] = {
        "schemas": [RESOURCE_TYPE_URN],
        "id": resource_type.name,
        "name": resource_type.name,
        "endpoint": resource_type.endpoint,
        "description": resource_type.description,
        "schema": resource_type.schema.id,
        "meta": {"resourceType": "ResourceType"},
    }
    if resource_type.extensions:
        out["schemaExtensions"] = [
            {"schema": e.id, "required": False}
            for e in resource_type.extensions
        ]
    return out
