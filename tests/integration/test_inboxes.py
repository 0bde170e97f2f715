"""
The two inboxes, `MemoryInbox` and `SQLiteStore`, answer alike: the
same events, in the same order, with the same attempts and errors,
whatever was appended, done, failed, parked and unparked before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from dirsync import DirectoryEvent, QueuedEvent, UserDeleted
from dirsync.ports import Inbox
from dirsync.stores.memory import MemoryInbox
from dirsync.stores.sqlite import SQLiteStore
from tests import strategies as s

WORKSPACES = ("acme", "globex")


@pytest.mark.parametrize(
    "make",
    [MemoryInbox, lambda: SQLiteStore(":memory:")],
    ids=["memory", "sqlite"],
)
def test_an_unparked_event_goes_back_to_its_old_place(
    make: Callable[[], Inbox],
) -> None:
    """
    Unparked, an event is queued again before the events that came after
    it, with its attempts reset and its last error kept.
    """
    inbox = make()
    inbox.append(UserDeleted(f"e{n}", "acme", f"u{n}") for n in range(1, 4))
    first = inbox.head("acme", 1)[0]
    inbox.failed(first.position, "RuntimeError: boom", park=True)
    assert [q.event.id for q in inbox.head("acme", 3)] == ["e2", "e3"]

    assert inbox.unpark([first.position]) == 1

    head = inbox.head("acme", 3)
    assert [q.event.id for q in head] == ["e1", "e2", "e3"]
    assert (head[0].attempts, head[0].error) == (0, "RuntimeError: boom")
    assert inbox.parked() == []


def _positions(inbox: Inbox) -> set[int]:
    """
    Every position the inbox holds, queued or parked.
    """
    held = {entry.position for entry in inbox.parked()}
    for workspace in WORKSPACES:
        held.update(entry.position for entry in inbox.queued(workspace))
    return held


class Inboxes(RuleBasedStateMachine):
    """
    Both inboxes, sent the same calls.  Each numbers events its own way,
    so the machine pairs their positions as events arrive.
    """

    def __init__(self) -> None:
        super().__init__()
        self.memory = MemoryInbox()
        self.sqlite = SQLiteStore(":memory:")
        self.inboxes: tuple[Inbox, Inbox] = (self.memory, self.sqlite)
        # The memory inbox's position -> the SQLite inbox's.
        self.paired: dict[int, int] = {}

    def _seen(self, entries: Sequence[QueuedEvent]) -> list[object]:
        # For the memory inbox, in the SQLite inbox's positions.
        return [
            (self.paired[e.position], e.event, e.attempts, e.error)
            for e in entries
        ]

    @staticmethod
    def _as_is(entries: Sequence[QueuedEvent]) -> list[object]:
        return [(e.position, e.event, e.attempts, e.error) for e in entries]

    def _queued(self) -> list[int]:
        return [
            entry.position
            for workspace in WORKSPACES
            for entry in self.memory.queued(workspace)
        ]

    @rule(events=st.lists(s.events(st.sampled_from(WORKSPACES)), max_size=5))
    def append(self, events: list[DirectoryEvent]) -> None:
        before = [_positions(inbox) for inbox in self.inboxes]
        for inbox in self.inboxes:
            inbox.append(events)
        new = [
            sorted(_positions(inbox) - held)
            for inbox, held in zip(self.inboxes, before, strict=True)
        ]
        assert len(new[0]) == len(new[1]) == len(events)
        self.paired.update(zip(new[0], new[1], strict=True))

    @precondition(lambda self: self._queued())
    @rule(data=st.data())
    def done(self, data: st.DataObject) -> None:
        position = data.draw(st.sampled_from(self._queued()))
        self.memory.done(position)
        self.sqlite.done(self.paired[position])

    @precondition(lambda self: self._queued())
    @rule(data=st.data(), park=st.booleans())
    def fail(self, data: st.DataObject, park: bool) -> None:
        position = data.draw(st.sampled_from(self._queued()))
        error = data.draw(st.sampled_from(["RuntimeError: boom", "timeout"]))
        self.memory.failed(position, error, park)
        self.sqlite.failed(self.paired[position], error, park)

    @precondition(lambda self: self.memory.parked())
    @rule(data=st.data())
    def unpark(self, data: st.DataObject) -> None:
        parked = [entry.position for entry in self.memory.parked()]
        chosen = data.draw(st.lists(st.sampled_from(parked), unique=True))
        # A position that is not parked (queued, done, or never given)
        # is ignored by both.
        chosen += data.draw(st.lists(st.sampled_from([*self.paired, 999])))
        counts = (
            self.memory.unpark(chosen),
            self.sqlite.unpark(
                [self.paired.get(position, 999) for position in chosen]
            ),
        )
        assert counts[0] == counts[1] >= len(set(chosen) & set(parked))

    @invariant()
    def they_agree(self) -> None:
        assert self.memory.busy() == self.sqlite.busy()
        assert self._seen(self.memory.parked()) == self._as_is(
            self.sqlite.parked()
        )
        for workspace in WORKSPACES:
            assert self._seen(self.memory.queued(workspace)) == self._as_is(
                self.sqlite.queued(workspace)
            )
            for limit in (1, 3):
                assert self._seen(
                    self.memory.head(workspace, limit)
                ) == self._as_is(self.sqlite.head(workspace, limit))
            for after in (-1, *self._queued()[:2]):
                assert self._seen(
                    self.memory.revoking(workspace, after)
                ) == self._as_is(
                    self.sqlite.revoking(workspace, self.paired.get(after, 0))
                )

    @invariant()
    def queued_oldest_first(self) -> None:
        for inbox in self.inboxes:
            for workspace in WORKSPACES:
                positions = [e.position for e in inbox.queued(workspace)]
                assert positions == sorted(positions)

    def teardown(self) -> None:
        self.sqlite.close()


Inboxes.TestCase.settings = settings(
    settings.default, stateful_step_count=30, deadline=None
)
test_inboxes_agree = Inboxes.TestCase
