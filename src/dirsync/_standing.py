"""
Where a person stands relative to a workspace (SPEC section 3).

The host (or `dirsync.State` in memory) loads a `Situation` for an event:
the workspace, the account found for the event's directory user, and the
few facts the rules need about the rest of the product.
`standing_of` then reads the standing off it, first matching row wins.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from ._model import Account, AccountStatus, Invitation, Workspace


class Standing(enum.Enum):
    """
    The person's standing relative to the event's workspace, W.

    The members are listed in the order SPEC checks them.

    .. versionadded:: 0.1.0
    """

    #: An active member of W.
    MEMBER = "member"
    #: A deactivated member of W.
    DEACTIVATED_MEMBER = "deactivated_member"
    #: Not a member of W, with a pending invitation to W.
    INVITED = "invited"
    #: A deactivated account that is not a member of W.
    DEACTIVATED_ELSEWHERE = "deactivated_elsewhere"
    #: An active account that belongs to no workspace.
    STANDALONE = "standalone"
    #: An active member of another workspace.
    OTHER_WORKSPACE = "other_workspace"
    #: No account has the email.
    NEW = "new"

    # Members are singletons compared by identity, so the identity hash
    # is correct, and much cheaper than Enum's (it hashes the name in
    # Python); `decide` looks rules up by standing on every call.
    __hash__ = object.__hash__


#: Standings whose account is in reach of W's directory: updates may
#: touch it (SPEC section 6).
IN_REACH = frozenset(
    (Standing.MEMBER, Standing.DEACTIVATED_MEMBER, Standing.INVITED)
)


@attrs.frozen
class DirectoryRecord:
    """
    What the library last recorded about one directory user of W.

    Args:
        active: The ``active`` flag of the last event applied for the
            user; a deletion records False.
        sequence: The highest source sequence number applied.
        occurred_at: The latest source timestamp applied.

    .. versionadded:: 0.1.0
    """

    active: bool | None = None
    sequence: int | None = None
    occurred_at: datetime | None = None


# Not slotted: one is built for every event, and attrs builds a frozen
# instance with a __dict__ faster (see `dirsync._actions`).
@attrs.frozen(slots=False)
class Situation:
    """
    Everything `dirsync.decide` may know about an event's person.

    The loader looks the person up as SPEC section 3 says: first the
    account linked to the event's directory user in W's directory, then
    the account with the event's email.

    Args:
        workspace: W, the workspace the event belongs to.
        account: The account found, or None.
        linked: Whether *account* was found by its directory link.
        invitation: W's pending invitation to *account*, if there is one.
        email_taken: The event's email belongs to an account other than
            *account* (only possible when *account* was found by link).
        email_claimed_elsewhere: The event email's domain is claimed by
            an organisation other than W's.
        record: What was last recorded about the directory user.
        processed: The event's id was already processed in W.

    .. versionadded:: 0.1.0
    """

    workspace: Workspace
    account: Account | None = None
    linked: bool = False
    invitation: Invitation | None = None
    email_taken: bool = False
    email_claimed_elsewhere: bool = False
    record: DirectoryRecord | None = None
    processed: bool = False

    @property
    def standing(self) -> Standing:
        """
        The person's standing; see `standing_of`.
        """
        return standing_of(self)

    @property
    def is_owner(self) -> bool:
        """
        Whether the account is W's owner and a member of W.
        """
        account = self.account
        return (
            account is not None
            and account.workspace == self.workspace.id
            and account.email == self.workspace.owner
        )


def standing_of(situation: Situation) -> Standing:
    """
    Read the standing off *situation*: the first row of SPEC's table that
    holds, top to bottom.

    .. versionadded:: 0.1.0
    """
    account = situation.account
    if account is None:
        return Standing.NEW
    if account.workspace == situation.workspace.id:
        if account.status is AccountStatus.ACTIVE:
            return Standing.MEMBER
        return Standing.DEACTIVATED_MEMBER
    if situation.invitation is not None:
        return Standing.INVITED
    if account.status is AccountStatus.DEACTIVATED:
        return Standing.DEACTIVATED_ELSEWHERE
    if account.workspace is None:
        return Standing.STANDALONE
    return Standing.OTHER_WORKSPACE
