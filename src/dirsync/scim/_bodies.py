"""
The bodies of POST and PUT (RFC 7644 sections 3.3 and 3.5.1): checked,
with canonical attribute names, before anything is read from them; and
the members of a group.

Reading a User's synced attributes is `dirsync.scim._resources`.
"""

from __future__ import annotations

from collections import abc
from itertools import compress, count
from operator import is_, not_
from typing import Any

from ._errors import InvalidProvisioningEvent, ScimType, bad_request
from ._resources import (
    _ENTERPRISE_NAMES,
    _GROUP_NAMES,
    _MULTI_NAMES,
    _NAME_NAMES,
    _USER_NAMES,
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE_USER,
    GROUP_EXTENSIONS,
    USER_EXTENSIONS,
    _array,
    _body,
    _boolean,
    _entry,
    _fold,
    _get,
    _required,
    _string,
    _twice,
    _wrong,
)
from ._schema import SPELLED

# 1. Validating POST and PUT bodies.

# ``id``, ``meta`` and ``groups`` are read-only and a service provider
# ignores them in a request (RFC 7643 sections 3.1 and 4.1.2, RFC 7644
# section 3.3); ``password`` is never returned (RFC 7643 section 4.1.1)
# and dirsync keeps no credentials, so it is dropped too.
_USER_DROPPED = ("id", "meta", "groups", "password")
# The user's single-valued strings outside ``name``, in the order their
# problems are reported.
_STRINGS = ("externalId", "displayName", "title")
_JUST_STRINGS = frozenset({str})
_GROUP_DROPPED = ("id", "meta")


def _canonical(
    obj: abc.Mapping[Any, Any], names: dict[str, str], where: str
) -> dict[str, Any]:
    """
    A copy of *obj* with the known *names* spelled as the RFC does and
    without nulls.
    """
    if obj.keys() <= SPELLED and None not in obj.values():
        # Every key is spelled as the RFC does (and names no other
        # attribute in another spelling): what the loop below would
        # make of it is a plain copy.  Most bodies are like this.
        return dict(obj)
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise bad_request(
                ScimType.INVALID_SYNTAX, f"{where}: a key is not a string"
            )
        name = names.get(_fold(key), key)
        if name in out and out[name] != value:
            raise _twice(f"{where}{name}")
        if value is not None:
            out[name] = value
    return out


def _schemas(
    out: dict[str, Any], core: str, extensions: abc.Set[str], kind: str
) -> None:
    """
    Check ``schemas`` and spell its URNs as the RFC does.

    Every URN must be one we support (RFC 7643 section 3: ``schemas``
    names the schemas the resource follows); an unknown one is
    ``invalidSyntax``, since the body then does not follow a schema we
    know (RFC 7644 section 3.12).
    """
    raw = out.get("schemas")
    if type(raw) is list and (
        (len(raw) == 1 and raw[0] == core)
        or (
            raw
            and raw[0] == core
            and all(type(urn) is str and urn in extensions for urn in raw[1:])
            and len(set(raw)) == len(raw)
        )
    ):
        # Spelled as the RFC does, the core schema first, each URN once,
        # as identity providers send it: the loop below would copy it.
        out["schemas"] = list(raw)
        return
    if not isinstance(raw, list | tuple) or not all(
        isinstance(urn, str) for urn in raw
    ):
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            f"schemas is required: an array of schema URIs including {core}",
        )
    known = {_fold(urn): urn for urn in (core, *extensions)}
    schemas: list[str] = []
    for urn in raw:
        canonical = known.get(_fold(urn))
        if canonical is None:
            raise bad_request(
                ScimType.INVALID_SYNTAX,
                f"schemas: {urn!r} is not a {kind} schema this service "
                f"supports ({', '.join(sorted(known.values()))})",
            )
        if canonical not in schemas:
            schemas.append(canonical)
    if core not in schemas:
        raise bad_request(
            ScimType.INVALID_SYNTAX, f"schemas must include {core}"
        )
    out["schemas"] = schemas


