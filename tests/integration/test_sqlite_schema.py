"""
The SQLite file's schema: versions and migrations.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dirsync import read_scenario
from dirsync._codec import encode_event
from dirsync.stores.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore
from tests.rule_cases import WORLD, created, deleted


def test_a_version_1_file_is_migrated_with_its_queue(tmp_path: Path) -> None:
    """
    A file at schema version 1 with queued events is brought to the
    current version, and its queue keeps working, revoke-first included.
    """
    path = tmp_path / "old.db"
    events = read_scenario(
        {
            **WORLD,
            "events": [
                created("e1", "d-a", "a@acme.com"),
                created("e2", "d-b", "b@acme.com"),
                deleted("e3", "d-a"),
            ],
        }
    ).events
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.executescript(MIGRATIONS[0][1])
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.executemany(
        "INSERT INTO inbox (workspace, event) VALUES (?, ?)",
        [(e.workspace, encode_event(e)) for e in events],
    )
    db.commit()
    db.close()

    store = SQLiteStore(path)

    assert store.schema_version == SCHEMA_VERSION == 4
    (first,) = store.head("acme", 1)
    assert first.event.id == "e1"
    after = [q.event.id for q in store.revoking("acme", first.position)]
    assert after == ["e3"]
    assert [q.event.id for q in store.revoking("acme", -1)] == ["e1", "e3"]


def test_a_newer_file_is_refused(tmp_path: Path) -> None:
    """
    A file from a newer dirsync is not touched.
    """
    path = tmp_path / "new.db"
    SQLiteStore(path).db.execute(
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
    )

    with pytest.raises(ValueError, match="schema version 99"):
        SQLiteStore(path)


def test_opening_twice_changes_nothing(tmp_path: Path) -> None:
    """
    Opening a current file again runs no migration.
    """
    path = tmp_path / "d.db"
    store = SQLiteStore(path)
    store.load(read_scenario(WORLD).state)
    before = store.export()
    store.close()

    again = SQLiteStore(path)

    assert again.schema_version == SCHEMA_VERSION
    assert again.export().accounts == before.accounts
