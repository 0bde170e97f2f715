"""
Evaluating a filter against a resource (RFC 7644 section 3.4.2.2): for
queries, and for the value filters of PATCH paths.

The filters come from `dirsync.scim.parse_filter`; attribute definitions
(case-exactness, types) from the schemas.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeAlias

from ._errors import ScimType, bad_request
from ._path import (
    CORE_URNS,
    ORDERING,
    SUBSTRING,
    And,
    AttrPath,
    Compare,
    CompareOp,
    Filter,
    Not,
    Or,
    Present,
    quote,
    render,
)
from ._schema import (
    GROUP_TYPE,
    SPELLED,
    USER_TYPE,
    Attribute,
    AttributeType,
    ResourceType,
    Schema,
    lookup_attribute,
)

#: Finds the definition of ``(urn, attribute, sub_attribute)``; None when
#: unknown.
#:
#: .. versionadded:: 0.1.0
SchemaLookup: TypeAlias = Callable[
    [str | None, str, str | None], Attribute | None
]


def lookup_in(resource_type: ResourceType) -> SchemaLookup:
    """
    A `SchemaLookup` over the schemas of *resource_type*.

    .. versionadded:: 0.1.0
    """

    def lookup(
        urn: str | None, name: str, sub: str | None
    ) -> Attribute | None:
        return lookup_attribute(
            resource_type.schema, resource_type.extensions, urn, name, sub
        )

    return lookup


_USER_LOOKUP = lookup_in(USER_TYPE)
_GROUP_LOOKUP = lookup_in(GROUP_TYPE)


def _any_lookup(
    urn: str | None, name: str, sub: str | None
) -> Attribute | None:
    return _USER_LOOKUP(urn, name, sub) or _GROUP_LOOKUP(urn, name, sub)


def spelled_alone(obj: Mapping[str, Any], name: str) -> bool:
    """
    Whether no key of *obj* can be *name* in another case, known without
    lowering them: *name* and every key are RFC spellings, and no two of
    those fold alike.  Most objects are spelled so.
    """
    return name in SPELLED and obj.keys() <= SPELLED


def get_key(obj: Mapping[str, Any], name: str) -> str | None:
    """
    The key of *obj* that is *name* in some case (RFC 7643 section 2.1).
    """
    if name in obj:
        return name
    if spelled_alone(obj, name):
        return None
    lowered = name.lower()
    for key in obj:
        if isinstance(key, str) and key.lower() == lowered:
            return key
    return None


def get_value(obj: Mapping[str, Any], name: str) -> Any:
    """
    The value of *obj* under *name* in any case; None if absent.
    """
    if name in obj:  # as most objects spell it: no second call
        return obj[name]
    key = get_key(obj, name)
    return None if key is None else obj[key]


def matches(
    node: Filter,
    resource: Mapping[str, Any],
    schema_lookup: SchemaLookup | Schema | None = None,
    extensions: tuple[Schema, ...] = (),
) -> bool:
    """
    Whether *resource* satisfies the filter (RFC 7644 section 3.4.2.2).

    * Attribute names match in any case.
    * Strings compare case-insensitively unless the attribute is
      ``caseExact``; ``dateTime`` values compare as instants.
    * A multi-valued attribute matches when any of its values does; a
      complex one compared directly compares its ``value``
      sub-attribute.
    * ``pr`` means present and neither null nor empty.
    * ``eq null`` is ``not pr`` and ``ne null`` is ``pr``, as null and
      an unassigned attribute are the same state (RFC 7643 section
      2.5); ``ne`` is otherwise ``not eq``, so it matches a resource
      without the attribute.

    Args:
        node: A filter from `parse_filter`.
        resource: A JSON resource, as a dict or any other mapping.
        schema_lookup: Where to find attribute definitions: a
            `SchemaLookup`, or the resource's core `Schema` (with
            *extensions*); by default the User, enterprise User and
            Group schemas.
        extensions: The extensions of *schema_lookup* when it is a
            `Schema`.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidFilter`` when the filter
            cannot apply to these schemas: ordering on a boolean, binary
            or complex attribute or with ``true``, ``false`` or ``null``,
            or a substring test with a value that is not a string.

    .. versionadded:: 0.1.0
    """
    return matcher(node, schema_lookup, extensions)(resource)


def matcher(
    node: Filter,
    schema_lookup: SchemaLookup | Schema | None = None,
    extensions: tuple[Schema, ...] = (),
) -> Callable[[Mapping[str, Any]], bool]:
    """
    `matches` for many resources: the filter is checked against the
    schemas once, here, and the function returned only evaluates it.

    Raises:
        InvalidProvisioningEvent: As `matches`, before any resource is
            looked at.

    .. versionadded:: 0.1.0
    """
    lookup = _lookup(schema_lookup, extensions)
    # Check first, so that an error does not depend on the data that
    # short-circuiting happened to look at.
    _check(node, lookup, None)
    return lambda resource: _eval(node, resource, lookup, None)


def _lookup(
    given: SchemaLookup | Schema | None, extensions: tuple[Schema, ...]
) -> SchemaLookup:
    if given is None:
        return _any_lookup
    if isinstance(given, Schema):
        return lookup_in(
            ResourceType(
                name=given.name,
                endpoint="",
                description="",
                schema=given,
                extensions=extensions,
            )
        )
    return given


def matching_values(
    node: Filter,
    parent: AttrPath,
    values: list[Any],
    schema_lookup: SchemaLookup | None = None,
) -> list[int]:
    """
    The positions of the values of the multi-valued attribute *parent*
    that a value filter (the part in brackets) selects.

    Args:
        node: The filter in brackets; its paths name sub-attributes.
        parent: The attribute the values belong to.
        values: Its values; any that is not an object never matches.
        schema_lookup: As for `matches`.

    Raises:
        InvalidProvisioningEvent: As for `matches`.

    .. versionadded:: 0.1.0
    """
    lookup = _lookup(schema_lookup, ())
    if isinstance(node, Compare):
        # One comparison, as most value filters are: its attribute is
        # looked up once, to check the filter and to choose the scan.
        attr = _definition(node.attribute, lookup, parent)
        _check_compare(node, attr)
        equal = _string_equality(node, attr)
        if equal is not None:
            return _equal_strings(node, lookup, parent, values, *equal)
    else:
        _check(node, lookup, parent)
    return [
        i
        for i, value in enumerate(values)
        if isinstance(value, dict) and _eval(node, value, lookup, parent)
    ]


#: What `string_positions` joins values with: `loads` refuses it in
#: what clients send, and a value that holds it makes the scan decline.
_NUL = "\x00"


def string_positions(
    values: list[Any], name: str, text: str, *, exact: bool = False
) -> list[int] | None:
    """
    The positions of the *values* that hold *text* under the key *name*
    (spelled as given), compared case-insensitively unless *exact*; None
    when not every value is an object holding a string there, or a
    string holds the NUL character, for the caller to compare one by one.

    The work is done in C: a group's members are such objects, and
    finding one among thousands is a scan per request.
    The strings are joined with NUL between them, folded at once when
    the comparison is case-insensitive (folding goes character by
    character, so the joined text folds to the folded strings joined),
    and *text* between NULs is searched for in that.
    """
    if not values:
        return []
    try:
        joined = _NUL.join(map(operator.itemgetter(name), values))
    except (KeyError, TypeError):
        return None
    if _NUL in text or joined.count(_NUL) != len(values) - 1:
        return None
    haystack, needle = f"{_NUL}{joined}{_NUL}", f"{_NUL}{text}{_NUL}"
    if not exact:
        haystack, needle = haystack.casefold(), needle.casefold()
    out: list[int] = []
    at = haystack.find(needle)
    position = counted = 0
    while at >= 0:
        # Each value is preceded by one NUL more than the one before.
        position += haystack.count(_NUL, counted, at)
        counted = at
        out.append(position)
        # The closing NUL opens the next value.
        at = haystack.find(needle, at + len(needle) - 1)
    return out


def _string_equality(
    node: Compare, attr: Attribute | None
) -> tuple[str, str, bool] | None:
    """
    For a value filter ``sub eq "text"`` on a string sub-attribute (as
    in ``members[value eq "..."]``), whose definition is *attr*: the
    sub-attribute's name, the text, and whether it is case-exact; None
    for any other comparison.
    """
    if not (
        node.op is CompareOp.EQ
        and isinstance(node.value, str)
        and node.attribute.schema is None
        and node.attribute.sub_attribute is None
    ):
        return None
    if attr is not None and attr.type is not AttributeType.STRING:
        return None
    exact = attr is not None and attr.case_exact
    return node.attribute.attribute, node.value, exact


#: Up to this many values, `_equal_strings` compares them one by one.
_FEW = 4


def _equal_strings(
    node: Filter,
    lookup: SchemaLookup,
    parent: AttrPath,
    values: list[Any],
    name: str,
    text: str,
    exact: bool,
) -> list[int]:
    """
    `matching_values` for a `_string_equality` filter: what `_eval`
    decides, without a call per value when the value holds a string, as
    a group's members do; the others go to `_eval`.
    """
    # The scan in C pays from a few values on (a user has one or two
    # emails; a group, thousands of members).
    if len(values) > _FEW:
        found = string_positions(values, name, text, exact=exact)
        if found is not None:
            return found
    want = text if exact else text.casefold()
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, dict):
            continue
        held = value[name] if name in value else get_value(value, name)
        if type(held) is str:
            if (held if exact else held.casefold()) == want:
                out.append(i)
        elif _eval(node, value, lookup, parent):
            out.append(i)
    return out


def _definition(
    path: AttrPath, lookup: SchemaLookup, parent: AttrPath | None
) -> Attribute | None:
    if parent is None:
        return lookup(path.schema, path.attribute, path.sub_attribute)
    if path.sub_attribute is None:
        return lookup(parent.schema, parent.attribute, path.attribute)
    return None


def _bad_filter(node: Filter, why: str) -> NoReturn:
    raise bad_request(
        ScimType.INVALID_FILTER, f"{why} in {quote(render(node))}"
    )


def _check(
    node: Filter, lookup: SchemaLookup, parent: AttrPath | None
) -> None:
    match node:
        case Compare(path):
            _check_compare(node, _definition(path, lookup, parent))
        case Present():
            pass
        case And(items) | Or(items):
            for item in items:
                _check(item, lookup, parent)
        case Not(inner):
            _check(inner, lookup, parent)
        case _:
            _check(node.filter, lookup, node.attribute)


def _check_compare(node: Compare, attr: Attribute | None) -> None:
    op, value = node.op, node.value
    if op in SUBSTRING and not isinstance(value, str):
        _bad_filter(node, f"'{op.value}' needs a string")
    if op not in ORDERING:
        return
    # Section 3.4.2.2: gt, ge, lt and le on boolean or binary attributes
    # SHALL fail with invalidFilter; nothing orders null or booleans.
    if value is None or isinstance(value, bool):
        _bad_filter(
            node, f"'{op.value}' cannot compare with {json.dumps(value)}"
        )
    # A complex multi-valued attribute compared directly stands for its
    # "value" sub-attribute.
    if attr is not None and attr.multi_valued:
        attr = attr.sub_attribute("value") or attr
    if attr is None:
        return
    kind = attr.type
    if kind is AttributeType.COMPLEX:
        _bad_filter(node, f"'{op.value}' cannot compare a complex attribute")
    if kind in (AttributeType.BOOLEAN, AttributeType.BINARY):
        _bad_filter(
            node, f"'{op.value}' cannot compare a {kind.value} attribute"
        )


def _values(
    obj: Mapping[str, Any], path: AttrPath, parent: AttrPath | None
) -> list[Any]:
    # 1. Find the object the attribute lives in: an extension's object
    #    when the URN names one the resource has (RFC 7643 section 3.3).
    container: Any = obj
    if parent is None and path.schema is not None:
        key = get_key(obj, path.schema)
        if key is not None:
            container = obj[key]
        elif path.schema.lower() not in CORE_URNS:
            return []
    # A resource may be any mapping (the endpoint filters the bodies it
    # serves without copying them); what is inside is parsed JSON.
    if not isinstance(container, dict | Mapping):
        return []

    # 2. Its values, flattened; null is no value (RFC 7643 section 2.5).
    found = get_value(container, path.attribute)
    items = found if isinstance(found, list) else [found]
    if path.sub_attribute is not None:
        subs = [
            get_value(i, path.sub_attribute)
            for i in items
            if isinstance(i, dict)
        ]
        items = [x for s in subs for x in (s if isinstance(s, list) else [s])]
    return [i for i in items if i is not None]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _instant(text: str) -> datetime | None:
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    # A time without a zone is taken as UTC so that all compare.
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _keys(
    left: Any, right: Any, attr: Attribute | None
) -> tuple[Any, Any] | None:
    # What to compare a resource value and a filter value as; None when
    # they are not comparable, which is not a match.
    if isinstance(left, str) and isinstance(right, str):
        if attr is not None and attr.type is AttributeType.DATE_TIME:
            a, b = _instant(left), _instant(right)
            if a is not None and b is not None:
                return a, b
        if attr is not None and attr.case_exact:
            return left, right
        return left.casefold(), right.casefold()
    if _is_number(left) and _is_number(right):
        return left, right
    if isinstance(left, bool) and isinstance(right, bool):
        return left, right
    return None


def _compare_one(
    op: CompareOp, left: Any, right: Any, attr: Attribute | None
) -> bool:
    keys = _keys(left, right, attr)
    if keys is None:
        return False
    a, b = keys
    if op is CompareOp.EQ:
        return bool(a == b)
    if op in SUBSTRING:
        # Checked: both are strings here.
        if op is CompareOp.CO:
            return str(b) in str(a)
        if op is CompareOp.SW:
            return str(a).startswith(str(b))
        return str(a).endswith(str(b))
    # Checked: no booleans get this far.
    if op is CompareOp.GT:
        return bool(a > b)
    if op is CompareOp.GE:
        return bool(a >= b)
    if op is CompareOp.LT:
        return bool(a < b)
    return bool(a <= b)


def _present(items: list[Any]) -> bool:
    return any(i not in ("", [], {}) for i in items)


def _eval(
    node: Filter,
    obj: Mapping[str, Any],
    lookup: SchemaLookup,
    parent: AttrPath | None,
) -> bool:
    match node:
        case Compare(path, op, value):
            items = _values(obj, path, parent)
            if value is None:
                # Checked: only eq and ne reach here with null.
                return _present(items) is (op is CompareOp.NE)
            attr = _definition(path, lookup, parent)
            # A complex value compared directly stands for its "value"
            # sub-attribute (section 3.4.2.2).
            plain = [
                get_value(i, "value") if isinstance(i, dict) else i
                for i in items
            ]
            if op is CompareOp.NE:
                return not any(
                    _compare_one(CompareOp.EQ, i, value, attr) for i in plain
                )
            return any(_compare_one(op, i, value, attr) for i in plain)
        case Present(path):
            return _present(_values(obj, path, parent))
        case And(items):
            return all(_eval(i, obj, lookup, parent) for i in items)
        case Or(items):
            return any(_eval(i, obj, lookup, parent) for i in items)
        case Not(inner):
            return not _eval(inner, obj, lookup, parent)
        case _:
            path = node.attribute
            return any(
                _eval(node.filter, element, lookup, path)
                for element in _values(
                    obj, AttrPath(path.schema, path.attribute), parent
                )
                if isinstance(element, dict)
            )
