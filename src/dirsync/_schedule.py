"""
The scheduling rules of SPEC section 8 that need no I/O.

The in-memory `simulate` uses them, and so will every scheduler that runs
for real, so that both take exactly the same events in a cycle.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs

from ._events import DirectoryEvent, is_deprovisioning
from ._model import Account, Workspace
from ._policy import Policy


class HoldReason(enum.Enum):
    """
    Why a workspace is held: none of its events are consumed until an
    active owner is set (SPEC section 8).

    .. versionadded:: 0.1.0
    """

    #: The workspace has no owner.
    NO_OWNER = "no_owner"
    #: No account has the owner's email.
    OWNER_WITHOUT_ACCOUNT = "owner_without_account"
    #: The owner's account is not a member of the workspace.
    OWNER_NOT_MEMBER = "owner_not_member"
    #: The owner's membership is deactivated.
    OWNER_DEACTIVATED = "owner_deactivated"


def hold_reason(
    workspace: Workspace, owner: Account | None
) -> HoldReason | None:
    """
    Why *workspace* is held, or None when it may consume events.

    Args:
        workspace: The workspace.
        owner: The account with the owner's email, if there is one.

    .. versionadded:: 0.1.0
    """
    if workspace.owner is None:
        return HoldReason.NO_OWNER
    if owner is None:
        return HoldReason.OWNER_WITHOUT_ACCOUNT
    if owner.workspace != workspace.id:
        return HoldReason.OWNER_NOT_MEMBER
    if not owner.active:
        return HoldReason.OWNER_DEACTIVATED
    return None


@attrs.frozen
class Batch:
    """
    The events one workspace consumes in one cycle.

    Args:
        positions: Indexes into the workspace's queue, ascending, so that
            the events are applied in the order they were queued.
        expedited: The positions taken only because of S-REVOKE-FIRST:
            past the cap, or while the workspace is held.

    .. versionadded:: 0.1.0
    """

    positions: tuple[int, ...]
    expedited: frozenset[int]


def select_batch(
    queue: Sequence[DirectoryEvent], policy: Policy, held: bool
) -> Batch:
    """
    Choose the events of one workspace's queue for the next cycle.

    The oldest `Policy.batch_limit` events are taken, none while the
    workspace is held.
    With `Policy.revoke_first`, every deprovisioning event is taken as
    well, together with the earlier queued events of its directory user
    so that each person's events keep their order (S-REVOKE-FIRST).

    Args:
        queue: The workspace's queued events, oldest first.
        policy: The policy in force.
        held: Whether the workspace is held.

    .. versionadded:: 0.1.0
    """
    capped = 0 if held else min(policy.batch_limit, len(queue))
    expedited: set[int] = set()
    if policy.revoke_first:
        last_revoke: dict[str, int] = {}
        for position in range(capped, len(queue)):
            event = queue[position]
            if is_deprovisioning(event):
                last_revoke[event.user_id] = position
        if last_revoke:
            expedited = {
                position
                for position in range(capped, len(queue))
                if position <= last_revoke.get(queue[position].user_id, -1)
            }
    return Batch(
        positions=(*range(capped), *sorted(expedited)),
        expedited=frozenset(expedited),
    )
