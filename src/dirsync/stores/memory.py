"""
The store and the inbox in memory.

`MemoryStore` runs every unit of work on a `dirsync.State`; it is exact
but keeps nothing across processes.  `MemoryInbox` is a queue per
workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from .._decision import Decision
from .._events import DirectoryEvent
from .._schedule import HoldReason
from .._standing import Situation
from .._state import State
from ..ports import OutgoingMail, QueuedEvent


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
        new = self.state.mail[self._mailed :]
        for n, mail in enumerate(new):
            key = f"{event.workspace}/{event.id}/{n}"
            self._outbox[key] = OutgoingMail(key, mail.to, mail.workspace)
        self._mailed = len(self.state.mail)
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
        return list(self._outbox.values())[:limit]

    def delivered(self, key: str) -> None:
        """
        See `dirsync.ports.Store.delivered`.
        """
        self._outbox.pop(key, None)


class MemoryInbox:
    """
    A `dirsync.ports.Inbox` in memory.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._next = 0
        self._queues: dict[str, dict[int, QueuedEvent]] = {}
        self._parked: dict[int, QueuedEvent] = {}
        self._workspace: dict[int, str] = {}

    def append(self, events: Iterable[DirectoryEvent]) -> None:
        """
        See `dirsync.ports.Inbox.append`.
        """
        for event in events:
            position = self._next
            self._next += 1
            queue = self._queues.setdefault(event.workspace, {})
            queue[position] = QueuedEvent(position, event)
            self._workspace[position] = event.workspace

    def busy(self) -> Sequence[str]:
        """
        See `dirsync.ports.Inbox.busy`.
        """
        return sorted(self._queues, key=lambda w: next(iter(self._queues[w])))

    def queued(self, workspace: str) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.queued`.
        """
        return list(self._queues.get(workspace, {}).values())

    def done(self, position: int) -> None:
        """
        See `dirsync.ports.Inbox.done`.
        """
        workspace = self._workspace.pop(position)
        queue = self._queues[workspace]
        del queue[position]
        if not queue:
            del self._queues[workspace]

    def failed(self, position: int, error: str, park: bool) -> None:
        """
        See `dirsync.ports.Inbox.failed`.
        """
        workspace = self._workspace[position]
        queue = self._queues[workspace]
        entry = queue[position]
        entry = attrs.evolve(entry, attempts=entry.attempts + 1, error=error)
        if not park:
            queue[position] = entry
            return
        del queue[position]
        if not queue:
            del self._queues[workspace]
        self._parked[position] = entry

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
            if entry is None:
                continue
            workspace = entry.event.workspace
            queue = self._queues.setdefault(workspace, {})
            queue[position] = attrs.evolve(entry, attempts=0)
            # Back in its old place.
            self._queues[workspace] = dict(sorted(queue.items()))
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
