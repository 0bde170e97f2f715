"""
Attribute paths and filters (RFC 7644 sections 3.4.2.2 and 3.10): a
parser, a printer and an evaluator.

Theory of operation
-------------------
`parse_filter` and `parse_path` are one hand-written recursive-descent
parser over the text; there is no separate lexer, because what a token
is depends on where we are (``urn:...:2.0:User:userName`` holds dots and
colons that would end a name anywhere else).
The grammar is the ABNF of section 3.10, with ``and`` binding tighter
than ``or`` as section 3.4.2.2 says::

    filter   = orExp
    orExp    = andExp *(SP "or" SP andExp)
    andExp   = unary *(SP "and" SP unary)
    unary    = "not" "(" filter ")" / "(" filter ")" / attrExp
    attrExp  = attrPath SP "pr" / attrPath SP compareOp SP compValue
             / attrPath "[" valFilter "]" [subAttr [SP "pr"
             / SP compareOp SP compValue]]
    path     = attrPath / attrPath "[" valFilter "]" [subAttr]

``and`` and ``or`` chains become one n-ary node, so a filter of ten
thousand terms is a flat tuple, not a tree ten thousand deep; only
parentheses and brackets nest, and `parse_filter` refuses more than
*max_depth* of them instead of running out of stack.

Why not a library
-----------------
``scim2-filter-parser`` (PyPI) is the obvious candidate.
It is built to turn a filter into a SQL ``WHERE`` clause: a lexer and
parser made with ``sly``, then a transpiler that needs an attribute map
to columns.
We evaluate filters against JSON resources in memory and parse PATCH
paths, which it does not do; we would use its AST and walk it ourselves,
depend on ``sly`` too, and translate its exceptions (which carry no
``scimType``) into ours.
The language is small enough that a parser of our own, whose errors say
where the text broke and what we expected there, costs less than that
glue.

Deliberate tolerances
---------------------
* Keywords and the literals ``true``, ``false`` and ``null`` are accepted
  in any case, as ABNF string literals are case-insensitive (RFC 5234
  section 2.3).
* Spaces around operators are optional where the text is unambiguous.
* ``emails[type eq "work"].value eq "x"``, which the filter ABNF does not
  allow but clients write, means
  ``emails[type eq "work" and value eq "x"]``.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeAlias

import attrs

from ._errors import InvalidProvisioningEvent, ScimType, bad_request
from ._schema import (
    GROUP_TYPE,
    GROUP_URN,
    KNOWN_URNS,
    USER_TYPE,
    USER_URN,
    Attribute,
    AttributeType,
    ResourceType,
    Schema,
    lookup_attribute,
)

#: How many levels of parentheses and brackets a filter may nest by
#: default.
DEFAULT_MAX_DEPTH = 32
# Each level costs three Python frames; this keeps far from the limit.
_DEPTH_CEILING = 200


class CompareOp(enum.Enum):
    """
    The comparison operators of RFC 7644 section 3.4.2.2, table 3.

    .. versionadded:: 0.1.0
    """

    EQ = "eq"
    NE = "ne"
    CO = "co"
    SW = "sw"
    EW = "ew"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


_OPS = {op.value: op for op in CompareOp}
_ORDERING = frozenset({CompareOp.GT, CompareOp.GE, CompareOp.LT, CompareOp.LE})
_SUBSTRING = frozenset({CompareOp.CO, CompareOp.SW, CompareOp.EW})

#: A value in a comparison: a JSON scalar.
CompValue: TypeAlias = str | int | float | bool | None


@attrs.frozen
class AttrPath:
    """
    An attribute path as filters use it: ``[URN ":"] name ["." sub]``.

    Names keep the case they were written in; the schema URN takes the
    canonical case when it is one we know.

    .. versionadded:: 0.1.0
    """

    schema: str | None
    attribute: str
    sub_attribute: str | None = None


@attrs.frozen
class Compare:
    """
    ``attribute op value``.

    .. versionadded:: 0.1.0
    """

    attribute: AttrPath
    op: CompareOp
    value: CompValue


@attrs.frozen
class Present:
    """
    ``attribute pr``: the attribute has a non-empty value.

    .. versionadded:: 0.1.0
    """

    attribute: AttrPath


@attrs.frozen
class And:
    """
    All of two or more filters.

    .. versionadded:: 0.1.0
    """

    filters: tuple[Filter, ...]


@attrs.frozen
class Or:
    """
    Any of two or more filters.

    .. versionadded:: 0.1.0
    """

    filters: tuple[Filter, ...]


@attrs.frozen
class Not:
    """
    ``not (filter)``.

    .. versionadded:: 0.1.0
    """

    filter: Filter


@attrs.frozen
class ValueFilter:
    """
    ``attribute[filter]``: some value of a multi-valued attribute matches
    *filter*, whose attribute paths name sub-attributes.

    .. versionadded:: 0.1.0
    """

    attribute: AttrPath
    filter: Filter


#: A parsed filter.
#:
#: .. versionadded:: 0.1.0
Filter: TypeAlias = Compare | Present | And | Or | Not | ValueFilter


@attrs.frozen
class Path:
    """
    A PATCH path (RFC 7644 section 3.5.2): an attribute, perhaps with a
    value filter, perhaps a sub-attribute of it.

    Args:
        schema: The schema URN given before the name, if any.
        attribute: The attribute name, as written.
        filter: The value filter in brackets, if any.
        sub_attribute: The sub-attribute name, as written, if any.

    .. versionadded:: 0.1.0
    """

    schema: str | None
    attribute: str
    filter: Filter | None = None
    sub_attribute: str | None = None


# 1. The parser.

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*|\$ref", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# A URN ends where a name could not go on; the attribute follows its last
# colon (section 3.10: attrPath = [URI ":"] ATTRNAME *1subAttr).
_URN_RUN = re.compile(r"[^\s\[\]()\"]*")
_LITERALS: dict[str, CompValue] = {"true": True, "false": False, "null": None}
_WHITESPACE = " \t\r\n"
_NAME_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_$.:"
)
_KNOWN_BY_LENGTH = sorted(KNOWN_URNS, key=len, reverse=True)


def _quote(text: str) -> str:
    # Keep error messages bounded whatever a client sends.
    return repr(text if len(text) <= 200 else text[:200] + "...")


class _Parser:
    def __init__(self, text: str, kind: ScimType, max_depth: int) -> None:
        self.text = text
        self.pos = 0
        self.kind = kind
        self.max_depth = max_depth

    def error(
        self, expected: str, at: int | None = None
    ) -> InvalidProvisioningEvent:
        pos = self.pos if at is None else at
        where = " (the end)" if pos >= len(self.text) else ""
        return bad_request(
            self.kind,
            f"expected {expected} at position {pos}{where} "
            f"in {_quote(self.text)}",
        )

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip_space(self) -> None:
        while self.peek() and self.peek() in _WHITESPACE:
            self.pos += 1

    def expect(self, char: str, what: str) -> None:
        self.skip_space()
        if self.peek() != char:
            raise self.error(what)
        self.pos += 1

    def keyword(self, word: str) -> bool:
        # A keyword is a whole word: "andy" is not "and".
        start = self.pos
        self.skip_space()
        end = self.pos + len(word)
        after = self.text[end : end + 1]
        if self.text[self.pos : end].lower() == word and (
            not after or after not in _NAME_CHARS
        ):
            self.pos = end
            return True
        self.pos = start
        return False

    def nest(self, depth: int) -> int:
        if depth >= self.max_depth:
            raise bad_request(
                self.kind,
                f"filter nests deeper than {self.max_depth} levels at "
                f"position {self.pos} in {_quote(self.text)}",
            )
        return depth + 1

    # Grammar rules, one method each.

    def or_exp(self, depth: int, inner: bool) -> Filter:
        items = [self.and_exp(depth, inner)]
        while self.keyword("or"):
            items.append(self.and_exp(depth, inner))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_exp(self, depth: int, inner: bool) -> Filter:
        items = [self.unary(depth, inner)]
        while self.keyword("and"):
            items.append(self.unary(depth, inner))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, depth: int, inner: bool) -> Filter:
        self.skip_space()
        start = self.pos

        # 1. "not" is a keyword only before a parenthesis; otherwise it is
        #    an attribute that happens to be called "not".
        if self.keyword("not"):
            self.skip_space()
            if self.peek() == "(":
                self.pos += 1
                found = self.or_exp(self.nest(depth), inner)
                self.expect(")", "')'")
                return Not(found)
            self.pos = start

        # 2. Grouping.
        if self.peek() == "(":
            self.pos += 1
            found = self.or_exp(self.nest(depth), inner)
            self.expect(")", "')'")
            return found

        # 3. A comparison, a presence test or a value filter.
        return self.attr_exp(depth, inner)

    def attr_exp(self, depth: int, inner: bool) -> Filter:
        path = self.attr_path(allow_urn=not inner)
        if self.peek() == "[" and not inner:
            self.pos += 1
            selector = self.or_exp(self.nest(depth), inner=True)
            self.expect("]", "']'")
            if self.peek() != ".":
                return ValueFilter(path, selector)
            # The tolerance of the module docstring: a sub-attribute after
            # the brackets is one more condition on the same value.
            self.pos += 1
            sub = self.name("a sub-attribute name")
            test = self.condition(AttrPath(None, sub))
            return ValueFilter(path, And((selector, test)))
        return self.condition(path)

    def condition(self, path: AttrPath) -> Filter:
        self.skip_space()
        start = self.pos
        match = _WORD.match(self.text, self.pos)
        word = "" if match is None else match.group().lower()
        if word == "pr":
            self.pos = start + 2
            return Present(path)
        op = _OPS.get(word)
        if op is None:
            raise self.error(
                "a comparison operator (eq, ne, co, sw, ew, gt, ge, lt,"
                " le) or 'pr'"
            )
        self.pos = start + 2
        return Compare(path, op, self.value())

    def value(self) -> CompValue:
        self.skip_space()
        start = self.pos
        char = self.peek()
        if char == '"':
            match = _STRING.match(self.text, start)
            if match is None:
                raise self.error("a complete JSON string")
            self.pos = match.end()
            decoded: str = json.loads(match.group())
            return decoded
        number = _NUMBER.match(self.text, start)
        word = _WORD.match(self.text, start)
        if number is not None:
            self.pos = number.end()
            parsed: int | float = json.loads(number.group())
            return parsed
        if word is not None and word.group().lower() in _LITERALS:
            self.pos = word.end()
            return _LITERALS[word.group().lower()]
        raise self.error(
            "a value (a string in double quotes, a number, true, false"
            " or null)"
        )

    def name(self, what: str) -> str:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.error(what)
        self.pos = match.end()
        return match.group()

    def attr_path(self, *, allow_urn: bool) -> AttrPath:
        self.skip_space()
        schema = self.urn() if allow_urn else None
        attribute = self.name("an attribute name")
        sub = None
        if self.peek() == ".":
            self.pos += 1
            sub = self.name("a sub-attribute name")
        return AttrPath(schema, attribute, sub)

    def urn(self) -> str | None:
        rest = self.text[self.pos :]
        if rest[:4].lower() != "urn:":
            return None

        # 1. A schema we know, in any case, followed by ":".
        lowered = rest.lower()
        for urn in _KNOWN_BY_LENGTH:
            if lowered.startswith(urn.lower() + ":"):
                self.pos += len(urn) + 1
                return urn

        # 2. Any other URN: everything up to the last colon of the run.
        run = _URN_RUN.match(rest)
        text = "" if run is None else run.group()
        if text.lower() in (u.lower() for u in KNOWN_URNS):
            raise self.error("':' and an attribute name", self.pos + len(text))
        cut = text.rfind(":")
        if cut <= 3:
            raise self.error("a schema URN, ':' and an attribute name")
        self.pos += cut + 1
        return text[:cut]

    def end(self, expected: str) -> None:
        self.skip_space()
        if self.pos < len(self.text):
            raise self.error(expected)


def _parser(text: object, kind: ScimType, max_depth: int) -> _Parser:
    if not 1 <= max_depth <= _DEPTH_CEILING:
        msg = f"max_depth must be between 1 and {_DEPTH_CEILING}"
        raise ValueError(msg)
    if not isinstance(text, str):
        raise bad_request(kind, f"expected a string, not {text!r}")
    return _Parser(text, kind, max_depth)


def parse_filter(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Filter:
    """
    Parse a filter (RFC 7644 section 3.4.2.2).

    Args:
        text: The filter, as the ``filter`` query parameter gives it.
        max_depth: How many levels of parentheses, ``not`` and brackets
            to allow.

    Returns:
        The filter's syntax tree.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidFilter``; the detail says
            at which position the text broke and what was expected.
        ValueError: *max_depth* is not between 1 and 200.

    .. versionadded:: 0.1.0
    """
    parser = _parser(text, ScimType.INVALID_FILTER, max_depth)
    found = parser.or_exp(0, inner=False)
    parser.end("'and', 'or' or the end of the filter")
    return found


def parse_path(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Path:
    """
    Parse the ``path`` of a PATCH operation (RFC 7644 sections 3.5.2 and
    3.10).

    Args:
        text: The path, such as ``emails[type eq "work"].value``.
        max_depth: As for `parse_filter`, for the filter in brackets.

    Returns:
        The parsed path.

    Raises:
        InvalidProvisioningEvent: 400 ``invalidPath``, also for a broken
            filter in brackets; the detail says where the text broke.
        ValueError: *max_depth* is not between 1 and 200.

    .. versionadded:: 0.1.0
    """
    parser = _parser(text, ScimType.INVALID_PATH, max_depth)
    head = parser.attr_path(allow_urn=True)
    selector = None
    sub = head.sub_attribute
    if sub is None and parser.peek() == "[":
        parser.pos += 1
        selector = parser.or_exp(1, inner=True)
        parser.expect("]", "']'")
        if parser.peek() == ".":
            parser.pos += 1
            sub = parser.name("a sub-attribute name")
    parser.end("the end of the path")
    return Path(head.schema, head.attribute, selector, sub)


# 2. The printer: the inverse of the parser, for messages and tests.


def _render_path(path: AttrPath) -> str:
    head = "" if path.schema is None else path.schema + ":"
    tail = "" if path.sub_attribute is None else "." + path.sub_attribute
    return head + path.attribute + tail


def render(node: Filter | Path) -> str:
    """
    The text of a filter or path, such that parsing it gives *node* back.

    .. versionadded:: 0.1.0
    """
    match node:
        case Path(schema, attribute, selector, sub):
            text = _render_path(AttrPath(schema, attribute))
            if selector is not None:
                text += f"[{render(selector)}]"
            return text if sub is None else f"{text}.{sub}"
        case Compare(path, op, value):
            return f"{_render_path(path)} {op.value} {json.dumps(value)}"
        case Present(path):
            return f"{_render_path(path)} pr"
        case And(items):
            return " and ".join(
                f"({render(i)})" if isinstance(i, And | Or) else render(i)
                for i in items
            )
        case Or(items):
            return " or ".join(
                f"({render(i)})" if isinstance(i, Or) else render(i)
                for i in items
            )
        case Not(inner):
            return f"not ({render(inner)})"
        case _:
            return f"{_render_path(node.attribute)}[{render(node.filter)}]"


def simple_equality(node: Filter) -> tuple[str, str] | None:
    """
    Recognise the filters clients look resources up with:
    ``userName eq "x"``, ``externalId eq "x"``, ``displayName eq "x"``
    and ``id eq "x"``, so that the endpoint can use an index.

    Returns:
        The attribute's canonical name and the value; None for any other
        filter.

    .. versionadded:: 0.1.0
    """
    if not (
        isinstance(node, Compare)
        and node.op is CompareOp.EQ
        and isinstance(node.value, str)
        and node.attribute.sub_attribute is None
        and (
            node.attribute.schema is None
            or node.attribute.schema.lower() in _CORE_URNS
        )
    ):
        return None
    name = _INDEXED.get(node.attribute.attribute.lower())
    return None if name is None else (name, node.value)


_INDEXED = {
    n.lower(): n for n in ("userName", "externalId", "displayName", "id")
}
_CORE_URNS = frozenset({USER_URN.lower(), GROUP_URN.lower()})


# 3. The evaluator.

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


def get_key(obj: Mapping[str, Any], name: str) -> str | None:
    """
    The key of *obj* that is *name* in some case (RFC 7643 section 2.1).
    """
    if name in obj:
        return name
    lowered = name.lower()
    for key in obj:
        if isinstance(key, str) and key.lower() == lowered:
            return key
    return None


def get_value(obj: Mapping[str, Any], name: str) -> Any:
    """
    The value of *obj* under *name* in any case; None if absent.
    """
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
    lookup = _lookup(schema_lookup, extensions)
    # Check first, so that an error does not depend on the data that
    # short-circuiting happened to look at.
    _check(node, lookup, None)
    return _eval(node, resource, lookup, None)


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
    _check(node, lookup, parent)
    return [
        i
        for i, value in enumerate(values)
        if isinstance(value, dict) and _eval(node, value, lookup, parent)
    ]


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
        ScimType.INVALID_FILTER, f"{why} in {_quote(render(node))}"
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
    if op in _SUBSTRING and not isinstance(value, str):
        _bad_filter(node, f"'{op.value}' needs a string")
    if op not in _ORDERING:
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
        elif path.schema.lower() not in _CORE_URNS:
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
    if op in _SUBSTRING:
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
