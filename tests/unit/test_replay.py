"""
What `dirsync replay` does with the parts of a scenario file that the
rule examples do not exercise.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest

from dirsync import (
    DirectoryLink,
    Email,
    InvalidScenario,
    State,
    read_scenario,
    render,
    simulate,
    tell,
)
from dirsync._cli import _write
from tests.rule_cases import WORLD, created, deleted, updated


def replay(events: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    document = copy.deepcopy(WORLD)
    document["events"] = events
    document.update(extra)
    scenario = read_scenario(document)
    return render(simulate(scenario.state, scenario.events, scenario.policy))


def _key(text: str) -> str:
    return Email.parse(text).key


def skips(output: dict[str, Any]) -> list[list[str]]:
    return [d["skips"] for d in output["decisions"]]


def account(output: dict[str, Any], email: str) -> dict[str, Any]:
    return next(a for a in output["accounts"] if a["email"] == email)


def test_older_timestamps_are_stale() -> None:
    """
    Timestamps with a zone, with Z, or without a zone (read as UTC) order
    one user's events; an older one is stale, an equal one is not.
    """
    first = updated("e1", "d-mia", "mia@acme.com", title="A")
    first["timestamp"] = "2026-03-01T10:00:00Z"
    older = updated("e2", "d-mia", "mia@acme.com", title="B")
    older["timestamp"] = "2026-03-01T11:00:00+02:00"
    same = updated("e3", "d-mia", "mia@acme.com", title="C")
    same["timestamp"] = "2026-03-01T10:00:00"

    output = replay([first, older, same])

    assert skips(output) == [[], ["stale"], []]
    assert account(output, "mia@acme.com")["title"] == "C"


def test_older_sequence_numbers_are_stale() -> None:
    """
    A lower sequence number than one applied for the same user is stale;
    other users are not affected.
    """
    events = [
        deleted("e1", "d-mia"),
        updated("e2", "d-pat", "pat@gmail.com", title="X"),
        updated("e3", "d-mia", "mia@acme.com", active=True),
    ]
    events[0]["sequence"] = 7
    events[1]["sequence"] = 3
    events[2]["sequence"] = 6

    output = replay(events)

    assert skips(output) == [[], ["domain_unclaimed"], ["stale"]]
    assert account(output, "mia@acme.com")["status"] == "deactivated"


def test_absent_attributes_are_kept_and_null_ones_cleared() -> None:
    """
    An update names what it states: absent attributes stay as they are,
    null ones are cleared, and a null role changes no role.
    """
    output = replay(
        [
            updated(
                "e1",
                "d-mia",
                "mia@acme.com",
                title="Lead",
                department=None,
                role=None,
            )
        ]
    )

    mia = account(output, "mia@acme.com")
    assert (mia["first_name"], mia["last_name"]) == ("Mia", "Moss")
    assert (mia["department"], mia["title"]) == (None, "Lead")
    assert mia["role"] == "member"


@pytest.mark.parametrize(
    ("entry", "scope"),
    [
        ({"workspace": "globex"}, "globex"),
        ({"created_by": "globex"}, "globex"),
        ({}, None),
    ],
)
def test_links_are_scoped_to_the_likeliest_directory(
    entry: dict[str, Any], scope: str | None
) -> None:
    """
    A directory id is taken to be in the directory of the account's
    workspace, else of its creator; with several workspaces and no hint,
    it matches in any.
    """
    document = copy.deepcopy(WORLD)
    document["accounts"].append(
        {"email": "new@x.com", "directory_id": "d-new", **entry}
    )

    state = read_scenario(document).state

    number = state.find(_key("new@x.com"))
    assert number is not None
    assert state.accounts[number].link == DirectoryLink(scope, "d-new")


def test_an_invitation_scopes_the_link() -> None:
    """
    An account in no workspace, invited to one, is linked in that
    workspace's directory.
    """
    document = copy.deepcopy(WORLD)
    document["accounts"].append({"email": "inv@x.com", "directory_id": "d"})
    document["invitations"].append(
        {"workspace": "globex", "email": "inv@x.com"}
    )

    state = read_scenario(document).state

    number = state.find(_key("inv@x.com"))
    assert number is not None
    assert state.accounts[number].link == DirectoryLink("globex", "d")


def test_python_values_that_are_not_json_are_refused() -> None:
    """
    read_scenario takes parsed JSON; other Python values, and keys that
    are not strings, are named in the error.
    """
    with pytest.raises(InvalidScenario, match="got set"):
        read_scenario({"workspaces": [{"id": {"a"}}]})
    with pytest.raises(InvalidScenario) as info:
        read_scenario({"policy": {1: 2}})

    assert info.value.where == "$.policy[1]"


def test_a_story_with_nothing_to_tell() -> None:
    """
    An empty replay says so.
    """
    outcome = simulate(State(), [])

    text = tell(outcome)

    assert "No event was applied." in text
    assert "Cycles run: 0" in text


def test_output_without_a_byte_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    Output still works when standard output is a plain text stream.
    """
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)

    _write("jörg\n")

    assert stream.getvalue() == "jörg\n"


def test_state_shows_its_contents() -> None:
    """
    A State's repr lists its workspaces and accounts, for debugging.
    """
    state = read_scenario(copy.deepcopy(WORLD)).state

    assert "olive@acme.com" in repr(state)
    assert "globex" in repr(state)


def test_created_joiner_is_reported_with_every_key() -> None:
    """
    Accounts come out in the input form, every key present.
    """
    output = replay([created("e1", "d-nina", "nina@acme.com")])

    assert set(account(output, "nina@acme.com")) == {
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
    }
