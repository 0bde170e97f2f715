"""
Every runnable example runs, and tells the story it claims to.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from dirsync._cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"

#: For each example scenario, the rules each event's decision names.
STORIES: dict[str, dict[str, list[str]]] = {
    "onboarding.json": {
        "e1": ["P-NEW"],
        "e2": ["P-MEMBER"],
        "e3": ["P-INVITED"],
        "e4": ["P-STANDALONE"],
        "e5": ["U-UNKNOWN", "P-NEW"],
    },
    "offboarding.json": {
        "e1": ["U-PROFILE"],
        "e2": ["P-NEW"],
        "e3": ["P-NEW"],
        "e4": ["U-PROFILE", "S-REVOKE-FIRST"],
        "e5": ["D-MEMBER", "S-REVOKE-FIRST"],
        "e6": ["D-INVITED", "S-REVOKE-FIRST"],
        "e7": ["D-UNMANAGED", "S-REVOKE-FIRST"],
        "e8": ["D-OWNER", "S-REVOKE-FIRST"],
        "e9": ["D-ALREADY", "S-REVOKE-FIRST"],
        "e10": ["P-NEW"],
    },
    "email_change.json": {
        "e1": ["U-EMAIL", "U-PROFILE"],
        "e2": ["U-EMAIL", "G-EMAIL-TAKEN"],
        "e3": ["U-EMAIL", "G-EMAIL-FOREIGN-CLAIM"],
        "e4": ["U-EMAIL", "G-EMAIL-UNOWNED", "U-PROFILE"],
        "e5": ["U-EMAIL", "U-PROFILE"],
    },
    "other_workspace.json": {
        "e1": ["P-OTHER-WORKSPACE"],
        "e2": ["P-DEACTIVATED-ELSEWHERE"],
        "e4": ["D-MEMBER", "S-REVOKE-FIRST"],
    },
    "scim_entra.json": {
        "s2.2": ["P-MEMBER"],
        "s3.2": ["P-NEW"],
        "s4": ["U-PROFILE"],
        "s5.2": ["U-ROLE"],
        "s6": ["D-INVITED"],
    },
}


def test_every_scenario_has_a_story() -> None:
    """
    No example scenario goes untested.
    """
    found = {path.name for path in (EXAMPLES / "scenarios").glob("*.json")}

    assert found == set(STORIES)


@pytest.mark.parametrize("name", sorted(STORIES))
def test_example_scenario_replays(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    The scenario replays, and each event gets the rules its story says.
    """
    status = main(["replay", str(EXAMPLES / "scenarios" / name)])

    output = json.loads(capsys.readouterr().out)
    assert status == 0
    rules = {d["event"]: d["rules"] for d in output["decisions"] if d["rules"]}
    assert rules == STORIES[name]


@pytest.mark.parametrize("name", sorted(STORIES))
def test_example_scenario_reads_as_a_story(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    The text format names every event and the rules applied.
    """
    status = main(
        ["replay", "--format", "text", str(EXAMPLES / "scenarios" / name)]
    )

    text = capsys.readouterr().out
    assert status == 0
    for event, rules in STORIES[name].items():
        assert f"event {event}:" in text
        assert rules[0] in text


def test_onboarding_drops_the_redelivered_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """
    The second delivery of e1 in the onboarding story is a duplicate.
    """
    main(["replay", str(EXAMPLES / "scenarios" / "onboarding.json")])

    output = json.loads(capsys.readouterr().out)
    assert output["decisions"][-1]["skips"] == ["duplicate"]
    assert len(output["mail"]) == 3


def test_held_workspace_waits_in_the_other_workspace_story(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """
    initech's owner is deactivated: its joiner waits, its leaver does not.
    """
    main(["replay", str(EXAMPLES / "scenarios" / "other_workspace.json")])

    output = json.loads(capsys.readouterr().out)
    initech = next(w for w in output["workspaces"] if w["id"] == "initech")
    assert initech == {
        "id": "initech",
        "status": "held",
        "queued": 1,
        "parked": 0,
        "reason": "owner_deactivated",
    }


def test_scim_example_answers_each_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """
    The SCIM scenario's requests get their statuses, the last one a
    refusal that names the bad value; the group made Hank an admin.
    """
    main(["replay", str(EXAMPLES / "scenarios" / "scim_entra.json")])

    output = json.loads(capsys.readouterr().out)
    statuses = [(r["request"], r["status"]) for r in output["responses"]]
    assert statuses == [
        ("s1", 200),
        ("s2", 201),
        ("s3", 201),
        ("s4", 200),
        ("s5", 201),
        ("s6", 200),
        ("s7", 400),
    ]
    assert "maybe" in output["responses"][-1]["detail"]
    hank = next(a for a in output["accounts"] if a["email"] == "hank@acme.com")
    assert (hank["role"], hank["department"]) == ("admin", "Marketing")


def test_decide_one_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """
    The Python example prints three decisions with their rules.
    """
    runpy.run_path(str(EXAMPLES / "decide_one.py"), run_name="__main__")

    text = capsys.readouterr().out
    assert "P-NEW" in text
    assert "U-ROLE" in text
    assert "D-OWNER" in text


def test_shell_in_memory_example_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """
    The in-memory wiring example runs its cycles and mails Nina once.
    """
    runpy.run_path(str(EXAMPLES / "shell_in_memory.py"), run_name="__main__")

    text = capsys.readouterr().out
    assert "evt-1: P-NEW" in text
    assert "evt-4: D-MEMBER" in text
    assert "mail: [('nina@acme.com', 'acme')]" in text
    assert "acme: held=None, queued=0, parked=0" in text


def test_custom_store_example_decides_as_the_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """
    The host-tables store example agrees with dirsync's model (it checks
    that itself) and says so.
    """
    runpy.run_path(str(EXAMPLES / "custom_store.py"), run_name="__main__")

    text = capsys.readouterr().out
    assert "the host store decided exactly as dirsync's model" in text
    assert "owner_protected" in text
