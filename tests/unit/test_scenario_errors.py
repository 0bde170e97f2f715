"""
Bad scenario files (SPEC section 10): every one is refused with
`InvalidScenario`, naming the JSON path of the offending key or value and
what is wrong there; never with another exception, never with a traceback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dirsync import (
    InvalidScenario,
    Scenario,
    load_scenario,
    read_scenario,
    render,
    simulate,
)
from dirsync._cli import main

# A small valid scenario; the cases below spoil one part of it.

ACME: dict[str, Any] = {
    "id": "acme",
    "owner": "olive@acme.com",
    "claimed_domains": ["acme.com"],
}
OLIVE: dict[str, Any] = {
    "email": "olive@acme.com",
    "workspace": "acme",
    "status": "active",
    "role": "admin",
}


def scenario(**parts: Any) -> dict[str, Any]:
    """
    A valid scenario (workspace acme, owned by olive, who is
    ``$.accounts[0]``), with *parts* put in place of its top-level keys.
    """
    document: dict[str, Any] = {
        "policy": {"batch_limit": 100, "revoke_first": True},
        "workspaces": [ACME],
        "accounts": [OLIVE],
        "invitations": [],
        "events": [],
    }
    document.update(parts)
    return document


def user(**changes: Any) -> dict[str, Any]:
    """
    A directory user's full state, with *changes*.
    """
    return {
        "id": "dir-1",
        "email": "nina@acme.com",
        "first_name": "Nina",
        "last_name": "Ng",
        "department": "R&D",
        "title": "Engineer",
        "role": "member",
        "active": True,
        **changes,
    }


def event(**changes: Any) -> dict[str, Any]:
    """
    A valid user.created event in acme, with *changes*.
    """
    return {
        "id": "e1",
        "workspace": "acme",
        "type": "user.created",
        "user": user(),
        **changes,
    }


def updated(**changes: Any) -> dict[str, Any]:
    """
    A valid user.updated event in acme with a previous email, with
    *changes*.
    """
    return event(
        **{
            "type": "user.updated",
            "previous": {"email": "nina.old@acme.com"},
            **changes,
        }
    )


def without(record: dict[str, Any], key: str) -> dict[str, Any]:
    """
    *record* less *key*.
    """
    return {k: v for k, v in record.items() if k != key}


def policy(**values: Any) -> dict[str, Any]:
    """
    A scenario whose policy is *values*.
    """
    return scenario(policy=values)


def account(**values: Any) -> dict[str, Any]:
    """
    A scenario with a second account, ``$.accounts[1]``, of *values*.
    """
    return scenario(accounts=[OLIVE, values])


def invitation(**values: Any) -> dict[str, Any]:
    """
    A scenario with one invitation, ``$.invitations[0]``, of *values*.
    """
    return scenario(invitations=[values])


def events(*values: Any) -> dict[str, Any]:
    """
    A scenario with the events *values*.
    """
    return scenario(events=list(values))


def nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    """
    JSON text nested *depth* deep.
    """
    return opening * depth + closing * depth


NINA = {"email": "nina@acme.com"}
DEEP = 100_000

# (description, document or JSON text, where, part of the message)
Case = tuple[str, object, str, str]

CASES: list[Case] = [
    # Not JSON at all.
    ("not JSON", "{", "$", "not valid JSON"),
    ("empty text", "", "$", "not valid JSON"),
    ("trailing text", '{"events": []} extra', "$", "not valid JSON"),
    ("single quotes", "{'events': []}", "$", "not valid JSON"),
    ("not UTF-8", b'{"events": [\xff]}', "$", "not valid JSON"),
    ("NaN", '{"policy": {"batch_limit": NaN}}', "$", "NaN"),
    ("Infinity", '{"policy": {"batch_limit": Infinity}}', "$", "Infinity"),
    (
        "-Infinity",
        '{"policy": {"batch_limit": -Infinity}}',
        "$",
        "-Infinity",
    ),
    ("deep lists", nested(DEEP), "$", "not valid JSON"),
    ("deep objects", '{"a":' * DEEP + "1" + "}" * DEEP, "$", "not valid JSON"),
    (
        "deep lists under a real key",
        '{"events": ' + nested(DEEP) + "}",
        "$",
        "not valid JSON",
    ),
    # JSON, but not an object.
    ("a list", [], "$", "a scenario is a JSON object, not a list"),
    ("a list of a scenario", [scenario()], "$", "not a list"),
    ("a string", '"x"', "$", "not a string"),
    ("null", None, "$", "not null"),
    ("a number", 1, "$", "not a number"),
    ("true", True, "$", "not a boolean"),
    ("JSON text of a list", "[]", "$", "not a list"),
    ("JSON text of null", "null", "$", "not null"),
    # Unknown keys, at every level.
    (
        "unknown top-level key",
        scenario(polcy={}),
        "$.polcy",
        "unknown key 'polcy'; allowed keys are accounts, events, "
        "invitations, policy, workspaces",
    ),
    (
        "unknown policy key",
        policy(batch_size=10),
        "$.policy.batch_size",
        "unknown key 'batch_size'; allowed keys are admin_groups, batch_limit",
    ),
    (
        "unknown workspace key",
        scenario(workspaces=[{**ACME, "domains": ["acme.com"]}]),
        "$.workspaces[0].domains",
        "unknown key 'domains'",
    ),
    (
        "unknown account key",
        account(email="nina@acme.com", name="Nina"),
        "$.accounts[1].name",
        "unknown key 'name'",
    ),
    (
        "unknown invitation key",
        invitation(workspace="acme", email="ivan@gmail.com", expires=7),
        "$.invitations[0].expires",
        "unknown key 'expires'",
    ),
    (
        "unknown event key",
        events(event(data={})),
        "$.events[0].data",
        "unknown key 'data'",
    ),
    (
        "unknown user key",
        events(event(user=user(emails=["nina@acme.com"]))),
        "$.events[0].user.emails",
        "unknown key 'emails'",
    ),
    (
        "the user's internal field is not a key",
        events(event(user=user(stated=["role"]))),
        "$.events[0].user.stated",
        "unknown key 'stated'",
    ),
    (
        "unknown previous key",
        events(updated(previous={"name": "Nina"})),
        "$.events[0].previous.name",
        "unknown key 'name'",
    ),
    (
        "unknown key that is not a name",
        policy(**{"batch limit": 10}),
        '$.policy["batch limit"]',
        "unknown key 'batch limit'",
    ),
    (
        "unknown empty key",
        policy(**{"": 10}),
        '$.policy[""]',
        "unknown key ''",
    ),
    # Wrong JSON types.
    (
        "string for an integer",
        policy(batch_limit="100"),
        "$.policy.batch_limit",
        "expected an integer, got a string",
    ),
    (
        "fraction for an integer",
        policy(max_attempts=1.5),
        "$.policy.max_attempts",
        "expected an integer, got a number",
    ),
    (
        "whole float for an integer",
        policy(interval_seconds=300.0),
        "$.policy.interval_seconds",
        "expected an integer, got a number",
    ),
    (
        "string for the sequence",
        events(event(sequence="1")),
        "$.events[0].sequence",
        "expected an integer, got a string",
    ),
    (
        "true for an integer",
        policy(batch_limit=True),
        "$.policy.batch_limit",
        "expected an integer, got a boolean",
    ),
    (
        "false for an integer",
        policy(max_attempts=False),
        "$.policy.max_attempts",
        "expected an integer, got a boolean",
    ),
    (
        "integer for a string",
        scenario(workspaces=[{**ACME, "id": 7}]),
        "$.workspaces[0].id",
        "expected a string, got a number",
    ),
    (
        "boolean for a string",
        account(email="nina@acme.com", first_name=True),
        "$.accounts[1].first_name",
        "expected a string, got a boolean",
    ),
    (
        "list for a string",
        events(event(id=["e1"])),
        "$.events[0].id",
        "expected a string, got a list",
    ),
    (
        "string true for a boolean",
        policy(revoke_first="true"),
        "$.policy.revoke_first",
        "expected true or false, got a string",
    ),
    (
        "number for a boolean",
        events(event(user=user(active=1))),
        "$.events[0].user.active",
        "expected true or false, got a number",
    ),
    (
        "string for a previous boolean",
        events(updated(previous={"active": "false"})),
        "$.events[0].previous.active",
        "expected true or false, got a string",
    ),
    (
        "object for a list",
        scenario(workspaces={"acme": ACME}),
        "$.workspaces",
        "expected a list, got an object",
    ),
    (
        "string for a list",
        scenario(workspaces=[{**ACME, "claimed_domains": "acme.com"}]),
        "$.workspaces[0].claimed_domains",
        "expected a list, got a string",
    ),
    (
        "list for an object",
        scenario(policy=[]),
        "$.policy",
        "expected an object, got a list",
    ),
    (
        "list for the user",
        events(event(user=[user()])),
        "$.events[0].user",
        "expected an object, got a list",
    ),
    (
        "string for a list item object",
        events("e1"),
        "$.events[0]",
        "expected an object, got a string",
    ),
    (
        "null for the events list",
        scenario(events=None),
        "$.events",
        "expected a list, got null",
    ),
    (
        "null for a required string",
        scenario(workspaces=[{**ACME, "id": None}]),
        "$.workspaces[0].id",
        "expected a string, got null",
    ),
    (
        "null for a required email",
        account(email=None),
        "$.accounts[1].email",
        "expected an email string, got null",
    ),
    (
        "null for the user",
        events(event(user=None)),
        "$.events[0].user",
        "expected an object, got null",
    ),
    (
        "number for an email",
        invitation(workspace="acme", email=42),
        "$.invitations[0].email",
        "expected an email string, got a number",
    ),
    (
        "number for a domain",
        scenario(workspaces=[{**ACME, "claimed_domains": [42]}]),
        "$.workspaces[0].claimed_domains[0]",
        "expected a domain string, got a number",
    ),
    (
        "number for the timestamp",
        events(event(timestamp=1700000000)),
        "$.events[0].timestamp",
        "expected a string, got a number",
    ),
    # Policy values.
    (
        "batch_limit 0",
        policy(batch_limit=0),
        "$.policy.batch_limit",
        "must be at least 1, not 0",
    ),
    (
        "batch_limit negative",
        policy(batch_limit=-5),
        "$.policy.batch_limit",
        "must be at least 1, not -5",
    ),
    (
        "max_attempts 0",
        policy(max_attempts=0),
        "$.policy.max_attempts",
        "must be at least 1, not 0",
    ),
    (
        "interval_seconds 0",
        policy(interval_seconds=0),
        "$.policy.interval_seconds",
        "must be at least 1, not 0",
    ),
    (
        "interval_seconds negative",
        policy(interval_seconds=-300),
        "$.policy.interval_seconds",
        "must be at least 1, not -300",
    ),
    (
        "interval_seconds beyond any date",
        policy(interval_seconds=10**20),
        "$.policy.interval_seconds",
        "too large",
    ),
    # Names outside their sets.
    (
        "unknown email policy",
        policy(email_changes="never"),
        "$.policy.email_changes",
        "expected one of 'always', 'guarded', got 'never'",
    ),
    (
        "email policy in the wrong case",
        policy(email_changes="Always"),
        "$.policy.email_changes",
        "got 'Always'",
    ),
    (
        "unknown event type",
        events(event(type="user.moved")),
        "$.events[0].type",
        "expected one of 'user.created', 'user.updated', 'user.deleted'",
    ),
    (
        "SCIM operation for an event type",
        events(event(type="PATCH")),
        "$.events[0].type",
        "got 'PATCH'",
    ),
    (
        "unknown account role",
        account(email="nina@acme.com", workspace="acme", role="owner"),
        "$.accounts[1].role",
        "expected one of 'member', 'admin', got 'owner'",
    ),
    (
        "unknown user role",
        events(event(user=user(role="superuser"))),
        "$.events[0].user.role",
        "expected one of 'member', 'admin', got 'superuser'",
    ),
    (
        "unknown invitation role",
        invitation(workspace="acme", email="ivan@gmail.com", role="guest"),
        "$.invitations[0].role",
        "got 'guest'",
    ),
    (
        "unknown previous role",
        events(updated(previous={"role": "root"})),
        "$.events[0].previous.role",
        "got 'root'",
    ),
    (
        "list for a role",
        events(event(user=user(role=["admin"]))),
        "$.events[0].user.role",
        "expected one of 'member', 'admin', got a list",
    ),
    (
        "unknown account status",
        account(email="nina@acme.com", status="suspended"),
        "$.accounts[1].status",
        "expected one of 'active', 'deactivated', got 'suspended'",
    ),
    (
        "unknown invitation status",
        invitation(workspace="acme", email="ivan@gmail.com", status="sent"),
        "$.invitations[0].status",
        "expected one of 'pending', 'revoked', got 'sent'",
    ),
    # Required keys.
    (
        "workspace without id",
        scenario(workspaces=[without(ACME, "id")]),
        "$.workspaces[0].id",
        "required key missing",
    ),
    (
        "account without email",
        account(first_name="Nina"),
        "$.accounts[1].email",
        "required key missing",
    ),
    (
        "invitation without email",
        invitation(workspace="acme"),
        "$.invitations[0].email",
        "required key missing",
    ),
    (
        "invitation without workspace",
        invitation(email="ivan@gmail.com"),
        "$.invitations[0].workspace",
        "required key missing",
    ),
    (
        "event without id",
        events(without(event(), "id")),
        "$.events[0].id",
        "required key missing",
    ),
    (
        "event without workspace",
        events(without(event(), "workspace")),
        "$.events[0].workspace",
        "required key missing",
    ),
    (
        "event without type",
        events(without(event(), "type")),
        "$.events[0].type",
        "required key missing",
    ),
    (
        "event without user",
        events(without(event(), "user")),
        "$.events[0].user",
        "required key missing",
    ),
    (
        "user without id",
        events(event(user=without(user(), "id"))),
        "$.events[0].user.id",
        "required key missing",
    ),
    (
        "deleted user without id",
        events(event(type="user.deleted", user={})),
        "$.events[0].user.id",
        "required key missing",
    ),
    (
        "user.created without user.email",
        events(event(user=without(user(), "email"))),
        "$.events[0].user.email",
        "required for user.created",
    ),
    (
        "user.created with a null user.email",
        events(event(user=user(email=None))),
        "$.events[0].user.email",
        "required for user.created",
    ),
    (
        "user.updated without user.email",
        events(updated(user=without(user(), "email"))),
        "$.events[0].user.email",
        "required for user.updated",
    ),
    (
        "the second event lacks a user.email",
        events(event(), event(id="e2", user={"id": "dir-2"})),
        "$.events[1].user.email",
        "required for user.created",
    ),
    # Emails and domains that do not parse.
    (
        "email without @",
        events(event(user=user(email="nina.acme.com"))),
        "$.events[0].user.email",
        "'nina.acme.com' is not a valid email address",
    ),
    (
        "email with a space inside",
        account(email="nina ng@acme.com"),
        "$.accounts[1].email",
        "'nina ng@acme.com' is not a valid email address",
    ),
    (
        "empty email",
        account(email=""),
        "$.accounts[1].email",
        "'' is not a valid email address",
    ),
    (
        "blank email",
        account(email="   "),
        "$.accounts[1].email",
        "is not a valid email address",
    ),
    (
        "email domain without a dot",
        invitation(workspace="acme", email="ivan@localhost"),
        "$.invitations[0].email",
        "'ivan@localhost' is not a valid email address",
    ),
    (
        "email with two @",
        account(email="nina@ng@acme.com"),
        "$.accounts[1].email",
        "is not a valid email address",
    ),
    (
        "email without a local part",
        account(email="@acme.com"),
        "$.accounts[1].email",
        "is not a valid email address",
    ),
    (
        "owner email that does not parse",
        scenario(workspaces=[{**ACME, "owner": "olive"}]),
        "$.workspaces[0].owner",
        "'olive' is not a valid email address",
    ),
    (
        "previous email that does not parse",
        events(updated(previous={"email": "nina at acme.com"})),
        "$.events[0].previous.email",
        "'nina at acme.com' is not a valid email address",
    ),
    (
        "deleted user email that does not parse",
        events(event(type="user.deleted", user={"id": "d", "email": "x"})),
        "$.events[0].user.email",
        "'x' is not a valid email address",
    ),
    (
        "claimed domain with a space",
        scenario(workspaces=[{**ACME, "claimed_domains": ["acme com"]}]),
        "$.workspaces[0].claimed_domains[0]",
        "'acme com' is not a valid domain",
    ),
    (
        "claimed domain without a dot",
        scenario(workspaces=[{**ACME, "claimed_domains": ["acme"]}]),
        "$.workspaces[0].claimed_domains[0]",
        "'acme' is not a valid domain",
    ),
    (
        "an email for a claimed domain",
        scenario(workspaces=[{**ACME, "claimed_domains": ["o@acme.com"]}]),
        "$.workspaces[0].claimed_domains[0]",
        "'o@acme.com' is not a valid domain",
    ),
    (
        "empty claimed domain",
        scenario(workspaces=[{**ACME, "claimed_domains": ["acme.com", ""]}]),
        "$.workspaces[0].claimed_domains[1]",
        "'' is not a valid domain",
    ),
    # Duplicates.
    (
        "duplicate workspace id",
        scenario(workspaces=[ACME, {"id": "acme"}]),
        "$.workspaces[1].id",
        "workspace 'acme' exists already",
    ),
    (
        "duplicate account email",
        account(email="olive@acme.com"),
        "$.accounts[1].email",
        "an account with olive@acme.com exists",
    ),
    (
        "duplicate account email in another case",
        scenario(
            accounts=[OLIVE, {"email": "A@acme.com"}, {"email": "a@acme.com"}]
        ),
        "$.accounts[2].email",
        "an account with a@acme.com exists",
    ),
    (
        "duplicate account email, IDN and punycode",
        scenario(
            accounts=[
                OLIVE,
                {"email": "x@bücher.example"},
                {"email": "x@xn--bcher-kva.example"},
            ]
        ),
        "$.accounts[2].email",
        "an account with x@bücher.example exists",
    ),
    (
        "duplicate invitation",
        scenario(
            invitations=[
                {"workspace": "acme", "email": "ivan@gmail.com"},
                {"workspace": "acme", "email": "Ivan@Gmail.com"},
            ]
        ),
        "$.invitations[1].email",
        "invited to 'acme' already",
    ),
    # References to what is not there.
    (
        "account in an unknown workspace",
        account(email="nina@acme.com", workspace="globex"),
        "$.accounts[1].workspace",
        "unknown workspace 'globex'",
    ),
    (
        "account created by an unknown workspace",
        account(email="nina@acme.com", created_by="globex"),
        "$.accounts[1].created_by",
        "unknown workspace 'globex'",
    ),
    (
        "invitation to an unknown workspace",
        invitation(workspace="globex", email="ivan@gmail.com"),
        "$.invitations[0].workspace",
        "unknown workspace 'globex'",
    ),
    (
        "invitation for a member of that workspace",
        invitation(workspace="acme", email="OLIVE@acme.com"),
        "$.invitations[0].email",
        "is a member of 'acme' already",
    ),
    (
        "event in an unknown workspace",
        events(event(workspace="globex")),
        "$.events[0].workspace",
        "unknown workspace 'globex'",
    ),
    # Events that contradict themselves.
    (
        "previous on user.created",
        events(event(previous={"email": "nina.old@acme.com"})),
        "$.events[0].previous",
        "only user.updated events have previous",
    ),
    (
        "previous on user.deleted",
        events(event(type="user.deleted", previous={"active": True})),
        "$.events[0].previous",
        "only user.updated events have previous",
    ),
    (
        "timestamp in words",
        events(event(timestamp="yesterday")),
        "$.events[0].timestamp",
        "'yesterday' is not an ISO 8601 date and time",
    ),
    (
        "timestamp with month 13",
        events(event(timestamp="2024-13-01T00:00:00Z")),
        "$.events[0].timestamp",
        "is not an ISO 8601 date and time",
    ),
    (
        "empty timestamp",
        events(event(timestamp="")),
        "$.events[0].timestamp",
        "is not an ISO 8601 date and time",
    ),
    # Several problems: the first is named, the others counted.
    (
        "two problems",
        scenario(workspaces=[{"id": 1}, {"id": 2}]),
        "$.workspaces[0].id",
        "expected a string, got a number (and 1 more problem)",
    ),
    (
        "two unknown keys",
        policy(foo=1, bar=2),
        "$.policy.bar",
        "unknown key 'bar'; allowed keys are admin_groups, batch_limit, "
        "email_changes, interval_seconds, max_attempts, revoke_first "
        "(and 1 more problem)",
    ),
]


def load(document: object) -> Scenario:
    """
    Load *document*: JSON text as it is, anything else as the parsed
    document it stands for.
    """
    if isinstance(document, str | bytes):
        return load_scenario(document)
    return read_scenario(document)


def test_the_scenario_the_cases_spoil_is_valid() -> None:
    """
    Unspoilt, the helpers build valid scenarios; so each case below fails
    for the one reason it names.
    """
    whole = scenario(
        accounts=[OLIVE, {"email": "nina.old@acme.com"}],
        invitations=[{"workspace": "acme", "email": "ivan@gmail.com"}],
        events=[
            event(),
            updated(id="e2"),
            event(id="e3", type="user.deleted"),
        ],
    )

    loaded = read_scenario(whole)

    assert len(loaded.events) == 3
    assert load_scenario(json.dumps(whole)).policy == loaded.policy


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_bad_scenario_is_refused_where_it_goes_wrong(
    document: object, where: str, message: str
) -> None:
    """
    A bad scenario raises InvalidScenario, which names the JSON path of
    the offending key or value and says what is wrong there.
    """
    with pytest.raises(InvalidScenario) as caught:
        load(document)

    assert caught.value.where == where
    assert message in caught.value.why
    assert str(caught.value) == f"{where}: {caught.value.why}"


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        pytest.param(*case[1:], id=case[0])
        for case in CASES
        if not isinstance(case[1], str | bytes)
    ],
)
def test_a_bad_scenario_reads_the_same_as_text(
    document: object, where: str, message: str
) -> None:
    """
    The JSON text of a bad document is refused just as the document is.
    """
    with pytest.raises(InvalidScenario) as caught:
        load_scenario(json.dumps(document))

    assert caught.value.where == where
    assert message in caught.value.why


def test_a_duplicate_email_names_the_account_it_repeats() -> None:
    """
    Two accounts whose emails differ only in case have the same email,
    and the error says which account has it first.
    """
    document = scenario(
        accounts=[OLIVE, {"email": "A@acme.com"}, {"email": "a@acme.com"}]
    )

    with pytest.raises(InvalidScenario) as caught:
        read_scenario(document)

    assert "$.accounts[1]" in caught.value.why


def test_an_invalid_scenario_is_a_value_error_with_no_cause() -> None:
    """
    InvalidScenario is a ValueError, and does not chain the library
    internals it came from.
    """
    with pytest.raises(InvalidScenario) as caught:
        load_scenario('{"policy": {"batch_limit": "1"}}')

    assert isinstance(caught.value, ValueError)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


# Arbitrary JSON.

TOP_KEYS = ("policy", "workspaces", "accounts", "invitations", "events")
RECORD_KEYS = (
    "batch_limit",
    "revoke_first",
    "email_changes",
    "max_attempts",
    "interval_seconds",
    "id",
    "owner",
    "claimed_domains",
    "email",
    "first_name",
    "last_name",
    "department",
    "title",
    "workspace",
    "status",
    "role",
    "directory_id",
    "created_by",
    "type",
    "user",
    "previous",
    "sequence",
    "timestamp",
    "active",
)
# Values that pass the per-key checks, so that the search gets as far as
# the references between the parts.
GOOD_VALUES = (
    "acme",
    "globex",
    "e1",
    "dir-1",
    "nina@acme.com",
    "NINA@ACME.COM",
    "olive@acme.com",
    "x@bücher.example",
    "x@xn--bcher-kva.example",
    "acme.com",
    "bücher.example",
    "member",
    "admin",
    "active",
    "deactivated",
    "pending",
    "revoked",
    "always",
    "guarded",
    "user.created",
    "user.updated",
    "user.deleted",
    "2024-05-01T12:00:00Z",
    "2024-05-01",
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-2, max_value=3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(GOOD_VALUES)
)
json_keys = (
    st.sampled_from(TOP_KEYS)
    | st.sampled_from(RECORD_KEYS)
    | st.sampled_from(RECORD_KEYS)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(json_keys, children, max_size=6)
    ),
    max_leaves=40,
)
scenario_like = st.dictionaries(
    st.sampled_from(TOP_KEYS) | st.text(max_size=4),
    json_values,
    max_size=5,
)


def outcome(
    loader: Callable[[Any], Scenario], document: object
) -> tuple[str, str] | None:
    """
    None if *loader* loads *document*, else the path and reason it is
    refused for. Any other exception propagates, failing the test.
    """
    try:
        loader(document)
    except InvalidScenario as e:
        return (e.where, e.why)
    return None


@given(json_values | scenario_like)
def test_any_json_either_loads_or_is_an_invalid_scenario(
    document: Any,
) -> None:
    """
    Whatever the JSON, reading it as a scenario either succeeds or raises
    InvalidScenario, the same for the document and for its text.
    """
    as_document = outcome(read_scenario, document)

    assert outcome(load_scenario, json.dumps(document)) == as_document


def pool(*values: object) -> st.SearchStrategy[Any]:
    """
    One of *values*, which are mostly valid for the key they go under.
    """
    return st.sampled_from(values)


def record(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
) -> st.SearchStrategy[dict[str, Any]]:
    """
    A JSON object with the *required* keys and some of the *optional*.
    """
    return st.fixed_dictionaries(required, optional=optional)


workspace_ids = pool("acme", "globex", "initech")
emails = pool(
    "olive@acme.com",
    "nina@acme.com",
    "NINA@acme.com",
    "gus@globex.com",
    "x@bücher.example",
    "x@xn--bcher-kva.example",
    "not an email",
)
names = pool(None, "Nina", "", "Zoë")
roles = pool(None, "member", "admin", "owner")
flags = pool(None, True, False, "true")
shaped_users = record(
    {"id": pool("dir-1", "dir-2")},
    {
        "email": emails | st.none(),
        "first_name": names,
        "last_name": names,
        "title": names,
        "role": roles,
        "active": flags,
    },
)
shaped_events = record(
    {
        "id": pool("e1", "e2"),
        "workspace": workspace_ids,
        "type": pool("user.created", "user.updated", "user.deleted"),
        "user": shaped_users,
    },
    {
        "previous": st.none()
        | record({}, {"email": emails, "role": roles, "active": flags}),
        "sequence": pool(None, 1, 2, -1),
        "timestamp": pool(None, "2024-05-01T12:00:00Z", "2024-05-01", "x"),
    },
)
shaped_scenarios = record(
    {},
    {
        "policy": record(
            {},
            {
                "batch_limit": pool(1, 2, 100),
                "revoke_first": st.booleans(),
                "email_changes": pool("always", "guarded"),
                "max_attempts": pool(1, 5),
            },
        ),
        "workspaces": st.lists(
            record(
                {"id": workspace_ids},
                {
                    "owner": emails | st.none(),
                    "claimed_domains": st.lists(
                        pool("acme.com", "globex.com", "bücher.example"),
                        max_size=2,
                    ),
                },
            ),
            max_size=3,
        ),
        "accounts": st.lists(
            record(
                {"email": emails},
                {
                    "first_name": names,
                    "workspace": workspace_ids | st.none(),
                    "status": pool("active", "deactivated"),
                    "role": roles,
                    "directory_id": pool(None, "dir-1", "dir-2"),
                    "created_by": workspace_ids | st.none(),
                },
            ),
            max_size=4,
        ),
        "invitations": st.lists(
            record(
                {"workspace": workspace_ids, "email": emails},
                {"role": roles, "status": pool("pending", "revoked")},
            ),
            max_size=2,
        ),
        "events": st.lists(shaped_events, max_size=5),
    },
)


@given(shaped_scenarios)
def test_a_well_shaped_scenario_replays_or_is_an_invalid_scenario(
    document: dict[str, Any],
) -> None:
    """
    Past the shape checks, the references between the parts and the
    events' own rules also end in InvalidScenario or in a scenario that
    replays, as ``dirsync replay`` does, without an exception.
    """
    try:
        loaded = read_scenario(document)
    except InvalidScenario as e:
        refused: tuple[str, str] | None = (e.where, e.why)
    else:
        refused = None
        render(simulate(loaded.state, loaded.events, loaded.policy))

    assert outcome(load_scenario, json.dumps(document)) == refused


# The command line.


def write(tmp_path: Path, name: str, document: object) -> Path:
    """
    Write *document* (JSON text as it is, else as JSON) to a UTF-8 file,
    with non-ASCII characters unescaped.
    """
    path = tmp_path / name
    if not isinstance(document, str):
        document = json.dumps(document, ensure_ascii=False)
    path.write_text(document, encoding="utf-8")
    return path


VALID = scenario(events=[event()])
INVALID = events(event(user=user(email="nina.acme.com")))
INVALID_WHERE = "$.events[0].user.email"


def test_the_command_line_replays_a_valid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    The control: a valid file exits 0 and prints its outcome as JSON.
    """
    path = write(tmp_path, "valid.json", VALID)

    status = main(["replay", str(path)])

    out, err = capsys.readouterr()
    assert status == 0
    assert json.loads(out)["decisions"][0]["event"] == "e1"
    assert err == ""


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        pytest.param(INVALID, INVALID_WHERE, "not a valid email", id="email"),
        pytest.param("{", "$", "not valid JSON", id="not JSON"),
        pytest.param(nested(DEEP), "$", "not valid JSON", id="deep"),
        pytest.param(
            policy(batch_limit=0),
            "$.policy.batch_limit",
            "at least 1",
            id="batch_limit",
        ),
    ],
)
def test_the_command_line_refuses_an_invalid_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: object,
    where: str,
    message: str,
) -> None:
    """
    An invalid file exits 2 and prints the file, the path and the reason
    on standard error, and nothing on standard output.
    """
    path = write(tmp_path, "bad.json", document)

    status = main(["replay", str(path)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert f"{path}: {where}: " in err
    assert message in err
    assert "Traceback" not in err


def test_the_command_line_refuses_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    A file that does not exist exits 2, saying so on standard error.
    """
    path = tmp_path / "missing.json"

    status = main(["replay", str(path)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert "cannot read" in err
    assert str(path) in err


def test_the_command_line_refuses_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    A directory is not a scenario file: exit 2, not a traceback.
    """
    status = main(["replay", str(tmp_path)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert "cannot read" in err


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_one_invalid_file_among_several_prints_no_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: int
) -> None:
    """
    When any of the files is invalid, wherever it comes, nothing is
    printed on standard output, not even the valid files' outcomes.
    """
    paths = [
        write(tmp_path, f"{i}.json", INVALID if i == bad else VALID)
        for i in range(3)
    ]

    status = main(["replay", *map(str, paths)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert f"{paths[bad]}: {INVALID_WHERE}: " in err


def test_one_missing_file_among_several_prints_no_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    A missing file after a valid one also leaves standard output empty.
    """
    valid = write(tmp_path, "valid.json", VALID)

    status = main(["replay", str(valid), str(tmp_path / "missing.json")])

    out, _ = capsys.readouterr()
    assert status == 2
    assert out == ""


def test_the_command_line_refuses_invalid_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    ``-`` reads standard input, and is refused the same way.
    """
    data = json.dumps(INVALID).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    status = main(["replay", "-"])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert f"-: {INVALID_WHERE}: " in err


def test_the_command_line_refuses_a_file_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    Bytes that do not decode are invalid input: exit 2, reason on
    standard error.
    """
    path = tmp_path / "latin1.json"
    path.write_bytes(
        '{"accounts": [{"email": "zoë@acme.com"}]}'.encode("latin-1")
    )

    status = main(["replay", str(path)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert f"{path}: $: not valid JSON" in err


def run_dirsync(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """
    Run ``python -m dirsync`` in a new process.
    """
    return subprocess.run(
        [sys.executable, "-m", "dirsync", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        check=False,
        timeout=120,
        env=env,
    )


def test_python_m_dirsync_exits_2_on_an_invalid_file(tmp_path: Path) -> None:
    """
    As a real process: exit status 2, the reason on standard error, no
    traceback, and nothing on standard output.
    """
    path = write(tmp_path, "bad.json", INVALID)

    run = run_dirsync("replay", str(path))

    assert run.returncode == 2
    assert run.stdout == ""
    assert f"{path}: {INVALID_WHERE}: " in run.stderr
    assert "is not a valid email address" in run.stderr
    assert "Traceback" not in run.stderr


def test_python_m_dirsync_exits_2_on_deeply_nested_json(
    tmp_path: Path,
) -> None:
    """
    Deeply nested JSON is invalid input, not a RecursionError.
    """
    path = write(tmp_path, "deep.json", nested(DEEP))

    run = run_dirsync("replay", str(path))

    assert run.returncode == 2
    assert run.stdout == ""
    assert f"{path}: $: not valid JSON" in run.stderr
    assert "Traceback" not in run.stderr


def test_python_m_dirsync_reads_utf8_whatever_the_locale(
    tmp_path: Path,
) -> None:
    """
    A scenario file is UTF-8 JSON: an internationalised domain in it is
    read under an ASCII locale too, not refused as unreadable.
    """
    path = write(
        tmp_path,
        "idn.json",
        {"workspaces": [{"id": "b", "claimed_domains": ["bücher.example"]}]},
    )
    env = {**os.environ, "LC_ALL": "C.ISO-8859-1", "PYTHONUTF8": "0"}

    run = run_dirsync("replay", str(path), env=env)

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["workspaces"][0]["id"] == "b"


def test_text_story_prints_under_an_ascii_locale(tmp_path: Path) -> None:
    """
    The story of a scenario with an internationalised domain prints as
    UTF-8 even when the locale says ASCII.
    """
    path = tmp_path / "idn.json"
    path.write_text(
        json.dumps(
            {
                "workspaces": [
                    {"id": "b", "owner": "o@bücher.example"},
                ],
                "accounts": [{"email": "o@bücher.example", "workspace": "b"}],
                "events": [
                    {
                        "id": "e1",
                        "workspace": "b",
                        "type": "user.created",
                        "user": {"id": "u1", "email": "jörg@bücher.example"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    env.pop("PYTHONUTF8", None)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dirsync",
            "replay",
            "--format",
            "text",
            str(path),
        ],
        capture_output=True,
        env=env,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "jörg@bücher.example" in done.stdout.decode()
