"""
Properties of the in-memory model: applying decisions and scheduling.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dirsync import (
    IN_REACH,
    DirectoryEvent,
    Policy,
    State,
    is_deprovisioning,
    simulate,
)
from tests import strategies as s


def snapshot(state: State) -> tuple[Any, ...]:
    """
    What a person could see of the product: accounts, invitations and
    workspaces.
    """
    return (
        tuple(state.accounts),
        tuple(sorted(state.invitations.items())),
        tuple(state.workspaces.items()),
    )


def in_reach(state: State, workspace: str) -> set[int]:
    """
    The numbers of the accounts in reach of *workspace*.
    """
    members = {
        n for n, a in enumerate(state.accounts) if a.workspace == workspace
    }
    invited = {
        n
        for (w, n), invitation in state.invitations.items()
        if w == workspace and invitation.pending
    }
    return members | invited


@given(s.worlds(max_events=8), st.data())
def test_applying_an_event_again_changes_nothing(
    world: tuple[State, list[DirectoryEvent]], data: st.DataObject
) -> None:
    """
    Redelivering an event is a duplicate; and even under a new event id,
    deciding it again against the state it produced orders no change.
    """
    state, events = world
    for event in events:
        state.process(event)
        before = snapshot(state)

        again = state.process(event)
        renamed = state.process(attrs.evolve(event, id=f"{event.id}-again"))

        assert [r.value for r in again.skips] == ["duplicate"]
        assert not renamed.changes_state, renamed
        assert snapshot(state) == before


@given(s.worlds(max_events=8))
def test_nothing_outside_the_events_workspace_changes(
    world: tuple[State, list[DirectoryEvent]],
) -> None:
    """
    An event changes no other workspace's members or invitations, and no
    account that is out of its workspace's reach afterwards.
    """
    state, events = world
    for event in events:
        before = state.copy()
        state.process(event)

        reach = in_reach(state, event.workspace)
        for number, account in enumerate(before.accounts):
            if number not in reach:
                assert state.accounts[number] == account
        for key, invitation in before.invitations.items():
            if key[0] != event.workspace:
                # The email follows the account, whose email may change.
                now = state.invitations[key]
                assert (now.role, now.status) == (
                    invitation.role,
                    invitation.status,
                )
        for name in state.workspaces:
            if name != event.workspace:
                assert before.workspaces[name].claimed_domains == (
                    state.workspaces[name].claimed_domains
                )


@given(s.worlds(max_events=20), s.policies)
def test_scheduling_drops_nothing_and_keeps_each_users_order(
    world: tuple[State, list[DirectoryEvent]], policy: Policy
) -> None:
    """
    Every event is applied exactly once or is still queued in a held
    workspace; each directory user's events are applied in order; and
    outside S-REVOKE-FIRST no workspace takes more than its cap in a
    cycle, nor anything while held.
    """
    state, events = world

    outcome = simulate(state, events, policy)

    queued = {status.id: status.queued for status in outcome.workspaces}
    assert len(outcome.applied) + sum(queued.values()) == len(events)
    for status in outcome.workspaces:
        if status.queued:
            assert status.held is not None

    # Each user's events keep their order, and none is applied twice.
    position = {id(event): i for i, event in enumerate(events)}
    applied_positions = [position[id(a.event)] for a in outcome.applied]
    assert len(set(applied_positions)) == len(applied_positions)
    last: dict[tuple[str, str], int] = {}
    for applied in outcome.applied:
        key = (applied.event.workspace, applied.event.user_id)
        assert last.get(key, -1) < position[id(applied.event)]
        last[key] = position[id(applied.event)]

    # The cap is exact, and expedited events are deprovisioning ones or
    # come before one of the same user.
    per_cycle: dict[tuple[int, str], int] = defaultdict(int)
    for applied in outcome.applied:
        if not applied.expedited:
            per_cycle[applied.cycle, applied.decision.workspace] += 1
    assert all(n <= policy.batch_limit for n in per_cycle.values())
    if not policy.revoke_first:
        assert not any(a.expedited for a in outcome.applied)


@given(s.worlds(max_events=20), s.policies)
def test_the_cap_takes_the_oldest_events_first(
    world: tuple[State, list[DirectoryEvent]], policy: Policy
) -> None:
    """
    In a workspace that is not held, a cycle applies exactly the oldest
    `batch_limit` queued events, plus what S-REVOKE-FIRST expedites.
    """
    state, events = world

    outcome = simulate(state, events, policy)

    for name in state.workspaces:
        if state.hold_reason(name) is not None:
            continue
        mine = [e for e in events if e.workspace == name]
        cycles: dict[int, int] = defaultdict(int)
        for applied in outcome.applied:
            if applied.decision.workspace == name and not applied.expedited:
                cycles[applied.cycle] += 1
        remaining = len(mine)
        for cycle in sorted(cycles):
            expedited = sum(
                1
                for a in outcome.applied
                if a.cycle < cycle
                and a.expedited
                and a.decision.workspace == name
            )
            left = (
                remaining
                - expedited
                - sum(n for c, n in cycles.items() if c < cycle)
            )
            assert cycles[cycle] == min(policy.batch_limit, left)


@given(s.worlds(max_events=20), s.policies)
def test_held_workspaces_only_revoke(
    world: tuple[State, list[DirectoryEvent]], policy: Policy
) -> None:
    """
    A held workspace consumes only what S-REVOKE-FIRST expedites: its
    deprovisioning events and the earlier events of the same users.
    """
    state, events = world

    outcome = simulate(state, events, policy)

    for applied in outcome.applied:
        name = applied.decision.workspace
        if state.hold_reason(name) is None:
            continue
        assert policy.revoke_first
        assert applied.expedited
    for name in state.workspaces:
        if state.hold_reason(name) is None:
            continue
        expected = 0
        if policy.revoke_first:
            mine = [e for e in events if e.workspace == name]
            last = {
                e.user_id: i
                for i, e in enumerate(mine)
                if is_deprovisioning(e)
            }
            expected = sum(
                1 for i, e in enumerate(mine) if i <= last.get(e.user_id, -1)
            )
        assert (
            sum(1 for a in outcome.applied if a.decision.workspace == name)
            == expected
        )


@given(s.worlds(max_events=12), s.policies)
def test_simulate_leaves_its_input_alone(
    world: tuple[State, list[DirectoryEvent]], policy: Policy
) -> None:
    """
    `simulate` works on a copy: the state it is given is unchanged.
    """
    state, events = world
    before = snapshot(state)

    simulate(state, events, policy)

    assert snapshot(state) == before


@given(s.worlds(max_events=12))
def test_updates_only_touch_accounts_in_reach(
    world: tuple[State, list[DirectoryEvent]],
) -> None:
    """
    An update that does not provision changes only accounts that were in
    reach of its workspace before it.
    """
    state, events = world
    for event in events:
        reach = in_reach(state, event.workspace)
        before = state.copy()
        decision = state.process(event)
        if decision.standing in IN_REACH or any(
            r.startswith("P-") for r in decision.rules
        ):
            continue
        for number, account in enumerate(before.accounts):
            if number not in reach:
                assert state.accounts[number] == account
