"""
SCIM User and Group resources (RFC 7643 sections 4.1 to 4.3), read into
dirsync's values and written back.

Theory of operation
===================

An identity provider sends a whole resource on POST and PUT; a PATCH
ends in one too, once applied to the stored resource.
Three jobs are done, each a pure function of its input:

- `validate_user` and `validate_group` (in ``_bodies.py``) check the
  *shape* of a POST or PUT body: an object, a ``schemas`` list we
  support, the required attributes, JSON types.
  They return a copy whose known attribute names are spelled as the RFC
  spells them, without read-only attributes and without nulls, so that
  later code can read keys directly.
- `user_from_resource` reads the *meaning*: which email is the person's,
  whether ``roles`` make them an admin, what ``active`` says.
  It accepts a raw resource as well as a validated one, since attribute
  names are case-insensitive either way (RFC 7643 section 2.1).
- `resource_from_user` writes the canonical User back, for responses
  and for the stored copy; reading it again gives the same user.

How values are read, where the RFC leaves it open:

- A full resource states every synced profile attribute: an attribute it
  leaves out has no value (RFC 7644 section 3.5.1: PUT replaces the
  resource).
  The workspace role is stated only when the directory manages roles:
  when the resource has ``roles``, or when groups decide admins
  (``admin_by_group`` is not None).
  Otherwise a directory that never sends ``roles`` would state "member"
  on every PUT, and U-ROLE would demote the admins made in the product.
- Null and absent mean the same (RFC 7643 section 2.5).
- First and last name come only from ``name.givenName`` and
  ``name.familyName``; ``name.formatted`` and ``displayName`` are not
  split.
- Profile strings are trimmed, and a string that is empty after trimming
  is no value: Okta sends ``""`` for attributes it has no value for
  (``middleName`` in its SCIM 2.0 reference).
  ``userName``, ids and group names are kept as sent.
- An attribute given twice, in two spellings of its name (or nested
  under its extension and as a flattened ``urn:…:name`` key), is
  accepted when both carry the same value and is ``invalidSyntax``
  otherwise.
- Errors about the body's structure (not an object, ``schemas``) are
  ``invalidSyntax``; errors about a value (wrong type, missing required
  value, an email that does not parse) are ``invalidValue``.
  RFC 7644 section 3.12 defines the two this way.
"""

from __future__ import annotations

from collections import abc
from typing import Any, Final

import attrs

from .._errors import InvalidEmail, json_type
from .._model import STATEABLE, DirectoryUser, Email, Profile, Role
from ._errors import InvalidProvisioningEvent, ScimType, bad_request
from ._schema import (
    COMMON_ATTRIBUTES,
    ENTERPRISE_USER_SCHEMA,
    ENTERPRISE_USER_URN,
    ENTRA_GROUP_URN,
    GROUP_SCHEMA,
    GROUP_URN,
    SPELLED,
    SPELLING,
    USER_SCHEMA,
    USER_URN,
    Attribute,
    Schema,
    spellings,
)

#: The core User schema (RFC 7643 section 4.1).
CORE_USER: Final = USER_URN
#: The core Group schema (RFC 7643 section 4.2).
CORE_GROUP: Final = GROUP_URN
#: The enterprise User extension (RFC 7643 section 4.3).
ENTERPRISE_USER: Final = ENTERPRISE_USER_URN
#: The Group schema URI Entra ID lists on its groups.
ENTRA_GROUP: Final = ENTRA_GROUP_URN
#: The extension schemas a User body may list by default.
USER_EXTENSIONS: Final = frozenset({ENTERPRISE_USER})
#: The extension schemas a Group body may list by default.
GROUP_EXTENSIONS: Final = frozenset({ENTRA_GROUP})

# The email sources `Mapping.email_order` may name, besides ``type:…``.
_EMAIL_SOURCES = frozenset({"primary", "first", "userName"})


def _fold(name: str) -> str:
    """
    The key that compares attribute names and schema URIs.

    RFC 7643 section 2.1 makes attribute names case-insensitive.
    Only ASCII names fold: `str.lower` would also match the Kelvin sign
    to ``k``, and no SCIM name has other letters.
    """
    return name.lower() if name.isascii() else name


