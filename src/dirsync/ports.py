"""
The ports: what a host implements so that dirsync can run on its systems.

Each port is a `typing.Protocol`; its docstring is the contract.
dirsync ships implementations of every port (`dirsync.stores.memory`,
and `dirsync.testing` for tests), and a host may write its own on its
own database and mail service.

The shell calls these ports; the pure core never does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

import attrs

from ._decision import Decision
from ._events import DirectoryEvent
from ._schedule import HoldReason
from ._standing import Situation


@attrs.frozen
class OutgoingMail:
    """
    An invitation waiting in the outbox.

    Args:
        key: The idempotency key: unique per message, and the same on
            every attempt to deliver it.
        to: The address.
        workspace: The workspace the person is invited to.
        kind: What the message is; ``"invitation"``.

    .. versionadded:: 0.1.0
    """

    key: str
    to: str
    workspace: str
    kind: str = "invitation"


@attrs.frozen
class QueuedEvent:
    """
    An event in the inbox.

    Args:
        position: Its place in the inbox; later events have larger
            positions.
        event: The event.
        attempts: How many times processing it has failed.
        error: The last failure, in words.

    .. versionadded:: 0.1.0
    """

    position: int
    event: DirectoryEvent
    attempts: int = 0
    error: str | None = None


class Store(Protocol):
    """
    The product's state: accounts, workspaces, invitations, what was
    processed, and the outbox.

    .. versionadded:: 0.1.0
    """

    def process(
        self,
        event: DirectoryEvent,
        decide: Callable[[Situation], Decision],
    ) -> Decision:
        """
        Decide and apply *event* as one unit of work.

        In one transaction: load the `Situation` for *event* (the account
        found by directory link in the event's workspace, else by email;
        see `dirsync.Situation` for every field), call *decide* with it,
        apply the returned decision's actions in order, record the event
        as processed and the directory user's last state, write an outbox
        entry for every `dirsync.SendInvitation`, and commit.

        A decision whose only action is a ``duplicate`` skip changes
        nothing; one whose only action is a ``stale`` skip only records
        the event as processed.

        If anything raises, nothing is changed and the exception
        propagates.

        Returns:
            The decision that was applied.
        """
        ...

    def hold_reason(self, workspace: str) -> HoldReason | None:
        """
        Why *workspace* is held (see `dirsync.hold_reason`), or None.

        Raises:
            KeyError: The workspace is unknown.
        """
        ...

    def outbox(self, limit: int) -> Sequence[OutgoingMail]:
        """
        Up to *limit* undelivered outbox entries, oldest first.
        """
        ...

    def delivered(self, keys: Sequence[str]) -> None:
        """
        Record that the outbox entries *keys* were delivered, all at once
        (one commit); they are not returned by `outbox` again.  Keys that
        are not in the outbox, or were marked before, are ignored.
        """
        ...


class Inbox(Protocol):
    """
    The queue of directory events, per workspace.

    .. versionadded:: 0.1.0
    """

    def append(self, events: Iterable[DirectoryEvent]) -> None:
        """
        Queue *events* after everything queued so far, in order.

        Duplicates are queued too: processing recognises them.
        """
        ...

    def busy(self) -> Sequence[str]:
        """
        The workspaces with queued (not parked) events, by the position
        of their oldest one.

        Its cost must grow with the number of busy workspaces, not with
        the number of workspaces: idle ones are never scanned.
        """
        ...

    def queued(self, workspace: str) -> Sequence[QueuedEvent]:
        """
        All the queued (not parked) events of *workspace*, oldest first.

        For operators; cycles use `head` and `revoking`.
        """
        ...

    def head(self, workspace: str, limit: int) -> Sequence[QueuedEvent]:
        """
        The oldest *limit* queued events of *workspace*, oldest first.

        Its cost must grow with *limit*, not with the queue's length.
        """
        ...

    def revoking(self, workspace: str, after: int) -> Sequence[QueuedEvent]:
        """
        What S-REVOKE-FIRST may take from *workspace* beyond position
        *after*: every queued deprovisioning event (see
        `dirsync.is_deprovisioning`) after it, and every queued event of
        the same directory user between *after* and that user's last
        deprovisioning event; oldest first.

        Its cost must grow with what it returns, not with the queue's
        length: keep an index of deprovisioning events by directory user.
        """
        ...

    def done(self, position: int) -> None:
        """
        Remove the event at *position*: it was processed.
        """
        ...

    def failed(self, position: int, error: str, park: bool) -> None:
        """
        Count a failed attempt at the event at *position* and keep
        *error*; with *park*, set it aside so that it no longer holds
        back its workspace.
        """
        ...

    def parked(self) -> Sequence[QueuedEvent]:
        """
        The parked events, oldest first.
        """
        ...

    def unpark(self, positions: Iterable[int]) -> int:
        """
        Queue parked events again, with their attempts reset, in their
        old places; return how many were unparked.
        """
        ...

    def claim(self, workspace: str) -> bool:
        """
        Take *workspace* for this worker until `release`, so that no
        other worker drains it at the same time; False when another
        worker holds it.  An inbox used by one worker only may always
        return True.  A claim must expire on its own, so that a worker
        that dies does not hold a workspace forever.
        """
        ...

    def release(self, workspace: str) -> None:
        """
        Give up this worker's claim on *workspace*.
        """
        ...


class Mailer(Protocol):
    """
    Sends invitations.

    .. versionadded:: 0.1.0
    """

    def deliver(self, mail: OutgoingMail) -> None:
        """
        Send *mail*.

        Must be idempotent by `OutgoingMail.key`: the scheduler may call
        it again for the same key (after a crash between sending and
        recording the delivery), and the person must get one message.
        Raise to report a failure; the mail is retried in a later cycle.
        """
        ...


class Clock(Protocol):
    """
    Time, for the scheduler's loop.

    .. versionadded:: 0.1.0
    """

    def now(self) -> datetime:
        """
        The current time, with a time zone.
        """
        ...

    def sleep(self, seconds: float) -> None:
        """
        Wait *seconds*.
        """
        ...