def _multi(
    out: dict[str, Any],
    attribute: str,
    kept: abc.Sequence[Any] | None = None,
) -> None:
    """
    Check a multi-valued complex attribute (RFC 7643 section 2.4): an
    array of objects, each with a string ``value``.

    *kept* is the list this function returned before for the attribute,
    when *out* is that resource patched: an entry that is one of its
    very objects is kept as it is.
    """
    if attribute not in out:
        return
    given = _array(out[attribute], attribute)
    entries = list(given)
    for i in _fresh(given, kept or ()):
        raw = given[i]
        if _is_canonical_entry(raw):
            # What the checks below would make of it: a copy.  Most
            # entries are like this.
            entries[i] = dict(raw)
            continue
        where = f"{attribute}[{i}]"
        entry = _canonical(_entry(raw, where), _MULTI_NAMES, f"{where}.")
        _required(entry.get("value"), f"{where}.value")
        _string(entry.get("type"), f"{where}.type")
        _string(entry.get("display"), f"{where}.display")
        if "primary" in entry:
            entry["primary"] = _boolean(entry["primary"], f"{where}.primary")
        entries[i] = entry
    out[attribute] = entries


def _fresh(
    given: abc.Sequence[Any], kept: abc.Sequence[Any]
) -> abc.Iterable[int]:
    """
    The positions of the entries of *given* that are not objects of
    *kept*, found in C: a PATCH of a group of thousands adds or removes
    a member or two.

    An entry equal to the one of *kept* it stands in place of may count
    as kept too: the checks would pass it the same.
    """
    if not kept:
        return range(len(given))
    # 1. An add leaves every entry where it stood, and appends.  Lists
    #    compare item by item in C, by identity first, so that this costs
    #    no call per member (which the comparison below does).
    if len(given) >= len(kept) and given[: len(kept)] == kept:
        return range(len(kept), len(given))
    # 2. The entries that stand where they stood, up to the first that
    #    does not (all of them stand, when the last entries went).
    same = list(map(is_, given, kept))
    first = same.index(False) if False in same else len(same)
    # 3. After a removal the rest are the ones after the gap.
    gap = len(kept) - len(given)
    if gap > 0 and all(map(is_, given[first:], kept[first + gap :])):
        return ()
    # 4. Otherwise, by identity.
    known = set(map(id, kept))
    rest = given[first:]
    unknown = map(not_, map(known.__contains__, map(id, rest)))
    return compress(count(first), unknown)


_MULTI_SPELLED = frozenset(_MULTI_NAMES.values())


def _is_canonical_entry(raw: Any) -> bool:
    """
    Whether *raw* is an entry `_multi` would copy unchanged: every key
    spelled as the RFC does, no nulls, a non-empty string ``value``,
    strings for ``type`` and ``display``, and a boolean ``primary``.
    """
    if type(raw) is not dict or not raw.keys() <= _MULTI_SPELLED:
        return False
    value = raw.get("value")
    return (
        isinstance(value, str)
        and bool(value.strip())
        and None not in raw.values()
        and isinstance(raw.get("type", ""), str)
        and isinstance(raw.get("display", ""), str)
        and isinstance(raw.get("primary", False), bool)
    )


def _roles(out: dict[str, Any]) -> None:
    """
    Check ``roles``: strings, or objects as RFC 7643 section 4.1.2 has
    them.
    """
    if "roles" not in out:
        return
    entries: list[Any] = []
    for i, raw in enumerate(_array(out["roles"], "roles")):
        if isinstance(raw, str):
            entries.append(raw)
            continue
        where = f"roles[{i}]"
        if not isinstance(raw, abc.Mapping):
            raise _wrong(where, "a string or an object", raw)
        entry = _canonical(raw, _MULTI_NAMES, f"{where}.")
        for key in ("value", "display", "type"):
            _string(entry.get(key), f"{where}.{key}")
        if "primary" in entry:
            entry["primary"] = _boolean(entry["primary"], f"{where}.primary")
        entries.append(entry)
    out["roles"] = entries


def _plain_strings(obj: Any) -> bool:
    """
    Whether *obj* is an object whose keys are all spelled as the RFC
    spells them and whose values are all strings: then no key needs
    respelling, no value is null, and every string attribute is a
    string, so that checking ``name`` or an extension copies it.  The
    identity providers send theirs like this.
    """
    return (
        type(obj) is dict
        and obj.keys() <= SPELLED
        and set(map(type, obj.values())) <= _JUST_STRINGS
    )


