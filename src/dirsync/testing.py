"""
Fakes for testing a host's integration with dirsync.

`RecordingMailer` keeps what it was asked to send; `FaultyStore`,
`FaultyInbox` and `FaultyMailer` wrap a real port and fail on chosen
calls, to show that nothing is lost or done twice when the database or
the mail service fails; `ManualClock` is a clock a test moves by hand.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from ._decision import Decision
from ._events import DirectoryEvent
from ._schedule import HoldReason
from ._standing import Situation
from .ports import Inbox, Mailer, OutgoingMail, QueuedEvent, Store

_T = TypeVar("_T")


class InjectedFault(Exception):
    """
    The failure a faulty fake raises on purpose.

    .. versionadded:: 0.1.0
    """


class RecordingMailer:
    """
    A `dirsync.ports.Mailer` that keeps every message instead of sending
    it, once per idempotency key.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        #: The messages, in the order they were first delivered.
        self.sent: list[OutgoingMail] = []
        #: How many times `deliver` was called, repeats included.
        self.calls = 0
        self._keys: set[str] = set()

    def deliver(self, mail: OutgoingMail) -> None:
        """
        Keep *mail*, unless its key was delivered before.
        """
        self.calls += 1
        if mail.key not in self._keys:
            self._keys.add(mail.key)
            self.sent.append(mail)


class _Faults:
    """
    Counts calls, from 0, and fails the ones chosen.
    """

    def __init__(self, fail_on: Collection[int]) -> None:
        self.fail_on = frozenset(fail_on)
        self.calls = 0

    def check(self, what: str) -> None:
        call = self.calls
        self.calls += 1
        if call in self.fail_on:
            raise InjectedFault(f"injected failure of call {call} ({what})")


class FaultyStore:
    """
    A `dirsync.ports.Store` that fails the chosen calls.

    Args:
        inner: The store to delegate to.
        fail_on: The indexes of the calls to fail, counting every method
            call from 0.
        after: Fail after the inner call returned (the work is done but
            the caller sees a failure, as when a connection drops after
            a commit) instead of before it.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, inner: Store, fail_on: Collection[int], after: bool = False
    ) -> None:
        self.inner = inner
        self.after = after
        self.faults = _Faults(fail_on)

    def _call(self, what: str, call: Callable[[], _T]) -> _T:
        if not self.after:
            self.faults.check(what)
        result = call()
        if self.after:
            self.faults.check(what)
        return result

    def process(
        self,
        event: DirectoryEvent,
        decide: Callable[[Situation], Decision],
    ) -> Decision:
        """
        See `dirsync.ports.Store.process`.
        """
        return self._call("process", lambda: self.inner.process(event, decide))

    def hold_reason(self, workspace: str) -> HoldReason | None:
        """
        See `dirsync.ports.Store.hold_reason`.
        """
        return self._call(
            "hold_reason", lambda: self.inner.hold_reason(workspace)
        )

    def outbox(self, limit: int) -> Sequence[OutgoingMail]:
        """
        See `dirsync.ports.Store.outbox`.
        """
        return self._call("outbox", lambda: self.inner.outbox(limit))

    def delivered(self, keys: Sequence[str]) -> None:
        """
        See `dirsync.ports.Store.delivered`.
        """
        self._call("delivered", lambda: self.inner.delivered(keys))


class FaultyInbox:
    """
    A `dirsync.ports.Inbox` that fails the chosen calls, before they take
    effect.

    .. versionadded:: 0.1.0
    """

    def __init__(self, inner: Inbox, fail_on: Collection[int]) -> None:
        self.inner = inner
        self.faults = _Faults(fail_on)

    def append(self, events: Iterable[DirectoryEvent]) -> None:
        """
        See `dirsync.ports.Inbox.append`.
        """
        self.faults.check("append")
        self.inner.append(events)

    def busy(self) -> Sequence[str]:
        """
        See `dirsync.ports.Inbox.busy`.
        """
        self.faults.check("busy")
        return self.inner.busy()

    def queued(self, workspace: str) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.queued`.
        """
        self.faults.check("queued")
        return self.inner.queued(workspace)

    def head(self, workspace: str, limit: int) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.head`.
        """
        self.faults.check("head")
        return self.inner.head(workspace, limit)

    def revoking(self, workspace: str, after: int) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.revoking`.
        """
        self.faults.check("revoking")
        return self.inner.revoking(workspace, after)

    def done(self, position: int) -> None:
        """
        See `dirsync.ports.Inbox.done`.
        """
        self.faults.check("done")
        self.inner.done(position)

    def failed(self, position: int, error: str, park: bool) -> None:
        """
        See `dirsync.ports.Inbox.failed`.
        """
        self.faults.check("failed")
        self.inner.failed(position, error, park)

    def parked(self) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.parked`.
        """
        return self.inner.parked()

    def unpark(self, positions: Iterable[int]) -> int:
        """
        See `dirsync.ports.Inbox.unpark`.
        """
        return self.inner.unpark(positions)

    def claim(self, workspace: str) -> bool:
        """
        See `dirsync.ports.Inbox.claim`.
        """
        self.faults.check("claim")
        return self.inner.claim(workspace)

    def release(self, workspace: str) -> None:
        """
        See `dirsync.ports.Inbox.release`.
        """
        self.inner.release(workspace)


class FaultyMailer:
    """
    A `dirsync.ports.Mailer` that fails the chosen calls.

    Args:
        inner: The mailer to delegate to.
        fail_on: The indexes of the calls to fail, from 0.
        after: Fail after the inner mailer sent the message.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, inner: Mailer, fail_on: Collection[int], after: bool = False
    ) -> None:
        self.inner = inner
        self.after = after
        self.faults = _Faults(fail_on)

    def deliver(self, mail: OutgoingMail) -> None:
        """
        See `dirsync.ports.Mailer.deliver`.
        """
        if not self.after:
            self.faults.check("deliver")
        self.inner.deliver(mail)
        if self.after:
            self.faults.check("deliver")


class ManualClock:
    """
    A `dirsync.ports.Clock` that only moves when told to, or when slept
    on.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    ) -> None:
        self.current = start
        #: Every sleep, in seconds.
        self.slept: list[float] = []

    def now(self) -> datetime:
        """
        The current (manual) time.
        """
        return self.current

    def sleep(self, seconds: float) -> None:
        """
        Move time forward by *seconds*, at once.
        """
        self.slept.append(seconds)
        self.current += timedelta(seconds=seconds)
