"""
The scheduler and the memory store against the model: the same events
give the same decisions, cycle by cycle, and the same state; and faults
lose nothing and double nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dirsync import (
    DirectoryEvent,
    Policy,
    Scenario,
    Scheduler,
    State,
    render,
    simulate,
)
from dirsync._shellrun import replay
from dirsync.ports import Inbox, Store
from dirsync.stores.memory import MemoryInbox, MemoryStore
from dirsync.stores.sqlite import SQLiteStore
from dirsync.testing import (
    FaultyInbox,
    FaultyMailer,
    FaultyStore,
    ManualClock,
    RecordingMailer,
)
from tests import strategies as s


def snapshot(state: State) -> tuple[Any, ...]:
    """
    Everything a State holds, comparable across stores.
    """
    return (
        tuple(state.accounts),
        tuple(sorted(state.invitations.items())),
        tuple(state.workspaces.items()),
        frozenset(state.processed),
        frozenset(state.records.items()),
        tuple(state.mail),
        tuple(state.escalations),
    )


def memory_shell(
    state: State, events: list[DirectoryEvent], policy: Policy
) -> tuple[Scheduler, Callable[[], State], RecordingMailer]:
    store = MemoryStore(state.copy())
    inbox = MemoryInbox()
    inbox.append(events)
    mailer = RecordingMailer()
    return Scheduler(store, inbox, mailer, policy), lambda: store.state, mailer


def sqlite_shell(
    state: State,
    events: list[DirectoryEvent],
    policy: Policy,
    commit_every: int = 1,
) -> tuple[Scheduler, Callable[[], State], RecordingMailer]:
    store = SQLiteStore(":memory:", commit_every=commit_every)
    store.load(state)
    store.append(events)
    mailer = RecordingMailer()
    return Scheduler(store, store, mailer, policy), store.export, mailer


def grouped_sqlite_shell(
    state: State, events: list[DirectoryEvent], policy: Policy
) -> tuple[Scheduler, Callable[[], State], RecordingMailer]:
    return sqlite_shell(state, events, policy, commit_every=3)


SHELLS = {
    "memory": memory_shell,
    "sqlite": sqlite_shell,
    "sqlite-grouped": grouped_sqlite_shell,
}


@pytest.mark.parametrize("kind", sorted(SHELLS))
@given(world=s.worlds(max_events=16), policy=s.policies)
def test_the_shell_decides_as_the_model(
    kind: str, world: tuple[State, list[DirectoryEvent]], policy: Policy
) -> None:
    """
    Cycle by cycle, the scheduler over each store applies the same
    decisions as `simulate`, ends in the same state, and mails every
    invitation once.
    """
    state, events = world
    model = simulate(state, events, policy)
    scheduler, export, mailer = SHELLS[kind](state, events, policy)

    reports = scheduler.drain()

    applied = [a for report in reports for a in report.applied]
    assert [(a.cycle, a.decision, a.expedited) for a in applied] == [
        (a.cycle, a.decision, a.expedited) for a in model.applied
    ]
    assert snapshot(export()) == snapshot(model.state)
    assert [(m.to, m.workspace) for m in mailer.sent] == [
        (m.to, m.workspace) for m in model.state.mail
    ]
    assert scheduler.status(list(state.workspaces)) == list(model.workspaces)


def _single_workspace_worlds() -> st.SearchStrategy[
    tuple[State, list[DirectoryEvent]]
]:
    return s.worlds(max_events=10).map(
        lambda w: (w[0], [e for e in w[1] if e.workspace == "acme"])
    )


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@given(
    world=_single_workspace_worlds(),
    policy=s.policies,
    fail_on=st.frozensets(st.integers(0, 40), max_size=6),
)
def test_store_faults_lose_and_double_nothing(
    after: bool,
    world: tuple[State, list[DirectoryEvent]],
    policy: Policy,
    fail_on: frozenset[int],
) -> None:
    """
    Whichever store calls fail, before or after their work is done, every
    event ends applied once, and the final state and the mail are the
    model's.
    """
    state, events = world
    policy = Policy(
        batch_limit=policy.batch_limit,
        revoke_first=policy.revoke_first,
        email_changes=policy.email_changes,
        max_attempts=100,
    )
    model = simulate(state, events, policy)
    store = MemoryStore(state.copy())
    inbox = MemoryInbox()
    inbox.append(events)
    mailer = RecordingMailer()
    scheduler = Scheduler(
        FaultyStore(store, fail_on, after=after), inbox, mailer, policy
    )

    for _ in range(60):
        scheduler.run_cycle()

    assert snapshot(store.state) == snapshot(model.state)
    assert inbox.busy() == [] or state.hold_reason("acme") is not None
    assert sorted((m.to, m.workspace) for m in mailer.sent) == sorted(
        (m.to, m.workspace) for m in model.state.mail
    )
    assert store.outbox(limit=100) == []


@given(
    world=_single_workspace_worlds(),
    fail_on=st.frozensets(st.integers(0, 40), max_size=8),
    after=st.booleans(),
    inbox_fail_on=st.frozensets(st.integers(0, 40), max_size=4),
)
def test_mailer_and_inbox_faults_send_each_invitation_once(
    world: tuple[State, list[DirectoryEvent]],
    fail_on: frozenset[int],
    after: bool,
    inbox_fail_on: frozenset[int],
) -> None:
    """
    Whatever the mailer and the inbox fail, every invitation reaches the
    mailer, and the mailer sends each one once.
    """
    state, events = world
    policy = Policy(max_attempts=100)
    model = simulate(state, events, policy)
    store = MemoryStore(state.copy())
    inbox = MemoryInbox()
    inbox.append(events)
    mailer = RecordingMailer()
    scheduler = Scheduler(
        store,
        FaultyInbox(inbox, inbox_fail_on),
        FaultyMailer(mailer, fail_on, after=after),
        policy,
    )

    for _ in range(60):
        scheduler.run_cycle()

    assert snapshot(store.state) == snapshot(model.state)
    assert len({m.key for m in mailer.sent}) == len(mailer.sent)
    assert sorted((m.to, m.workspace) for m in mailer.sent) == sorted(
        (m.to, m.workspace) for m in model.state.mail
    )


def test_a_failing_event_holds_back_its_workspace_then_parks() -> None:
    """
    An event that keeps failing is retried, holds back what is queued
    behind it in its workspace (and only there), and is parked after
    max_attempts with its error; then the queue moves on.
    """
    from dirsync import read_scenario
    from tests.rule_cases import WORLD, created

    scenario = read_scenario(
        {
            **WORLD,
            "events": [
                created("e1", "d-a", "a@acme.com"),
                created("e2", "d-b", "b@acme.com"),
                {
                    **created("e3", "d-c", "c@globex.com"),
                    "workspace": "globex",
                },
            ],
        }
    )
    store = MemoryStore(scenario.state)
    inbox = MemoryInbox()
    inbox.append(scenario.events)
    policy = Policy(max_attempts=3)
    faulty = _FailEvent(store, "e1")
    scheduler = Scheduler(faulty, inbox, RecordingMailer(), policy)

    first = scheduler.run_cycle()
    second = scheduler.run_cycle()
    third = scheduler.run_cycle()
    fourth = scheduler.run_cycle()

    assert [a.decision.event_id for a in first.applied] == ["e3"]
    assert second.applied == ()
    assert [a.decision.event_id for a in third.applied] == ["e2"]
    assert fourth.applied == ()
    (parked,) = inbox.parked()
    assert parked.event.id == "e1"
    assert parked.attempts == 3
    assert parked.error == "RuntimeError: e1 is cursed"
    statuses = scheduler.status(["acme", "globex"])
    assert [(w.queued, w.parked) for w in statuses] == [(0, 1), (0, 0)]

    faulty.cursed = False
    assert inbox.unpark([parked.position]) == 1
    assert [a.decision.event_id for a in scheduler.run_cycle().applied] == [
        "e1"
    ]


class _FailEvent:
    """
    A store that fails every attempt at one event.
    """

    def __init__(self, inner: MemoryStore, event_id: str) -> None:
        self.inner = inner
        self.event_id = event_id
        self.cursed = True

    def process(self, event: Any, decide: Any) -> Any:
        if event.id == self.event_id and self.cursed:
            raise RuntimeError(f"{event.id} is cursed")
        return self.inner.process(event, decide)

    def hold_reason(self, workspace: str) -> Any:
        return self.inner.hold_reason(workspace)

    def outbox(self, limit: int) -> Any:
        return self.inner.outbox(limit)

    def delivered(self, keys: Sequence[str]) -> None:
        self.inner.delivered(keys)


def test_run_forever_sleeps_the_interval_between_cycles() -> None:
    """
    run_forever runs a cycle every interval until told to stop.
    """
    clock = ManualClock()
    scheduler = Scheduler(
        MemoryStore(), MemoryInbox(), RecordingMailer(), clock=clock
    )
    stops = iter([False, False, False, True])

    scheduler.run_forever(stop=lambda: next(stops))

    assert scheduler.cycles == 2
    assert clock.slept == [300.0]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@given(world=s.worlds(max_events=12), policy=s.policies)
def test_replay_through_the_shell_prints_what_the_model_does(
    kind: str, world: tuple[State, list[DirectoryEvent]], policy: Policy
) -> None:
    """
    `dirsync replay` output through the scheduler and a store is exactly
    the output of the pure model.
    """
    state, events = world
    scenario = Scenario(policy, state, tuple(events))

    with tempfile.TemporaryDirectory() as folder:
        db = None if kind == "memory" else Path(folder) / "r.db"
        through_shell = render(replay(scenario, db))

    assert through_shell == render(simulate(state, events, policy))


def _batch_scenario() -> tuple[State, list[DirectoryEvent], Policy]:
    from dirsync import read_scenario
    from tests.rule_cases import WORLD, created, deleted, updated

    scenario = read_scenario(
        {
            **WORLD,
            "policy": {"batch_limit": 4},
            "events": [
                created("e1", "d-nina", "nina@acme.com"),
                updated("e2", "d-mia", "mia@acme.com", title="Lead"),
                created("e3", "d-sam", "sam@gmail.com"),
                deleted("e4", "d-ivan", "ivan@gmail.com"),
                updated("e5", "d-pat", "pat@acme.com"),
                created("e6", "d-zed", "zed@gmail.com"),
                deleted("e7", "d-mia"),
                created("e8", "d-omar", "omar@acme.com"),
            ],
        }
    )
    policy = attrs.evolve(scenario.policy, max_attempts=100)
    return scenario.state, list(scenario.events), policy


def _calls(kind: str) -> int:
    """
    How many calls of *kind* ("store" or "mailer") a fault-free run of
    the batch makes.
    """
    state, events, policy = _batch_scenario()
    store = FaultyStore(MemoryStore(state.copy()), ())
    mailer = FaultyMailer(RecordingMailer(), ())
    inbox = MemoryInbox()
    inbox.append(events)
    Scheduler(store, inbox, mailer, policy).drain()
    return (store if kind == "store" else mailer).faults.calls


def _stores(
    name: str, state: State, events: list[DirectoryEvent]
) -> tuple[Store, Inbox, Callable[[], State]]:
    """
    A fresh store and inbox of the kind *name*, holding *state* and
    *events*, and how to read the store's state back.
    """
    if name == "memory":
        memory, queue = MemoryStore(state.copy()), MemoryInbox()
        queue.append(events)
        return memory, queue, lambda: memory.state
    sqlite = SQLiteStore(
        ":memory:", commit_every=4 if "grouped" in name else 1
    )
    sqlite.load(state)
    sqlite.append(events)
    return sqlite, sqlite, sqlite.export


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("kind", ["store", "mailer"])
@pytest.mark.parametrize("name", ["memory", "sqlite", "sqlite-grouped"])
def test_a_fault_at_every_call_index(
    name: str, kind: str, after: bool
) -> None:
    """
    Failing the store or the mailer at each call of a batch in turn,
    before or after the call does its work, ends in the model's state
    with every invitation mailed once, on every store.
    """
    state, events, policy = _batch_scenario()
    model = simulate(state, events, policy)
    expected = sorted((m.to, m.workspace) for m in model.state.mail)

    for index in range(_calls(kind) + 1):
        store, inbox, export = _stores(name, state, events)
        mailer = RecordingMailer()
        faulty_store = FaultyStore(
            store, {index} if kind == "store" else (), after
        )
        faulty_mailer = FaultyMailer(
            mailer, {index} if kind == "mailer" else (), after
        )
        scheduler = Scheduler(faulty_store, inbox, faulty_mailer, policy)

        for _ in range(10):
            scheduler.run_cycle()

        assert snapshot(export()) == snapshot(model.state), index
        assert sorted((m.to, m.workspace) for m in mailer.sent) == expected
        assert inbox.busy() == []
        assert store.outbox(limit=100) == []
