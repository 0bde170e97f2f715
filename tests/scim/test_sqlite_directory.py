"""
The SQLite mirror against the memory one: the same requests give the
same responses, the same mirror, the same events and, once the scheduler
has run, the same product.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dirsync import Policy, Scheduler
from dirsync._report import render
from dirsync._simulate import Outcome
from dirsync.scim import (
    Delete,
    Endpoint,
    InvalidProvisioningEvent,
    ResourceKind,
    ScimRequest,
    ScimResponse,
    Settings,
)
from dirsync.stores.memory import MemoryDirectory
from dirsync.stores.sqlite import SQLiteStore
from dirsync.testing import RecordingMailer

from .harness import BASE, NOW, Harness, patch, product, user

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


class SQLiteHarness:
    """
    The harness's product, on one SQLite file: store, inbox and mirror.
    """

    def __init__(self, path: Path, admin_groups: frozenset[str]) -> None:
        self.store = SQLiteStore(path)
        self.store.load(product())
        counter = itertools.count(1)
        self.endpoint = Endpoint(
            self.store,
            new_id=lambda: f"id-{next(counter)}",
            now=lambda: NOW,
            settings=Settings(base_url=BASE),
            policy=Policy(admin_groups=admin_groups),
        )
        self.mailer = RecordingMailer()

    def call(self, method: str, path: str, body: Any) -> ScimResponse:
        raw = b"" if body is None else json.dumps(body).encode()
        return self.endpoint.handle(ScimRequest(method, path, "acme", "", raw))


def outcome(state: Any) -> dict[str, Any]:
    return render(Outcome((), state, (), 0))


# A request: (method, path template, body); "{u0}" and "{g0}" stand for
# the ids of the first user and group created.
requests = st.one_of(
    st.builds(
        lambda n, title: (
            "POST",
            "/Users",
            user(f"u{n}@acme.com", title=title),
        ),
        st.integers(0, 3),
        st.sampled_from(["Engineer", "Sales"]),
    ),
    st.builds(
        lambda n, name: (
            "POST",
            "/Groups",
            {
                "schemas": [GROUP],
                "displayName": name,
                "members": [{"value": f"{{u{n}}}"}],
            },
        ),
        st.integers(0, 1),
        st.sampled_from(["Admins", "Staff"]),
    ),
    st.builds(
        lambda n, active: (
            "PATCH",
            f"/Users/{{u{n}}}",
            patch({"op": "replace", "value": {"active": active}}),
        ),
        st.integers(0, 1),
        st.booleans(),
    ),
    st.builds(
        lambda n, title: (
            "PUT",
            f"/Users/{{u{n}}}",
            user(f"u{n}@acme.com", title=title),
        ),
        st.integers(0, 1),
        st.sampled_from(["Lead", None]),
    ),
    st.builds(
        lambda n, op: (
            "PATCH",
            "/Groups/{g0}",
            patch(
                {
                    "op": op,
                    "path": "members",
                    "value": [{"value": f"{{u{n}}}"}],
                }
            ),
        ),
        st.integers(0, 1),
        st.sampled_from(["add", "remove"]),
    ),
    st.builds(
        lambda n: ("DELETE", f"/Users/{{u{n}}}", None),
        st.integers(0, 1),
    ),
    st.just(("DELETE", "/Groups/{g0}", None)),
)


def fill(template: Any, ids: dict[str, str]) -> Any:
    text = json.dumps(template)
    for name, ident in ids.items():
        text = text.replace("{" + name + "}", ident)
    return json.loads(text)


def _members(op: str, member: str) -> tuple[str, str, Any]:
    body = patch({"op": op, "path": "members", "value": [{"value": member}]})
    return ("PATCH", "/Groups/{g0}", body)


@settings(max_examples=30)
@given(st.lists(requests, max_size=12))
@example(
    [
        ("POST", "/Users", user("u0@acme.com", title="Engineer")),
        ("POST", "/Users", user("u1@acme.com", title="Sales")),
        (
            "POST",
            "/Groups",
            {
                "schemas": [GROUP],
                "displayName": "Staff",
                "members": [{"value": "{u0}"}],
            },
        ),
        _members("add", "{u1}"),
        _members("remove", "{u0}"),
        ("DELETE", "/Users/{u1}", None),
    ]
)
def test_sqlite_mirror_agrees_with_memory(
    steps: list[tuple[str, str, Any]],
) -> None:
    """
    Every response, the mirror, and the product after a drain are the
    same on SQLite as in memory.
    """
    admins = frozenset({"Admins"})
    memory = Harness(admin_groups=admins)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = SQLiteHarness(Path(folder) / "d.db", admins)
        ids: dict[str, str] = {}
        users = itertools.count()
        groups = itertools.count()
        for method, template, body in steps:
            path = fill(template, ids)
            data = fill(body, ids)
            got = memory.call(method, path, data)
            other = sqlite.call(method, path, data)
            assert (got.status, got.body) == (other.status, other.body)
            if got.status == 201 and got.body is not None:
                kind = "u" if template == "/Users" else "g"
                n = next(users if kind == "u" else groups)
                ids[f"{kind}{n}"] = got.body["id"]

        for resource_kind in ResourceKind:
            mine = [
                (r.id, r.body, r.members)
                for r in memory.directory.all("acme", resource_kind)
            ]
            theirs = [
                (r.id, r.body, r.members)
                for r in sqlite.store.all("acme", resource_kind)
            ]
            assert mine == theirs
        # The member index, written change by change, agrees too.
        for ident in ids.values():
            assert [
                g.id for g in memory.directory.groups_of("acme", ident)
            ] == [g.id for g in sqlite.store.groups_of("acme", ident)]
        queued = [q.event for q in memory.inbox.queued("acme")]
        assert queued == [q.event for q in sqlite.store.queued("acme")]

        memory.sync()
        Scheduler(sqlite.store, sqlite.store, sqlite.mailer).drain()
        assert outcome(memory.state) == outcome(sqlite.store.export())
        sqlite.store.close()


def test_sqlite_mirror_survives_reopening(tmp_path: Path) -> None:
    """
    The mirror is in the file: a new store on it answers the same.
    """
    first = SQLiteHarness(tmp_path / "d.db", frozenset())
    made = first.call("POST", "/Users", user("nina@acme.com"))
    assert made.body is not None
    first.store.close()

    again = SQLiteStore(tmp_path / "d.db")
    found = again.named("acme", ResourceKind.USER, "nina@acme.com")

    assert [r.id for r in found] == [made.body["id"]]
    assert again.schema_version == 4
    again.close()


@pytest.mark.parametrize("on", ["sqlite", "memory"])
def test_a_username_race_is_a_conflict(on: str, tmp_path: Path) -> None:
    """
    A userName taken between the endpoint's check and its commit (by
    another worker) is refused by the mirror itself as a 409 (the
    file's unique index, or the memory mirror's own check), and a
    user's own name is accepted again.
    """
    h: Harness | SQLiteHarness
    store: MemoryDirectory | SQLiteStore
    if on == "sqlite":
        h = SQLiteHarness(tmp_path / "d.db", frozenset())
        store = h.store
    else:
        h = Harness()
        store = h.directory
    h.call("POST", "/Users", user("nina@acme.com"))
    stored = store.named("acme", ResourceKind.USER, "nina@acme.com")[0]
    twin = type(stored)(
        ResourceKind.USER, "other", dict(stored.body), stored.name
    )

    with pytest.raises(InvalidProvisioningEvent) as caught:
        store.commit("acme", [twin], [])
    store.commit("acme", [stored], [])

    assert caught.value.status == 409
    assert [r.id for r in store.all("acme", ResourceKind.USER)] == [stored.id]
    assert [
        r.id for r in store.named("acme", ResourceKind.USER, stored.name)
    ] == [stored.id]
    if isinstance(store, SQLiteStore):
        store.close()


def test_deleting_what_is_not_there_changes_nothing(tmp_path: Path) -> None:
    """
    A Delete of an id the mirror does not have is a no-op, on SQLite as
    in memory.
    """
    h = SQLiteHarness(tmp_path / "d.db", frozenset())
    memory = Harness()

    for store in (h.store, memory.directory):
        store.commit("acme", [Delete(ResourceKind.USER, "nobody")], [])

    assert h.store.all("acme", ResourceKind.USER) == []
    assert memory.directory.all("acme", ResourceKind.USER) == []
    h.store.close()