def _split(path: str) -> tuple[str | None, tuple[str, ...]]:
    """
    A `Mapping` path as its schema URN (None for the core schema) and
    its attribute names.

    A path is ``title``, ``name.givenName`` or ``URN:attribute``, as
    RFC 7644 section 3.10 writes fully qualified attribute names.
    """
    if not _fold(path).startswith("urn:"):
        return None, tuple(path.split("."))
    urn, _, attribute = path.rpartition(":")
    schema = None if _fold(urn) == _fold(CORE_USER) else urn
    return schema, tuple(attribute.split("."))


def _subs(schema: Schema, name: str) -> tuple[Attribute, ...]:
    found = schema.attribute(name)
    assert found is not None  # the schemas define what we ask for
    return found.sub_attributes


# The names the schemas give, at each level a reader meets them: the
# User and the Group (with the common attributes and ``schemas``), the
# sub-attributes of ``name``, of a multi-valued attribute (RFC 7643
# section 2.4: those of ``emails`` and ``members``), of the enterprise
# extension and of ``meta``; by lower case, as `_canonical` takes them.
_SCHEMAS = {"schemas": "schemas"}
_USER_NAMES = (
    spellings((*USER_SCHEMA.attributes, *COMMON_ATTRIBUTES)) | _SCHEMAS
)
_GROUP_NAMES = (
    spellings((*GROUP_SCHEMA.attributes, *COMMON_ATTRIBUTES)) | _SCHEMAS
)
_NAME_NAMES = spellings(_subs(USER_SCHEMA, "name"))
_MULTI_NAMES = spellings(
    (
        *_subs(USER_SCHEMA, "emails"),
        *_subs(GROUP_SCHEMA, "members"),
    )
)
_ENTERPRISE_NAMES = spellings(ENTERPRISE_USER_SCHEMA.attributes)

# Marks a name given twice with different values, in an `_index`.
_CONFLICT: Final[Any] = object()


def _spelled(name: str) -> str:
    """
    The key `_index` files *name* under: the RFC's spelling of a name it
    defines, the folded name otherwise.
    """
    key = _fold(name)
    return SPELLING.get(key, key)


@attrs.frozen
class _Path:
    """
    A `Mapping` path, split, with the keys `_at` reads it by.
    """

    text: str
    schema: str | None  # None for the core schema
    names: tuple[str, ...]
    # The `_spelled` keys: the flattened ``URN:name`` form, the schema,
    # and each name.
    flat: str
    schema_key: str | None
    keys: tuple[str, ...]
    where: str  # the schema as messages name it; "" for the core one

    @classmethod
    def of(cls, text: str) -> _Path:
        schema, names = _split(text)
        return cls(
            text,
            schema,
            names,
            _spelled(text),
            None if schema is None else _spelled(schema),
            tuple(map(_spelled, names)),
            schema or "",
        )

    @property
    def top(self) -> tuple[str, ...]:
        """
        The keys `_at` reads at the top of a resource.
        """
        if self.schema_key is None:
            return self.keys[:1]
        return (self.flat, self.schema_key)


# The top-level names a mapped profile attribute must not take: the
# library reads these itself.
_RESERVED = frozenset(
    _fold(name)
    for name in (
        "schemas",
        "id",
        "externalId",
        "meta",
        "userName",
        "name",
        "emails",
        "active",
        "roles",
        "groups",
        "password",
    )
)


def _check_path(_: object, attribute: attrs.Attribute[str], path: str) -> None:
    schema, names = _split(path)
    if not all(names) or (schema is not None and not schema[4:]):
        raise ValueError(f"{attribute.name}: {path!r} is not a SCIM path")
    if schema is None and _fold(names[0]) in _RESERVED:
        raise ValueError(
            f"{attribute.name}: {path!r} is an attribute dirsync reads "
            "for something else"
        )


def _check_email_order(
    _: object, attribute: attrs.Attribute[tuple[str, ...]], order: Any
) -> None:
    for source in order:
        if source in _EMAIL_SOURCES or (
            source.startswith("type:") and source[5:]
        ):
            continue
        raise ValueError(
            f"email_order: {source!r} is not 'primary', 'first', "
            "'userName' or 'type:NAME'"
        )


