"""
The strict JSON reader: hostile bodies, the limits at and just over
each, and properties over generated input.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dirsync.scim import InvalidProvisioningEvent, ScimType, _json
from dirsync.scim._json import MAX_INTEGER, MIN_INTEGER, Limits, dumps, loads

SYNTAX = ScimType.INVALID_SYNTAX
VALUE = ScimType.INVALID_VALUE
URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# One body per hostile class: body, status, scimType, a fragment of the
# detail.
HOSTILE: list[tuple[bytes, int, ScimType | None, str]] = [
    # Encoding.
    (b'{"a":"\xff"}', 400, SYNTAX, "byte 0xff at offset 6"),
    (b'"\xed\xa0\x80"', 400, SYNTAX, "not UTF-8"),
    (b'"\xc3"', 400, SYNTAX, "not UTF-8"),
    (b"\xef\xbb\xbf\xef\xbb\xbf{}", 400, SYNTAX, "not valid JSON"),
    (b"\xff\xfe{\x00}\x00", 400, SYNTAX, "not UTF-8"),
    # Syntax.
    (b"", 400, SYNTAX, "Expecting value (line 1, column 1)"),
    (b'{"a":}', 400, SYNTAX, "(line 1, column 6)"),
    (b'{"a":1,}', 400, SYNTAX, "not valid JSON"),
    (b"{'a':1}", 400, SYNTAX, "not valid JSON"),
    (b'{"a":1} // note', 400, SYNTAX, "Extra data"),
    # Only space, tab, LF and CR are JSON whitespace (RFC 8259 section 2).
    (b'{"a":1}\x0c', 400, SYNTAX, "Extra data (line 1, column 8)"),
    (b'{"a":1}\xc2\xa0', 400, SYNTAX, "Extra data"),
    (b'\x0b{"a":1}', 400, SYNTAX, "Expecting value (line 1, column 1)"),
    (b'{\n"a":\n[1 2]}', 400, SYNTAX, "(line 3, column 4)"),
    (b'"a\tb"', 400, SYNTAX, "Invalid control character"),
    (b'"a\x00b"', 400, SYNTAX, "Invalid control character"),
    (b'{"a":"unterminated', 400, SYNTAX, "Unterminated string"),
    # Duplicate keys, exact and in another case.
    (b'{"a":1,"a":2}', 400, SYNTAX, '$: the key "a" appears twice'),
    (
        b'{"userName":"a","USERNAME":"b"}',
        400,
        SYNTAX,
        '$: the key "USERNAME" appears as "userName" and "USERNAME"',
    ),
    (
        b'{"Operations":[{"op":"add","Op":"x"}]}',
        400,
        SYNTAX,
        "$.Operations[0]: the key",
    ),
    # Numbers.
    (b"[NaN]", 400, VALUE, "$[0]: NaN is not a JSON number"),
    (b'{"a":Infinity}', 400, VALUE, "$.a: Infinity is not"),
    (b'{"a":-Infinity}', 400, VALUE, "$.a: -Infinity is not"),
    (b"9223372036854775808", 400, VALUE, "outside the signed 64-bit"),
    (b"-9223372036854775809", 400, VALUE, "outside the signed 64-bit"),
    (b'{"n":' + b"9" * 100_000 + b"}", 400, VALUE, "(100,000 characters)"),
    (b'{"x":{"y":1e400}}', 400, VALUE, "$.x.y: the number 1e400 overflows"),
    (b"[-1e400]", 400, VALUE, "overflows a 64-bit float"),
    (b'[1.5,2,{"a":[]},NaN]', 400, VALUE, "$[3]: NaN"),
    # Strings with what is not text.
    (b'"\\ud800"', 400, VALUE, "$: the string holds an unpaired surrogate"),
    (b'["ok","\\udc00"]', 400, VALUE, "$[1]: the string holds an unpaired"),
    (b'"\\ud800\\u0041"', 400, VALUE, "unpaired surrogate U+D800"),
    (b'"\\\\ud800\\udc00"', 400, VALUE, "unpaired surrogate U+DC00"),
    (b'"\\ud83d\\ude00\\ude00"', 400, VALUE, "unpaired surrogate U+DE00"),
    (b'{"\\udfff":1}', 400, VALUE, '$["\\udfff"]: the key holds an unpaired'),
    (b'"a\\u0000b"', 400, VALUE, "$: the string holds the control character"),
    (b'"\\u001F"', 400, VALUE, "U+001F; only tab, line feed"),
    (b'[1,null,true,"\\u001F"]', 400, VALUE, "$[3]: the string holds"),
    (
        b'{"' + b"k" * 100 + b'\\u0000":1}',
        400,
        VALUE,
        '$["' + "k" * 80 + '"...]: the key holds',
    ),
    (b'{"a\\u0001":1}', 400, VALUE, '$["a\\u0001"]: the key holds the'),
    (
        b'{"Operations":[{"op":"add","value":"\\u0007"}]}',
        400,
        VALUE,
        "$.Operations[0].value: the string holds the control",
    ),
    (
        b'{"' + URN.encode() + b'":{"department":"\\u0008"}}',
        400,
        VALUE,
        f'$["{URN}"].department',
    ),
    # Sizes and nesting.
    (b"[" * 100_000, 400, VALUE, "more than 32 levels deep (at line 1, c"),
    (b"[" * 2_000_000, 413, None, "the limit is 1,048,576 bytes"),
    (b'{"a":\n' * 40 + b"1" + b"}" * 40, 400, VALUE, "(at line 33, column 1)"),
    (b'"' + b"x" * 65_537 + b'"', 400, VALUE, "65,537 characters long"),
    (b"[" + b"0," * 10_000 + b"0]", 400, VALUE, "$: the array has 10,001"),
]


@pytest.mark.parametrize(
    ("body", "status", "scim_type", "fragment"),
    HOSTILE,
    ids=[repr(row[0][:24]) for row in HOSTILE],
)
def test_refuses_each_hostile_class(
    body: bytes, status: int, scim_type: ScimType | None, fragment: str
) -> None:
    """
    Each class of hostile body gets its status, its scimType and a
    detail that says where and what.
    """
    with pytest.raises(InvalidProvisioningEvent) as info:
        loads(body, Limits())

    assert info.value.status == status
    assert info.value.scim_type is scim_type
    assert fragment in info.value.detail


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"\xef\xbb\xbf{}", {}),
        (b'"\\ud83d\\ude00"', "\U0001f600"),
        (b'"\\\\u0000"', "\\u0000"),
        (b'"tab\\tlf\\ncr\\r\\u0009"', "tab\tlf\ncr\r\t"),
        (b'{"a":"' + b"[" * 40 + b'"}', {"a": "[" * 40}),
        (b'{"a":1,"b":{"a":2}}', {"a": 1, "b": {"a": 2}}),
        (
            b"[9223372036854775807,-9223372036854775808]",
            [MAX_INTEGER, MIN_INTEGER],
        ),
        (b"[1e-400, 1.5, -0.0, 1E2]", [0.0, 1.5, -0.0, 100.0]),
        (b" null ", None),
        (b'{"a":1}\r\n', {"a": 1}),
        (b'\n\t{"a":1} \t\r\n', {"a": 1}),
        (b"[]\n", []),
    ],
)
def test_accepts_what_is_valid(body: bytes, expected: Any) -> None:
    """
    A byte order mark, surrogate pairs, escaped backslashes, the allowed
    control characters, brackets in strings, the same key in different
    objects and the extremes of 64 bits are all fine.
    """
    assert loads(body, Limits()) == expected


def _nested(depth: int) -> bytes:
    # Many shallow siblings too, so that counting brackets cannot rule
    # the depth out and the exact scan runs.
    deep = b"[" * (depth - 1) + b"]" * (depth - 1)
    return b'{"deep":' + deep + b',"wide":[' + b"[]," * 50 + b"[]]}"


@pytest.mark.parametrize(
    ("limits", "at", "over", "fragment"),
    [
        (
            Limits(max_body_bytes=10),
            b'"' + b"x" * 8 + b'"',
            b'"' + b"x" * 9 + b'"',
            "the body is 11 bytes; the limit is 10 bytes",
        ),
        (Limits(), _nested(32), _nested(33), "more than 32 levels"),
        (
            Limits(max_depth=1),
            b"[1,2]",
            b"[[]]",
            "more than 1 levels deep (at line 1, column 2)",
        ),
        (
            Limits(max_string_length=8),
            b'["' + b"x" * 8 + b'"]',
            b'["' + b"x" * 9 + b'"]',
            "$[0]: the string is 9 characters long; the limit is 8",
        ),
        (
            Limits(max_string_length=8),
            b'{"' + b"k" * 8 + b'":1}',
            b'{"' + b"k" * 9 + b'":1}',
            "$.kkkkkkkkk: the key is 9 characters long; the limit is 8",
        ),
        (
            Limits(),
            b'"' + "é".encode() * 65_536 + b'"',
            b'"' + "é".encode() * 65_537 + b'"',
            "$: the string is 65,537 characters long; the limit is 65,536",
        ),
        (
            Limits(max_list_length=3),
            b'{"a":[1,2,3]}',
            b'{"a":[1,2,3,4]}',
            "$.a: the array has 4 items; the limit is 3",
        ),
        (
            Limits(),
            b"[" + b"{}," * 9_999 + b"{}]",
            b"[" + b"{}," * 10_000 + b"{}]",
            "the array has 10,001 items; the limit is 10,000",
        ),
    ],
)
def test_limits_hold_exactly(
    limits: Limits, at: bytes, over: bytes, fragment: str
) -> None:
    """
    A body at a limit is read; one unit over it is refused, with the
    limit in the detail.
    """
    loads(at, limits)
    with pytest.raises(InvalidProvisioningEvent) as info:
        loads(over, limits)

    assert fragment in info.value.detail


def test_depth_is_found_past_the_first_chunk() -> None:
    """
    Depth is followed a chunk of brackets at a time; a body too deep
    only after many shallow brackets is still caught, and a body with
    many brackets but shallow is read.
    """
    shallow = b"[" + b"[]," * 5_000 + b"[]"
    deep = shallow + b"," + b"[" * 32 + b"]" * 32 + b"]"

    assert len(loads(shallow + b"]", Limits())) == 5_001
    with pytest.raises(InvalidProvisioningEvent, match="column 15036"):
        loads(deep, Limits())


def test_the_parser_recursing_too_deep_is_a_clean_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """
    Should the standard parser still run out of stack (the host calls us
    from deep in its own), the request gets a 400, not a RecursionError.
    """

    @attrs.frozen
    class Exhausted:
        def scan_once(self, text: str, at: int) -> Any:
            raise RecursionError

        def decode(self, text: str) -> Any:
            raise RecursionError

    monkeypatch.setattr(_json, "_FAST", Exhausted())

    with pytest.raises(InvalidProvisioningEvent) as info:
        loads(b"[]", Limits())

    assert info.value.status == 400
    assert info.value.scim_type is VALUE


def test_dumps_writes_compact_utf8() -> None:
    """
    Responses are compact, and non-ASCII text is not escaped.
    """
    assert dumps({"name": "José", "n": [1, 2.5, None, True]}) == (
        '{"name":"José","n":[1,2.5,null,true]}'.encode()
    )
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps(math.nan)


@pytest.mark.parametrize(
    "field",
    [field.name for field in attrs.fields(Limits)],
)
@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_limits_refuse_what_is_not_a_positive_int(
    field: str, bad: object
) -> None:
    """
    A limit that is not a positive int is the host's mistake.
    """
    kwargs: dict[str, Any] = {field: bad}

    with pytest.raises(ValueError, match=field):
        Limits(**kwargs)


def test_max_depth_is_capped() -> None:
    """
    The standard parser recurses, so a depth over 256 cannot be allowed.
    """
    assert Limits(max_depth=256).max_depth == 256
    with pytest.raises(ValueError, match="at most 256"):
        Limits(max_depth=257)


def _refuse_or_read(body: bytes, limits: Limits) -> Any:
    try:
        return loads(body, limits)
    except InvalidProvisioningEvent as e:
        # The error body must itself be writable: no raw surrogates.
        dumps(e.body())
        raise


SMALL = Limits(
    max_depth=4, max_string_length=6, max_list_length=3, max_body_bytes=200
)
JSONISH = st.text(
    alphabet='[]{}",:0123456789.eE+-\\/ untrlfasNIiy\x00\t\ud800\xe9\U0001f600'
).map(lambda t: t.encode("utf-8", "surrogatepass"))


@given(st.one_of(st.binary(), JSONISH), st.sampled_from([Limits(), SMALL]))
def test_any_bytes_are_read_or_refused(body: bytes, limits: Limits) -> None:
    """
    Whatever the bytes, the reader returns a value or raises
    `InvalidProvisioningEvent`, and nothing else.
    """
    with contextlib.suppress(InvalidProvisioningEvent):
        _refuse_or_read(body, limits)


ESCAPES = st.lists(
    st.sampled_from(
        [
            "a",
            "u",
            "d800",
            "\\\\",
            "\\u0000",
            "\\u001f",
            "\\u0009",
            "\\u0041",
            "\\ud800",
            "\\uDBFF",
            "\\udc00",
            "\\uDFFF",
            "\\ud83d\\ude00",
            '\\"',
            "\\n",
        ]
    ),
    max_size=8,
).map("".join)


@given(ESCAPES)
def test_escapes_give_text_or_invalid_value(inner: str) -> None:
    """
    A string built from escapes is refused exactly when it decodes to a
    control character or a lone surrogate; the cheap search for
    suspicious escapes never lets one through.
    """
    body = f'["{inner}"]'.encode()
    decoded = json.loads(body)[0]
    bad = _json._BAD_CHAR.search(decoded) is not None

    if bad:
        with pytest.raises(InvalidProvisioningEvent) as info:
            _refuse_or_read(body, Limits())
        assert info.value.scim_type is VALUE
    else:
        assert _refuse_or_read(body, Limits()) == [decoded]


KEYS = st.text(
    st.characters(blacklist_categories=["Cs"], min_codepoint=0x20),
    max_size=8,
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(MIN_INTEGER, MAX_INTEGER),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(
        st.characters(
            blacklist_categories=["Cs"],
            blacklist_characters=[
                chr(c) for c in range(32) if c not in {9, 10, 13}
            ],
        ),
        max_size=20,
    ),
)


def _objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # SCIM keys are case-insensitive, so keys that differ only in case
    # would rightly be refused.
    pairs = st.lists(
        st.tuples(KEYS, children), max_size=5, unique_by=lambda p: p[0].lower()
    )
    return pairs.map(dict)


VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=5), _objects(children)
    ),
    max_leaves=20,
)


@given(VALUES)
def test_values_within_the_limits_round_trip(value: Any) -> None:
    """
    Any JSON value within the limits reads back as what was written.
    """
    assert loads(dumps(value), Limits()) == value


def test_the_keys_read_without_lowering_differ_in_more_than_case() -> None:
    """
    The reader lowers an object's keys to find one given twice in two
    cases, unless they are all among these: sound only if no two of
    them share a lower case.
    """
    assert len({key.lower() for key in _json._DISTINCT}) == len(
        _json._DISTINCT
    )
