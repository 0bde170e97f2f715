"""
A stateful test of the whole shell: events arrive, are delivered again,
cycles run, stores fail; after every step the memory and SQLite shells
agree with each other and, while no fault happened, with the pure model
cycle by cycle; and nothing is ever lost or done twice.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from dirsync import (
    Account,
    AccountStatus,
    DirectoryEvent,
    Policy,
    Scheduler,
    State,
    simulate,
)
from dirsync.stores.memory import MemoryInbox, MemoryStore
from dirsync.stores.sqlite import SQLiteStore
from dirsync.testing import FaultyStore, RecordingMailer
from tests import strategies as s


def snapshot(state: State) -> tuple[Any, ...]:
    return (
        tuple(state.accounts),
        tuple(sorted(state.invitations.items())),
        tuple(state.workspaces.items()),
        frozenset(state.processed),
        frozenset(state.records.items()),
        tuple(state.mail),
        tuple(state.escalations),
    )


class Shell(RuleBasedStateMachine):
    """
    The memory shell, the SQLite shell and the model, side by side.
    """

    @initialize(
        world=s.worlds(max_events=0),
        policy=s.policies,
        commit_every=st.sampled_from([1, 4]),
    )
    def start(
        self,
        world: tuple[State, list[DirectoryEvent]],
        policy: Policy,
        commit_every: int,
    ) -> None:
        state = world[0]
        self.policy = Policy(
            batch_limit=policy.batch_limit,
            revoke_first=policy.revoke_first,
            email_changes=policy.email_changes,
            max_attempts=1_000,
        )
        self.names = tuple(sorted(state.workspaces))
        # Each active owner's account, by number: the owner's email may
        # change, and another account may take the old one.
        self.owners: dict[str, tuple[int, Account]] = {}
        for name in self.names:
            owner = state.workspaces[name].owner
            number = None if owner is None else state.find(owner.key)
            if number is not None and state.hold_reason(name) is None:
                self.owners[name] = (number, state.accounts[number])
        self.memory = MemoryStore(state.copy())
        self.memory_inbox = MemoryInbox()
        self.sqlite = SQLiteStore(":memory:", commit_every=commit_every)
        self.sqlite.load(state)
        self.model = state.copy()
        self.model_queue: list[DirectoryEvent] = []
        self.appended = 0
        self.faulted = False
        self.mailers = (RecordingMailer(), RecordingMailer())

    def _schedulers(self, fail_on: frozenset[int]) -> tuple[Scheduler, ...]:
        return (
            Scheduler(
                FaultyStore(self.memory, fail_on),
                self.memory_inbox,
                self.mailers[0],
                self.policy,
            ),
            Scheduler(
                FaultyStore(self.sqlite, fail_on),
                self.sqlite,
                self.mailers[1],
                self.policy,
            ),
        )

    @rule(data=st.data())
    def append(self, data: st.DataObject) -> None:
        events = data.draw(st.lists(s.events_for(self.names), max_size=6))
        self.memory_inbox.append(events)
        self.sqlite.append(events)
        self.model_queue.extend(events)
        self.appended += len(events)

    @precondition(lambda self: self.model_queue)
    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        event = data.draw(st.sampled_from(self.model_queue))
        self.memory_inbox.append([event])
        self.sqlite.append([event])
        self.model_queue.append(event)
        self.appended += 1

    @rule(fail_on=st.just(frozenset()) | st.frozensets(st.integers(0, 12)))
    def cycle(self, fail_on: frozenset[int]) -> None:
        memory, sqlite = (s.run_cycle() for s in self._schedulers(fail_on))

        decisions = [a.decision for a in memory.applied]
        assert decisions == [a.decision for a in sqlite.applied]
        if fail_on:
            self.faulted = True
        if self.faulted:
            return
        model = simulate(self.model, self.model_queue, self.policy, 1)
        assert decisions == [a.decision for a in model.applied]
        self.model = model.state
        self.model_queue = list(model.remaining)

    @invariant()
    def stores_agree(self) -> None:
        assert snapshot(self.memory.state) == snapshot(self.sqlite.export())
        if not self.faulted:
            assert snapshot(self.memory.state) == snapshot(self.model)

    @invariant()
    def nothing_is_lost(self) -> None:
        for inbox in (self.memory_inbox, self.sqlite):
            queued = sum(len(inbox.queued(name)) for name in self.names)
            assert not inbox.parked()
            assert queued <= self.appended
        if not self.faulted:
            assert queued == len(self.model_queue)

    @invariant()
    def nothing_is_mailed_twice(self) -> None:
        for mailer in self.mailers:
            keys = [m.key for m in mailer.sent]
            assert len(keys) == len(set(keys))

    @invariant()
    def owners_stay(self) -> None:
        for name, (number, owner) in self.owners.items():
            account = self.memory.state.accounts[number]
            assert account.workspace == name
            assert account.status is AccountStatus.ACTIVE
            assert account.role == owner.role

    def teardown(self) -> None:
        self.sqlite.close()


Shell.TestCase.settings = settings(
    settings.default, stateful_step_count=25, deadline=None
)
test_shell = Shell.TestCase
