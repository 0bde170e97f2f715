"""
Attribute paths and filters (RFC 7644 sections 3.4.2.2 and 3.10): a
parser and a printer.
`dirsync.scim._match` evaluates what the parser builds.

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
from typing import TypeAlias

import attrs

from ._errors import InvalidProvisioningEvent, ScimType, bad_request
from ._schema import (
    GROUP_URN,
    KNOWN_URNS,
    USER_URN,
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
ORDERING = frozenset({CompareOp.GT, CompareOp.GE, CompareOp.LT, CompareOp.LE})
SUBSTRING = frozenset({CompareOp.CO, CompareOp.SW, CompareOp.EW})

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
# ``name eq "text"``: a name, ``eq`` between spaces, and a JSON string
# without escapes, whose text is what is between the quotes.
_LOOKUP = re.compile(
    r'([A-Za-z][A-Za-z0-9_-]*) +(?:[eE][qQ]) +"([^"\\\x00-\x1f]*)"\Z'
)
# ``name[sub eq "text"]``, perhaps with ``.sub`` after it, likewise.
_MEMBER = re.compile(
    r"([A-Za-z][A-Za-z0-9_-]*)\[([A-Za-z][A-Za-z0-9_-]*) +(?:[eE][qQ]) +"
    r'"([^"\\\x00-\x1f]*)"\](?:\.([A-Za-z][A-Za-z0-9_-]*))?\Z'
)


def quote(text: str) -> str:
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
            f"in {quote(self.text)}",
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
                f"position {self.pos} in {quote(self.text)}",
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
    lookup = _LOOKUP.match(text)
    if lookup is not None:
        # What the parser makes of it, without its machinery: the filter
        # every identity provider sends before it creates a user.
        name, value = lookup.groups()
        return Compare(AttrPath(None, name), CompareOp.EQ, value)
    return _parse_filter(parser)


def _parse_filter(parser: _Parser) -> Filter:
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
    member = _MEMBER.match(text)
    if member is not None:
        # What the parser makes of it, without its machinery: the path
        # of every member removal Okta sends, a new text each time.
        attribute, name, value, sub = member.groups()
        test = Compare(AttrPath(None, name), CompareOp.EQ, value)
        return Path(None, attribute, test, sub)
    return _parse_path(parser)


def _parse_path(parser: _Parser) -> Path:
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
            or node.attribute.schema.lower() in CORE_URNS
        )
    ):
        return None
    name = _INDEXED.get(node.attribute.attribute.lower())
    return None if name is None else (name, node.value)


_INDEXED = {
    n.lower(): n for n in ("userName", "externalId", "displayName", "id")
}
CORE_URNS = frozenset({USER_URN.lower(), GROUP_URN.lower()})
