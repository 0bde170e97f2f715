"""
The SCIM mirror's half of `dirsync.stores.sqlite.SQLiteStore`: the
`dirsync.scim.DirectoryStore` port on the same file as the inbox, so that
a change to the mirror and the events it means commit together.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._events import DirectoryEvent
from ..scim._directory import Change, ResourceKind, StoredResource
from ..scim._errors import InvalidProvisioningEvent, ScimType

#: The tables of the mirror; schema version 4 of the file.
MIGRATION = """
    CREATE TABLE scim_resources (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        members TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (workspace, kind, id)
    );
    CREATE INDEX scim_names ON scim_resources (workspace, kind, name, n);
    CREATE UNIQUE INDEX scim_user_names ON scim_resources (workspace, name)
        WHERE kind = 'User';
    CREATE TABLE scim_members (
        workspace TEXT NOT NULL,
        member TEXT NOT NULL,
        group_n INTEGER NOT NULL,
        PRIMARY KEY (workspace, member, group_n)
    )
"""

_COLUMNS = "kind, id, name, members, body"


class DirectoryTables:
    """
    The `dirsync.scim.DirectoryStore` methods of `SQLiteStore`.
    """

    # What SQLiteStore provides.
    db: sqlite3.Connection
    _transaction: Callable[[], contextlib.AbstractContextManager[None]]
    _flush: Callable[[], None]
    _queue: Callable[[Iterable[DirectoryEvent]], None]

    def get(
        self, workspace: str, kind: ResourceKind, id: str
    ) -> StoredResource | None:
        """
        See `dirsync.scim.DirectoryStore.get`.
        """
        self._flush()
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM scim_resources "
            "WHERE workspace = ? AND kind = ? AND id = ?",
            (workspace, kind.value, id),
        ).fetchone()
        return None if row is None else _resource(row)

    def named(
        self, workspace: str, kind: ResourceKind, name: str
    ) -> Sequence[StoredResource]:
        """
        See `dirsync.scim.DirectoryStore.named`.
        """
        self._flush()
        return [
            _resource(row)
            for row in self.db.execute(
                f"SELECT {_COLUMNS} FROM scim_resources "
                "WHERE workspace = ? AND kind = ? AND name = ? ORDER BY n",
                (workspace, kind.value, name),
            )
        ]

    def all(
        self, workspace: str, kind: ResourceKind
    ) -> Sequence[StoredResource]:
        """
        See `dirsync.scim.DirectoryStore.all`.
        """
        self._flush()
        return [
            _resource(row)
            for row in self.db.execute(
                f"SELECT {_COLUMNS} FROM scim_resources "
                "WHERE workspace = ? AND kind = ? ORDER BY n",
                (workspace, kind.value),
            )
        ]

    def groups_of(
        self, workspace: str, member: str
    ) -> Sequence[StoredResource]:
        """
        See `dirsync.scim.DirectoryStore.groups_of`.
        """
        self._flush()
        return [
            _resource(row)
            for row in self.db.execute(
                f"SELECT {_COLUMNS} FROM scim_members AS m "
                "JOIN scim_resources AS r ON r.n = m.group_n "
                "WHERE m.workspace = ? AND m.member = ? ORDER BY r.n",
                (workspace, member),
            )
        ]

    def commit(
        self,
        workspace: str,
        changes: Sequence[Change],
        events: Sequence[DirectoryEvent],
    ) -> None:
        """
        See `dirsync.scim.DirectoryStore.commit`.
        """
        try:
            with self._transaction():
                for change in changes:
                    self._change(workspace, change)
                self._queue(events)
        except sqlite3.IntegrityError as e:
            if "scim_resources" not in str(e):
                raise
            # Another request took the userName between our read and
            # this write.
            raise InvalidProvisioningEvent(
                409,
                "the userName is already taken in this directory",
                ScimType.UNIQUENESS,
            ) from None

    def _change(self, workspace: str, change: Change) -> None:
        kind = change.kind.value
        row = self.db.execute(
            "SELECT n, members FROM scim_resources "
            "WHERE workspace = ? AND kind = ? AND id = ?",
            (workspace, kind, change.id),
        ).fetchone()
        if not isinstance(change, StoredResource):
            if row is not None:
                self.db.execute(
                    "DELETE FROM scim_members "
                    "WHERE workspace = ? AND group_n = ?",
                    (workspace, row[0]),
                )
                self.db.execute(
                    "DELETE FROM scim_resources WHERE n = ?", (row[0],)
                )
            return

        values = (
            change.name,
            json.dumps(sorted(change.members)),
            json.dumps(change.body, ensure_ascii=False),
        )
        before: frozenset[str] = frozenset()
        if row is None:
            n = self.db.execute(
                "INSERT INTO scim_resources "
                "(workspace, kind, id, name, members, body) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (workspace, kind, change.id, *values),
            ).lastrowid
        else:
            # An update keeps the resource's place in the order.
            n, listed = row
            before = frozenset(json.loads(listed))
            self.db.execute(
                "UPDATE scim_resources SET name = ?, members = ?, body = ? "
                "WHERE n = ?",
                (*values, n),
            )
        # Only the members that changed: adding one to a group of
        # thousands writes one row.
        self.db.executemany(
            "DELETE FROM scim_members "
            "WHERE workspace = ? AND member = ? AND group_n = ?",
            [(workspace, m, n) for m in sorted(before - change.members)],
        )
        self.db.executemany(
            "INSERT INTO scim_members VALUES (?, ?, ?)",
            [(workspace, m, n) for m in sorted(change.members - before)],
        )


def _resource(row: Any) -> StoredResource:
    kind, id, name, members, body = row
    return StoredResource(
        ResourceKind(kind),
        id,
        json.loads(body),
        name,
        frozenset(json.loads(members)),
    )
