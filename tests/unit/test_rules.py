"""
Every rule of SPEC, by example: the cases of `tests.rule_cases` replayed
through scenario files, as a person would try them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dirsync import RULES, load_scenario, read_scenario, render, simulate
from tests.rule_cases import CASES, WORLD


def replay(case: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(WORLD)
    document["events"] = case["events"]
    if "policy" in case:
        document["policy"] = case["policy"]
    scenario = read_scenario(document)
    return render(simulate(scenario.state, scenario.events, scenario.policy))


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['rule']}: {case.get('note', 'plain')}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_rule_example(case: dict[str, Any]) -> None:
    """
    The decision for the case's event is the one the case expects, and
    the account ends as the case says.
    """
    expect = case["expect"]
    wanted = expect.get("event", case["events"][-1]["id"])

    output = replay(case)
    (decision,) = [d for d in output["decisions"] if d["event"] == wanted]

    fired = case["rule"] in decision["rules"]
    assert fired is case.get("fires", True)
    for key in ("standing", "rules", "actions", "cycle"):
        if key in expect:
            assert decision[key] == expect[key], key
    assert decision["escalations"] == expect.get("escalations", [])
    assert decision["skips"] == expect.get("skips", [])
    assert decision["reason"]
    if "account" in case:
        account = next(
            a
            for a in output["accounts"]
            if a["email"] == case["account"]["email"]
        )
        assert case["account"].items() <= account.items()


def test_every_rule_has_an_example() -> None:
    """
    Each rule id of the table is the subject of at least one case.
    """
    covered = {case["rule"] for case in CASES}

    assert covered == {rule.id for rule in RULES}


def test_spec_example_replays_as_specified() -> None:
    """
    SPEC section 10's example gives the decision and state SPEC shows.
    """
    text = """
    {"policy": {"batch_limit": 100, "revoke_first": true,
                "email_changes": "always"},
     "workspaces": [{"id": "acme", "owner": "olive@acme.com",
                     "claimed_domains": ["acme.com"]}],
     "accounts": [{"email": "olive@acme.com", "first_name": "Olive",
                   "last_name": "Owens", "department": "Ops", "title": "COO",
                   "workspace": "acme", "status": "active", "role": "admin",
                   "directory_id": null, "created_by": null}],
     "invitations": [{"workspace": "acme", "email": "ivan@gmail.com",
                      "role": "member"}],
     "events": [{"id": "e1", "workspace": "acme", "type": "user.created",
                 "user": {"id": "dir-1", "email": "nina@acme.com",
                          "first_name": "Nina", "last_name": "Ng",
                          "department": "R&D", "title": "Engineer",
                          "role": "member", "active": true}}]}
    """
    scenario = load_scenario(text)

    output = render(simulate(scenario.state, scenario.events))

    (decision,) = output["decisions"]
    assert {k: v for k, v in decision.items() if k != "reason"} == {
        "event": "e1",
        "workspace": "acme",
        "cycle": 1,
        "standing": "new",
        "rules": ["P-NEW"],
        "actions": ["create_account", "link", "send_invitation"],
        "escalations": [],
        "skips": [],
    }
    assert {
        "email": "nina@acme.com",
        "first_name": "Nina",
        "last_name": "Ng",
        "department": "R&D",
        "title": "Engineer",
        "workspace": None,
        "status": "active",
        "role": "member",
        "directory_id": "dir-1",
        "created_by": "acme",
    } in output["accounts"]
    assert output["invitations"][-1] == {
        "workspace": "acme",
        "email": "nina@acme.com",
        "role": "member",
        "status": "pending",
    }
    assert output["mail"] == [
        {"to": "nina@acme.com", "kind": "invitation", "workspace": "acme"}
    ]
    assert output["escalations"] == []
    assert output["workspaces"] == [
        {"id": "acme", "status": "active", "queued": 0, "parked": 0}
    ]
    assert output["cycles"] == 1
