"""
Group commits on SQLite: events share a commit, each still atomic with
its processed mark, and nothing uncommitted is ever mailed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dirsync import (
    CreateAccount,
    Decision,
    Email,
    Escalate,
    EscalationReason,
    Profile,
    Role,
    Scheduler,
    Service,
    Situation,
    Standing,
    read_scenario,
)
from dirsync.stores.sqlite import SQLiteStore
from dirsync.testing import RecordingMailer
from tests.rule_cases import WORLD, created

EVENTS = [
    created("e1", "d-a", "a@acme.com"),
    created("e2", "d-b", "b@acme.com"),
    created("e3", "d-c", "c@acme.com"),
]


def _grouped(path: Path | str, every: int = 10) -> SQLiteStore:
    scenario = read_scenario({**WORLD, "events": EVENTS})
    store = SQLiteStore(path, commit_every=every)
    store.load(scenario.state)
    store.append(scenario.events)
    return store


def _committed_mail(path: Path) -> list[str]:
    """
    The invitations another connection sees: what was committed.
    """
    other = sqlite3.connect(path)
    try:
        return [row[0] for row in other.execute("SELECT to_address FROM mail")]
    finally:
        other.close()


def test_a_failing_event_undoes_only_itself(tmp_path: Path) -> None:
    """
    When deciding one event of a group raises, that event leaves no
    trace, and the events before and after it in the group commit.
    """
    store = _grouped(tmp_path / "groups.db")
    service = Service(store)
    first, second, third = (q.event for q in store.head("acme", 3))

    def broken(situation: Situation) -> Decision:
        raise RuntimeError("the host's decide failed")

    service.process(first)
    with pytest.raises(RuntimeError, match="decide failed"):
        store.process(second, broken)
    service.process(third)
    state = store.export()

    processed = {event for _, event in state.processed}
    assert processed == {"e1", "e3"}
    assert sorted(m.to for m in state.mail) == ["a@acme.com", "c@acme.com"]


def test_a_write_that_fails_half_way_is_undone(tmp_path: Path) -> None:
    """
    An event whose second write fails (here: an account whose email is
    taken) leaves nothing of its first write (an escalation) behind,
    while the event before it in the group commits.
    """
    store = _grouped(tmp_path / "groups.db")
    first, second, _ = (q.event for q in store.head("acme", 3))
    Service(store).process(first)

    def clashing(situation: Situation) -> Decision:
        return Decision(
            second.id,
            second.workspace,
            Standing.NEW,
            ("P-NEW",),
            (
                Escalate(EscalationReason.EMAIL_TAKEN),
                CreateAccount(
                    Email.parse("a@acme.com"),
                    Profile(),
                    Role.MEMBER,
                    "acme",
                ),
            ),
            "b@acme.com",
        )

    with pytest.raises(sqlite3.IntegrityError):
        store.process(second, clashing)
    state = store.export()

    assert state.escalations == []
    assert {event for _, event in state.processed} == {"e1"}
    assert [m.to for m in state.mail] == ["a@acme.com"]


def test_a_failure_that_opens_a_group_leaves_no_transaction(
    tmp_path: Path,
) -> None:
    """
    An event that fails as the first of a group rolls the group back, so
    the store is ready for the next event.
    """
    store = _grouped(tmp_path / "groups.db")
    first, second, _ = (q.event for q in store.head("acme", 3))

    def broken(situation: Situation) -> Decision:
        raise RuntimeError("failed at once")

    with pytest.raises(RuntimeError):
        store.process(first, broken)
    Service(store).process(second)
    store.close()

    assert _committed_mail(tmp_path / "groups.db") == ["b@acme.com"]


def test_nothing_uncommitted_reaches_the_outbox(tmp_path: Path) -> None:
    """
    Invitations of a group still open are invisible to other
    connections; reading the outbox commits the group first.
    """
    path = tmp_path / "groups.db"
    store = _grouped(path)
    service = Service(store)
    for queued in store.head("acme", 2):
        service.process(queued.event)

    assert _committed_mail(path) == []
    outbox = [m.to for m in store.outbox(limit=10)]
    assert outbox == ["a@acme.com", "b@acme.com"]
    assert _committed_mail(path) == outbox


def test_a_full_group_commits_by_itself(tmp_path: Path) -> None:
    """
    Once *commit_every* events are pending they commit, with nothing
    else read or written.
    """
    path = tmp_path / "groups.db"
    store = _grouped(path, every=2)
    service = Service(store)
    for queued in store.head("acme", 3):
        service.process(queued.event)

    assert _committed_mail(path) == ["a@acme.com", "b@acme.com"]


def test_a_grouped_scheduler_drains_like_a_plain_one() -> None:
    """
    The scheduler over a grouped store applies the same decisions, ends
    in the same state and mails the same invitations as over a store
    that commits every event.
    """
    plain, grouped = _grouped(":memory:", every=1), _grouped(":memory:")
    mailers = RecordingMailer(), RecordingMailer()

    reports = [
        Scheduler(store, store, mailer).drain()
        for store, mailer in zip((plain, grouped), mailers, strict=True)
    ]

    decisions = [
        [a.decision for report in run for a in report.applied]
        for run in reports
    ]
    assert decisions[0] == decisions[1]
    assert plain.export().accounts == grouped.export().accounts
    assert mailers[0].sent == mailers[1].sent


def test_commit_every_must_be_positive(tmp_path: Path) -> None:
    """
    A group of fewer than one event is a mistake of the host's.
    """
    with pytest.raises(ValueError, match="commit_every must be at least 1"):
        SQLiteStore(tmp_path / "never.db", commit_every=0)

    assert not (tmp_path / "never.db").exists()
