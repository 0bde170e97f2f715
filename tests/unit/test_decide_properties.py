"""
Properties of `decide` over generated situations, events and policies.
"""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dirsync import (
    IN_REACH,
    RULES,
    ChangeEmail,
    CreateAccount,
    Deactivate,
    DirectoryEvent,
    Link,
    Policy,
    SetRole,
    Situation,
    SkipReason,
    Standing,
    UpdateProfile,
    UserUpdated,
    decide,
)
from dirsync._rules import BY_ID, Trigger
from tests import strategies as s

acme_events = s.events(st.just("acme"))


@given(acme_events, s.situations(), s.policies)
def test_every_valid_input_gets_a_decision(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    `decide` is total: it never raises on valid input and always orders
    at least one action.
    """
    decision = decide(event, situation, policy)

    assert decision.actions
    assert decision.event_id == event.id
    assert decision.workspace == "acme"
    assert decision.reason


@given(acme_events, s.situations(), s.policies)
def test_rules_are_consistent_with_the_standing(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    Every decision that is not a duplicate or stale names a rule, each
    of its rules applies to the standing it saw, and exactly one of them
    is a provisioning or deprovisioning rule unless an update decided.
    """
    decision = decide(event, situation, policy)

    if decision.rules:
        for rule_id in decision.rules:
            assert decision.standing in BY_ID[rule_id].standings, rule_id
        kinds = [BY_ID[r].trigger for r in decision.rules]
        main = [
            k for k in kinds if k in (Trigger.PROVISION, Trigger.DEPROVISION)
        ]
        assert len(main) <= 1
        assert main or Trigger.UPDATE in kinds
    else:
        assert (
            situation.processed
            or event.sequence is not None
            or (event.occurred_at is not None)
            # An update that changes nothing fires no rule (SPEC section
            # 11: the skip no_change).
            or (
                isinstance(event, UserUpdated)
                and decision.skips == (SkipReason.NO_CHANGE,)
            )
        )
    assert decision.standing is situation.standing


@given(acme_events, s.situations(), s.policies)
def test_deciding_is_deterministic(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    The same inputs give equal decisions.
    """
    assert decide(event, situation, policy) == decide(event, situation, policy)


@given(acme_events, s.situations(), s.policies)
def test_no_profile_change_where_the_domain_is_unclaimed(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    An existing account's profile only changes when W claims the domain
    of its email as it stands after the event.
    """
    decision = decide(event, situation, policy)

    email = situation.account.email if situation.account else None
    for action in decision.actions:
        if isinstance(action, ChangeEmail):
            email = action.new
        if isinstance(action, UpdateProfile):
            assert email is not None
            assert situation.workspace.claims(email.domain)


@given(acme_events, s.situations(), s.policies)
def test_owner_is_never_deactivated_or_demoted(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    No decision deactivates W's owner or changes the owner's role.
    """
    decision = decide(event, situation, policy)

    if situation.is_owner:
        assert not any(
            isinstance(a, Deactivate | SetRole) for a in decision.actions
        )


@given(acme_events, s.situations(), s.policies)
def test_hand_added_members_are_never_deactivated(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    Only a member found by directory link can be deactivated.
    """
    decision = decide(event, situation, policy)

    if any(isinstance(a, Deactivate) for a in decision.actions):
        assert situation.linked
        assert decision.standing is Standing.MEMBER


@given(acme_events, s.situations(), s.policies)
def test_actions_stay_in_the_workspace(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    Links and created accounts belong to the event's workspace, and only
    provisioning reaches an account out of W's reach.
    """
    decision = decide(event, situation, policy)

    for action in decision.actions:
        if isinstance(action, Link):
            assert action.link.workspace == "acme"
        if isinstance(action, CreateAccount):
            assert action.created_by == "acme"
    provisioned = any(
        BY_ID[r].trigger is Trigger.PROVISION for r in decision.rules
    )
    if decision.standing not in IN_REACH and not provisioned:
        assert not decision.changes_state


@given(acme_events, s.situations(), s.policies)
def test_duplicates_change_nothing(
    event: DirectoryEvent, situation: Situation, policy: Policy
) -> None:
    """
    An event already processed is recorded as a duplicate, and that is
    all.
    """
    decision = decide(event, attrs.evolve(situation, processed=True), policy)

    assert [s.value for s in decision.skips] == ["duplicate"]
    assert decision.rules == ()


def test_every_rule_is_reachable() -> None:
    """
    The rules table names only rules the properties above can see.
    """
    assert {rule.id for rule in RULES} == set(BY_ID)
