"""
The decision: what must happen for one event, and why, as data.

`dirsync.decide` makes them; the host applies their actions in order and
may show their reason to people.
"""

from __future__ import annotations

from typing import assert_never

import attrs

from ._actions import (
    Action,
    ActionName,
    ChangeEmail,
    CreateAccount,
    Deactivate,
    Escalate,
    EscalationReason,
    Link,
    Reactivate,
    RevokeInvitation,
    SendInvitation,
    SetRole,
    Skip,
    SkipReason,
    UpdateProfile,
)
from ._rules import BY_ID
from ._standing import Standing


# Frozen but not slotted, for speed: see dirsync._actions.
@attrs.frozen(slots=False)
class Decision:
    """
    What must happen, and why, for one event in one workspace.

    Args:
        event_id: The event decided.
        workspace: The event's workspace.
        standing: The standing the decision saw.
        rules: The ids of the rules that fired, in the order they fired.
            Empty only for duplicate and stale events, which no rule of
            SPEC's tables decides.
        actions: The actions to apply, in order. Never empty.
        subject: Whom it is about: an email, or the directory user id
            when no email is known.

    .. versionadded:: 0.1.0
    """

    event_id: str
    workspace: str
    standing: Standing
    rules: tuple[str, ...]
    actions: tuple[Action, ...]
    subject: str

    @property
    def action_names(self) -> tuple[ActionName, ...]:
        """
        The names of `actions`, in order.
        """
        return tuple(action.name for action in self.actions)

    @property
    def escalations(self) -> tuple[EscalationReason, ...]:
        """
        The reasons of the escalations among `actions`.
        """
        return tuple(a.reason for a in self.actions if isinstance(a, Escalate))

    @property
    def skips(self) -> tuple[SkipReason, ...]:
        """
        The reasons of the skips among `actions`.
        """
        return tuple(a.reason for a in self.actions if isinstance(a, Skip))

    @property
    def changes_state(self) -> bool:
        """
        Whether any action changes state (escalations and skips do not).
        """
        return any(not isinstance(a, Escalate | Skip) for a in self.actions)

    @property
    def reason(self) -> str:
        """
        One line, for a person, that says what was decided and why.
        """
        done = ", ".join(_describe(action) for action in self.actions)
        if not self.rules:
            return f"{self.subject}: {done}"
        where = _STANDING_WORDS[self.standing].replace("W", self.workspace)
        why = "; ".join(
            f"{rid}, {BY_ID[rid].when}".replace(" W", f" {self.workspace}")
            for rid in self.rules
        )
        return f"{self.subject} ({where}): {why} -> {done}"


_STANDING_WORDS = {
    Standing.MEMBER: "member of W",
    Standing.DEACTIVATED_MEMBER: "deactivated member of W",
    Standing.INVITED: "invited to W",
    Standing.DEACTIVATED_ELSEWHERE: "deactivated, outside W",
    Standing.STANDALONE: "in no workspace",
    Standing.OTHER_WORKSPACE: "member of another workspace",
    Standing.NEW: "no account yet",
}


_SKIP_WORDS = {
    SkipReason.DOMAIN_UNCLAIMED: "profile left alone, domain not claimed",
    SkipReason.NOT_MANAGED: "left alone, not managed by sync",
    SkipReason.OUTSIDE_WORKSPACE: "left alone, outside the workspace",
    SkipReason.ALREADY_DEACTIVATED: "nothing to do, already deactivated",
    SkipReason.UNKNOWN_USER: "nothing to do, no such account",
    SkipReason.NO_CHANGE: "nothing to do, already up to date",
    SkipReason.DUPLICATE: "ignored, event already processed",
    SkipReason.STALE: "ignored, older than an event already applied",
}


def _describe(action: Action) -> str:
    match action:
        case CreateAccount():
            return "created the account"
        case Link():
            return f"linked it to directory user {action.user_id}"
        case UpdateProfile():
            return f"updated {', '.join(action.changed)}"
        case ChangeEmail():
            return f"changed the email to {action.new}"
        case SetRole():
            return f"set the role to {action.role.value}"
        case SendInvitation():
            return f"sent an invitation to {action.email}"
        case RevokeInvitation():
            return "revoked the invitation"
        case Reactivate():
            return "reactivated the member"
        case Deactivate():
            return "deactivated the member"
        case Escalate():
            return f"escalated ({action.reason.value})"
        case Skip():
            return _SKIP_WORDS[action.reason]
        case _:
            assert_never(action)
