"""
The value objects: emails, domains, workspaces, the policy, accounts and
invitations.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dirsync import (
    Account,
    AccountStatus,
    DirsyncError,
    Domain,
    Email,
    InvalidEmail,
    InvalidScenario,
    Invitation,
    InvitationStatus,
    Policy,
    Workspace,
)

# Simple ASCII addresses: the parts every validator accepts.

labels = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True)
locals_ = st.from_regex(r"[a-z][a-z0-9._+-]{0,14}[a-z0-9]", fullmatch=True)
local_parts = locals_.filter(lambda text: ".." not in text)
top_levels = st.from_regex(r"[a-z]{2,6}", fullmatch=True)
domain_names = st.builds(
    lambda parts, top: ".".join([*parts, top]),
    st.lists(labels, min_size=1, max_size=3),
    top_levels,
)
addresses = st.builds(
    lambda local, domain: f"{local}@{domain}", local_parts, domain_names
)


def recased(text: str) -> st.SearchStrategy[str]:
    """
    *text* with the case of each letter chosen at random.
    """
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(
            c.upper() if flip else c
            for c, flip in zip(text, flips, strict=True)
        )
    )


# Email.parse.


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("nina@acme.com", "NINA@ACME.COM"),
        ("Nina.Ng@acme.com", "nina.ng@Acme.Com"),
        ("x@bücher.example", "x@xn--bcher-kva.example"),
        ("x@BÜCHER.example", "X@XN--BCHER-KVA.EXAMPLE"),
        ("  nina@acme.com", "nina@acme.com\n"),
        ("\tNina@Acme.com ", "nina@acme.com"),
    ],
)
def test_emails_that_differ_in_case_spelling_or_padding_are_equal(
    one: str, other: str
) -> None:
    """
    Emails compare ignoring letter case, the IDN or punycode spelling of
    the domain, and surrounding white space; and they hash alike.
    """
    first, second = Email.parse(one), Email.parse(other)

    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1
    assert first.key == second.key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("nina@acme.com", "nina@acme.org"),
        ("nina@acme.com", "nina@eu.acme.com"),
        ("nina@acme.com", "nina.ng@acme.com"),
        ("nina@acme.com", "nina+sync@acme.com"),
        ("x@bücher.example", "x@bucher.example"),
    ],
)
def test_different_emails_are_not_equal(one: str, other: str) -> None:
    """
    A different local part or domain is a different email.
    """
    first, second = Email.parse(one), Email.parse(other)

    assert first != second
    assert first.key != second.key


def test_an_email_keeps_the_case_it_was_given_for_display() -> None:
    """
    The address people see keeps the local part's case; the key is folded.
    """
    email = Email.parse("Nina.Ng@acme.com")

    assert email.address == "Nina.Ng@acme.com"
    assert str(email) == "Nina.Ng@acme.com"
    assert email.key == "nina.ng@acme.com"


def test_an_email_drops_surrounding_white_space() -> None:
    """
    White space around an address is not part of it.
    """
    email = Email.parse("  Nina@acme.com \n")

    assert email.address == "Nina@acme.com"


def test_an_idn_email_shows_unicode_and_keys_on_punycode() -> None:
    """
    An internationalised domain is shown in Unicode however it was
    spelled, and compared in its ASCII (punycode) form.
    """
    email = Email.parse("x@xn--bcher-kva.example")

    assert email.address == "x@bücher.example"
    assert email.key == "x@xn--bcher-kva.example"
    assert email.domain == Domain.parse("bücher.example")


def test_an_emails_domain_is_the_parsed_domain() -> None:
    """
    The domain part of an email is the same Domain that parsing the
    domain alone gives.
    """
    email = Email.parse("nina@Acme.COM")

    assert email.domain == Domain.parse("acme.com")
    assert email.domain.ascii == "acme.com"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "nina",
        "nina.acme.com",
        "nina ng@acme.com",
        "nina@acme com",
        "nina@acme",
        "nina@localhost",
        "nina@@acme.com",
        "nina@ng@acme.com",
        "@acme.com",
        "nina@",
        "nina@acme..com",
        "nina@-acme.com",
        "nina@acme.com.",
        ".nina@acme.com",
        "Nina Ng <nina@acme.com>",
        "nina@[192.0.2.1]",
    ],
)
def test_an_invalid_email_raises_invalid_email_naming_it(text: str) -> None:
    """
    Text that is not an address raises InvalidEmail, a DirsyncError and a
    ValueError, that carries the text and says why.
    """
    with pytest.raises(InvalidEmail) as caught:
        Email.parse(text)

    error = caught.value
    assert isinstance(error, DirsyncError)
    assert isinstance(error, ValueError)
    assert error.value == text
    assert error.why
    assert str(error).startswith(f"{text!r} is not a valid email address: ")


@pytest.mark.parametrize(
    "value",
    [None, 42, 4.2, True, b"nina@acme.com", ["nina@acme.com"], {}],
)
def test_a_non_string_email_raises_invalid_email(value: object) -> None:
    """
    Only strings are parsed: anything else is InvalidEmail too, not a
    TypeError or AttributeError from inside the validator.
    """
    with pytest.raises(InvalidEmail) as caught:
        Email.parse(value)  # type: ignore[arg-type]

    assert repr(value) in str(caught.value)
    assert "is a string" in caught.value.why


@given(addresses)
def test_an_upper_case_email_is_the_same_email(address: str) -> None:
    """
    Upper-casing a simple ASCII address does not change the email.
    """
    email = Email.parse(address)

    assert Email.parse(address.upper()) == email
    assert email.key == address


@given(addresses.flatmap(lambda a: st.tuples(st.just(a), recased(a))))
def test_any_recasing_of_an_email_is_the_same_email(
    pair: tuple[str, str],
) -> None:
    """
    Whatever mix of cases, the email is the same, and its display keeps
    the local part as given.
    """
    address, variant = pair

    email = Email.parse(variant)

    assert email == Email.parse(address)
    assert email.address.split("@")[0] == variant.split("@")[0]


@given(addresses, st.text(" \t\n", max_size=3), st.text(" \t\n", max_size=3))
def test_padding_never_changes_an_email(
    address: str, before: str, after: str
) -> None:
    """
    Any surrounding white space is ignored, in the key and the display.
    """
    email = Email.parse(before + address + after)

    assert email == Email.parse(address)
    assert email.address == address


@given(local_parts, local_parts, domain_names)
def test_emails_at_one_domain_are_equal_when_their_local_parts_are(
    one: str, other: str, domain: str
) -> None:
    """
    Two addresses at one domain are one email exactly when their local
    parts match ignoring case.
    """
    first = Email.parse(f"{one}@{domain}")

    second = Email.parse(f"{other}@{domain}")

    assert (first == second) == (one.lower() == other.lower())


# Domain.parse.


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("acme.com", "ACME.COM"),
        ("Acme.Com", "acme.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "XN--BCHER-KVA.example"),
        (" acme.com\n", "acme.com"),
    ],
)
def test_domains_that_differ_in_case_spelling_or_padding_are_equal(
    one: str, other: str
) -> None:
    """
    Domains compare ignoring case, IDN or punycode spelling and padding.
    """
    first, second = Domain.parse(one), Domain.parse(other)

    assert first == second
    assert hash(first) == hash(second)


def test_a_domain_shows_unicode_and_keys_on_ascii() -> None:
    """
    A domain reads in Unicode and compares on its ASCII form.
    """
    domain = Domain.parse("xn--bcher-kva.example")

    assert domain.ascii == "xn--bcher-kva.example"
    assert domain.name == "bücher.example"
    assert str(domain) == "bücher.example"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "acme",
        "acme com",
        "acme..com",
        "-acme.com",
        "acme.com.",
        "nina@acme.com",
        "@acme.com",
        "[192.0.2.1]",
    ],
)
def test_an_invalid_domain_raises_invalid_email_naming_it(text: str) -> None:
    """
    Text that is not a domain raises InvalidEmail whose message names the
    text given (not the placeholder address it was checked with).
    """
    with pytest.raises(InvalidEmail) as caught:
        Domain.parse(text)

    error = caught.value
    assert isinstance(error, DirsyncError)
    assert isinstance(error, ValueError)
    assert error.value == text
    assert str(error).startswith(f"{text!r} is not a valid domain: ")
    assert "postmaster" not in str(error)


@pytest.mark.parametrize(
    "value", [None, 42, b"acme.com", ["acme.com"], Domain("acme.com", "x")]
)
def test_a_non_string_domain_raises_invalid_email(value: object) -> None:
    """
    Only strings are parsed as domains, not whatever turns into one.
    """
    with pytest.raises(InvalidEmail) as caught:
        Domain.parse(value)  # type: ignore[arg-type]

    assert "is a string" in caught.value.why


@given(domain_names.flatmap(lambda d: st.tuples(st.just(d), recased(d))))
def test_any_recasing_of_a_domain_is_the_same_domain(
    pair: tuple[str, str],
) -> None:
    """
    Letter case never makes two domains differ.
    """
    name, variant = pair

    domain = Domain.parse(variant)

    assert domain == Domain.parse(name)
    assert domain.ascii == name


# Workspace.claims.

ACME = Workspace(
    "acme",
    Email.parse("olive@acme.com"),
    frozenset({Domain.parse("acme.com"), Domain.parse("bücher.example")}),
)


@pytest.mark.parametrize(
    "domain",
    ["acme.com", "ACME.com", "bücher.example", "xn--bcher-kva.example"],
)
def test_a_workspace_claims_its_domains_however_spelled(domain: str) -> None:
    """
    A claimed domain matches in any case and IDN spelling.
    """
    claimed = Domain.parse(domain)

    assert ACME.claims(claimed)


@pytest.mark.parametrize(
    "domain",
    ["eu.acme.com", "acme.co", "acme.com.au", "notacme.com", "bucher.example"],
)
def test_a_workspace_claims_only_exact_domains(domain: str) -> None:
    """
    Claims match exactly: a subdomain, a parent or a look-alike of a
    claimed domain is not claimed.
    """
    other = Domain.parse(domain)

    assert not ACME.claims(other)


def test_a_workspace_without_claims_claims_nothing() -> None:
    """
    A workspace whose organisation claimed no domain claims none.
    """
    workspace = Workspace("globex")

    assert not workspace.claims(Domain.parse("globex.com"))
    assert workspace.owner is None


# Policy.


def test_the_default_policy_is_specs() -> None:
    """
    The defaults are SPEC's: five minutes, 100 events, five attempts.
    """
    policy = Policy()

    assert policy.interval == timedelta(minutes=5)
    assert policy.batch_limit == 100
    assert policy.max_attempts == 5
    assert policy.revoke_first


@pytest.mark.parametrize("field", ["batch_limit", "max_attempts"])
@pytest.mark.parametrize("value", [0, -1, -100])
def test_a_policy_limit_below_one_is_refused(field: str, value: int) -> None:
    """
    batch_limit and max_attempts must be at least 1; the error names the
    field and the value.
    """
    with pytest.raises(ValueError, match=f"{field}.*{value}"):
        Policy(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "interval", [timedelta(0), timedelta(seconds=-1), timedelta(days=-1)]
)
def test_a_non_positive_interval_is_refused(interval: timedelta) -> None:
    """
    Scheduler cycles must be some time apart.
    """
    with pytest.raises(ValueError, match="interval must be positive"):
        Policy(interval=interval)


def test_the_smallest_limits_are_allowed() -> None:
    """
    One event a cycle, one attempt, and a microsecond apart are allowed.
    """
    policy = Policy(
        interval=timedelta(microseconds=1), batch_limit=1, max_attempts=1
    )

    assert policy.batch_limit == policy.max_attempts == 1


# Account and Invitation.


@pytest.mark.parametrize(
    ("status", "active"),
    [(AccountStatus.ACTIVE, True), (AccountStatus.DEACTIVATED, False)],
)
def test_an_account_is_active_by_its_status(
    status: AccountStatus, active: bool
) -> None:
    """
    Account.active follows the status; a new account is active.
    """
    account = Account(Email.parse("nina@acme.com"), status=status)

    assert account.active is active
    assert Account(Email.parse("nina@acme.com")).active


@pytest.mark.parametrize(
    ("status", "pending"),
    [(InvitationStatus.PENDING, True), (InvitationStatus.REVOKED, False)],
)
def test_an_invitation_is_pending_by_its_status(
    status: InvitationStatus, pending: bool
) -> None:
    """
    Invitation.pending follows the status; a new invitation is pending.
    """
    invitation = Invitation(
        "acme", Email.parse("ivan@gmail.com"), status=status
    )

    assert invitation.pending is pending
    assert Invitation("acme", Email.parse("ivan@gmail.com")).pending


# The errors.


def test_invalid_scenario_reads_where_then_why() -> None:
    """
    InvalidScenario is a DirsyncError and a ValueError, and reads as its
    path and reason.
    """
    error = InvalidScenario("$.events[0].user.email", "required")

    assert isinstance(error, DirsyncError)
    assert isinstance(error, ValueError)
    assert str(error) == "$.events[0].user.email: required"
