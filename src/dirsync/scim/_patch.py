"""
The PATCH engine: apply an RFC 7644 section 3.5.2 PatchOp to a resource.

Theory of operation
-------------------
`apply_patch` validates the message and applies the operations in
order to a new resource; the first operation that fails raises and the
new resource is dropped, so the caller's resource is never changed
(section 3.5.2: "all operations ... MUST be applied atomically").

The new resource is copied on write: it starts as a shallow copy, and
each object or array is copied just before the engine first changes it,
so that the parts no operation touches are shared with the caller's
resource.
A group of ten thousand members is not copied to add one.
Every function below that changes an object has been given one of its
own: the resource, or a copy made by `_owned`, `_own_element` or in
place of the value it replaces.

Each operation comes down to a *target*: a container (the resource or an
extension's object), an attribute definition, and perhaps a value filter
and a sub-attribute.
`add` and `replace` write the target, `remove` clears it; both first
check mutability and turn the client's value into the attribute's type.

Dialects
--------
What Okta and Microsoft Entra ID really send, beyond the letter of the
RFC, is accepted on purpose:

* ``op`` in any case (Entra: ``"Replace"``).
* ``"True"`` and ``"False"`` in any case for booleans (Entra, before its
  ``aadOptscim062020`` flag; see "Known issues and resolutions with SCIM
  2.0 protocol compliance" on learn.microsoft.com).
* A value without a path whose keys are paths themselves
  (``"name.givenName"``, ``"urn:...:enterprise:2.0:User:department"``) or
  an extension URN holding an object (Entra).
* ``remove`` of ``members`` with a ``value`` listing members removes only
  those (Entra's group membership removal).
* The read-only ``id`` repeated with its own value (Okta's group rename,
  "SCIM 2.0 reference" on developer.okta.com) is ignored.
* A path filter that matches nothing in ``add`` or ``replace`` creates the
  value when the filter only says ``sub eq value`` (Entra's
  ``emails[type eq "work"].value``); see `_template`.
* A string given for a complex attribute with a ``value`` sub-attribute
  stands for ``{"value": string}`` (Entra sends the enterprise
  ``manager`` as its id).
* ``null`` sub-attributes inside a value are dropped (Entra sends
  ``"$ref": null`` with members), and so are read-only ones, as section
  3.5.1 asks of PUT, and unknown ones (clients send ``displayName`` for
  a member's ``display``). An unknown *attribute* is still
  ``invalidPath``: that is a path that does not resolve, while an extra
  key inside a value is noise around a value we understand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

import attrs

from ._errors import InvalidProvisioningEvent, ScimType, bad_request
from ._match import (
    get_key,
    get_value,
    matching_values,
    spelled_alone,
    string_positions,
)
from ._path import (
    And,
    AttrPath,
    Compare,
    CompareOp,
    Filter,
    Path,
    parse_path,
    render,
)
from ._schema import (
    PATCH_OP_URN,
    Attribute,
    AttributeType,
    Mutability,
    Schema,
    find_extension,
    lookup_attribute,
)

_READ_ONLY: Final = Mutability.READ_ONLY
_OPS: Final = frozenset({"add", "replace", "remove"})
_OP_KEYS: Final = frozenset({"op", "path", "value"})
# Tells "no value member" from "value": null.
_MISSING: Final[Any] = object()


def copy_json(value: Any) -> Any:
    """
    A deep copy of a JSON value; much faster than `copy.deepcopy`, which
    keeps a memo for cycles JSON cannot have.
    """
    # Scalars are returned where they are met rather than in a call of
    # their own: most values are scalars, and a call costs more than the
    # test.
    if isinstance(value, list):
        return [
            copy_json(v) if isinstance(v, dict | list) else v for v in value
        ]
    return (
        {
            k: copy_json(v) if isinstance(v, dict | list) else v
            for k, v in value.items()
        }
        if isinstance(value, dict)
        else value
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


def _invalid_value(detail: str) -> InvalidProvisioningEvent:
    return bad_request(ScimType.INVALID_VALUE, detail)


def _mutability(detail: str) -> InvalidProvisioningEvent:
    return bad_request(ScimType.MUTABILITY, detail)


class _Op(NamedTuple):
    kind: str
    path: str | None
    value: Any


class _Target(NamedTuple):
    # What a path resolves to, in one resource.  (A named tuple, as the
    # other records made per request here: cheaper to make than attrs.)
    urn: str | None  # an extension's URN; None for the core schema
    attr: Attribute
    filter: Filter | None
    sub: Attribute | None
    path: Path

    @property
    def name(self) -> AttrPath:
        return AttrPath(self.urn, self.attr.name)

    @property
    def text(self) -> str:
        # The path, for messages: written out only when one is made.
        return render(self.path)


class _Where:
    """
    Where a value is, for a message: a target's path, or a sub-attribute
    of another place; written out only when a message is made.
    """

    __slots__ = ("_at", "_sub")

    def __init__(self, at: _Target | _Where, sub: str | None = None) -> None:
        self._at = at
        self._sub = sub

    def __str__(self) -> str:
        at = self._at
        text = repr(at.text) if isinstance(at, _Target) else str(at)
        return text if self._sub is None else f"{text}.{self._sub}"


# 1. The message.


def _operations(body: Any, max_operations: int) -> list[_Op]:
    # 1. The envelope (section 3.5.2): the PatchOp schema and a list.
    if not isinstance(body, dict):
        raise bad_request(
            ScimType.INVALID_SYNTAX, "a PATCH body must be a JSON object"
        )
    schemas = get_value(body, "schemas")
    if schemas != [PATCH_OP_URN] and (
        not isinstance(schemas, list)
        or PATCH_OP_URN.lower()
        not in {s.lower() for s in schemas if isinstance(s, str)}
    ):
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            f"a PATCH body must have 'schemas': [{PATCH_OP_URN!r}]",
        )
    raw = get_value(body, "Operations")
    if not isinstance(raw, list) or not raw:
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            "a PATCH body must have 'Operations', a non-empty list",
        )

    # 2. Too many operations. Section 3.12 keeps "tooMany" for queries
    #    that would return too many results; a body that asks for too
    #    much work is like a bulk request over maxOperations, which
    #    section 3.7.4 answers with 413 and no scimType.
    if len(raw) > max_operations:
        raise InvalidProvisioningEvent(
            413,
            f"a PATCH body may hold at most {max_operations} operations, "
            f"not {len(raw)}",
        )

    # 3. Each operation.
    return [_operation(i, item) for i, item in enumerate(raw)]


def _operation(index: int, item: Any) -> _Op:
    if type(item) is dict:
        # The common form: every key spelled as the RFC does, the op in
        # lower case or (as Entra ID sends it) capitalised.
        kind = item.get("op")
        path = item.get("path")
        if (
            type(kind) is str
            and ((kind := kind.lower()) in _OPS)
            and (path is None or type(path) is str)
            and item.keys() <= _OP_KEYS
            and ("value" in item or kind == "remove")
        ):
            return _Op(kind, path, item.get("value", _MISSING))
    return _read_operation(index, item)


def _read_operation(index: int, item: Any) -> _Op:
    # `_operation` for any item: names in any case, and the errors.
    where = f"operation {index + 1}"
    if not isinstance(item, dict):
        raise bad_request(
            ScimType.INVALID_SYNTAX, f"{where} must be a JSON object"
        )
    kind = get_value(item, "op")
    if not isinstance(kind, str) or kind.lower() not in _OPS:
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            f"{where}: 'op' must be add, replace or remove, not {_show(kind)}",
        )
    path = get_value(item, "path")
    if path is not None and not isinstance(path, str):
        raise bad_request(
            ScimType.INVALID_PATH, f"{where}: 'path' must be a string"
        )
    key = get_key(item, "value")
    value = _MISSING if key is None else item[key]
    if value is _MISSING and kind.lower() != "remove":
        raise _invalid_value(f"{where}: {kind.lower()} needs a 'value'")
    return _Op(kind.lower(), path, value)


# 2. Values: from what the client sent to the attribute's type.


def _scalar(attr: Attribute, value: Any, where: str | _Where) -> Any:
    kind = attr.type
    if kind is AttributeType.BOOLEAN:
        if isinstance(value, bool):
            return value
        # Entra sends "True" and "False" (see the module docstring).
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _invalid_value(
            f"{where} must be true or false, not {_show(value)}"
        )
    if kind is AttributeType.INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _invalid_value(f"{where} must be an integer, not {_show(value)}")
    if kind is AttributeType.DECIMAL:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise _invalid_value(f"{where} must be a number, not {_show(value)}")
    if isinstance(value, str):
        return value
    raise _invalid_value(f"{where} must be a string, not {_show(value)}")


def _single(attr: Attribute, value: Any, where: _Where) -> Any:
    if attr.type is not AttributeType.COMPLEX:
        return _scalar(attr, value, where)
    if isinstance(value, str) and attr.sub_attribute("value") is not None:
        value = {"value": value}
    if not isinstance(value, dict):
        raise _invalid_value(f"{where} must be an object, not {_show(value)}")
    out: dict[str, Any] = {}
    for key, item in value.items():
        sub = attr.sub_attribute(key)
        # Unknown, null and read-only sub-attributes are dropped (see the
        # module docstring).
        if sub is None or item is None or sub.mutability is _READ_ONLY:
            continue
        out[sub.name] = _scalar(sub, item, _Where(where, sub.name))
    return out


def _coerce(attr: Attribute, value: Any, where: _Where) -> Any:
    """
    *value*, not null, as a value of *attr*: a list for a multi-valued
    attribute, without nulls.
    """
    if not attr.multi_valued:
        if isinstance(value, list):
            raise _invalid_value(f"{where} takes one value, not a list")
        return _single(attr, value, where)
    items = value if isinstance(value, list) else [value]
    out = [_single(attr, v, where) for v in items if v is not None]
    # RFC 7643 section 2.4: "primary" true appears at most once.
    if sum(1 for v in out if _is_primary(v)) > 1:
        raise _invalid_value(f"{where} has more than one primary value")
    return out


def _is_primary(value: Any) -> bool:
    return isinstance(value, dict) and get_value(value, "primary") is True


def _same(left: Any, right: Any) -> bool:
    # Whether two values of a multi-valued attribute are the same value,
    # so that "add" merges rather than duplicates (section 3.5.2.1).
    if not (isinstance(left, dict) and isinstance(right, dict)):
        return bool(left == right)
    a, b = get_value(left, "value"), get_value(right, "value")
    if a is None or b is None:
        return bool(left == right)
    if _fold(a) != _fold(b):
        # Most pairs differ in value: answer before reading the types.
        return False
    ta, tb = get_value(left, "type"), get_value(right, "type")
    same_type = ta is None or tb is None or _fold(ta) == _fold(tb)
    return _fold(a) == _fold(b) and same_type


def _same_as(values: list[Any], item: Any) -> list[int]:
    """
    The positions of the *values* `_same` as *item*, in order.

    When *item* has a string ``value`` (a member, an email), only values
    whose ``value`` folds to the same string can be the same, and those
    are found without a call per value: adding one member to a group of
    thousands compares one folded string with each.
    """
    want = get_value(item, "value") if isinstance(item, dict) else None
    if not isinstance(want, str):
        return [i for i, v in enumerate(values) if _same(v, item)]
    candidates = string_positions(values, "value", want)
    if candidates is not None:
        return [i for i in candidates if _same(values[i], item)]
    folded = want.casefold()
    return [
        i
        for i, v in enumerate(values)
        if isinstance(v, dict)
        and isinstance(
            found := v["value"] if "value" in v else get_value(v, "value"),
            str,
        )
        and found.casefold() == folded
        and _same(v, item)
    ]


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _own_element(values: list[Any], i: int) -> dict[str, Any]:
    # Values of a multi-valued attribute are objects of scalars (RFC 7643
    # section 2.4), so a shallow copy is the element's own.
    element: dict[str, Any] = dict(values[i])
    values[i] = element
    return element


def _put(obj: dict[str, Any], name: str, value: Any) -> None:
    # Set under the canonical name, dropping the client's other casings;
    # a key already spelled right keeps its place.
    if spelled_alone(obj, name):
        obj[name] = value
        return
    lowered = name.lower()
    for key in [k for k in obj if k != name and k.lower() == lowered]:
        del obj[key]
    obj[name] = value


def _drop(obj: dict[str, Any], name: str) -> None:
    while (key := get_key(obj, name)) is not None:
        del obj[key]


def _merge(element: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        _put(element, key, value)


# 3. Paths: from text to a target.


class _Engine(NamedTuple):
    schema: Schema
    extensions: tuple[Schema, ...]
    parse: Callable[[str], Path]

    def lookup(
        self, urn: str | None, name: str, sub: str | None
    ) -> Attribute | None:
        return lookup_attribute(self.schema, self.extensions, urn, name, sub)

    def target(self, path: Path) -> _Target:

        # 1. The schema: the core one, or an extension we know.
        urn = None
        if path.schema is not None and (
            path.schema.lower() != self.schema.id.lower()
        ):
            ext = find_extension(self.extensions, path.schema)
            if ext is None:
                raise bad_request(
                    ScimType.INVALID_PATH,
                    f"unknown schema {path.schema!r} in path {render(path)!r}",
                )
            urn = ext.id

        # 2. The attribute and the sub-attribute.
        attr = self.lookup(urn, path.attribute, None)
        if attr is None:
            raise bad_request(
                ScimType.INVALID_PATH,
                f"unknown attribute {path.attribute!r} in path "
                f"{render(path)!r}",
            )
        sub = None
        if path.sub_attribute is not None:
            sub = attr.sub_attribute(path.sub_attribute)
            if sub is None:
                raise bad_request(
                    ScimType.INVALID_PATH,
                    f"{attr.name!r} has no sub-attribute "
                    f"{path.sub_attribute!r} in path {render(path)!r}",
                )
        if path.filter is not None and not attr.multi_valued:
            raise bad_request(
                ScimType.INVALID_PATH,
                f"{attr.name!r} is single-valued and takes no filter, in "
                f"path {render(path)!r}",
            )
        return _Target(urn, attr, path.filter, sub, path)

    def paths_of(self, value: Any) -> list[tuple[Path, Any]]:
        # The targets of an add or replace without a path (section
        # 3.5.2.1: the value holds the attributes to add).
        if not isinstance(value, dict):
            raise _invalid_value(
                "an operation without a path needs an object as its value"
            )
        out: list[tuple[Path, Any]] = []
        for key, item in value.items():
            # The resource's "schemas" follows its attributes; we keep it.
            if key.lower() == "schemas":
                continue
            ext = find_extension(self.extensions, key)
            if ext is None:
                out.append((self.parse(key), item))
                continue
            if not isinstance(item, dict):
                raise _invalid_value(f"{ext.id!r} must hold an object")
            for name, inner in item.items():
                # An extension object may carry its own "schemas" as
                # serialisers write it; it is not an attribute.
                if name.lower() == "schemas":
                    continue
                path = self.parse(name)
                if path.schema is not None:
                    raise bad_request(
                        ScimType.INVALID_PATH,
                        f"{name!r} inside {ext.id!r} names a schema",
                    )
                out.append((attrs.evolve(path, schema=ext.id), inner))
        return out


def _container(
    resource: dict[str, Any], urn: str | None
) -> dict[str, Any] | None:
    # The object the attributes of schema *urn* live in, if it exists.
    if urn is None:
        return resource
    found = get_value(resource, urn)
    return found if isinstance(found, dict) else None


def _owned(resource: dict[str, Any], urn: str | None) -> dict[str, Any] | None:
    # As _container, as a copy of its own that *resource* now holds.
    if urn is None:
        return resource
    key = get_key(resource, urn)
    if key is None or not isinstance(resource[key], dict):
        return None
    found: dict[str, Any] = dict(resource[key])
    resource[key] = found
    return found


def _open(resource: dict[str, Any], urn: str) -> dict[str, Any]:
    # As _owned for an extension, creating its object when it is missing.
    found = _owned(resource, urn)
    if found is not None:
        return found
    # A new extension object: list its schema too (RFC 7643 section 3).
    made: dict[str, Any] = {}
    _put(resource, urn, made)
    key = get_key(resource, "schemas")
    schemas = None if key is None else resource[key]
    if (
        key is not None
        and isinstance(schemas, list)
        and urn.lower()
        not in {s.lower() for s in schemas if isinstance(s, str)}
    ):
        resource[key] = [*schemas, urn]
    return made


def _tidy(resource: dict[str, Any], urn: str | None) -> None:
    # An extension left without attributes goes, with its schema URN.
    if urn is None or _container(resource, urn) != {}:
        return
    _drop(resource, urn)
    key = get_key(resource, "schemas")
    if key is not None and isinstance(resource[key], list):
        resource[key] = [
            s
            for s in resource[key]
            if not (isinstance(s, str) and s.lower() == urn.lower())
        ]


# 4. The operations.


def _unchanged_read_only(
    container: dict[str, Any] | None, t: _Target, value: Any
) -> bool:
    # Section 3.5.2: a client may not change a read-only attribute. Okta
    # repeats "id" with its own value; that changes nothing, so passes.
    # *t* is read-only, or has a read-only sub-attribute (see `_write`).
    current = None if container is None else get_value(container, t.attr.name)
    if t.sub is not None and isinstance(current, dict):
        current = get_value(current, t.sub.name)
    if t.filter is None and value == current:
        return True
    raise _mutability(f"{t.text!r} is read-only")


def _check_immutable(
    sub: Attribute | None, element: dict[str, Any], new: Any, t: _Target
) -> None:
    if sub is None or sub.mutability is not Mutability.IMMUTABLE:
        return
    old = get_value(element, sub.name)
    if old is not None and old != new:
        raise _mutability(f"{sub.name!r} of {t.text!r} is immutable")


def _settle_primary(values: list[Any], written: list[int], t: _Target) -> None:
    # RFC 7643 section 2.4: one primary at most. A value this operation
    # made primary wins; the others stop being primary.
    winners = [i for i in written if _is_primary(values[i])]
    if len(winners) > 1:
        raise _invalid_value(f"{t.text!r} would have two primary values")
    if not winners:
        return
    for i, element in enumerate(values):
        if i != winners[0] and _is_primary(element):
            _put(_own_element(values, i), "primary", False)


def _template(t: _Target, node: Filter) -> dict[str, Any] | None:
    """
    The value to create when a path filter in ``add`` or ``replace``
    matches nothing.

    Section 3.5.2.3 says such a replace fails with ``noTarget``
    ("If the target location is a multi-valued attribute for which a
    value selection filter ("valuePath") has been supplied and no record
    match was made, the service provider SHALL indicate failure").
    Entra sends ``replace emails[type eq "work"].value`` to a user who has
    no work email, and means "set it"; so when the filter only states
    ``sub eq value`` conditions joined by ``and``, we create the value
    those conditions describe, and fail as the RFC says otherwise.
    """
    parts = node.filters if isinstance(node, And) else (node,)
    out: dict[str, Any] = {}
    for part in parts:
        if not (
            isinstance(part, Compare)
            and part.op is CompareOp.EQ
            and part.value is not None
            and part.attribute.sub_attribute is None
        ):
            return None
        sub = t.attr.sub_attribute(part.attribute.attribute)
        if sub is None:
            return None
        out[sub.name] = _scalar(sub, part.value, f"{t.text!r}: {sub.name}")
    return out


def _write(
    resource: dict[str, Any],
    engine: _Engine,
    kind: str,
    path: Path,
    value: Any,
) -> None:
    t = engine.target(path)
    attr, sub = t.attr, t.sub

    # 1. Mutability, then null: replacing with null clears the target,
    #    adding null adds nothing (RFC 7643 section 2.5).  (The calls
    #    here and below are made only where they can do something: a
    #    PATCH writes a core attribute one to five times.)
    if (
        attr.mutability is Mutability.READ_ONLY
        or (sub is not None and sub.mutability is Mutability.READ_ONLY)
    ) and _unchanged_read_only(_container(resource, t.urn), t, value):
        return
    if value is None:
        if kind == "replace":
            _remove(resource, engine, path, _MISSING)
        return

    # 2. The value, in the type of what it goes to.
    if sub is not None:
        new = _coerce(sub, value, _Where(t))
    elif t.filter is not None:
        new = _single(attr, value, _Where(t))
    else:
        new = _coerce(attr, value, _Where(t))

    # 3. Write.
    container = resource if t.urn is None else _open(resource, t.urn)
    if not attr.multi_valued:
        _write_single(container, t, new)
    else:
        _write_multi(container, engine, t, kind, new)
    if t.urn is not None:
        _tidy(resource, t.urn)


def _write_single(container: dict[str, Any], t: _Target, new: Any) -> None:
    current = get_value(container, t.attr.name)
    if t.sub is not None:
        parent = dict(current) if isinstance(current, dict) else {}
        _put(parent, t.sub.name, new)
        _put(container, t.attr.name, parent)
    elif isinstance(new, dict):
        # Sections 3.5.2.1 and 3.5.2.3: the sub-attributes given replace
        # theirs; the others are left unchanged.
        parent = dict(current) if isinstance(current, dict) else {}
        _merge(parent, new)
        _put(container, t.attr.name, parent)
    else:
        _put(container, t.attr.name, new)


def _write_multi(
    container: dict[str, Any],
    engine: _Engine,
    t: _Target,
    kind: str,
    new: Any,
) -> None:
    current = get_value(container, t.attr.name)
    values = list(current) if isinstance(current, list) else []
    written: list[int] = []

    if t.filter is None and t.sub is None:
        # The whole attribute: replace the list, or add to it without
        # duplicating (section 3.5.2.1).
        if kind == "replace":
            values = new
            written = list(range(len(values)))
        else:
            for item in new:
                same = _same_as(values, item)
                if same and isinstance(item, dict):
                    _merge(_own_element(values, same[0]), item)
                elif not same:
                    values.append(item)
                written.extend(same[:1] or [len(values) - 1])
    else:
        # Some values: those the filter selects, or all of them.
        if t.filter is None:
            chosen = [i for i, v in enumerate(values) if isinstance(v, dict)]
        else:
            chosen = matching_values(t.filter, t.name, values, engine.lookup)
        if not chosen:
            made = {} if t.filter is None else _template(t, t.filter)
            if made is None:
                raise bad_request(
                    ScimType.NO_TARGET, f"no value matches {t.text!r}"
                )
            values.append(made)
            chosen = [len(values) - 1]
        for i in chosen:
            _update(_own_element(values, i), t, new)
        written = chosen

    _settle_primary(values, written, t)
    if values:
        _put(container, t.attr.name, values)
    else:
        _drop(container, t.attr.name)


def _update(element: dict[str, Any], t: _Target, new: Any) -> None:
    # One selected value of a multi-valued attribute, written; the
    # element is the caller's own.
    if t.sub is not None:
        _check_immutable(t.sub, element, new, t)
        _put(element, t.sub.name, new)
        return
    # Section 3.5.2.3 says the selected values "SHALL be replaced", and
    # of a complex value that "sub-attributes that are not specified in
    # the value parameter are left unchanged"; so both add and replace
    # merge the sub-attributes given, which keeps replace idempotent.
    for key, item in new.items():
        _check_immutable(t.attr.sub_attribute(key), element, item, t)
    _merge(element, new)


def _remove(
    resource: dict[str, Any], engine: _Engine, path: Path, value: Any
) -> None:
    t = engine.target(path)
    attr, sub = t.attr, t.sub

    # 1. What may not be removed: read-only attributes, and required ones
    #    (section 3.5.2.2: the server answers "mutability").
    if attr.mutability is Mutability.READ_ONLY or (
        sub is not None and sub.mutability is Mutability.READ_ONLY
    ):
        raise _mutability(f"{t.text!r} is read-only")
    if attr.required and t.filter is None and sub is None:
        raise _mutability(f"{t.text!r} is required")
    found = _container(resource, t.urn)
    if found is None or get_value(found, attr.name) is None:
        return
    container = _owned(resource, t.urn)
    assert container is not None  # found above
    current = get_value(container, attr.name)

    # 2. A single-valued attribute or one of its sub-attributes.
    if not attr.multi_valued:
        if sub is None:
            _drop(container, attr.name)
        elif isinstance(current, dict):
            current = dict(current)
            _drop(current, sub.name)
            if current:
                _put(container, attr.name, current)
            else:
                _drop(container, attr.name)
        _tidy(resource, t.urn)
        return

    # 3. Values of a multi-valued attribute.
    values = list(current) if isinstance(current, list) else [current]
    if t.filter is not None:
        chosen = matching_values(t.filter, t.name, values, engine.lookup)
    elif sub is None and value is not _MISSING and value is not None:
        # Entra removes members with the members to remove as the value.
        listed = _coerce(attr, value, _Where(t))
        chosen = sorted({i for g in listed for i in _same_as(values, g)})
    else:
        chosen = list(range(len(values)))
    # Removing what is not there changes nothing: Entra removes members
    # that are already gone, and failing would only make it retry.
    gone: list[int] = []
    for i in chosen:  # in ascending order, each once
        element = values[i]
        if sub is None or not isinstance(element, dict):
            gone.append(i)
            continue
        _check_immutable(sub, element, None, t)
        element = _own_element(values, i)
        _drop(element, sub.name)
        if not element:
            gone.append(i)
    # From the end, so that the positions before stay where they are: a
    # member or two leave a group of thousands.
    for i in reversed(gone):
        del values[i]
    if values:
        _put(container, attr.name, values)
    else:
        _drop(container, attr.name)
    _tidy(resource, t.urn)


def _apply(resource: dict[str, Any], engine: _Engine, op: _Op) -> None:
    whole = (
        None if op.path is None else find_extension(engine.extensions, op.path)
    )
    if whole is not None:
        # RFC 7644 section 3.10: a path may be a schema URN alone, which
        # names the whole extension.
        if op.kind != "add":
            key = get_key(resource, whole.id)
            if key is not None and isinstance(resource[key], dict):
                resource[key] = {}
                _tidy(resource, whole.id)
        if op.kind != "remove":
            for path, value in engine.paths_of({whole.id: op.value}):
                _write(resource, engine, op.kind, path, value)
        return
    if op.kind == "remove":
        # Section 3.5.2.2: remove without a path fails with noTarget.
        if op.path is None:
            raise bad_request(ScimType.NO_TARGET, "remove needs a 'path'")
        _remove(resource, engine, engine.parse(op.path), op.value)
        return
    if op.path is not None:
        _write(resource, engine, op.kind, engine.parse(op.path), op.value)
        return
    for path, value in engine.paths_of(op.value):
        _write(resource, engine, op.kind, path, value)


def apply_patch(
    resource: Mapping[str, Any],
    body: Any,
    schema: Schema,
    extensions: tuple[Schema, ...],
    *,
    max_operations: int,
    parse: Callable[[str], Path] = parse_path,
) -> dict[str, Any]:
    """
    Apply a PATCH request's body to a resource (RFC 7644 section 3.5.2).

    Args:
        resource: The resource as it is; it is not changed.
        body: The parsed JSON body of the request.
        schema: The resource's core schema, such as `USER_SCHEMA`.
        extensions: The schema extensions it may carry.
        max_operations: How many operations one body may hold.
        parse: How a path is parsed: `parse_path`, or a function with the
            same answers (the endpoint passes a cache of its own, since
            identity providers send the same few paths again and again).

    Returns:
        The changed resource: a new dict.
        It shares with *resource* the objects and arrays no operation
        changed, and nothing with *body*; treat both as immutable.

    Raises:
        InvalidProvisioningEvent: The body is not a valid PatchOp, or an
            operation cannot be applied; the detail names the operation.
            400 with ``invalidSyntax``, ``invalidPath``, ``invalidValue``,
            ``invalidFilter``, ``noTarget`` or ``mutability``; 413 when
            there are more than *max_operations* operations. Nothing has
            changed.

    .. versionadded:: 0.1.0
    """
    ops = _operations(body, max_operations)
    engine = _Engine(schema, extensions, parse)
    out = dict(resource)
    for index, op in enumerate(ops):
        try:
            _apply(out, engine, op)
        except InvalidProvisioningEvent as e:
            detail = f"operation {index + 1} ({op.kind}): {e.detail}"
            raise attrs.evolve(e, detail=detail) from None
    return out