def _name(value: Any) -> dict[str, Any]:
    """
    Check ``name``, an object of strings.
    """
    if _plain_strings(value):
        return dict(value)  # what the checks below would make of it
    name = _canonical(_entry(value, "name"), _NAME_NAMES, "name.")
    _check_strings(name, _NAME_NAMES.values(), "name.")
    return name


def _check_strings(
    out: abc.Mapping[str, Any], names: abc.Iterable[str], where: str
) -> None:
    for name in names:
        value = out.get(name)
        if value is not None and type(value) is not str:
            _string(value, f"{where}{name}")  # raises


def _gathered(
    out: dict[str, Any], urn: str, flat: list[str]
) -> dict[str, Any]:
    """
    The attributes of extension *urn*: its object in *out* and the
    *flat* ``URN:name`` keys (which are taken out of *out*), checked.
    """
    given = out.pop(urn, {})
    if not flat and _plain_strings(given):
        return dict(given)  # what the checks below would make of it
    where = f"{urn}:"
    names = _ENTERPRISE_NAMES if urn == ENTERPRISE_USER else {}
    inner = _canonical(_entry(given, urn), names, where)
    for key in flat:
        local = key[len(where) :]
        name = names.get(_fold(local), local)
        value = out.pop(key)
        if inner.setdefault(name, value) != value:
            raise _twice(f"{urn}:{name}")
    if urn == ENTERPRISE_USER:
        _check_strings(
            inner,
            (
                "employeeNumber",
                "costCenter",
                "organization",
                "division",
                "department",
            ),
            where,
        )
    return inner


def _extension(out: dict[str, Any], urn: str, checked: bool) -> None:
    """
    Gather an extension's attributes under its schema URN, also those
    sent as flattened ``URN:name`` keys, and list the URN in
    ``schemas`` when attributes of it are present.

    A body that uses an extension should list it (RFC 7643 section 3);
    the data is unambiguous without it, so a missing URN is added
    rather than refused.

    *checked* says the object under *urn* was checked before.
    """
    # Only a key the RFC does not define can be a flattened one; they
    # are taken in the body's order, so that errors name the same one
    # every time.
    flat: list[str] = []
    if not out.keys() <= SPELLED:
        prefix = _fold(urn) + ":"
        flat = [
            key
            for key in out
            if key not in SPELLED and _fold(key).startswith(prefix)
        ]
    if not flat and urn not in out:
        return
    # Without flattened keys, an object checked before is kept as it is.
    checked = checked and not flat
    out[urn] = out.pop(urn) if checked else _gathered(out, urn, flat)
    if urn not in out["schemas"]:
        out["schemas"].append(urn)


def _user_names(extensions: abc.Set[str]) -> dict[str, str]:
    return _USER_NAMES | {_fold(urn): urn for urn in extensions}


_DEFAULT_USER_NAMES = _user_names(USER_EXTENSIONS)
_DEFAULT_EXTENSIONS = sorted(USER_EXTENSIONS)


