"""
The SCIM mirror: what the identity provider has told us about its users
and groups, kept so that the endpoint can answer reads, check
uniqueness, apply PATCH operations to the whole resource, and tell what
changed.

`DirectoryStore` is the port; `dirsync.stores.memory.MemoryDirectory`
and `dirsync.stores.sqlite.SQLiteStore` implement it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from .._events import DirectoryEvent


class ResourceKind(enum.Enum):
    """
    The resource types dirsync serves (RFC 7643 section 4).

    .. versionadded:: 0.1.0
    """

    #: A person: ``/Users``.
    USER = "User"
    #: A group of people: ``/Groups``.
    GROUP = "Group"

    # Members are singletons that compare by identity, so they may hash
    # by it: in C, where `enum.Enum` hashes in Python, and every store
    # lookup hashes one.
    __hash__ = object.__hash__


@attrs.frozen
class StoredResource:
    """
    One resource of the mirror, as the endpoint last wrote it.

    Args:
        kind: User or group.
        id: The id dirsync gave it; unique within its workspace.
        body: The whole resource, as it is served: ``schemas``, ``id``,
            ``meta`` and every attribute, with canonical attribute names.
            Treat it as read-only.
        name: The key the store indexes it by: the case-folded
            ``userName`` of a user, the case-folded ``displayName`` of a
            group.
        members: For a group, the ids of its members; empty for a user.

    .. versionadded:: 0.1.0
    """

    kind: ResourceKind
    id: str
    body: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    name: str
    members: frozenset[str] = frozenset()


@attrs.frozen
class Delete:
    """
    An order to remove a resource from the mirror.

    .. versionadded:: 0.1.0
    """

    kind: ResourceKind
    id: str


#: A change to the mirror: a resource written whole, or one removed.
Change = StoredResource | Delete


class DirectoryStore(Protocol):
    """
    The mirror of each workspace's directory, and the door to the inbox.

    Every method takes the workspace, and must never read or change
    another workspace's resources: that is what keeps one tenant's
    identity provider away from another's people.

    .. versionadded:: 0.1.0
    """

    def get(
        self, workspace: str, kind: ResourceKind, id: str
    ) -> StoredResource | None:
        """
        The resource *id* of *workspace*, or None.
        """
        ...

    def named(
        self, workspace: str, kind: ResourceKind, name: str
    ) -> Sequence[StoredResource]:
        """
        The resources of *workspace* whose `StoredResource.name` is
        *name* (already case-folded), oldest first.

        Use an index: identity providers look a user up by ``userName``
        before every create.
        """
        ...

    def all(
        self, workspace: str, kind: ResourceKind
    ) -> Sequence[StoredResource]:
        """
        Every resource of *kind* in *workspace*, oldest first.
        """
        ...

    def groups_of(
        self, workspace: str, member: str
    ) -> Sequence[StoredResource]:
        """
        The groups of *workspace* that list *member* among their members.

        Use an index of members: it is asked for every user the endpoint
        writes.
        """
        ...

    def commit(
        self,
        workspace: str,
        changes: Sequence[Change],
        events: Sequence[DirectoryEvent],
    ) -> None:
        """
        Apply *changes* to the mirror of *workspace* and append *events*
        to the inbox, in order, as one transaction.

        Either all of it happens or none of it does: the mirror must
        never say something the inbox did not hear, or an event would be
        lost.
        A change that would give two users of the workspace the same
        name must raise `dirsync.scim.InvalidProvisioningEvent` with
        status 409 (another request got there first) and change
        nothing.
        """
        ...
