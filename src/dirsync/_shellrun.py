"""
Running scenarios and event files through the real shell: the scheduler
over a store, as the command line does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ._scenario import Scenario
from ._scheduler import Scheduler
from ._simulate import Outcome
from ._state import State
from .ports import OutgoingMail
from .stores.memory import MemoryInbox, MemoryStore
from .stores.sqlite import SQLiteStore


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
    if db is None:
        memory = MemoryStore(scenario.state.copy())
        inbox: MemoryInbox | SQLiteStore = MemoryInbox()
        store, export = memory, lambda: memory.state
    else:
        sqlite = SQLiteStore(db)
        sqlite.load(scenario.state)
        store = inbox = sqlite
        export = sqlite.export
    try:
        inbox.append(scenario.events)
        scheduler = Scheduler(store, inbox, DroppingMailer(), scenario.policy)
        reports = scheduler.drain()
        applied = tuple(a for report in reports for a in report.applied)
        cycles = sum(1 for report in reports if report.consumed)
        statuses = scheduler.status(list(scenario.state.workspaces))
        return Outcome(applied, export(), tuple(statuses), cycles)
    finally:
        if isinstance(store, SQLiteStore):
            store.close()
