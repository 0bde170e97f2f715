"""
Directory events: facts the identity provider told us, in the past tense.

Each event has an envelope (its own id, the workspace it belongs to, and an
optional sequence number or timestamp from the source) and a body that says
what happened to one directory user.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from ._model import DirectoryUser, Email, Profile, Role


class EventType(enum.Enum):
    """
    The kinds of directory events, named as sources name them.

    .. versionadded:: 0.1.0
    """

    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DELETED = "user.deleted"


@attrs.frozen
class PreviousValues:
    """
    The old values of the attributes an update changed.

    Sources send this beside the new state; None means "not given".
    Only `active` takes part in deciding (it is the evidence of a
    reactivation, SPEC section 4); the others are kept for the record.

    .. versionadded:: 0.1.0
    """

    email: Email | None = None
    profile: Profile | None = None
    role: Role | None = None
    active: bool | None = None


@attrs.frozen
class UserCreated:
    """
    The identity provider assigned a user to the app.

    Args:
        id: The event id, unique per workspace; used to drop duplicates.
        workspace: The workspace whose directory sent it.
        user: The user's full state.
        sequence: Optional ordering number from the source.
        occurred_at: Optional time the source gives the event.

    .. versionadded:: 0.1.0
    """

    type = EventType.USER_CREATED

    id: str
    workspace: str
    user: DirectoryUser
    sequence: int | None = attrs.field(default=None, kw_only=True)
    occurred_at: datetime | None = attrs.field(default=None, kw_only=True)

    @property
    def user_id(self) -> str:
        """
        The directory user the event is about.
        """
        return self.user.id

    @property
    def email(self) -> Email:
        """
        The email the event gives for the user.
        """
        return self.user.email


@attrs.frozen
class UserUpdated:
    """
    Something about a user changed in the identity provider.

    Args:
        id: The event id.
        workspace: The workspace whose directory sent it.
        user: The user's full state after the change.
        previous: Old values of what changed, where the source says.
        sequence: Optional ordering number from the source.
        occurred_at: Optional time the source gives the event.

    .. versionadded:: 0.1.0
    """

    type = EventType.USER_UPDATED

    id: str
    workspace: str
    user: DirectoryUser
    previous: PreviousValues = PreviousValues()
    sequence: int | None = attrs.field(default=None, kw_only=True)
    occurred_at: datetime | None = attrs.field(default=None, kw_only=True)

    @property
    def user_id(self) -> str:
        """
        The directory user the event is about.
        """
        return self.user.id

    @property
    def email(self) -> Email:
        """
        The email the event gives for the user.
        """
        return self.user.email


@attrs.frozen
class UserDeleted:
    """
    The identity provider unassigned or deleted a user.

    Args:
        id: The event id.
        workspace: The workspace whose directory sent it.
        user_id: The directory user that is gone.
        email: Their email, when the source still says it; it is used to
            find an account that was never linked.
        sequence: Optional ordering number from the source.
        occurred_at: Optional time the source gives the event.

    .. versionadded:: 0.1.0
    """

    type = EventType.USER_DELETED

    id: str
    workspace: str
    user_id: str
    email: Email | None = None
    sequence: int | None = attrs.field(default=None, kw_only=True)
    occurred_at: datetime | None = attrs.field(default=None, kw_only=True)


#: Any directory event.
DirectoryEvent = UserCreated | UserUpdated | UserDeleted


def is_deprovisioning(event: DirectoryEvent) -> bool:
    """
    Whether *event* removes access, whatever the person's standing.

    A deleted user, and any event whose user is inactive, deprovisions
    (SPEC section 4: ``active`` is read asymmetrically).

    .. versionadded:: 0.1.0
    """
    if isinstance(event, UserDeleted):
        return True
    return not event.user.active
