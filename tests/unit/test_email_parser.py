"""
EmailParser: Email.parse with the same answers, faster.

The parser is checked against `Email.parse` itself, over texts built to
reach its fast path (plain addresses at domains it has seen) and every
edge of it.
"""

from __future__ import annotations

import string

import email_validator
import pytest
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from hypothesis import given
from hypothesis import strategies as st

import dirsync._model
from dirsync import Email, EmailParser, InvalidEmail

Outcome = tuple[object, ...]


def outcome(parse: object, text: object) -> Outcome:
    """
    What *parse* makes of *text*: the fields of the `Email`, or of the
    `InvalidEmail` (which compares by identity).
    """
    assert callable(parse)
    try:
        email = parse(text)
    except InvalidEmail as e:
        return ("invalid", e.value, e.why, e.kind, str(e))
    assert isinstance(email, Email)
    return (
        "email",
        email.key,
        email.address,
        email.domain.ascii,
        email.domain.name,
        str(email),
    )


def same_as_parse(parser: EmailParser, text: str) -> None:
    """
    *parser* answers as `Email.parse` does, on a first and a second look
    (the second with the domain remembered, when it was valid).
    """
    expected = outcome(Email.parse, text)

    assert outcome(parser, text) == expected
    assert outcome(parser, text) == expected


# Texts.

#: A domain of 252 characters: ``a@`` it is an address of 254, the
#: longest there is, so ``ab@`` it is one too long.
LONGEST = f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 56}.com"

#: A few domains, so that they repeat and the memo is hit: plain ones,
#: ones that differ only in case, IDN in both forms, the dotless ``test``
#: that ``test_environment`` allows, long ones near the limits, and
#: invalid ones of several kinds.
DOMAINS = (
    "acme.com",
    "x.acme.com",
    "ACME.Com",
    "eu.acme.com",
    "example.test",
    "test",
    "xn--bcher-kva.example",
    "XN--BCHER-KVA.example",
    "bücher.example",
    "Bücher.Example",
    "xn--fiq228c.com",
    "中国.com",
    f"{'a' * 63}.{'b' * 63}.{'c' * 63}.com",
    LONGEST,
    f"{LONGEST}m",
    f"{'a' * 64}.com",
    "",
    "acme",
    "acme.com.",
    ".acme.com",
    "a..b.com",
    "-acme.com",
    "acme-.com",
    "acme.invalid",
    "localhost",
    "acme.local",
    "xn--a.com",
    "xn--zz.com",
    "1.xn--4dbc.com",
    "[127.0.0.1]",
    "[IPv6:::1]",
    "acme_corp.com",
    "acme.com>",
    "ac me.com",
    "acme.c(om)",
)

#: Valid ASCII domains from DOMAINS: the ones the fast path can know.
KNOWABLE = (
    "acme.com",
    "ACME.Com",
    "example.test",
    "test",
    "xn--bcher-kva.example",
    "xn--fiq228c.com",
    LONGEST,
)

domains = st.sampled_from(DOMAINS)

#: Every printable ASCII character, the awkward ones included (``.``,
#: ``"``, ``\\``, ``(``, ``@``, space, ``<``, ``[``).
printable = st.sampled_from(string.printable.strip() + " ")

mailbox_names = st.sampled_from(CASE_INSENSITIVE_MAILBOX_NAMES).flatmap(
    lambda name: st.lists(
        st.booleans(), min_size=len(name), max_size=len(name)
    ).map(
        lambda flips: "".join(
            c.upper() if flip else c
            for c, flip in zip(name, flips, strict=True)
        )
    )
)

#: The ASCII characters that keep a text on the fast path, for local parts
#: that are valid or fail there (``,``, ``;``, ``:`` and dots out of place
#: are not atext).
plain = st.sampled_from("aZ0.!#$%&'*+-/=?^_`{|}~,;:")

local_parts = st.one_of(
    st.text(printable, max_size=12),
    st.text(plain, max_size=12),
    # Dots where dot-atoms forbid them, and sub-addresses.
    st.lists(
        st.sampled_from(["a", "B", ".", "..", "+", "+tag", "-", "_"]),
        max_size=6,
    ).map("".join),
    mailbox_names,
    # Near the 64 character limit that only strict mode checks.
    st.integers(60, 70).map(lambda n: "x" * n),
    # Non-ASCII: never the fast path.
    st.text(st.characters(), min_size=1, max_size=6),
)

spaces = st.sampled_from(["", " ", "  ", "\t", "\n", "\r\n", "\u00a0"])


