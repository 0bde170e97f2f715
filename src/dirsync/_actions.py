"""
Actions: the orders a decision gives the host, in the imperative.

Every action applies to the person the decision is about (the account in
the `Situation`, or the one `CreateAccount` makes) within the event's
workspace.

Actions, like decisions, are frozen but not slotted, unlike the value
objects of the model: every event creates a few of them, and attrs
builds a frozen instance with a ``__dict__`` about a third faster than a
slotted one (``benchmarks/bench_decide.py`` shows the difference).
"""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs

from ._model import DirectoryLink, Email, Profile, Role


class ActionName(enum.Enum):
    """
    The names of the actions, as SPEC section 11 spells them.

    .. versionadded:: 0.1.0
    """

    CREATE_ACCOUNT = "create_account"
    LINK = "link"
    UPDATE_PROFILE = "update_profile"
    CHANGE_EMAIL = "change_email"
    SET_ROLE = "set_role"
    SEND_INVITATION = "send_invitation"
    REVOKE_INVITATION = "revoke_invitation"
    REACTIVATE = "reactivate"
    DEACTIVATE = "deactivate"
    ESCALATE = "escalate"
    SKIP = "skip"

    # Identity hash: see `Standing`.
    __hash__ = object.__hash__


class EscalationReason(enum.Enum):
    """
    Why a decision hands a case to support instead of acting.

    .. versionadded:: 0.1.0
    """

    #: The account is an active member of another workspace.
    ACCOUNT_IN_OTHER_WORKSPACE = "account_in_other_workspace"
    #: The account is deactivated outside this workspace.
    ACCOUNT_DEACTIVATED = "account_deactivated"
    #: The change would deactivate or change the role of the owner.
    OWNER_PROTECTED = "owner_protected"
    #: The new email belongs to another account.
    EMAIL_TAKEN = "email_taken"
    #: The new email's domain is claimed by another organisation.
    EMAIL_CLAIMED_ELSEWHERE = "email_claimed_elsewhere"
    #: The ``guarded`` email policy refused the change.
    EMAIL_UNOWNED = "email_unowned"


class SkipReason(enum.Enum):
    """
    Why a decision records that something was deliberately not done.

    .. versionadded:: 0.1.0
    """

    #: A profile change for an email domain W has not claimed.
    DOMAIN_UNCLAIMED = "domain_unclaimed"
    #: The member was added by hand; sync does not manage them.
    NOT_MANAGED = "not_managed"
    #: The account is out of W's reach.
    OUTSIDE_WORKSPACE = "outside_workspace"
    #: The member is deactivated already.
    ALREADY_DEACTIVATED = "already_deactivated"
    #: No account is known for the directory user.
    UNKNOWN_USER = "unknown_user"
    #: The event asks for nothing that is not already so.
    NO_CHANGE = "no_change"
    #: The event id was processed before.
    DUPLICATE = "duplicate"
    #: The event is older than one already applied for the same user.
    STALE = "stale"


@attrs.frozen(slots=False)
class CreateAccount:
    """
    Create an account with all synced attributes.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.CREATE_ACCOUNT

    email: Email
    profile: Profile
    role: Role
    #: The workspace whose provisioning creates it.
    created_by: str


@attrs.frozen(slots=False)
class Link:
    """
    Tie the account to a directory user of W's directory.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.LINK

    #: W, whose directory the user belongs to.
    workspace: str
    #: The directory user.
    user_id: str

    @property
    def link(self) -> DirectoryLink:
        """
        The link the account gets.
        """
        return DirectoryLink(self.workspace, self.user_id)


@attrs.frozen(slots=False)
class UpdateProfile:
    """
    Replace the account's profile.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.UPDATE_PROFILE

    profile: Profile
    #: The names of the attributes that change, in `PROFILE_FIELDS` order.
    changed: tuple[str, ...]


@attrs.frozen(slots=False)
class ChangeEmail:
    """
    Change the account's email.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.CHANGE_EMAIL

    old: Email
    new: Email


@attrs.frozen(slots=False)
class SetRole:
    """
    Set the person's role in W: their membership's role when they are a
    member, the pending invitation's role when they are invited (and the
    account's own role too when it belongs to no workspace, so that an
    account provisioning created keeps the role it will join with).

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.SET_ROLE

    role: Role
    old: Role | None


@attrs.frozen(slots=False)
class SendInvitation:
    """
    Invite the account to W (through the outbox).

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.SEND_INVITATION

    email: Email
    role: Role


@attrs.frozen(slots=False)
class RevokeInvitation:
    """
    Revoke W's pending invitation to the account.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.REVOKE_INVITATION


@attrs.frozen(slots=False)
class Reactivate:
    """
    Reactivate the account's membership of W.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.REACTIVATE


@attrs.frozen(slots=False)
class Deactivate:
    """
    Deactivate the account's membership of W.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.DEACTIVATE


@attrs.frozen(slots=False)
class Escalate:
    """
    Hand the case to support; nothing else is done about it.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.ESCALATE

    reason: EscalationReason


@attrs.frozen(slots=False)
class Skip:
    """
    Record that something was deliberately not done.

    .. versionadded:: 0.1.0
    """

    name: ClassVar[ActionName] = ActionName.SKIP

    reason: SkipReason


#: Any action.
Action = (
    CreateAccount
    | Link
    | UpdateProfile
    | ChangeEmail
    | SetRole
    | SendInvitation
    | RevokeInvitation
    | Reactivate
    | Deactivate
    | Escalate
    | Skip
)

#: Actions that change no state.
RECORD_ONLY = frozenset((ActionName.ESCALATE, ActionName.SKIP))
