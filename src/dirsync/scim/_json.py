"""
The strict JSON reader every SCIM request body goes through, and the
writer for responses.

Theory of operation.
`loads` must be cheap on the common case (a 1 KB User from Okta or
Entra) and exact on the hostile one, so it works in two passes:

1. Cheap checks on the bytes and the text, in C: the size, the UTF-8
   decoding, the nesting depth (bounded by the number of opening
   brackets, and followed exactly only when that bound is too high), a
   search for escapes that could hide a control character or a lone
   surrogate, and upper bounds on string and list lengths (the length
   of the text, the number of commas).
2. The standard `json` parser, with hooks that reject what a SCIM server
   must not accept: duplicate keys, NaN and Infinity, integers outside
   64 bits, floats that overflow.

Only when a hook objects or a bound in step 1 cannot rule a problem out
does a slow pass walk the parsed value, in Python, to find the first
problem in document order and name its JSON path.
A typical body never takes the slow pass.

Every rejection is an `InvalidProvisioningEvent`: 413 for a body over
the size limit, 400 with a ``scimType`` otherwise.
No exception of the `json` module or of the codecs escapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate, islice
from typing import Any, NoReturn

import attrs

from ._errors import (
    InvalidProvisioningEvent,
    ScimType,
    bad_request,
)
from ._schema import SPELLED

#: The signed 64-bit range that integers must fall in.
#: RFC 7643 section 2.3.4 sets no range; every consumer we know of
#: (databases, Okta, Entra, JavaScript's safe range aside) stores 64 bits.
MIN_INTEGER = -(2**63)
MAX_INTEGER = 2**63 - 1

# JSON forbids leading zeros, so a 64-bit integer has at most 19 digits,
# plus a sign.  Checking the length first keeps int() linear and under
# Python's 4,300-digit limit.
_MAX_INTEGER_CHARS = 20

# The standard parser recurses once per level, in C, against the Python
# recursion limit (1,000 by default); stay well below it.
_DEPTH_CAP = 256

_BOM = "\ufeff"
_WHITESPACE = " \t\n\r"

# C0 controls other than tab, LF and CR, and the surrogate code points.
# The parser already rejects raw control characters in strings (RFC 8259
# section 7), so these can only come from \u escapes.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

# The escapes that can decode to one of _BAD_CHAR: a control character,
# a backslash before what looks like a high surrogate escape (the pair
# test below cannot see whether that backslash is itself escaped), a
# high surrogate not followed by a low one, and a low one not preceded
# by a high one.  Escaped backslashes make this match more than it must;
# a false alarm only costs the slow pass, a miss would let a bad string
# through.  Surrogate pairs, which .NET writes for emoji, do not match.
_SUSPECT_ESCAPE = re.compile(
    # Every branch starts with a backslash, which lets the engine skip
    # ahead to the next one.
    r"\\(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])"
    r"|\\u[dD][89a-fA-F]"
    r"|u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    r"|u[dD][c-fC-F](?<!\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F]))"
)

# A whole string token, or everything up to the next bracket or quote.
# The string branch also matches an unterminated string up to the end,
# and the quantifiers are possessive: without both, a body of many
# unbalanced quotes would make the engine rescan the rest of the text
# from each one, which is quadratic.
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)'
_STRINGS = re.compile(_STRING, re.DOTALL)
_STRUCTURE = re.compile(_STRING + r"|([\[\]{}])", re.DOTALL)
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
# The brackets are followed in chunks, so that a body that opens a
# million brackets is refused after the first chunk.
_CHUNK = 4_096

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Long enough for the enterprise extension's URN.
_SHOWN = 80


def _positive(
    instance: object, attribute: attrs.Attribute[int], value: int
) -> None:
    # bool is an int; a True limit is a host mistake, not a limit of 1.
    if type(value) is not int or value < 1:
        msg = f"{attribute.name} must be a positive int, not {value!r}"
        raise ValueError(msg)


def _depth_cap(
    instance: object, attribute: attrs.Attribute[int], value: int
) -> None:
    if value > _DEPTH_CAP:
        msg = f"max_depth must be at most {_DEPTH_CAP}, not {value}"
        raise ValueError(msg)


@attrs.frozen
class Limits:
    """
    What a SCIM request may hold; a request over a limit is refused
    before it changes anything.

    The defaults fit what Okta and Entra ID send, with room to spare.
    `loads` enforces the size, depth, string and list limits; the PATCH
    engine and the endpoint enforce ``max_operations``,
    ``max_filter_length`` and ``max_results``.
    Integers must fit in a signed 64-bit int (`MIN_INTEGER` to
    `MAX_INTEGER`); that bound is not configurable.

    Args:
        max_body_bytes: The largest body, in bytes (1 MiB).
        max_operations: The most operations in one PATCH request.
        max_depth: The deepest nesting of arrays and objects; ``[]`` is
            one level.
            At most 256, because the standard parser recurses.
        max_string_length: The longest string or object key, in
            characters (code points).
        max_list_length: The most items in one array.
            Entra ID and Okta send large ``members`` lists.
        max_filter_length: The longest ``filter`` query parameter, in
            characters.
        max_results: The most resources on one page of a list response.

    Raises:
        ValueError: A limit is not a positive int, or ``max_depth`` is
            over 256.

    .. versionadded:: 0.1.0
    """

    max_body_bytes: int = attrs.field(default=1 << 20, validator=_positive)
    max_operations: int = attrs.field(default=1_000, validator=_positive)
    max_depth: int = attrs.field(default=32, validator=[_positive, _depth_cap])
    max_string_length: int = attrs.field(default=65_536, validator=_positive)
    max_list_length: int = attrs.field(default=10_000, validator=_positive)
    max_filter_length: int = attrs.field(default=4_096, validator=_positive)
    max_results: int = attrs.field(default=1_000, validator=_positive)


@attrs.frozen
class _Problem:
    """
    What the marking hooks put in place of a value the fast hooks
    rejected, so that the walk can name its path.
    """

    scim_type: ScimType
    what: str


class _Suspect(Exception):
    """
    Raised by a fast hook: take the slow pass.
    """


#: The RFC's attribute spellings and a PatchOp message's own keys: no two
#: of them share a lower case.
_DISTINCT = SPELLED | {"Operations", "op", "path"}


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs) or (
        len(pairs) > 1
        # Those keys differ in more than case; only other keys need
        # lowering to compare.
        and not out.keys() <= _DISTINCT
        and len(set(map(str.lower, out))) != len(out)
    ):
        raise _Suspect
    return out


def _strict_int(text: str) -> int:
    if len(text) > _MAX_INTEGER_CHARS:
        raise _Suspect
    value = int(text)
    if not MIN_INTEGER <= value <= MAX_INTEGER:
        raise _Suspect
    return value


def _strict_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Suspect
    return value


def _no_constant(text: str) -> NoReturn:
    raise _Suspect


def _marking_pairs(pairs: list[tuple[str, Any]]) -> Any:
    # Keys are compared by value: the parser interns them, so two equal
    # keys may be one object.
    seen: dict[str, str] = {}
    for key, _ in pairs:
        previous = len(seen)
        first = seen.setdefault(key.lower(), key)
        if len(seen) == previous:
            both = (
                f"twice ({_quote(key)})"
                if first == key
                else f"as {_quote(first)} and {_quote(key)}"
            )
            return _Problem(
                ScimType.INVALID_SYNTAX,
                f"the key {_quote(key)} appears {both}; SCIM attribute "
                "names are case-insensitive (RFC 7643 section 2.1), so "
                "it is ambiguous which value is meant",
            )
    return dict(pairs)


def _marking_int(text: str) -> Any:
    if len(text) <= _MAX_INTEGER_CHARS:
        value = int(text)
        if MIN_INTEGER <= value <= MAX_INTEGER:
            return value
    return _Problem(
        ScimType.INVALID_VALUE,
        f"the integer {_number(text)} is outside the signed 64-bit range "
        f"({MIN_INTEGER} to {MAX_INTEGER})",
    )


def _marking_float(text: str) -> Any:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _Problem(
            ScimType.INVALID_VALUE,
            f"the number {_number(text)} overflows a 64-bit float",
        )
    return value


def _marking_constant(text: str) -> Any:
    return _Problem(
        ScimType.INVALID_VALUE,
        f"{text} is not a JSON number (RFC 8259 section 6)",
    )


class _Decoder(json.JSONDecoder):
    # The standard decoder, with the scanner it makes typed: `_parse`
    # calls it directly.
    scan_once: Callable[[str, int], tuple[Any, int]]


_FAST = _Decoder(
    object_pairs_hook=_strict_pairs,
    parse_int=_strict_int,
    parse_float=_strict_float,
    parse_constant=_no_constant,
)
_MARKING = _Decoder(
    object_pairs_hook=_marking_pairs,
    parse_int=_marking_int,
    parse_float=_marking_float,
    parse_constant=_marking_constant,
)
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":")
)


def loads(body: bytes, limits: Limits) -> Any:
    """
    The JSON value in a SCIM request body, checked against *limits*.

    A single UTF-8 byte order mark at the start is ignored, as RFC 8259
    section 8.1 allows: some .NET clients write one, and it cannot be
    confused with content.

    Args:
        body: The request body as received.
        limits: What the body may hold.

    Returns:
        The decoded value: dicts, lists, str, int, float, bool and None.

    Raises:
        InvalidProvisioningEvent: The body is refused; the detail names
            where (a JSON path such as ``$.Operations[3].value``, or a
            line and column) and which limit or rule it broke:

            - 413, no ``scimType``: the body is over
              ``max_body_bytes``.
              RFC 7644 section 3.12 keeps ``tooMany`` for filters that
              match too many resources, so it does not fit here.
            - 400 ``invalidSyntax``: not UTF-8, not JSON, or an object
              with the same key twice, in any mix of case.
            - 400 ``invalidValue``: NaN or Infinity, an integer outside
              64 bits, a float that overflows, a string with a C0
              control character other than tab, LF and CR or with an
              unpaired surrogate, or a string, array or nesting over its
              limit.

    .. versionadded:: 0.1.0
    """
    # 1. Size, before any work proportional to it.
    if len(body) > limits.max_body_bytes:
        raise InvalidProvisioningEvent(
            413,
            f"the body is {len(body):,} bytes; the limit is "
            f"{limits.max_body_bytes:,} bytes",
        )

    # 2. Encoding.  Strict UTF-8 also refuses surrogates encoded as
    # bytes (ED A0 80), which are not characters.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            f"the body is not UTF-8: byte 0x{body[e.start]:02x} at offset "
            f"{e.start} is invalid ({e.reason})",
        ) from None
    if text.startswith(_BOM):
        text = text[1:]

    # 3. Depth, before the parser recurses into it.  Counting brackets
    # bounds the depth from above; only when that is not enough do we
    # strip the strings and follow the brackets.
    if text.count("[") + text.count("{") > limits.max_depth:
        _check_depth(text, limits.max_depth)

    # 4. Parse, with the hooks in their fast, raising form.  If one
    # objects, parse again with hooks that mark the problems instead, so
    # that the walk can say where they are.
    try:
        value = _parse(_FAST, text)
    except _Suspect:
        _walk(_parse(_MARKING, text), limits)

    # 5. The slow pass, only if the text leaves room for a bad string
    # or a long array: a bad character comes from an escape, which
    # needs a backslash; a string cannot be longer than the text, nor an
    # array than the commas in it (or the text itself).
    if (
        ("\\" in text and _SUSPECT_ESCAPE.search(text) is not None)
        or len(text) > limits.max_string_length + 2
        or (
            len(text) > limits.max_list_length
            and text.count(",") >= limits.max_list_length
        )
    ) and not _clean(value, limits):
        _walk(value, limits)
    return value


def dumps(value: Any) -> bytes:
    """
    *value* as compact UTF-8 JSON, for a SCIM response body.

    Non-ASCII text is written as is, not as ``\\u`` escapes.

    Args:
        value: Dicts, lists, str, int, float, bool and None.

    Returns:
        The body.

    Raises:
        ValueError: *value* holds NaN or Infinity, or a string with an
            unpaired surrogate.
        TypeError: *value* holds something JSON has no form for.

    .. versionadded:: 0.1.0
    """
    return _ENCODER.encode(value).encode("utf-8")


def _parse(decoder: _Decoder, text: str) -> Any:
    try:
        # The scanner itself, as `decode` calls it, less two Python
        # frames; anything but a value followed by JSON whitespace (RFC
        # 8259 section 2) goes to `decode`, for its message.
        # (A `try` costs nothing until it catches; `contextlib.suppress`
        # costs an object per body.)
        try:
            value, end = decoder.scan_once(text, 0)
        except (StopIteration, json.JSONDecodeError):
            pass
        else:
            if end == len(text) or not text[end:].strip(_WHITESPACE):
                return value
        return decoder.decode(text)
    except json.JSONDecodeError as e:
        raise bad_request(
            ScimType.INVALID_SYNTAX,
            f"the body is not valid JSON: {e.msg} (line {e.lineno}, "
            f"column {e.colno})",
        ) from None
    except RecursionError:
        # Only when the host calls us from deep in its own stack (or a
        # Python whose parser recurses differently); the depth check has
        # already passed, so this is the nesting limit in effect.
        raise bad_request(
            ScimType.INVALID_VALUE,
            "the body is nested too deeply to parse",
        ) from None


def _check_depth(text: str, max_depth: int) -> None:
    # 1. The brackets outside strings, as bytes, all in C.
    brackets = (
        _STRINGS.sub("", text).encode("utf-8").translate(None, _NOT_BRACKETS)
    )

    # 2. The depth after each bracket, a chunk at a time.
    depth = 0
    for start in range(0, len(brackets), _CHUNK):
        chunk = brackets[start : start + _CHUNK]
        depths = list(accumulate(map(_STEP.__getitem__, chunk), initial=depth))
        if max(depths) > max_depth:
            # Depth grows by one at a time, so the first bracket too
            # deep is the first one at max_depth + 1.
            nth = start + depths.index(max_depth + 1) - 1
            break
        depth = depths[-1]
    else:
        return

    # 3. Where that bracket is, for the message.  The search is in
    # Python, but it stops there.
    found = (m.start(1) for m in _STRUCTURE.finditer(text) if m.group(1))
    at = next(islice(found, nth, None))
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    raise bad_request(
        ScimType.INVALID_VALUE,
        f"the body nests arrays and objects more than {max_depth} levels "
        f"deep (at line {line}, column {column})",
    )


def _clean(value: Any, limits: Limits) -> bool:
    """
    Whether *value* is within *limits*, without naming where it is not.

    This is the common slow pass: it gathers the strings and checks them
    all at once, in C, and builds no paths.
    """
    strings: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is str:
            strings.append(node)
        elif kind is dict:
            strings.extend(node)
            stack.extend(node.values())
        elif kind is list:
            if len(node) > limits.max_list_length:
                return False
            stack.extend(node)
    return (
        max(map(len, strings), default=0) <= limits.max_string_length
        and _BAD_CHAR.search("".join(strings)) is None
    )


def _walk(value: Any, limits: Limits) -> NoReturn:
    # Depth first, in document order, without recursion.  Only called
    # when there is a problem to find: a hook objected, or _clean failed.
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            _check_string(node, where, "string", limits)
        elif isinstance(node, _Problem):
            _fail(node.scim_type, where, node.what)
        elif isinstance(node, list):
            if len(node) > limits.max_list_length:
                _fail(
                    ScimType.INVALID_VALUE,
                    where,
                    f"the array has {len(node):,} items; the limit is "
                    f"{limits.max_list_length:,}",
                )
            stack.extend(
                (node[i], f"{where}[{i}]")
                for i in range(len(node) - 1, -1, -1)
            )
        elif isinstance(node, dict):
            children = []
            for key, item in node.items():
                path = _member(where, key)
                _check_string(key, path, "key", limits)
                children.append((item, path))
            stack.extend(reversed(children))
    raise AssertionError("_walk found no problem")  # a bug if reached


def _check_string(text: str, where: str, kind: str, limits: Limits) -> None:
    if len(text) > limits.max_string_length:
        _fail(
            ScimType.INVALID_VALUE,
            where,
            f"the {kind} is {len(text):,} characters long; the limit is "
            f"{limits.max_string_length:,}",
        )
    bad = _BAD_CHAR.search(text)
    if bad is None:
        return
    code = ord(bad.group())
    if code < 0x20:
        what = (
            f"the {kind} holds the control character U+{code:04X}; only "
            "tab, line feed and carriage return are allowed"
        )
    else:
        what = (
            f"the {kind} holds an unpaired surrogate U+{code:04X}, which "
            "is not a character (RFC 8259 section 8.2)"
        )
    _fail(ScimType.INVALID_VALUE, where, what)


def _fail(scim_type: ScimType, where: str, what: str) -> NoReturn:
    raise bad_request(scim_type, f"{where}: {what}")


def _member(where: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{where}.{key}"
    return f"{where}[{_quote(key)}]"


def _quote(key: str) -> str:
    # ASCII-only, so that control characters and lone surrogates in an
    # attacker's key cannot reach the error body or a log raw; cut, so
    # that a 64 KB key does not become a 64 KB message.
    if len(key) <= _SHOWN:
        return json.dumps(key)
    return json.dumps(key[:_SHOWN]) + "..."


def _number(text: str) -> str:
    if len(text) <= _SHOWN:
        return text
    return f"{text[:_SHOWN]}... ({len(text):,} characters)"