@st.composite
def long_addresses(draw: st.DrawFn) -> str:
    """
    Addresses of about 254 characters, the whole-address limit, given
    either way round (short local part at a long domain, or the reverse).
    """
    domain = draw(domains)
    size = draw(st.integers(248, 260))
    local = draw(st.sampled_from(["a", "b.c", "Postmaster"]))
    fill = max(1, size - len(domain) - 1 - len(local))
    return f"{local}{'z' * fill}@{domain}"


@st.composite
def composed(draw: st.DrawFn) -> str:
    """
    A local part, an ``@`` (rarely none, or two) and a domain, with white
    space around.
    """
    at = draw(st.sampled_from(["@"] * 8 + ["", "@@", "@a@"]))
    return "".join(
        (
            draw(spaces),
            draw(local_parts),
            at,
            draw(domains),
            draw(spaces),
        )
    )


texts = st.one_of(
    st.emails(),
    composed(),
    long_addresses(),
    st.text(printable, max_size=30),
)

#: One parser across all examples, so that later examples find domains
#: remembered by earlier ones.
SHARED = EmailParser()


# The differential property.


@given(texts)
def test_same_as_email_parse_with_a_shared_parser(text: str) -> None:
    """
    A parser that has seen many addresses answers as `Email.parse` does.
    """
    same_as_parse(SHARED, text)


@given(texts)
def test_same_as_email_parse_with_a_fresh_parser(text: str) -> None:
    """
    A new parser answers as `Email.parse` does.
    """
    same_as_parse(EmailParser(), text)


@given(local_parts, st.one_of(st.sampled_from(KNOWABLE), domains), spaces)
def test_same_as_email_parse_after_the_domain_is_known(
    local: str, domain: str, space: str
) -> None:
    """
    With the domain remembered from a valid address first, any local part
    there gets the same answer as from `Email.parse`.
    """
    parser = EmailParser()
    outcome(parser, f"someone@{domain}")

    same_as_parse(parser, f"{space}{local}@{domain}{space}")


# Examples.

#: Texts at ``acme.com`` and its IDN neighbours; the plain ones go by the
#: fast path once the domain is known, and must answer as Email.parse.
EDGES = [
    "ann@acme.com",
    "Ann.Lee+tag@acme.com",
    "Postmaster@acme.com",
    "ABUSE@acme.com",
    "www@ACME.Com",
    "@acme.com",
    ".ann@acme.com",
    "ann.@acme.com",
    "ann..lee@acme.com",
    "ann_lee!#$%&'*+/=?^`{|}~-@acme.com",
    "ann,lee@acme.com",
    "ann;lee@acme.com",
    "ann:lee@acme.com",
    f"{'a' * 64}@acme.com",
    f"{'a' * 65}@acme.com",
    f"{'a' * 245}@acme.com",
    f"{'a' * 246}@acme.com",
    f"{'a' * 233}@xn--bcher-kva.example",
    f"{'a' * 234}@xn--bcher-kva.example",
    "ann@xn--bcher-kva.example",
    "  ann@acme.com\n",
    "ann lee@acme.com",
    '"ann lee"@acme.com',
    '"ann"@acme.com',
    "ann\\lee@acme.com",
    "ann(x)@acme.com",
    "Ann <ann@acme.com>",
    "ann@lee@acme.com",
    "anné@acme.com",
    "ann@acme.com@",
]


@pytest.mark.parametrize("text", EDGES)
def test_edges(text: str) -> None:
    """
    Each edge answers as `Email.parse` does, with its domain known.
    """
    parser = EmailParser()
    parser("someone@acme.com")
    parser("someone@xn--bcher-kva.example")

    same_as_parse(parser, text)


def test_a_known_domain_skips_validate_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """
    Once a domain is known, plain addresses there do not go through
    ``validate_email`` (the fast path is taken), with the same answers.
    """
    parser = EmailParser()
    parser("someone@acme.com")
    plain = [
        "ann@acme.com",
        "Postmaster@acme.com",
        "ann..lee@acme.com",
        "@acme.com",
        f"{'a' * 246}@acme.com",
    ]
    expected = [outcome(Email.parse, text) for text in plain]

    def boom(*args: object, **kwargs: object) -> object:
        raise AssertionError("validate_email was called")

    monkeypatch.setattr(dirsync._model, "validate_email", boom)

    assert [outcome(parser, text) for text in plain] == expected


def test_the_whole_address_length_at_a_known_domain() -> None:
    """
    At the longest domain, a one letter local part fits and a two letter
    one does not, with the message `Email.parse` gives.
    """
    parser = EmailParser()
    parser(f"a@{LONGEST}")
    assert parser.memo_size == 1

    same_as_parse(parser, f"b@{LONGEST}")
    same_as_parse(parser, f"ab@{LONGEST}")
    assert "too long" in str(outcome(parser, f"ab@{LONGEST}")[2])


