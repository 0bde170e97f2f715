"""
The store and the inbox in memory.

`MemoryStore` runs every unit of work on a `dirsync.State`; it is exact
but keeps nothing across processes.  `MemoryInbox` is a queue per
workspace.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence

import attrs

from .._decision import Decision
from .._events import DirectoryEvent, is_deprovisioning
from .._schedule import HoldReason
from .._standing import Situation
from .._state import State
from ..ports import Inbox, OutgoingMail, QueuedEvent
from ..scim._directory import Change, ResourceKind, StoredResource
from ..scim._errors import InvalidProvisioningEvent, ScimType


class MemoryStore:
    """
    A `dirsync.ports.Store` on a `dirsync.State`.

    Args:
        state: The state to work on; it is changed in place.

    .. versionadded:: 0.1.0
    """

    def __init__(self, state: State | None = None) -> None:
        self.state = State() if state is None else state
        self._outbox: dict[str, OutgoingMail] = {}
        self._mailed = len(self.state.mail)

    def process(
        self,
        event: DirectoryEvent,
        decide: Callable[[Situation], Decision],
    ) -> Decision:
        """
        See `dirsync.ports.Store.process`.
        """
        decision = self.state.decide_and_apply(event, decide)
        mail = self.state.mail
        if len(mail) > self._mailed:
            for n, new in enumerate(mail[self._mailed :]):
                key = f"{event.workspace}/{event.id}/{n}"
                self._outbox[key] = OutgoingMail(key, new.to, new.workspace)
            self._mailed = len(mail)
        return decision

    def hold_reason(self, workspace: str) -> HoldReason | None:
        """
        See `dirsync.ports.Store.hold_reason`.
        """
        return self.state.hold_reason(workspace)

    def workspaces(self) -> Sequence[str]:
        """
        Every workspace id.
        """
        return list(self.state.workspaces)

    def outbox(self, limit: int) -> Sequence[OutgoingMail]:
        """
        See `dirsync.ports.Store.outbox`.
        """
        return list(itertools.islice(self._outbox.values(), limit))

    def delivered(self, keys: Sequence[str]) -> None:
        """
        See `dirsync.ports.Store.delivered`.
        """
        for key in keys:
            self._outbox.pop(key, None)


class MemoryInbox:
    """
    A `dirsync.ports.Inbox` in memory.

    Each workspace's queue is kept in order, with an index of each
    directory user's events and of the deprovisioning ones, so that a
    cycle reads only what it takes.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._next = 0
        # workspace -> position -> entry, in order.  An event that has
        # not failed is kept bare and wrapped as it is read: a backlog
        # then holds one object fewer per event for the garbage
        # collector to walk.
        self._queues: dict[str, dict[int, _Entry]] = {}
        # (workspace, user) -> positions of that user's queued events.
        self._users: dict[tuple[str, str], dict[int, None]] = {}
        # workspace -> positions of queued deprovisioning events.
        self._revokes: dict[str, dict[int, None]] = {}
        self._parked: dict[int, QueuedEvent] = {}
        self._where: dict[int, str] = {}

    def append(self, events: Iterable[DirectoryEvent]) -> None:
        """
        See `dirsync.ports.Inbox.append`.
        """
        for event in events:
            self._queue(self._next, event, event)
            self._next += 1

    def _queue(
        self, position: int, event: DirectoryEvent, entry: _Entry
    ) -> None:
        workspace = event.workspace
        key = (workspace, event.user_id)
        # `get` first: `setdefault` would make an empty dict every time.
        queue = self._queues.get(workspace)
        if queue is None:
            queue = self._queues[workspace] = {}
        behind = bool(queue) and position < next(reversed(queue))
        queue[position] = entry
        if behind:
            # Unparked behind later events: back in its old place.  (The
            # other indexes are read in sorted order, whatever theirs.)
            self._queues[workspace] = dict(sorted(queue.items()))
        self._where[position] = workspace
        user = self._users.get(key)
        if user is None:
            user = self._users[key] = {}
        user[position] = None
        if is_deprovisioning(event):
            self._revokes.setdefault(workspace, {})[position] = None

    def _unqueue(self, position: int) -> None:
        workspace = self._where.pop(position)
        queue = self._queues[workspace]
        event = _event(queue.pop(position))
        if not queue:
            del self._queues[workspace]
        key = (workspace, event.user_id)
        users = self._users[key]
        del users[position]
        if not users:
            del self._users[key]
        revokes = self._revokes.get(workspace)
        if revokes:
            revokes.pop(position, None)

    def _entry(self, position: int) -> QueuedEvent:
        return _queued(position, self._queues[self._where[position]][position])

    def busy(self) -> Sequence[str]:
        """
        See `dirsync.ports.Inbox.busy`.
        """
        return sorted(self._queues, key=lambda w: next(iter(self._queues[w])))

    def queued(self, workspace: str) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.queued`.
        """
        queue = self._queues.get(workspace, {})
        return list(itertools.starmap(_queued, queue.items()))

    def head(self, workspace: str, limit: int) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.head`.
        """
        queue = self._queues.get(workspace, {})
        entries = itertools.islice(queue.items(), limit)
        return list(itertools.starmap(_queued, entries))

    def revoking(self, workspace: str, after: int) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.revoking`.
        """
        queue = self._queues.get(workspace, {})
        last: dict[str, int] = {}
        for position in self._revokes.get(workspace, {}):
            if position > after:
                user = _event(queue[position]).user_id
                last[user] = max(last.get(user, position), position)
        positions = sorted(
            position
            for user, upto in last.items()
            for position in self._users[workspace, user]
            if after < position <= upto
        )
        return [_queued(position, queue[position]) for position in positions]

    def done(self, position: int) -> None:
        """
        See `dirsync.ports.Inbox.done`.
        """
        self._unqueue(position)

    def failed(self, position: int, error: str, park: bool) -> None:
        """
        See `dirsync.ports.Inbox.failed`.
        """
        entry = self._entry(position)
        entry = attrs.evolve(entry, attempts=entry.attempts + 1, error=error)
        if park:
            self._unqueue(position)
            self._parked[position] = entry
        else:
            self._queues[entry.event.workspace][position] = entry

    def parked(self) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.parked`.
        """
        return sorted(self._parked.values(), key=lambda q: q.position)

    def unpark(self, positions: Iterable[int]) -> int:
        """
        See `dirsync.ports.Inbox.unpark`.
        """
        count = 0
        for position in positions:
            entry = self._parked.pop(position, None)
            if entry is not None:
                entry = attrs.evolve(entry, attempts=0)
                self._queue(position, entry.event, entry)
                count += 1
        return count

    def claim(self, workspace: str) -> bool:
        """
        See `dirsync.ports.Inbox.claim`: one process, one worker.
        """
        return True

    def release(self, workspace: str) -> None:
        """
        See `dirsync.ports.Inbox.release`.
        """


#: What `MemoryInbox` keeps of a queued event: the event itself until it
#: fails, then the `QueuedEvent` that counts its attempts.
_Entry = DirectoryEvent | QueuedEvent


def _queued(position: int, entry: _Entry) -> QueuedEvent:
    if isinstance(entry, QueuedEvent):
        return entry
    return QueuedEvent(position, entry)


def _event(entry: _Entry) -> DirectoryEvent:
    return entry.event if isinstance(entry, QueuedEvent) else entry


class MemoryDirectory:
    """
    A `dirsync.scim.DirectoryStore` in memory, appending its events to an
    inbox.

    Args:
        inbox: Where the events of every accepted change go; usually a
            `MemoryInbox`.

    .. versionadded:: 0.1.0
    """

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        # (workspace, kind) -> id -> resource, in the order of creation.
        self._resources: dict[
            tuple[str, ResourceKind], dict[str, StoredResource]
        ] = {}
        # (workspace, kind, name) -> ids
        self._names: dict[tuple[str, ResourceKind, str], dict[str, None]] = {}
        # (workspace, member) -> ids of the groups that list it
        self._groups: dict[tuple[str, str], dict[str, None]] = {}

    def get(
        self, workspace: str, kind: ResourceKind, id: str
    ) -> StoredResource | None:
        """
        See `dirsync.scim.DirectoryStore.get`.
        """
        return self._resources.get((workspace, kind), {}).get(id)

    def named(
        self, workspace: str, kind: ResourceKind, name: str
    ) -> Sequence[StoredResource]:
        """
        See `dirsync.scim.DirectoryStore.named`.
        """
        ids = self._names.get((workspace, kind, name), {})
        table = self._resources[workspace, kind] if ids else {}
        return [table[i] for i in ids]

    def all(
        self, workspace: str, kind: ResourceKind
    ) -> Sequence[StoredResource]:
        """
        See `dirsync.scim.DirectoryStore.all`.
        """
        return list(self._resources.get((workspace, kind), {}).values())

    def groups_of(
        self, workspace: str, member: str
    ) -> Sequence[StoredResource]:
        """
        See `dirsync.scim.DirectoryStore.groups_of`.
        """
        ids = self._groups.get((workspace, member))
        if not ids:
            return []
        table = self._resources[workspace, ResourceKind.GROUP]
        return [table[i] for i in ids]

    def commit(
        self,
        workspace: str,
        changes: Sequence[Change],
        events: Sequence[DirectoryEvent],
    ) -> None:
        """
        See `dirsync.scim.DirectoryStore.commit`.
        """
        # 1. Check, before anything changes: the only way to fail.
        for change in changes:
            if (
                isinstance(change, StoredResource)
                and change.kind is ResourceKind.USER
            ):
                # The ids with this name: taken unless they are its own.
                ids = self._names.get((workspace, change.kind, change.name))
                if ids and (len(ids) > 1 or change.id not in ids):
                    raise InvalidProvisioningEvent(
                        409,
                        f"userName {change.name!r} is already taken",
                        ScimType.UNIQUENESS,
                    )

        # 2. Apply, then queue the events.
        for change in changes:
            table = self._resources.setdefault((workspace, change.kind), {})
            old = table.get(change.id)
            new = change if isinstance(change, StoredResource) else None
            self._reindex(workspace, old, new)
            if new is not None:
                # A replaced resource keeps its place in the order.
                table[change.id] = new
            elif old is not None:
                del table[change.id]
        self.inbox.append(events)

    def _reindex(
        self,
        workspace: str,
        old: StoredResource | None,
        new: StoredResource | None,
    ) -> None:
        # Only what changed: adding one member to a group of thousands
        # touches one entry of the member index.
        before = frozenset() if old is None else old.members
        after = frozenset() if new is None else new.members
        if old is not None and (new is None or new.name != old.name):
            key = (workspace, old.kind, old.name)
            self._names[key].pop(old.id)
            if not self._names[key]:
                del self._names[key]
        if new is not None and (old is None or new.name != old.name):
            key = (workspace, new.kind, new.name)
            self._names.setdefault(key, {})[new.id] = None
        # Users list no members: no sets to compare.
        if old is not None and before:
            for member in before - after:
                groups = self._groups[workspace, member]
                groups.pop(old.id)
                if not groups:
                    del self._groups[workspace, member]
        if new is not None and after:
            for member in after - before:
                groups = self._groups.setdefault((workspace, member), {})
                groups[new.id] = None
