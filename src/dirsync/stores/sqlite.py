"""
The store and the inbox in one SQLite file.

`SQLiteStore` implements `dirsync.ports.Store` and `dirsync.ports.Inbox`
on a single database file, in WAL mode, with a versioned schema.
Every unit of work runs in one ``BEGIN IMMEDIATE`` transaction: the
situation is read, decided and applied, the event recorded as processed
and its invitations put in the outbox, and all of it commits at once or
not at all.
With ``commit_every`` above 1, consecutive events share a transaction
(group commit), each in a savepoint of its own: an event still commits
together with its processed mark, or not at all, and the commit's one
``fsync`` is paid once for the whole group.
Several processes may run cycles on the same file: each workspace is
drained by one worker at a time, under a lease.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, assert_never

from .._actions import (
    ChangeEmail,
    CreateAccount,
    Deactivate,
    Escalate,
    EscalationReason,
    Link,
    Reactivate,
    RevokeInvitation,
    SendInvitation,
    SetRole,
    Skip,
    SkipReason,
    UpdateProfile,
)
from .._codec import decode_event, encode_event
from .._decision import Decision
from .._events import DirectoryEvent, is_deprovisioning
from .._model import (
    Account,
    AccountStatus,
    DirectoryLink,
    Domain,
    Email,
    Invitation,
    InvitationStatus,
    Profile,
    Role,
    Workspace,
)
from .._schedule import HoldReason, hold_reason
from .._standing import DirectoryRecord, Situation
from .._state import EscalationRecord, Mail, State, next_record
from ..ports import OutgoingMail, QueuedEvent
from ._sqlite_directory import MIGRATION as DIRECTORY_MIGRATION
from ._sqlite_directory import DirectoryTables

#: Migrations, in order: the schema version each one leads to, and its
#: statements.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE workspaces (
            id TEXT PRIMARY KEY,
            owner_key TEXT,
            owner TEXT,
            claimed TEXT NOT NULL
        );
        CREATE TABLE claims (
            domain TEXT NOT NULL,
            workspace TEXT NOT NULL,
            PRIMARY KEY (domain, workspace)
        );
        CREATE TABLE accounts (
            number INTEGER PRIMARY KEY,
            email_key TEXT NOT NULL UNIQUE,
            email TEXT NOT NULL,
            first_name TEXT,
            last_name TEXT,
            department TEXT,
            title TEXT,
            workspace TEXT,
            status TEXT NOT NULL,
            role TEXT,
            link_workspace TEXT,
            link_user TEXT,
            created_by TEXT
        );
        CREATE INDEX accounts_link ON accounts (link_user, link_workspace);
        CREATE TABLE invitations (
            workspace TEXT NOT NULL,
            account INTEGER NOT NULL,
            email TEXT NOT NULL,
            role TEXT NOT NULL,
            status TEXT NOT NULL,
            made INTEGER NOT NULL,
            PRIMARY KEY (workspace, account)
        );
        CREATE TABLE records (
            workspace TEXT NOT NULL,
            user_id TEXT NOT NULL,
            active INTEGER,
            sequence INTEGER,
            occurred_at TEXT,
            PRIMARY KEY (workspace, user_id)
        );
        CREATE TABLE processed (
            workspace TEXT NOT NULL,
            event_id TEXT NOT NULL,
            PRIMARY KEY (workspace, event_id)
        );
        CREATE TABLE mail (
            n INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            to_address TEXT NOT NULL,
            workspace TEXT NOT NULL,
            kind TEXT NOT NULL,
            delivered INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX mail_pending ON mail (delivered, n);
        CREATE TABLE escalations (
            n INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL,
            workspace TEXT NOT NULL,
            email TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE inbox (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            workspace TEXT NOT NULL,
            event TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            parked INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX inbox_queue ON inbox (parked, workspace, position);
        CREATE TABLE leases (
            workspace TEXT PRIMARY KEY,
            worker TEXT NOT NULL,
            expires REAL NOT NULL
        );
        """,
    ),
    (
        2,
        # The inbox learns each event's directory user and whether it
        # deprovisions, so that S-REVOKE-FIRST reads only what it takes.
        """
        ALTER TABLE inbox ADD COLUMN user_id TEXT;
        ALTER TABLE inbox ADD COLUMN revokes INTEGER NOT NULL DEFAULT 0;
        UPDATE inbox SET
            user_id = COALESCE(
                json_extract(event, '$.user.id'),
                json_extract(event, '$.user_id')
            ),
            revokes = (
                json_extract(event, '$.type') = 'user.deleted'
                OR json_extract(event, '$.user.active') = 0
            );
        CREATE INDEX inbox_revokes
            ON inbox (parked, workspace, revokes, position);
        CREATE INDEX inbox_users
            ON inbox (parked, workspace, user_id, position);
        """,
    ),
    (
        3,
        # An email change updates the account's invitations in every
        # workspace, found by account.
        """
        CREATE INDEX invitations_account ON invitations (account);
        """,
    ),
    # The SCIM mirror, beside the inbox its changes feed.
    (4, DIRECTORY_MIGRATION),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]