def validate_user(
    body: Any,
    *,
    extensions: abc.Set[str] = USER_EXTENSIONS,
    previous: abc.Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """
    Check the body of a POST or PUT to ``/Users`` (RFC 7644 sections 3.3
    and 3.5.1), and return it in canonical form.

    The canonical form spells every RFC 7643 User attribute name, the
    sub-attributes of ``name``, ``emails`` and ``roles``, and the
    enterprise extension's, as the RFC does; gathers extension
    attributes under their schema URN; turns ``active`` and ``primary``
    into booleans; and leaves out nulls and the attributes a client
    cannot set (``id``, ``meta``, ``groups``) or that dirsync must not
    keep (``password``).
    Other attributes are kept as sent.

    This checks the shape only: emails are parsed by
    `user_from_resource`.

    Args:
        body: The parsed JSON body.
        extensions: The extension schema URNs the body may list.
        previous: The user as this function returned it before, when
            *body* is that user patched (`apply_patch` shares what it
            did not change): attributes that are the very same objects
            as there are not checked again.

    Returns:
        A new dict; *body* is not changed.
        With *previous*, the result shares with it the objects it did
        not check again; treat both as immutable.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidSyntax`` when *body* is
            not an object, ``schemas`` is missing, malformed, lacks the
            core User schema or lists one we do not support, or an
            attribute is given twice; ``invalidValue`` when ``userName``
            is missing or empty or a value has the wrong type.

    .. versionadded:: 0.1.0
    """
    if extensions == USER_EXTENSIONS:
        if previous is not None:
            changed = _changed_only(body, previous)
            if changed is not None:
                return changed
        plain = _plain_user_body(body)
        if plain is not None:
            return plain
    names = (
        _DEFAULT_USER_NAMES
        if extensions == USER_EXTENSIONS
        else _user_names(extensions)
    )
    out = _canonical(_body(body, "User"), names, "")
    _schemas(out, CORE_USER, extensions, "User")
    for dropped in _USER_DROPPED:
        out.pop(dropped, None)
    _required(out.get("userName"), "userName")
    _check_strings(out, _STRINGS, "")
    kept: abc.Mapping[str, Any] = {} if previous is None else previous

    def checked(attribute: str) -> bool:
        return attribute in kept and out.get(attribute) is kept[attribute]

    if "name" in out and not (kept and checked("name")):
        out["name"] = _name(out["name"])
    if "active" in out:
        out["active"] = _boolean(out["active"], "active")
    _multi(out, "emails", kept.get("emails"))
    if not (kept and checked("roles")):
        _roles(out)
    for urn in (
        _DEFAULT_EXTENSIONS
        if extensions == USER_EXTENSIONS
        else sorted(extensions)
    ):
        _extension(out, urn, bool(kept) and checked(urn))
    return out


# The bodies `_plain_user_body` takes: the core schema, and the
# enterprise extension with it, as identity providers list them.
_PLAIN_SCHEMAS = ([CORE_USER], [CORE_USER, ENTERPRISE_USER])


def _plain_user_body(body: Any) -> dict[str, Any] | None:
    """
    What `validate_user` (with the default extensions) makes of *body*
    when it has the shape identity providers send; None otherwise, for
    the whole check to answer (and name any problem).

    The shape: an object whose keys are all spelled as the RFC spells
    them, without nulls, that lists its schemas as Okta and Entra ID do,
    with a ``userName``, strings where strings belong, a boolean
    ``active``, plain ``emails`` entries, no ``roles`` but an empty
    list, and ``name`` and the enterprise extension objects of strings.
    Checked inline, such a body is copied as the whole check would copy
    it, key for key and in the same order.
    """
    if (
        type(body) is not dict
        or not body.keys() <= SPELLED
        or None in body.values()
    ):
        return None
    schemas = body.get("schemas")
    user_name = body.get("userName")
    emails = body.get("emails", [])
    roles = body.get("roles", [])
    extension = body.get(ENTERPRISE_USER, {})
    if not (
        schemas in _PLAIN_SCHEMAS
        and type(user_name) is str
        and user_name.strip()
        and type(body.get("externalId", "")) is str
        and type(body.get("displayName", "")) is str
        and type(body.get("title", "")) is str
        and type(body.get("active", False)) is bool
        and ("name" not in body or _plain_strings(body["name"]))
        and type(emails) is list
        and all(map(_is_canonical_entry, emails))
        and roles == []
        and _plain_strings(extension)
    ):
        return None
    out = dict(body)
    out["schemas"] = list(schemas)
    for dropped in _USER_DROPPED:
        out.pop(dropped, None)
    if "name" in out:
        out["name"] = dict(out["name"])
    if "emails" in out:
        out["emails"] = list(map(dict, emails))
    if "roles" in out:
        out["roles"] = []
    if ENTERPRISE_USER in out:
        # Gathered last, as `_extension` gathers it, and listed.
        out[ENTERPRISE_USER] = dict(out.pop(ENTERPRISE_USER))
        if ENTERPRISE_USER not in out["schemas"]:
            out["schemas"].append(ENTERPRISE_USER)
    return out


# The attributes `_changed_only` checks as `validate_user` does; a body
# that changes another one it knows (``schemas``, a flattened extension
# attribute) takes the whole check.
_DELTA_CHECKED = frozenset(
    {
        *_STRINGS,
        "userName",
        "name",
        "active",
        "emails",
        "roles",
        ENTERPRISE_USER,
    }
)
_DELTA_ANY = SPELLED - _DELTA_CHECKED - {"schemas"} - set(_USER_DROPPED)
_ABSENT: Any = object()


def _changed_only(
    body: Any, previous: abc.Mapping[str, Any]
) -> dict[str, Any] | None:
    """
    What `validate_user` makes of *body*, the user *previous* (as it
    returned it) patched, checking only the attributes that are not the
    very objects they were; None when *body* changed something this
    does not check, or is refused, for the whole check to answer (and
    name the first problem as it does).
    """
    if (
        type(body) is not dict
        or "userName" not in body
        or body.get("schemas") is not previous.get("schemas")
    ):
        return None
    out = dict(body)
    try:
        for key, value in body.items():
            if previous.get(key, _ABSENT) is value:
                continue
            if value is None:
                return None  # the whole check drops it
            if key in _DELTA_ANY:
                continue  # kept as sent, as the whole check keeps it
            if key in _STRINGS:
                _check_strings(out, (key,), "")
            elif key == "userName":
                _required(value, "userName")
            elif key == "active":
                out["active"] = _boolean(value, "active")
            elif key == "name":
                out["name"] = _name(value)
            elif key == "emails":
                _multi(out, "emails", previous.get("emails"))
            elif key == "roles":
                _roles(out)
            elif key == ENTERPRISE_USER:
                out[key] = _gathered(out, key, [])
                if key not in out["schemas"]:
                    out["schemas"] = [*out["schemas"], key]
            else:
                return None
    except InvalidProvisioningEvent:
        return None
    for dropped in _USER_DROPPED:
        out.pop(dropped, None)
    return out


def validate_group(
    body: Any,
    *,
    extensions: abc.Set[str] = GROUP_EXTENSIONS,
    previous: abc.Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """
    Check the body of a POST or PUT to ``/Groups`` (RFC 7643 section 4.2,
    RFC 7644 sections 3.3 and 3.5.1), and return it in canonical form.

    The canonical form spells ``displayName``, ``members`` and their
    sub-attributes as the RFC does, always has ``members`` (empty when
    the body has none: a PUT replaces them all), and leaves out nulls,
    ``id`` and ``meta``.

    Args:
        body: The parsed JSON body.
        extensions: The extension schema URNs the body may list; by
            default the one Entra ID sends.
        previous: The group as this function returned it before, when
            *body* is that group patched (`apply_patch` shares what it
            did not change): the members *body* still holds as the very
            same objects are not checked again, so that a PATCH of one
            member of a large group costs little (nor are members equal
            to those they stand in place of, when all the members
            before the new ones are so).

    Returns:
        A new dict; *body* is not changed.
        With *previous*, the result shares those members with it (or
        with *body*, for equal ones);
        treat both as immutable.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidSyntax`` as for
            `validate_user`; ``invalidValue`` when ``displayName`` is
            missing or empty, or ``members`` is not an array of objects
            each with a string ``value``.

    .. versionadded:: 0.1.0
    """
    out = _canonical(_body(body, "Group"), _GROUP_NAMES, "")
    _schemas(out, CORE_GROUP, extensions, "Group")
    for dropped in _GROUP_DROPPED:
        out.pop(dropped, None)
    _required(out.get("displayName"), "displayName")
    _string(out.get("externalId"), "externalId")
    out.setdefault("members", [])
    kept = () if previous is None else previous.get("members", ())
    _multi(out, "members", kept)
    return out


# 2. Reading a Group.


def group_members(group: abc.Mapping[str, Any]) -> frozenset[str]:
    """
    The ``value`` of every member of *group*: the ids of its users (and of
    any nested groups, which are not expanded).

    Args:
        group: A Group resource, raw or validated.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidValue`` when ``members``
            is not an array of objects each with a string ``value``;
            ``invalidSyntax`` when *group* is not an object.

    .. versionadded:: 0.1.0
    """
    group = _body(group, "Group")
    members = _array(_get(group, "members", "members"), "members")
    values: set[str] = set()
    for i, raw in enumerate(members):
        where = f"members[{i}]"
        entry = _entry(raw, where)
        values.add(
            _required(_get(entry, "value", f"{where}.value"), f"{where}.value")
        )
    return frozenset(values)


def group_display_name(group: abc.Mapping[str, Any]) -> str:
    """
    The ``displayName`` of *group*, as sent.

    Args:
        group: A Group resource, raw or validated.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidValue`` when it is missing
            or empty (RFC 7643 section 4.2 requires it);
            ``invalidSyntax`` when *group* is not an object.

    .. versionadded:: 0.1.0
    """
    group = _body(group, "Group")
    return _required(_get(group, "displayName", "displayName"), "displayName")
