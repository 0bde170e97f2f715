"""
Scenario files with SCIM requests among their events (docs/scim.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from dirsync import InvalidScenario, Policy, UserCreated, read_scenario
from dirsync._scenario import ScimCall

WORKSPACES = [{"id": "acme", "owner": "olive@acme.com"}]
EVENT = {
    "id": "e1",
    "workspace": "acme",
    "type": "user.created",
    "user": {"id": "u1", "email": "nina@acme.com"},
}


def call(**scim: Any) -> dict[str, Any]:
    return {
        "id": "s1",
        "workspace": "acme",
        "scim": {"method": "GET", "path": "/Users", **scim},
    }


def test_requests_keep_their_place_among_events() -> None:
    """
    ``inputs`` interleaves events and requests in file order; ``events``
    holds the events alone.
    """
    scenario = read_scenario(
        {
            "workspaces": WORKSPACES,
            "events": [call(), EVENT, call(method="post", body={"a": 1})],
        }
    )

    assert [type(i) for i in scenario.inputs] == [
        ScimCall,
        UserCreated,
        ScimCall,
    ]
    assert len(scenario.events) == 1
    last = scenario.inputs[2]
    assert isinstance(last, ScimCall)
    assert (last.method, last.body) == ("POST", {"a": 1})


def test_scenario_without_requests_has_events_as_inputs() -> None:
    """
    A plain scenario's inputs are its events.
    """
    scenario = read_scenario({"workspaces": WORKSPACES, "events": [EVENT]})

    assert scenario.inputs == scenario.events


@pytest.mark.parametrize(
    ("item", "where", "why"),
    [
        (call(method="TRACE"), "$.events[1].scim.method", "TRACE"),
        (call(path="Users"), "$.events[1].scim.path", "'/'"),
        (call(query=3), "$.events[1].scim.query", "string"),
        (call(extra=1), "$.events[1].scim.extra", "unknown key"),
        (
            {**call(), "workspace": "nowhere"},
            "$.events[1].workspace",
            "unknown workspace",
        ),
        ({**call(), "id": 7}, "$.events[1].id", "string"),
        ({"workspace": "acme", "scim": {}}, "$.events[1].id", "missing"),
        ({**call(), "type": "x"}, "$.events[1].type", "unknown key"),
        ({**call(), "scim": []}, "$.events[1].scim", "object"),
        (
            {**call(), "scim": {"path": "/Users"}},
            "$.events[1].scim.method",
            "missing",
        ),
    ],
)
def test_bad_requests_name_the_key(item: Any, where: str, why: str) -> None:
    """
    A malformed request is refused with the JSON path of the bad key.
    """
    with pytest.raises(InvalidScenario) as caught:
        read_scenario({"workspaces": WORKSPACES, "events": [EVENT, item]})

    assert caught.value.where == where
    assert why in caught.value.why


def test_event_errors_keep_their_index_in_the_file() -> None:
    """
    An error in an event after a request names the event's place in the
    file, not among the events alone.
    """
    bad = {**EVENT, "type": "user.renamed"}

    with pytest.raises(InvalidScenario) as caught:
        read_scenario({"workspaces": WORKSPACES, "events": [call(), bad]})

    assert caught.value.where.startswith("$.events[1]")


def test_policy_admin_groups() -> None:
    """
    A scenario's policy may name admin groups; a bare string is a host
    mistake, not a set of one-letter names.
    """
    scenario = read_scenario(
        {"policy": {"admin_groups": ["Admins", "Owners"]}, "workspaces": []}
    )

    assert scenario.policy.admin_groups == frozenset({"Admins", "Owners"})
    with pytest.raises(TypeError, match="not a str"):
        Policy(admin_groups="Admins")