class SQLiteStore(DirectoryTables):
    """
    A `dirsync.ports.Store`, `dirsync.ports.Inbox` and
    `dirsync.scim.DirectoryStore` in one SQLite file.

    Args:
        path: The database file; created, and migrated to the current
            schema, when needed.
        durable: Make every commit survive a power cut
            (``synchronous=FULL``); otherwise a crash of the process
            loses nothing, but a crash of the machine may lose the last
            commits (``synchronous=NORMAL``).
        lease_seconds: How long a worker holds a workspace it drains; a
            worker that dies holds it that long.
        worker: This worker's name, for leases.  Workers that run at the
            same time need different names; a worker restarted under the
            same name takes its leases back at once.  By default, a name
            no other process has.
        commit_every: How many events one commit may carry.  With 1,
            every event commits on its own.  With more, events share a
            commit (each in its own savepoint, so that a failing event
            undoes only itself) until that many are pending or anything
            else is read or written through the store: the inbox, the
            outbox, leases.  A crash loses the effects of the events of
            the open group together with their processed marks, so they
            are processed again on restart; nothing is lost or doubled,
            and no invitation of an uncommitted event reaches the outbox
            reader.  Durable throughput is bounded by the disk's
            ``fsync`` rate divided by this number of events, not by it
            alone.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        path: str | Path,
        durable: bool = True,
        lease_seconds: float = 60.0,
        worker: str | None = None,
        commit_every: int = 1,
    ) -> None:
        if commit_every < 1:
            raise ValueError(
                f"commit_every must be at least 1, not {commit_every}"
            )
        self.commit_every = commit_every
        #: Events in the open group transaction; 0 when none is open.
        self._grouped = 0
        self.path = Path(path)
        self.worker = uuid.uuid4().hex if worker is None else worker
        self._done: list[int] = []
        self._parsed: dict[tuple[Any, ...], Workspace] = {}
        self.lease_seconds = lease_seconds
        self.db = sqlite3.connect(
            self.path, isolation_level=None, timeout=60.0
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}"
        )
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        """
        Commit what is pending and close the connection.
        """
        self._flush()
        self.db.close()

    # Schema.

    def _migrate(self) -> None:
        with self._transaction():
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS meta "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            row = self.db.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
            version = 0 if row is None else int(row[0])
            if version > SCHEMA_VERSION:
                raise ValueError(
                    f"{self.path} has schema version {version}; this "
                    f"dirsync knows up to {SCHEMA_VERSION}"
                )
            for target, script in MIGRATIONS:
                if target > version:
                    for statement in script.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    @property
    def schema_version(self) -> int:
        """
        The schema version of the file.
        """
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        return int(row[0])

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._end_group()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._forget_done()
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        self._done.clear()

    def _forget_done(self) -> None:
        """
        Delete the inbox rows `done` deferred.

        `done` does not commit on its own: that would cost a second
        durable commit per event.  Its deletions ride along with the next
        transaction instead, and reads flush them first.  A crash in
        between leaves processed events queued; processing them again
        finds them processed, records a duplicate and changes nothing.
        """
        if self._done:
            self.db.executemany(
                "DELETE FROM inbox WHERE position = ?",
                [(position,) for position in self._done],
            )

    def _flush(self) -> None:
        self._end_group()
        if self._done:
            with self._transaction():
                pass

    def _end_group(self) -> None:
        """
        Commit the open group of events, if there is one.
        """
        if self._grouped:
            self._grouped = 0
            self.db.execute("COMMIT")

    # Seeding and exporting.

    def load(self, state: State) -> None:
        """
        Add the workspaces, accounts and invitations of *state*, in one
        transaction.

        Raises:
            ValueError: A workspace id or an email exists already.
        """
        try:
            with self._transaction():
                for workspace in state.workspaces.values():
                    self._insert_workspace(workspace)
                numbers = {}
                for number, account in enumerate(state.accounts):
                    numbers[number] = self._insert_account(account)
                for (name, number), invitation in state.invitations.items():
                    self._insert_invitation(name, numbers[number], invitation)
        except sqlite3.IntegrityError as e:
            raise ValueError(f"cannot load: {e}") from None

    def export(self) -> State:
        """
        Everything in the store, as a `dirsync.State`.
        """
        self._flush()
        state = State()
        for row in self.db.execute("SELECT id FROM workspaces ORDER BY rowid"):
            state.add_workspace(self._workspace(row[0]))
        numbers = {}
        for row in self.db.execute("SELECT * FROM accounts ORDER BY number"):
            numbers[row[0]] = state.add_account(_account(row))
        for row in self.db.execute(
            "SELECT workspace, account, email, role, status "
            "FROM invitations ORDER BY made"
        ):
            state.invite(
                numbers[row[1]],
                Invitation(
                    row[0],
                    state.accounts[numbers[row[1]]].email,
                    Role(row[3]),
                    InvitationStatus(row[4]),
                ),
            )
        for row in self.db.execute("SELECT * FROM records"):
            state.records[row[0], row[1]] = _record(row[2:])
        state.processed.update(
            (row[0], row[1])
            for row in self.db.execute("SELECT * FROM processed")
        )
        state.mail.extend(
            Mail(row[0], row[1], row[2])
            for row in self.db.execute(
                "SELECT to_address, workspace, kind FROM mail ORDER BY n"
            )
        )
        state.escalations.extend(
            EscalationRecord(row[0], row[1], row[2], EscalationReason(row[3]))
            for row in self.db.execute(
                "SELECT event_id, workspace, email, reason "
                "FROM escalations ORDER BY n"
            )
        )
        return state

    def workspaces(self) -> Sequence[str]:
        """
        Every workspace id, in the order they were added.
        """
        return [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM workspaces ORDER BY rowid"
            )
        ]

    def _insert_workspace(self, workspace: Workspace) -> None:
        owner = workspace.owner
        self.db.execute(
            "INSERT INTO workspaces VALUES (?, ?, ?, ?)",
            (
                workspace.id,
                None if owner is None else owner.key,
                None if owner is None else owner.address,
                json.dumps(
                    sorted(
                        [d.ascii, d.name] for d in workspace.claimed_domains
                    )
                ),
            ),
        )
        self.db.executemany(
            "INSERT INTO claims VALUES (?, ?)",
            [(d.ascii, workspace.id) for d in workspace.claimed_domains],
        )

    def _insert_account(self, account: Account) -> int:
        profile = account.profile
        link = account.link
        cursor = self.db.execute(
            "INSERT INTO accounts (email_key, email, first_name, last_name,"
            " department, title, workspace, status, role, link_workspace,"
            " link_user, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                account.email.key,
                account.email.address,
                profile.first_name,
                profile.last_name,
                profile.department,
                profile.title,
                account.workspace,
                account.status.value,
                None if account.role is None else account.role.value,
                None if link is None else link.workspace,
                None if link is None else link.user_id,
                account.created_by,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _insert_invitation(
        self, workspace: str, number: int, invitation: Invitation
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO invitations VALUES (?, ?, ?, ?, ?, "
            "COALESCE((SELECT made FROM invitations WHERE workspace = ? "
            "AND account = ?), (SELECT COUNT(*) FROM invitations)))",
            (
                workspace,
                number,
                invitation.email.address,
                invitation.role.value,
                invitation.status.value,
                workspace,
                number,
            ),
        )

    # The Store port.

    def process(
        self,
        event: DirectoryEvent,
        decide: Callable[[Situation], Decision],
    ) -> Decision:
        """
        See `dirsync.ports.Store.process`.
        """
        if self.commit_every == 1:
            with self._transaction():
                number, situation = self._locate(event)
                decision = decide(situation)
                self._apply(event, number, decision, situation.record)
            return decision

        db = self.db
        if not self._grouped:
            db.execute("BEGIN IMMEDIATE")
            self._forget_done()
            self._done.clear()
        db.execute("SAVEPOINT event")
        try:
            number, situation = self._locate(event)
            decision = decide(situation)
            self._apply(event, number, decision, situation.record)
        except BaseException:
            # Undo this event alone; those before it stay in the group.
            db.execute("ROLLBACK TO event")
            db.execute("RELEASE event")
            if not self._grouped:
                db.execute("ROLLBACK")
            raise
        db.execute("RELEASE event")
        self._grouped += 1
        if self._grouped >= self.commit_every:
            self._end_group()
        return decision

    def hold_reason(self, workspace: str) -> HoldReason | None:
        """
        See `dirsync.ports.Store.hold_reason`.
        """
        found = self._workspace(workspace)
        owner = None
        if found.owner is not None:
            row = self.db.execute(
                "SELECT * FROM accounts WHERE email_key = ?",
                (found.owner.key,),
            ).fetchone()
            owner = None if row is None else _account(row)
        return hold_reason(found, owner)

    def outbox(self, limit: int) -> Sequence[OutgoingMail]:
        """
        See `dirsync.ports.Store.outbox`.
        """
        # Only committed invitations may be delivered.
        self._flush()
        return [
            OutgoingMail(*row)
            for row in self.db.execute(
                "SELECT key, to_address, workspace, kind FROM mail "
                "WHERE delivered = 0 ORDER BY n LIMIT ?",
                (limit,),
            )
        ]

    def delivered(self, keys: Sequence[str]) -> None:
        """
        See `dirsync.ports.Store.delivered`.
        """
        with self._transaction():
            self.db.executemany(
                "UPDATE mail SET delivered = 1 WHERE key = ?",
                [(key,) for key in keys],
            )

    def _workspace(self, name: str) -> Workspace:
        row = self.db.execute(
            "SELECT id, owner_key, owner, claimed FROM workspaces "
            "WHERE id = ?",
            (name,),
        ).fetchone()
        if row is None:
            raise KeyError(name)
        # The row is read every time, since another worker may change
        # it; what it parses to is kept, keyed by the row itself.
        found = self._parsed.get(row)
        if found is None:
            owner = None if row[1] is None else _email(row[1], row[2])
            claimed = frozenset(_domain(d) for d in json.loads(row[3]))
            found = Workspace(name, owner, claimed)
            if len(self._parsed) >= 4_096:
                self._parsed.clear()
            self._parsed[row] = found
        return found

    def _locate(self, event: DirectoryEvent) -> tuple[int | None, Situation]:
        db = self.db
        workspace = self._workspace(event.workspace)
        user_id = event.user_id
        email = event.email

        # By link (in this directory, or in any when the link's directory
        # is not known), then by email.
        # Two seeks: an OR of both would scan every account linked to a
        # directory user of that id, in any directory.
        row = db.execute(
            "SELECT * FROM accounts WHERE link_user = ? AND "
            "link_workspace = ?",
            (user_id, workspace.id),
        ).fetchone()
        if row is None:
            row = db.execute(
                "SELECT * FROM accounts WHERE link_user = ? AND "
                "link_workspace IS NULL LIMIT 1",
                (user_id,),
            ).fetchone()
        linked = row is not None
        holder = None
        if email is not None:
            holder = db.execute(
                "SELECT * FROM accounts WHERE email_key = ?", (email.key,)
            ).fetchone()
        if row is None:
            row = holder
        number = None if row is None else int(row[0])
        account = None if row is None else _account(row)

        # The rest in one statement.
        (
            role,
            elsewhere,
            processed,
            active,
            sequence,
            occurred,
            recorded,
        ) = db.execute(
            "SELECT "
            "(SELECT role FROM invitations WHERE workspace = :w "
            " AND account = :n AND status = 'pending'), "
            "(SELECT 1 FROM claims WHERE domain = :d AND workspace != :w), "
            "(SELECT 1 FROM processed WHERE workspace = :w AND event_id = :e),"
            "r.active, r.sequence, r.occurred_at, r.user_id "
            "FROM (SELECT 1) LEFT JOIN records AS r "
            "ON r.workspace = :w AND r.user_id = :u",
            {
                "w": workspace.id,
                "n": number,
                "d": None if email is None else email.domain.ascii,
                "e": event.id,
                "u": user_id,
            },
        ).fetchone()
        return number, Situation(
            workspace=workspace,
            account=account,
            linked=linked,
            invitation=(
                None
                if account is None or role is None
                else Invitation(workspace.id, account.email, Role(role))
            ),
            email_taken=holder is not None and holder[0] != number,
            email_claimed_elsewhere=elsewhere is not None,
            record=(
                None
                if recorded is None
                else _record((active, sequence, occurred))
            ),
            processed=processed is not None,
        )

    def _apply(
        self,
        event: DirectoryEvent,
        number: int | None,
        decision: Decision,
        record: DirectoryRecord | None,
    ) -> None:
        db = self.db
        workspace = event.workspace
        mailed = 0
        for action in decision.actions:
            match action:
                case Skip():
                    if action.reason is SkipReason.DUPLICATE:
                        return
                    if action.reason is SkipReason.STALE:
                        self._processed(event)
                        return
                case Escalate():
                    db.execute(
                        "INSERT INTO escalations (event_id, workspace, "
                        "email, reason) VALUES (?, ?, ?, ?)",
                        (
                            event.id,
                            workspace,
                            decision.subject,
                            action.reason.value,
                        ),
                    )
                case CreateAccount():
                    number = self._insert_account(
                        Account(
                            email=action.email,
                            profile=action.profile,
                            role=action.role,
                            created_by=action.created_by,
                        )
                    )
                case Link():
                    db.execute(
                        "UPDATE accounts SET link_workspace = ?, "
                        "link_user = ? WHERE number = ?",
                        (action.workspace, action.user_id, number),
                    )
                case UpdateProfile():
                    profile = action.profile
                    db.execute(
                        "UPDATE accounts SET first_name = ?, last_name = ?, "
                        "department = ?, title = ? WHERE number = ?",
                        (
                            profile.first_name,
                            profile.last_name,
                            profile.department,
                            profile.title,
                            number,
                        ),
                    )
                case ChangeEmail():
                    db.execute(
                        "UPDATE accounts SET email_key = ?, email = ? "
                        "WHERE number = ?",
                        (action.new.key, action.new.address, number),
                    )
                    db.execute(
                        "UPDATE invitations SET email = ? WHERE account = ?",
                        (action.new.address, number),
                    )
                    db.execute(
                        "UPDATE workspaces SET owner_key = ?, owner = ? "
                        "WHERE owner_key = ?",
                        (action.new.key, action.new.address, action.old.key),
                    )
                case SetRole():
                    db.execute(
                        "UPDATE accounts SET role = ? WHERE number = ? AND "
                        "(workspace = ? OR workspace IS NULL)",
                        (action.role.value, number, workspace),
                    )
                    db.execute(
                        "UPDATE invitations SET role = ? WHERE workspace = ? "
                        "AND account = ? AND status = 'pending'",
                        (action.role.value, workspace, number),
                    )
                case SendInvitation():
                    assert number is not None
                    self._insert_invitation(
                        workspace,
                        number,
                        Invitation(workspace, action.email, action.role),
                    )
                    db.execute(
                        "INSERT INTO mail (key, to_address, workspace, kind) "
                        "VALUES (?, ?, ?, 'invitation')",
                        (
                            f"{workspace}/{event.id}/{mailed}",
                            action.email.address,
                            workspace,
                        ),
                    )
                    mailed += 1
                case RevokeInvitation():
                    db.execute(
                        "UPDATE invitations SET status = 'revoked' "
                        "WHERE workspace = ? AND account = ?",
                        (workspace, number),
                    )
                case Reactivate():
                    db.execute(
                        "UPDATE accounts SET status = 'active' "
                        "WHERE number = ?",
                        (number,),
                    )
                case Deactivate():
                    db.execute(
                        "UPDATE accounts SET status = 'deactivated' "
                        "WHERE number = ?",
                        (number,),
                    )
                case _:
                    assert_never(action)
        self._processed(event)
        self._record(event, record)

    def _processed(self, event: DirectoryEvent) -> None:
        self.db.execute(
            "INSERT INTO processed VALUES (?, ?)", (event.workspace, event.id)
        )

    def _record(
        self, event: DirectoryEvent, old: DirectoryRecord | None
    ) -> None:
        # *old* is what the situation read, in this same transaction.
        new = next_record(old, event)
        if new == old:
            return  # the usual update of an active user: nothing new
        occurred = new.occurred_at
        self.db.execute(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)",
            (
                event.workspace,
                event.user_id,
                new.active,
                new.sequence,
                None if occurred is None else occurred.isoformat(),
            ),
        )

    # The Inbox port.

    def append(self, events: Iterable[DirectoryEvent]) -> None:
        """
        See `dirsync.ports.Inbox.append`.
        """
        with self._transaction():
            self._queue(events)

    def _queue(self, events: Iterable[DirectoryEvent]) -> None:
        self.db.executemany(
            "INSERT INTO inbox (workspace, event, user_id, revokes) "
            "VALUES (?, ?, ?, ?)",
            (
                (
                    e.workspace,
                    encode_event(e),
                    e.user_id,
                    is_deprovisioning(e),
                )
                for e in events
            ),
        )

    def busy(self) -> Sequence[str]:
        """
        See `dirsync.ports.Inbox.busy`.
        """
        self._flush()
        return [
            row[0]
            for row in self.db.execute(
                "SELECT workspace, MIN(position) AS first FROM inbox "
                "WHERE parked = 0 GROUP BY workspace ORDER BY first"
            )
        ]

    def queued(self, workspace: str) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.queued`.
        """
        self._flush()
        return [
            QueuedEvent(row[0], decode_event(row[1]), row[2], row[3])
            for row in self.db.execute(
                "SELECT position, event, attempts, error FROM inbox "
                "WHERE parked = 0 AND workspace = ? ORDER BY position",
                (workspace,),
            )
        ]

    def head(self, workspace: str, limit: int) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.head`.
        """
        self._flush()
        return [
            QueuedEvent(row[0], decode_event(row[1]), row[2], row[3])
            for row in self.db.execute(
                "SELECT position, event, attempts, error FROM inbox "
                "WHERE parked = 0 AND workspace = ? ORDER BY position "
                "LIMIT ?",
                (workspace, limit),
            )
        ]

    def revoking(self, workspace: str, after: int) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.revoking`.
        """
        self._flush()
        return [
            QueuedEvent(row[0], decode_event(row[1]), row[2], row[3])
            for row in self.db.execute(
                "WITH last AS (SELECT user_id, MAX(position) AS upto "
                "FROM inbox WHERE parked = 0 AND workspace = ? "
                "AND revokes = 1 AND position > ? GROUP BY user_id) "
                "SELECT i.position, i.event, i.attempts, i.error "
                "FROM inbox AS i JOIN last ON i.user_id = last.user_id "
                "WHERE i.parked = 0 AND i.workspace = ? AND i.position > ? "
                "AND i.position <= last.upto ORDER BY i.position",
                (workspace, after, workspace, after),
            )
        ]

    def done(self, position: int) -> None:
        """
        See `dirsync.ports.Inbox.done`; the deletion commits with the
        open group of events, or else with the next transaction (see
        `_forget_done`).
        """
        if self._grouped:
            self.db.execute(
                "DELETE FROM inbox WHERE position = ?", (position,)
            )
        else:
            self._done.append(position)

    def failed(self, position: int, error: str, park: bool) -> None:
        """
        See `dirsync.ports.Inbox.failed`.
        """
        with self._transaction():
            self.db.execute(
                "UPDATE inbox SET attempts = attempts + 1, error = ?, "
                "parked = ? WHERE position = ?",
                (error, int(park), position),
            )

    def parked(self) -> Sequence[QueuedEvent]:
        """
        See `dirsync.ports.Inbox.parked`.
        """
        self._flush()
        return [
            QueuedEvent(row[0], decode_event(row[1]), row[2], row[3])
            for row in self.db.execute(
                "SELECT position, event, attempts, error FROM inbox "
                "WHERE parked = 1 ORDER BY position"
            )
        ]

    def unpark(self, positions: Iterable[int]) -> int:
        """
        See `dirsync.ports.Inbox.unpark`.
        """
        with self._transaction():
            return sum(
                self.db.execute(
                    "UPDATE inbox SET parked = 0, attempts = 0 "
                    "WHERE position = ? AND parked = 1",
                    (position,),
                ).rowcount
                for position in positions
            )

    def claim(self, workspace: str) -> bool:
        """
        Take the lease on *workspace* for this worker, unless another
        worker holds a lease that has not expired.
        """
        now = time.time()
        with self._transaction():
            row = self.db.execute(
                "SELECT worker, expires FROM leases WHERE workspace = ?",
                (workspace,),
            ).fetchone()
            if row is not None and row[0] != self.worker and row[1] > now:
                return False
            self.db.execute(
                "INSERT OR REPLACE INTO leases VALUES (?, ?, ?)",
                (workspace, self.worker, now + self.lease_seconds),
            )
        return True

    def release(self, workspace: str) -> None:
        """
        Give up this worker's lease on *workspace*.
        """
        self.db.execute(
            "DELETE FROM leases WHERE workspace = ? AND worker = ?",
            (workspace, self.worker),
        )


def _domain(stored: str | list[str]) -> Domain:
    # Version 1 files stored the name alone.
    if isinstance(stored, str):
        return Domain.parse(stored)
    return Domain(*stored)


def _email(key: str, address: str) -> Email:
    return Email(
        key=key,
        address=address,
        domain=Domain(key.rsplit("@", 1)[1], address.rsplit("@", 1)[1]),
    )


def _account(row: Any) -> Account:
    (
        _,
        key,
        address,
        first_name,
        last_name,
        department,
        title,
        workspace,
        status,
        role,
        link_workspace,
        link_user,
        created_by,
    ) = row
    return Account(
        email=_email(key, address),
        profile=Profile(first_name, last_name, department, title),
        workspace=workspace,
        status=AccountStatus(status),
        role=None if role is None else Role(role),
        link=(
            None
            if link_user is None
            else DirectoryLink(link_workspace, link_user)
        ),
        created_by=created_by,
    )


def _record(row: Any) -> DirectoryRecord:
    active, sequence, occurred_at = row
    return DirectoryRecord(
        active=None if active is None else bool(active),
        sequence=sequence,
        occurred_at=(
            None
            if occurred_at is None
            else datetime.fromisoformat(occurred_at)
        ),
    )