def _strings(names: abc.Iterable[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise ValueError(f"give a sequence of strings, not {names!r}")
    return tuple(names)


def _role_names(names: abc.Iterable[str]) -> frozenset[str]:
    return frozenset(name.strip().casefold() for name in _strings(names))


def _not_empty(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value or not all(value):
        raise ValueError(f"{attribute.name}: give at least one, none empty")


@attrs.frozen
class Mapping:
    """
    Where dirsync finds its synced attributes in a SCIM User (SPEC
    section 9).

    The defaults are the SPEC's.
    Paths are written as RFC 7644 section 3.10 writes attribute names:
    ``title``, ``name.givenName``, or an extension attribute prefixed
    with its schema URN.

    Args:
        department: Where the department comes from.
        title: Where the user role (job title) comes from.
        email_order: Where to look for the email, in order:
            ``"primary"`` (the email marked primary), ``"type:work"``
            (the first email of that type, any case), ``"first"`` (the
            first email) and ``"userName"`` (when it is an email).
        admin_roles: The ``roles`` values that make a person a workspace
            admin, compared without regard to case.
        role_keys: The sub-attributes read from each object in
            ``roles``: Entra ID sends ``{"value": "Admin", ...}``, and
            some clients name the role only in ``display``.
            Plain strings in ``roles`` are always read.

    Raises:
        ValueError: A path is malformed or names an attribute dirsync
            reads itself, the two paths are the same, or a list is empty.

    .. versionadded:: 0.1.0
    """

    department: str = attrs.field(
        default=f"{ENTERPRISE_USER}:department", validator=_check_path
    )
    title: str = attrs.field(default="title", validator=_check_path)
    email_order: tuple[str, ...] = attrs.field(
        default=("primary", "type:work", "first", "userName"),
        converter=_strings,
        validator=[_not_empty, _check_email_order],
    )
    admin_roles: frozenset[str] = attrs.field(
        default=frozenset({"admin"}),
        converter=_role_names,
        validator=_not_empty,
    )
    role_keys: tuple[str, ...] = attrs.field(
        default=("value",), converter=_strings, validator=_not_empty
    )

    # The two paths, read once: every user read uses them.
    _department: _Path = attrs.field(init=False, repr=False, eq=False)
    _title: _Path = attrs.field(init=False, repr=False, eq=False)
    # The top-level keys of a resource the profile is read from.
    _profile_keys: tuple[str, ...] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if _split(_fold(self.department)) == _split(_fold(self.title)):
            raise ValueError("department and title cannot share a path")
        department, title = _Path.of(self.department), _Path.of(self.title)
        object.__setattr__(self, "_department", department)
        object.__setattr__(self, "_title", title)
        object.__setattr__(
            self, "_profile_keys", ("name", *department.top, *title.top)
        )


#: The SPEC section 9 mapping.
DEFAULT_MAPPING: Final = Mapping()


# 1. Small readers. Each takes the attribute's name as the client sees
#    it, to name it in the error.


def _wrong(where: str, wanted: str, value: object) -> InvalidProvisioningEvent:
    return bad_request(
        ScimType.INVALID_VALUE,
        f"{where} must be {wanted}, not {json_type(value)}",
    )


def _twice(where: str) -> InvalidProvisioningEvent:
    return bad_request(
        ScimType.INVALID_SYNTAX,
        f"{where} is given twice, with different values",
    )


def _body(body: Any, kind: str) -> abc.Mapping[Any, Any]:
    # `type(...) is dict` first: the ABC check costs more, and parsed
    # JSON is made of dicts.
    if type(body) is not dict and not isinstance(body, abc.Mapping):
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            f"a {kind} is a JSON object, not {json_type(body)}",
        )
    return body


def _index(obj: abc.Mapping[Any, Any]) -> abc.Mapping[Any, Any]:
    """
    The attributes of *obj* by `_spelled` name, for `_read`.

    Reading a User looks up a dozen names, each in any spelling (RFC
    7643 section 2.1); indexing the object once makes each lookup one
    dict access.
    An object whose keys are all spelled as the RFC spells them, as the
    ones `validate_user` returns and the endpoint stores are, is its own
    index: no two of its keys can name one attribute.
    Otherwise a name given twice with different values is marked, and
    `_read` refuses it only if it is read.
    Keys that are not strings name no attribute and are left out.
    """
    if obj.keys() <= SPELLED:
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            continue
        name = _spelled(key)
        if name in out and out[name] != value:
            value = _CONFLICT
        out[name] = value
    return out


def _read(index: abc.Mapping[Any, Any], name: str, where: str) -> Any:
    """
    The value of the attribute `_spelled` as *name* in *index*; None when
    it is absent.
    """
    value = index.get(name)
    if value is _CONFLICT:
        raise _twice(where)
    return value


def _get(obj: abc.Mapping[Any, Any], name: str, where: str) -> Any:
    """
    The value of attribute *name* in *obj*, in any spelling; None when it
    is absent.
    """
    return _read(_index(obj), _spelled(name), where)


def _object(value: Any, where: str) -> abc.Mapping[Any, Any] | None:
    if value is None or type(value) is dict or isinstance(value, abc.Mapping):
        return value
    raise _wrong(where, "an object", value)


def _array(value: Any, where: str) -> list[Any] | tuple[Any, ...]:
    if type(value) is list:  # as parsed JSON has it; the cheapest test
        return value
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return value
    raise _wrong(where, "an array", value)


def _string(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _wrong(where, "a string", value)


def _text(value: Any, where: str) -> str | None:
    """
    A profile string: trimmed, and None when nothing is left.
    """
    if type(value) is str:
        return value.strip() or None
    text = _string(value, where)
    return (text.strip() or None) if text is not None else None


def _boolean(value: Any, where: str) -> bool | None:
    """
    A SCIM boolean, or one of the strings ``"True"`` and ``"False"`` (any
    case) that Entra ID sends for ``active`` unless the tenant URL
    carries ``aadOptscim062020`` (Entra's "Known issues with SCIM 2.0
    protocol compliance").
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and _fold(value) in ("true", "false"):
        return _fold(value) == "true"
    raise _wrong(where, "true or false", value)


def _required(value: Any, where: str) -> str:
    """
    A required, non-empty string, kept as sent.
    """
    text = _string(value, where)
    if text is None or not text.strip():
        raise bad_request(
            ScimType.INVALID_VALUE,
            f"{where} is required: a non-empty string",
        )
    return text


def _entry(value: Any, where: str) -> abc.Mapping[Any, Any]:
    """
    One object of a multi-valued complex attribute; null is not one.
    """
    entry = _object(value, where)
    if entry is None:
        raise _wrong(where, "an object", value)
    return entry


def _at(resource: abc.Mapping[Any, Any], path: _Path) -> Any:
    """
    The value at a `Mapping` path; None when it is absent.

    *resource* is an `_index`.
    An extension attribute is read under its schema's object (RFC 7643
    section 3.3) and also as a flattened ``URN:name`` key, which Entra
    ID uses in PATCH values without a path.
    """
    flat: Any = None
    if path.schema_key is not None:
        flat = _read(resource, path.flat, path.text)
        inner = _read(resource, path.schema_key, path.where)
        resource = _index(_object(inner, path.where) or {})
    for depth in range(1, len(path.names)):
        where = ".".join(path.names[:depth])
        if path.schema is not None:
            where = f"{path.schema}:{where}"
        inner = _read(resource, path.keys[depth - 1], where)
        resource = _index(_object(inner, where) or {})
    nested = _read(resource, path.keys[-1], path.text)
    if flat is not None and nested is not None and flat != nested:
        raise _twice(path.text)
    return nested if flat is None else flat


# 2. Reading a User.


#: How an address is parsed; `Email.parse` unless the caller brings a
#: faster (say, caching) function with the same answers.
ParseEmail = abc.Callable[[str], Email]


#: One parsed entry of ``emails``: the address, its type, and whether
#: it is primary.
_Email = tuple[Email, str | None, bool]


def _email_entry(raw: Any, i: int, parse: ParseEmail) -> _Email:
    """
    Entry *i* of ``emails``, checked, its address parsed.
    """
    value = kind = primary = None
    # Most entries are plain: every key spelled as the RFC does (so each
    # is read directly), a string value and type, a boolean primary.
    plain = type(raw) is dict and raw.keys() <= SPELLED
    if plain:
        value, kind = raw.get("value"), raw.get("type")
        primary = raw.get("primary")
        plain = (
            type(value) is str
            and bool(value.strip())
            and (kind is None or type(kind) is str)
            and (primary is None or type(primary) is bool)
        )
    if not plain:
        where = f"emails[{i}]"
        entry = _index(_entry(raw, where))
        value = _required(
            _read(entry, "value", f"{where}.value"), f"{where}.value"
        )
        kind = _string(_read(entry, "type", f"{where}.type"), f"{where}.type")
        primary = _boolean(
            _read(entry, "primary", f"{where}.primary"), f"{where}.primary"
        )
    assert isinstance(value, str)
    try:
        email = parse(value)
    except InvalidEmail as e:
        raise bad_request(
            ScimType.INVALID_VALUE, f"emails[{i}].value: {e}"
        ) from None
    return email, kind, bool(primary)


def _emails(
    resource: abc.Mapping[Any, Any], parse: ParseEmail
) -> list[_Email]:
    """
    Every entry of ``emails``, each address parsed.

    Raises:
        InvalidProvisioningEvent: An entry is malformed, an address does
            not parse, or more than one is primary (RFC 7643 section 2.4
            allows ``"primary": true`` once).
    """
    emails = _array(_read(resource, "emails", "emails"), "emails")
    out = [_email_entry(raw, i, parse) for i, raw in enumerate(emails)]
    if len(out) > 1 and sum(primary for _, _, primary in out) > 1:
        raise bad_request(
            ScimType.INVALID_VALUE,
            "emails: more than one is primary; RFC 7643 section 2.4 "
            "allows one",
        )
    return out


def _choose_email(
    emails: list[_Email],
    user_name: str,
    order: tuple[str, ...],
    parse: ParseEmail,
) -> Email:
    """
    The person's email: the first source in *order* that has one (SPEC
    section 9).
    """
    for source in order:
        email = _email_from(source, emails, user_name, parse)
        if email is not None:
            return email
    # Only now the messages: most users have the first source.
    missing = "; ".join(_no_email(source, user_name) for source in order)
    raise bad_request(ScimType.INVALID_VALUE, f"no email: {missing}")


def _email_from(
    source: str, emails: list[_Email], user_name: str, parse: ParseEmail
) -> Email | None:
    """
    The email one `Mapping.email_order` source gives, or None.
    """
    if source == "primary":
        for email, _, primary in emails:
            if primary:
                return email
        return None
    if source == "first":
        return emails[0][0] if emails else None
    if source == "userName":
        try:
            return parse(user_name)
        except InvalidEmail:
            return None
    kind = _fold(source.removeprefix("type:"))
    for email, type_, _ in emails:
        if type_ is not None and _fold(type_) == kind:
            return email
    return None


def _no_email(source: str, user_name: str) -> str:
    """
    Why *source* gave no email, for the error.
    """
    if source == "primary":
        return "no primary email"
    if source == "first":
        return "no emails"
    if source == "userName":
        return f"userName {user_name!r} is not an email address"
    return f"no email of type {_fold(source.removeprefix('type:'))!r}"


def _is_admin(resource: abc.Mapping[Any, Any], mapping: Mapping) -> bool:
    """
    Whether ``roles`` holds one of the mapping's admin roles.

    Entries are strings or objects; every entry is checked, so that a
    malformed one is reported wherever it stands.
    """
    admin = False
    roles = _array(_read(resource, "roles", "roles"), "roles")
    for i, raw in enumerate(roles):
        where = f"roles[{i}]"
        names: list[str | None]
        if isinstance(raw, str):
            names = [raw]
        elif isinstance(raw, abc.Mapping):
            names = [
                _string(_get(raw, key, f"{where}.{key}"), f"{where}.{key}")
                for key in mapping.role_keys
            ]
        else:
            raise _wrong(where, "a string or an object", raw)
        admin = admin or any(
            name is not None and name.strip().casefold() in mapping.admin_roles
            for name in names
        )
    return admin


def user_from_resource(
    resource: abc.Mapping[str, Any],
    *,
    id: str,
    mapping: Mapping = DEFAULT_MAPPING,
    admin_by_group: bool | None = None,
    parse_email: ParseEmail = Email.parse,
) -> DirectoryUser:
    """
    The directory user a full SCIM User resource describes.

    The resource is the whole user, as a POST or PUT body or as the
    stored resource after a PATCH: every synced attribute is stated, and
    one it leaves out has no value (RFC 7644 section 3.5.1).
    Attribute names and schema URNs may be in any case (RFC 7643 section
    2.1).
    ``schemas`` is not checked here; `validate_user` does that.

    Args:
        resource: The User resource, as parsed JSON.
        id: The directory user id (our SCIM ``id``).
        mapping: Where the synced attributes come from.
        admin_by_group: Whether the person is in a group mapped to the
            admin role, decided by the caller; None when no group is
            mapped to a role.
        parse_email: How to parse an address: `dirsync.Email.parse`, or
            a function with the same answers (the endpoint passes a
            cache of its own).

    Returns:
        The user, stating every attribute it can state.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidSyntax`` when *resource*
            is not an object; ``invalidValue`` for a value of the wrong
            type, a missing ``userName``, an email that does not
            parse, two primary emails, or no usable email at all;
            ``invalidSyntax`` for an attribute given twice with
            different values.

    .. versionadded:: 0.1.0
    """
    user = _plain_user(resource, id, mapping, admin_by_group, parse_email)
    if user is not None:
        return user
    resource = _index(_body(resource, "User"))
    email = _user_email(resource, mapping, parse_email)
    profile = _profile(resource, mapping)
    role, stated = _role(resource, mapping, admin_by_group)
    active = _active(resource)
    # Made with positional arguments here and below: a frozen class
    # takes keywords a third slower, and a user is made per request.
    return DirectoryUser(id, email, profile, role, active, stated)


#: What `_plain_at` gives for a value only the general reading can read.
_UNREAD: Any = object()


def _plain_user(
    resource: abc.Mapping[Any, Any],
    id: str,
    mapping: Mapping,
    admin_by_group: bool | None,
    parse: ParseEmail,
) -> DirectoryUser | None:
    """
    What `user_from_resource` makes of *resource* when it has the shape
    that `validate_user` gives and identity providers send; None for any
    other resource, and for one the reading would refuse, so that the
    general reading answers (and names the problem).

    The shape: a dict whose keys are spelled as the RFC spells them (so
    that each attribute is one key, read directly), but for keys that
    name nothing it reads, with the values it reads of their JSON types,
    ``roles`` empty or absent and ``active`` a boolean or absent.
    The general reading makes a call per value it checks; here the
    checks are inline.  They repeat those of `_emails` and
    `_email_entry` on purpose: read through those parts, an Entra body
    takes 0.7 microseconds more of 7, which parsing a User cannot spare
    (``docs/performance.md``).
    """
    if type(resource) is not dict:
        return None
    extra = resource.keys() - SPELLED
    if extra and not _unread_names(extra, mapping):
        return None
    user_name = resource.get("userName")
    raw_emails = resource.get("emails", [])
    roles = resource.get("roles")
    active = resource.get("active", True)
    if not (
        type(user_name) is str
        and user_name.strip()
        and type(raw_emails) is list
        and (roles is None or roles == [])
        and type(active) is bool
    ):
        return None

    # 1. The email, from the entries `_email_entry` would pass.
    emails: list[_Email] = []
    for raw in raw_emails:
        if type(raw) is not dict or not raw.keys() <= SPELLED:
            return None
        value, kind = raw.get("value"), raw.get("type")
        primary = raw.get("primary", False)
        if not (
            type(value) is str
            and value.strip()
            and (kind is None or type(kind) is str)
            and type(primary) is bool
        ):
            return None
        try:
            emails.append((parse(value), kind, primary))
        except InvalidEmail:
            return None
    if len(emails) > 1 and sum(primary for _, _, primary in emails) > 1:
        return None
    try:
        email = _choose_email(emails, user_name, mapping.email_order, parse)
    except InvalidProvisioningEvent:
        return None

    # 2. The profile.
    profile = _plain_profile(resource, mapping)
    if profile is None:
        return None

    # 3. The role, stated as `_role` states it, and ``active``.
    stated = admin_by_group is not None or roles is not None
    return DirectoryUser(
        id,
        email,
        profile,
        Role.ADMIN if admin_by_group else Role.MEMBER,
        active,
        STATEABLE if stated else _PROFILE_ONLY,
    )


def _unread_names(keys: abc.Set[Any], mapping: Mapping) -> bool:
    """
    Whether *keys*, not spelled as the RFC spells any name, name nothing
    `user_from_resource` reads with *mapping*: no other spelling of a
    name it reads (which the general reading would compare), and no
    attribute or flattened ``URN:name`` key a mapped path starts at.
    Custom extensions, such as Entra ID's, are such keys.
    """
    if not all(type(key) is str for key in keys):
        return False
    names = set(map(_spelled, keys))
    return names.isdisjoint(SPELLED) and names.isdisjoint(
        mapping._profile_keys
    )


def _plain_profile(
    resource: abc.Mapping[Any, Any], mapping: Mapping
) -> Profile | None:
    """
    What `_profile` reads from *resource* (an `_index`), when ``name``
    and the objects on the mapped paths have their keys spelled as the
    RFC spells them and the values are strings or absent; None
    otherwise.
    """
    name = resource.get("name", {})
    if type(name) is not dict or not name.keys() <= SPELLED:
        return None
    # In `Profile`'s order: strings, trimmed, or no value.
    texts = [
        name.get("givenName"),
        name.get("familyName"),
        _plain_at(resource, mapping._department),
        _plain_at(resource, mapping._title),
    ]
    for i, text in enumerate(texts):
        if type(text) is str:
            texts[i] = text.strip() or None
        elif text is not None:
            return None
    return Profile(*texts)


def _plain_at(resource: abc.Mapping[Any, Any], path: _Path) -> Any:
    """
    What `_at` reads at *path* in *resource* (an `_index`), when every
    object on the way has its keys spelled as the RFC spells them and
    no flattened ``URN:name`` key gives the value too; `_UNREAD`
    otherwise.
    """
    found: Any = resource
    keys = path.keys
    if path.schema_key is not None:
        if path.flat in resource:
            return _UNREAD
        keys = (path.schema_key, *keys)
    for key in keys[:-1]:
        found = found.get(key)
        if found is None:
            return None
        if type(found) is not dict or not found.keys() <= SPELLED:
            return _UNREAD
    return found.get(keys[-1])


# The parts of `user_from_resource`, each from an `_index` of the
# resource, in the order it reads them (and so reports errors).


def _user_email(
    resource: abc.Mapping[Any, Any], mapping: Mapping, parse: ParseEmail
) -> Email:
    # userName is required (RFC 7643 section 4.1.1), and is the last
    # fallback for the email.
    user_name = _required(_read(resource, "userName", "userName"), "userName")
    return _choose_email(
        _emails(resource, parse), user_name, mapping.email_order, parse
    )


def _profile(resource: abc.Mapping[Any, Any], mapping: Mapping) -> Profile:
    plain = _plain_profile(resource, mapping)
    if plain is not None:
        return plain
    name = _index(_object(_read(resource, "name", "name"), "name") or {})
    first_name = _text(
        _read(name, "givenName", "name.givenName"), "name.givenName"
    )
    last_name = _text(
        _read(name, "familyName", "name.familyName"), "name.familyName"
    )
    department = _text(_at(resource, mapping._department), mapping.department)
    title = _text(_at(resource, mapping._title), mapping.title)
    return Profile(first_name, last_name, department, title)


def _role(
    resource: abc.Mapping[Any, Any],
    mapping: Mapping,
    admin_by_group: bool | None,
) -> tuple[Role, frozenset[str]]:
    roles = _read(resource, "roles", "roles")
    # An empty list, as Entra and our own resources send, holds no admin.
    # (``roles`` is checked whatever the groups say.)
    admin = (
        roles is not None and roles != [] and _is_admin(resource, mapping)
    ) or bool(admin_by_group)
    stated = admin_by_group is not None or roles is not None
    return (
        Role.ADMIN if admin else Role.MEMBER,
        STATEABLE if stated else _PROFILE_ONLY,
    )


def _active(resource: abc.Mapping[Any, Any]) -> bool:
    # ``active`` defaults to true (RFC 7643 section 4.1.1 gives it no
    # default; an IdP that leaves it out means the user it is pushing).
    active = _boolean(_read(resource, "active", "active"), "active")
    return True if active is None else active


def _same_at(
    new: abc.Mapping[str, Any],
    old: abc.Mapping[str, Any],
    keys: abc.Iterable[str],
) -> bool:
    for key in keys:
        a, b = new.get(key), old.get(key)
        if a is not b and a != b:
            return False
    return True


def updated_user(
    resource: abc.Mapping[str, Any],
    previous: abc.Mapping[str, Any],
    user: DirectoryUser,
    *,
    mapping: Mapping = DEFAULT_MAPPING,
    admin_by_group: bool | None = None,
    parse_email: ParseEmail = Email.parse,
) -> DirectoryUser:
    """
    What `user_from_resource` maps *resource* to, given that it mapped
    *previous* to *user* with the same *mapping*, *admin_by_group* and
    *parse_email*.

    Both resources are as `validate_user` returns them: values of the
    types it checks, so that equal values read the same.
    The parts of *user* read from attributes equal in both (its email,
    its profile, its role) are kept rather than read again; *user*
    itself is returned when nothing it states changed.
    """
    if not (resource.keys() <= SPELLED and previous.keys() <= SPELLED):
        # Keys in another spelling: the reads go through an index.
        return user_from_resource(
            resource,
            id=user.id,
            mapping=mapping,
            admin_by_group=admin_by_group,
            parse_email=parse_email,
        )
    email = (
        user.email
        if _same_at(resource, previous, _EMAIL_KEYS)
        else _user_email(resource, mapping, parse_email)
    )
    profile = (
        user.profile
        if _same_at(resource, previous, mapping._profile_keys)
        else _profile(resource, mapping)
    )
    role, stated = (
        (user.role, user.stated)
        if _same_at(resource, previous, _ROLE_KEYS)
        else _role(resource, mapping, admin_by_group)
    )
    active = _active(resource)
    if (
        email is user.email
        and profile is user.profile
        and role is user.role
        and stated is user.stated
        and active is user.active
    ):
        return user
    return DirectoryUser(user.id, email, profile, role, active, stated)


_EMAIL_KEYS = ("userName", "emails")
_ROLE_KEYS = ("roles",)


_PROFILE_ONLY = STATEABLE - {"role"}


# 3. Writing a User.


def _put(resource: dict[str, Any], path: str, value: str | None) -> None:
    if value is None:
        return
    schema, names = _split(path)
    target = resource if schema is None else resource.setdefault(schema, {})
    for name in names[:-1]:
        target = target.setdefault(name, {})
    target[names[-1]] = value


def resource_from_user(
    user: DirectoryUser,
    *,
    id: str,
    user_name: str,
    external_id: str | None,
    mapping: Mapping = DEFAULT_MAPPING,
) -> dict[str, Any]:
    """
    The canonical SCIM User for *user*.

    It has the core attributes, the extension attributes under their
    schema (RFC 7643 section 3.3), one email, primary and of type
    ``work``, and ``roles`` when *user* states its role (an admin role
    value, or an empty list for a member).
    ``meta`` has only ``resourceType``: the endpoint adds the rest.
    `user_from_resource` reads it back as *user*, whenever *user* states
    every profile attribute and its profile strings are trimmed and not
    empty.

    Args:
        user: The directory user.
        id: Its SCIM ``id``.
        user_name: Its ``userName``, kept as the client sent it.
        external_id: Its ``externalId``, if the client gave one.
        mapping: Where the synced attributes go.

    .. versionadded:: 0.1.0
    """
    resource: dict[str, Any] = {"schemas": [CORE_USER], "id": id}
    if external_id is not None:
        resource["externalId"] = external_id
    resource["userName"] = user_name
    profile = user.profile
    _put(resource, "name.givenName", profile.first_name)
    _put(resource, "name.familyName", profile.last_name)
    _put(resource, mapping.title, profile.title)
    _put(resource, mapping.department, profile.department)
    resource["emails"] = [
        {"value": user.email.address, "type": "work", "primary": True}
    ]
    resource["active"] = user.active
    if user.role is Role.ADMIN:
        role = min(mapping.admin_roles)
        resource["roles"] = [dict.fromkeys(mapping.role_keys, role)]
    elif "role" in user.stated:
        resource["roles"] = []
    resource["schemas"] += sorted(
        schema
        for path in {mapping.department, mapping.title}
        if (schema := _split(path)[0]) is not None and schema in resource
    )
    resource["meta"] = {"resourceType": "User"}
    return resource
