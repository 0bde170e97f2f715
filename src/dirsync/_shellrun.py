"""
Running scenarios and event files through the real shell: the scheduler
over a store, as the command line does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from ._events import DirectoryEvent
from ._policy import Policy
from ._scenario import Scenario, ScimCall
from ._scheduler import Scheduler
from ._simulate import Outcome, ScimReply
from ._state import State
from .ports import Inbox, OutgoingMail
from .scim import DirectoryStore, Endpoint, ScimRequest
from .scim._json import dumps
from .stores.memory import MemoryDirectory, MemoryInbox, MemoryStore
from .stores.sqlite import SQLiteStore

#: The time SCIM requests of a replay are made at, so that replays are
#: repeatable.
REPLAY_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class DroppingMailer:
    """
    A mailer for replays: invitations are shown in the outcome, so
    delivering them only has to succeed.
    """

    def deliver(self, mail: OutgoingMail) -> None:
        """
        Accept *mail*.
        """


def replay(scenario: Scenario, db: Path | None = None) -> Outcome:
    """
    Run *scenario* through the scheduler, on the memory store or on a
    new SQLite file *db*, until nothing more can be consumed.

    Raises:
        ValueError: *db* already holds a workspace or an account of the
            scenario.
    """
    store: MemoryStore | SQLiteStore
    export: Callable[[], State]
    directory: DirectoryStore
    if db is None:
        memory = MemoryStore(scenario.state.copy())
        inbox: MemoryInbox | SQLiteStore = MemoryInbox()
        store, export = memory, lambda: memory.state
        directory = MemoryDirectory(inbox)
    else:
        sqlite = SQLiteStore(db)
        sqlite.load(scenario.state)
        store = inbox = directory = sqlite
        export = sqlite.export
    try:
        replies = feed(scenario.inputs, inbox, directory, scenario.policy)
        scheduler = Scheduler(store, inbox, DroppingMailer(), scenario.policy)
        reports = scheduler.drain()
        applied = tuple(a for report in reports for a in report.applied)
        cycles = sum(1 for report in reports if report.consumed)
        statuses = scheduler.status(list(scenario.state.workspaces))
        return Outcome(
            applied, export(), tuple(statuses), cycles, responses=replies
        )
    finally:
        if isinstance(store, SQLiteStore):
            store.close()


def feed(
    inputs: Iterable[DirectoryEvent | ScimCall],
    inbox: Inbox,
    directory: DirectoryStore,
    policy: Policy,
) -> tuple[ScimReply, ...]:
    """
    Queue a scenario's inputs in order: events go to *inbox*, SCIM
    requests through the endpoint core, which queues their events.

    A request gets its scenario id as the id of what it creates, and its
    events are named after it (``id``, then ``id.2``, ``id.3``, …), so
    that a replay is repeatable and a later request can name the
    resource.

    Returns:
        The endpoint's answer to each request.
    """
    replies = []
    pending: list[DirectoryEvent] = []
    for item in inputs:
        if not isinstance(item, ScimCall):
            pending.append(item)
            continue
        inbox.append(pending)
        pending = []
        endpoint = Endpoint(
            directory,
            new_id=_names(item.id),
            now=lambda: REPLAY_TIME,
            policy=policy,
        )
        body = b"" if item.body is None else dumps(item.body)
        response = endpoint.handle(
            ScimRequest(
                item.method, item.path, item.workspace, item.query, body
            )
        )
        error = response.body if response.status >= 400 else None
        replies.append(
            ScimReply(
                item.id,
                item.workspace,
                response.status,
                None if error is None else error.get("scimType"),
                None if error is None else str(error.get("detail")),
            )
        )
    inbox.append(pending)
    return tuple(replies)


def _names(first: str) -> Callable[[], str]:
    """
    *first*, then ``first.2``, ``first.3``, … on each call.
    """
    names = itertools.chain(
        [first], (f"{first}.{n}" for n in itertools.count(2))
    )
    return lambda: next(names)
