"""
SPEC sections 4 to 8 as one table of data.

Each `Rule` names its id, when it applies (the trigger, the standings and
a condition) and its outcome as an ordered list of steps.
`dirsync.decide` looks rules up here and carries out their steps;
``docs/rules.md`` is rendered from the same table, and the tests read it
to know which rules exist.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import assert_never

import attrs

from ._actions import ActionName, EscalationReason, SkipReason
from ._standing import IN_REACH, Standing


class Trigger(enum.Enum):
    """
    The kind of event, or of step, a rule belongs to.

    .. versionadded:: 0.1.0
    """

    #: A user created, or shown to be reactivated, in the IdP (section 4).
    PROVISION = "provisioning"
    #: A user deleted or made inactive in the IdP (section 5).
    DEPROVISION = "deprovisioning"
    #: Any other change to an active user (section 6).
    UPDATE = "update"
    #: A check that escalates instead of applying a change (section 6).
    GUARD = "guard"
    #: A scheduling policy (section 8).
    SCHEDULE = "scheduling"


class Condition(enum.Enum):
    """
    What a rule asks of the situation beyond the standing.

    .. versionadded:: 0.1.0
    """

    #: Nothing more.
    ANY = "any"
    #: The account is W's owner.
    OWNER = "owner"
    #: The account was found by its directory link.
    LINKED = "linked"
    #: The account was found by email only.
    NOT_LINKED = "not linked"


_ALL = frozenset(Standing)
_NOT_IN_REACH = _ALL - IN_REACH
#: Standings with an account, whose email a linked event may change.
_FOUND = _ALL - {Standing.NEW}


@attrs.frozen
class Rule:
    """
    One row of SPEC's tables.

    Args:
        id: The rule id, such as ``P-NEW``.
        trigger: The kind of event or step it belongs to.
        standings: The standings it applies to.
        condition: What else must hold.
        steps: The actions it orders, in order. Steps that only apply
            when something changes (a profile, a role) are left out of a
            decision when nothing would change.
        when: The situation in SPEC's words.
        outcome: The outcome in SPEC's words.
        escalation: The escalation reason of its ``escalate`` step.
        skip: The skip reason of its ``skip`` step.

    .. versionadded:: 0.1.0
    """

    id: str
    trigger: Trigger
    standings: frozenset[Standing]
    condition: Condition
    steps: tuple[ActionName, ...]
    when: str
    outcome: str
    escalation: EscalationReason | None = None
    skip: SkipReason | None = None


_A = ActionName
_E = EscalationReason
_S = SkipReason
_T = Trigger


def _rule(
    id: str,
    trigger: Trigger,
    standings: Iterable[Standing],
    steps: Iterable[ActionName],
    when: str,
    outcome: str,
    condition: Condition = Condition.ANY,
    escalation: EscalationReason | None = None,
    skip: SkipReason | None = None,
) -> Rule:
    return Rule(
        id=id,
        trigger=trigger,
        standings=frozenset(standings),
        condition=condition,
        steps=tuple(steps),
        when=when,
        outcome=outcome,
        escalation=escalation,
        skip=skip,
    )


#: Every rule of SPEC, in SPEC's order.
RULES: tuple[Rule, ...] = (
    # Section 4: provisioning.
    _rule(
        "P-NEW",
        _T.PROVISION,
        [Standing.NEW],
        [_A.CREATE_ACCOUNT, _A.LINK, _A.SEND_INVITATION],
        "no account has this email",
        "create the account with all synced attributes, link it, "
        "send an invitation to W",
    ),
    _rule(
        "P-INVITED",
        _T.PROVISION,
        [Standing.INVITED],
        [_A.LINK, _A.UPDATE_PROFILE, _A.SET_ROLE],
        "invited to W",
        "link; update profile attributes if the domain is claimed; "
        "no second invitation; the invitation takes the directory's role",
    ),
    _rule(
        "P-MEMBER",
        _T.PROVISION,
        [Standing.MEMBER],
        [_A.LINK, _A.UPDATE_PROFILE, _A.SET_ROLE],
        "active member of W",
        "link; update profile attributes if the domain is claimed; "
        "set workspace role",
    ),
    _rule(
        "P-REACTIVATE",
        _T.PROVISION,
        [Standing.DEACTIVATED_MEMBER],
        [_A.REACTIVATE, _A.LINK, _A.UPDATE_PROFILE, _A.SET_ROLE],
        "deactivated member of W",
        "reactivate in W; link; update profile if claimed; set workspace role",
    ),
    _rule(
        "P-STANDALONE",
        _T.PROVISION,
        [Standing.STANDALONE],
        [_A.LINK, _A.SEND_INVITATION, _A.UPDATE_PROFILE],
        "active account in no workspace",
        "link; send an invitation; update profile attributes if the "
        "domain is claimed",
    ),
    _rule(
        "P-OTHER-WORKSPACE",
        _T.PROVISION,
        [Standing.OTHER_WORKSPACE],
        [_A.ESCALATE],
        "active member of another workspace",
        "change nothing, send nothing; escalate: the account belongs to "
        "another workspace and only support can move it",
        escalation=_E.ACCOUNT_IN_OTHER_WORKSPACE,
    ),
    _rule(
        "P-DEACTIVATED-ELSEWHERE",
        _T.PROVISION,
        [Standing.DEACTIVATED_ELSEWHERE],
        [_A.LINK, _A.SEND_INVITATION, _A.UPDATE_PROFILE, _A.ESCALATE],
        "deactivated account, not a member of W",
        "link; send an invitation; escalate: the account may stay "
        "deactivated until support acts; update profile attributes if the "
        "domain is claimed, as P-STANDALONE does",
        escalation=_E.ACCOUNT_DEACTIVATED,
    ),
    # Section 5: deprovisioning.
    _rule(
        "D-INVITED",
        _T.DEPROVISION,
        [Standing.INVITED],
        [_A.REVOKE_INVITATION],
        "invited to W",
        "revoke the invitation",
    ),
    _rule(
        "D-OWNER",
        _T.DEPROVISION,
        [Standing.MEMBER],
        [_A.ESCALATE],
        "member who owns W",
        "change nothing; escalate: the owner is never deactivated by sync",
        condition=Condition.OWNER,
        escalation=_E.OWNER_PROTECTED,
    ),
    _rule(
        "D-MEMBER",
        _T.DEPROVISION,
        [Standing.MEMBER],
        [_A.DEACTIVATE],
        "member, linked",
        "deactivate in W",
        condition=Condition.LINKED,
    ),
    _rule(
        "D-UNMANAGED",
        _T.DEPROVISION,
        [Standing.MEMBER],
        [_A.SKIP],
        "member, not linked",
        "change nothing: hand-added members are managed by hand",
        condition=Condition.NOT_LINKED,
        skip=_S.NOT_MANAGED,
    ),
    _rule(
        "D-OUTSIDE",
        _T.DEPROVISION,
        [
            Standing.STANDALONE,
            Standing.OTHER_WORKSPACE,
            Standing.DEACTIVATED_ELSEWHERE,
        ],
        [_A.SKIP],
        "not a member of W and not invited to it",
        "nothing (W has no pending invitation to revoke)",
        skip=_S.OUTSIDE_WORKSPACE,
    ),
    _rule(
        "D-ALREADY",
        _T.DEPROVISION,
        [Standing.DEACTIVATED_MEMBER],
        [_A.SKIP],
        "deactivated member of W",
        "nothing: already deactivated",
        skip=_S.ALREADY_DEACTIVATED,
    ),
    _rule(
        "D-UNKNOWN",
        _T.DEPROVISION,
        [Standing.NEW],
        [_A.SKIP],
        "no account has this email",
        "nothing",
        skip=_S.UNKNOWN_USER,
    ),
    # Section 6: updates.
    _rule(
        "U-PROFILE",
        _T.UPDATE,
        IN_REACH,
        [_A.UPDATE_PROFILE],
        "profile attributes changed",
        "applied if the email domain is claimed; otherwise skipped, and "
        "the skip is recorded",
        skip=_S.DOMAIN_UNCLAIMED,
    ),
    _rule(
        "U-EMAIL",
        _T.UPDATE,
        _FOUND,
        [_A.CHANGE_EMAIL],
        "email changed",
        "applied whatever the domain",
    ),
    _rule(
        "U-ROLE",
        _T.UPDATE,
        IN_REACH,
        [_A.SET_ROLE],
        "workspace role changed",
        "applied whatever the domain",
    ),
    _rule(
        "U-UNKNOWN",
        _T.UPDATE,
        _ALL,
        [],
        "update that is not linked (the directory user was never "
        "provisioned here, or its creation was missed)",
        "handled as provisioning for the standing (P-NEW, P-MEMBER, ...)",
        condition=Condition.NOT_LINKED,
    ),
    _rule(
        "U-OUTSIDE",
        _T.UPDATE,
        _NOT_IN_REACH,
        [_A.SKIP],
        "linked update for an account that is no longer in reach of W",
        "nothing applied to that account; recorded",
        condition=Condition.LINKED,
        skip=_S.OUTSIDE_WORKSPACE,
    ),
    _rule(
        "U-DEACTIVATED",
        _T.UPDATE,
        [Standing.DEACTIVATED_MEMBER],
        [],
        "update for a deactivated member, without evidence of reactivation",
        "profile, email and role rules apply as above; the account stays "
        "deactivated",
    ),
    _rule(
        "G-EMAIL-TAKEN",
        _T.GUARD,
        _FOUND,
        [_A.ESCALATE],
        "the new email already belongs to another account",
        "escalate instead of changing the email",
        escalation=_E.EMAIL_TAKEN,
    ),
    _rule(
        "G-EMAIL-FOREIGN-CLAIM",
        _T.GUARD,
        _FOUND,
        [_A.ESCALATE],
        "the new email's domain is claimed by another organisation",
        "escalate instead of changing the email",
        escalation=_E.EMAIL_CLAIMED_ELSEWHERE,
    ),
    _rule(
        "G-EMAIL-UNOWNED",
        _T.GUARD,
        _FOUND,
        [_A.ESCALATE],
        "policy guarded: the account was not created by W's provisioning "
        "and neither its current nor its new email domain is claimed by W",
        "escalate instead of changing the email",
        escalation=_E.EMAIL_UNOWNED,
    ),
    _rule(
        "G-OWNER",
        _T.GUARD,
        [Standing.MEMBER, Standing.DEACTIVATED_MEMBER],
        [_A.ESCALATE],
        "a role change or deactivation of W's owner",
        "escalate: the owner is never demoted or deactivated by sync",
        condition=Condition.OWNER,
        escalation=_E.OWNER_PROTECTED,
    ),
    # Section 8: scheduling.
    _rule(
        "S-REVOKE-FIRST",
        _T.SCHEDULE,
        _ALL,
        [],
        "policy revoke_first (on by default), a deprovisioning event is "
        "queued",
        "it and the earlier queued events of the same directory user are "
        "applied in the next cycle, outside the per-workspace cap and "
        "also while the workspace is held",
    ),
)

#: Rules by id.
BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}


def _provisioning() -> dict[Standing, Rule]:
    return {
        standing: rule
        for rule in RULES
        if rule.trigger is Trigger.PROVISION
        for standing in rule.standings
    }


def _holds(condition: Condition, owner: bool, linked: bool) -> bool:
    match condition:
        case Condition.ANY:
            return True
        case Condition.OWNER:
            return owner
        case Condition.LINKED:
            return linked
        case Condition.NOT_LINKED:
            return not linked
        case _:
            assert_never(condition)


def _deprovisioning() -> dict[tuple[Standing, bool, bool], Rule]:
    """
    Index the deprovisioning rules by (standing, is owner, linked).

    The first rule in table order that matches wins, as in SPEC.
    """
    index: dict[tuple[Standing, bool, bool], Rule] = {}
    for standing in Standing:
        for owner in (False, True):
            for linked in (False, True):
                index[standing, owner, linked] = next(
                    rule
                    for rule in RULES
                    if rule.trigger is Trigger.DEPROVISION
                    and standing in rule.standings
                    and _holds(rule.condition, owner, linked)
                )
    return index


#: The provisioning rule for each standing.
PROVISIONING: Mapping[Standing, Rule] = _provisioning()
#: The deprovisioning rule for each (standing, is owner, linked).
DEPROVISIONING: Mapping[tuple[Standing, bool, bool], Rule] = _deprovisioning()