def test_an_idn_domain_longer_in_utf8_than_as_written() -> None:
    """
    A punycode domain whose Unicode form takes more bytes in UTF-8 than
    its ASCII form has characters: an address that fits as written but
    not once normalised is refused as `Email.parse` refuses it.
    """
    label = "xn--tdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"  # "ü" * 40
    domain = f"{label}.{label}.com"
    parser = EmailParser()
    parser(f"a@{domain}")
    assert parser.memo_size == 1

    for size in (80, 88, 89, 150):
        same_as_parse(parser, f"{'a' * size}@{domain}")
    assert "after normalization" in str(
        outcome(parser, f"{'a' * 150}@{domain}")[2]
    )


def test_a_memo_hit_gives_the_same_email() -> None:
    """
    The second address at a domain gives what `Email.parse` gives.
    """
    parser = EmailParser()
    parser("ann@xn--bcher-kva.example")

    email = parser("Bob@XN--BCHER-KVA.example")

    assert parser.memo_size == 2
    assert email == Email.parse("bob@bücher.example")
    assert email.address == "Bob@bücher.example"
    assert email.domain.ascii == "xn--bcher-kva.example"
    assert email.domain.name == "bücher.example"


def test_the_memo_is_bounded() -> None:
    """
    A parser never remembers more than *max_domains* domains, and still
    answers correctly after forgetting.
    """
    parser = EmailParser(max_domains=2)
    sizes = []

    for round_ in range(2):
        for n in range(5):
            text = f"user{round_}@d{n}.acme.com"
            assert parser(text) == Email.parse(text)
            sizes.append(parser.memo_size)

    assert max(sizes) == 2
    assert parser.max_domains == 2


def test_no_memo() -> None:
    """
    ``max_domains=0`` remembers nothing.
    """
    parser = EmailParser(max_domains=0)

    assert parser("ann@acme.com") == Email.parse("ann@acme.com")
    assert parser.memo_size == 0


def test_max_domains_is_not_negative() -> None:
    with pytest.raises(ValueError, match="max_domains"):
        EmailParser(max_domains=-1)


def test_only_domains_the_fast_path_can_use_are_remembered() -> None:
    """
    Invalid domains are not remembered, nor Unicode ones (the fast path
    only takes ASCII texts), but a valid ASCII domain is, whatever the
    rest of the address.
    """
    parser = EmailParser()

    for text in ("ann@acme.invalid", "ann@", "ann@bücher.example"):
        outcome(parser, text)
    assert parser.memo_size == 0

    parser("anné@acme.com")
    assert parser.memo_size == 1
    assert parser("ann@acme.com") == Email.parse("ann@acme.com")
    assert parser.memo_size == 1


def test_an_invalid_local_part_at_a_known_domain() -> None:
    """
    The error is the one `Email.parse` raises, with the same arguments.
    """
    parser = EmailParser()
    parser("ann@acme.com")

    with pytest.raises(InvalidEmail) as caught:
        parser("ann..lee@acme.com")
    with pytest.raises(InvalidEmail) as expected:
        Email.parse("ann..lee@acme.com")

    assert caught.value.value == "ann..lee@acme.com"
    assert caught.value.why == expected.value.why
    assert caught.value.kind == expected.value.kind
    assert str(caught.value) == str(expected.value)
    assert "two periods in a row" in str(caught.value)


@pytest.mark.parametrize("value", [None, 42, b"ann@acme.com", ["a@b.c"]])
def test_not_a_string(value: object) -> None:
    """
    Non-strings fail as they do with `Email.parse`.
    """
    parser = EmailParser()
    parser("ann@acme.com")

    assert outcome(parser, value) == outcome(Email.parse, value)
    assert outcome(parser, value)[0] == "invalid"


@pytest.mark.parametrize(
    ("setting", "value", "text"),
    [
        ("STRICT", True, f"{'a' * 65}@acme.com"),
        ("ALLOW_EMPTY_LOCAL", True, "@acme.com"),
        ("GLOBALLY_DELIVERABLE", False, "ann@acme"),
        ("SPECIAL_USE_DOMAIN_NAMES", ["com"], "ann@acme.com"),
    ],
)
def test_email_validator_settings_are_followed(
    monkeypatch: pytest.MonkeyPatch, setting: str, value: object, text: str
) -> None:
    """
    ``email-validator``'s module-level settings are part of its API;
    when a program changes them, the parser still answers as
    `Email.parse` does, memo or not.
    """
    parser = EmailParser()
    for warm in ("someone@acme.com", "someone@acme"):
        outcome(parser, warm)

    monkeypatch.setattr(email_validator, setting, value)

    same_as_parse(parser, text)
    same_as_parse(parser, "someone@acme.com")


def test_repr() -> None:
    assert repr(EmailParser(7)) == "EmailParser(max_domains=7)"
