"""
``dirsync demo``: an end-to-end story on a fresh SQLite file, told so a
person can follow what happened and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from ._decision import Decision
from ._events import DirectoryEvent
from ._policy import Policy
from ._scenario import read_scenario
from ._scheduler import CycleReport, Scheduler
from ._standing import Situation
from .ports import OutgoingMail
from .scim import GROUP_SCHEMA, USER_SCHEMA, Endpoint, ScimRequest
from .stores.sqlite import SQLiteStore

Say = Callable[[str], None]

_WORLD: dict[str, Any] = {
    "workspaces": [
        {
            "id": "acme",
            "owner": "olive@acme.com",
            "claimed_domains": ["acme.com"],
        },
        {
            "id": "globex",
            "owner": "gus@globex.com",
            "claimed_domains": ["globex.com"],
        },
    ],
    "accounts": [
        {
            "email": "olive@acme.com",
            "first_name": "Olive",
            "workspace": "acme",
            "role": "admin",
            "directory_id": "okta-olive",
        },
        {
            "email": "mia@acme.com",
            "first_name": "Mia",
            "title": "Rep",
            "workspace": "acme",
            "role": "member",
            "directory_id": "okta-mia",
        },
        {
            "email": "dora@acme.com",
            "first_name": "Dora",
            "workspace": "acme",
            "role": "member",
            "directory_id": "okta-dora",
        },
        {
            "email": "lee@acme.com",
            "first_name": "Lee",
            "workspace": "acme",
            "role": "member",
            "directory_id": "okta-lee",
        },
        {
            "email": "hank@acme.com",
            "first_name": "Hank",
            "workspace": "acme",
            "role": "member",
        },
        {
            "email": "pat@gmail.com",
            "first_name": "Pat",
            "workspace": "acme",
            "role": "member",
            "directory_id": "okta-pat",
        },
        {"email": "sam@gmail.com", "first_name": "Sam"},
        {
            "email": "gus@globex.com",
            "workspace": "globex",
            "role": "admin",
            "status": "deactivated",
        },
        {
            "email": "gina@globex.com",
            "workspace": "globex",
            "role": "member",
            "directory_id": "az-gina",
        },
    ],
    "invitations": [{"workspace": "acme", "email": "ivan@gmail.com"}],
}


def _user(user_id: str, email: str, **attributes: Any) -> dict[str, Any]:
    return {"id": user_id, "email": email, **attributes}


def _event(
    n: int, kind: str, user: dict[str, Any], workspace: str = "acme"
) -> dict[str, Any]:
    return {"id": f"e{n}", "workspace": workspace, "type": kind, "user": user}


_EVENTS = [
    _event(
        1,
        "user.created",
        _user(
            "okta-nina", "nina@acme.com", first_name="Nina", title="Engineer"
        ),
    ),
    _event(
        2,
        "user.updated",
        _user("okta-mia", "mia@acme.com", first_name="Mia", title="Team lead"),
    ),
    _event(
        3,
        "user.created",
        _user("okta-ravi", "ravi@acme.com", first_name="Ravi"),
    ),
    _event(
        4,
        "user.created",
        _user("okta-hank", "hank@acme.com", first_name="Hank"),
    ),
    _event(5, "user.updated", _user("okta-mia", "mia@acme.com", role="admin")),
    _event(
        6,
        "user.updated",
        _user(
            "okta-pat", "pat@gmail.com", first_name="Pat", title="Contractor"
        ),
    ),
    _event(
        7,
        "user.updated",
        _user("okta-lee", "lee.li@acme.com", first_name="Lee"),
    ),
    _event(
        8, "user.created", _user("okta-sam", "sam@gmail.com", first_name="Sam")
    ),
    _event(
        9, "user.updated", _user("okta-dora", "dora@acme.com", active=False)
    ),
    _event(10, "user.deleted", {"id": "okta-ivan", "email": "ivan@gmail.com"}),
    _event(11, "user.deleted", {"id": "okta-olive"}),
    _event(12, "user.created", _user("az-gary", "gary@globex.com"), "globex"),
    _event(13, "user.deleted", {"id": "az-gina"}, "globex"),
]


class _Flaky:
    """
    The demo's store: the SQLite store, except that writing one event
    fails, as a database might refuse a write, until it is mended.
    """

    def __init__(self, inner: SQLiteStore, event_id: str) -> None:
        self.inner = inner
        self.event_id = event_id
        self.broken = True

    def process(
        self, event: DirectoryEvent, decide: Callable[[Situation], Decision]
    ) -> Decision:
        if self.broken and event.id == self.event_id:
            raise RuntimeError("the database refused the write")
        return self.inner.process(event, decide)

    def hold_reason(self, workspace: str) -> Any:
        return self.inner.hold_reason(workspace)

    def outbox(self, limit: int) -> Any:
        return self.inner.outbox(limit)

    def delivered(self, keys: Sequence[str]) -> None:
        self.inner.delivered(keys)


class _Mailer:
    """
    Keeps each cycle's invitations, to be told after its decisions.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []

    def deliver(self, mail: OutgoingMail) -> None:
        self.lines.append(
            f"  mail: invitation to {mail.to} to join {mail.workspace}"
        )


def run(db: Path, say: Say) -> None:
    """
    Tell the story on a new SQLite file *db*.
    """
    store = SQLiteStore(db)
    scenario = read_scenario({**_WORLD, "events": _EVENTS})
    store.load(scenario.state)
    flaky = _Flaky(store, "e3")
    policy = Policy(batch_limit=4, max_attempts=3)
    mailer = _Mailer()
    scheduler = Scheduler(flaky, store, mailer, policy)

    def cycles() -> None:
        # Until a cycle does nothing at all: no event applied, failed
        # or parked.
        for _ in range(10):
            report = scheduler.run_cycle()
            if not report.consumed and not any(
                b.failed for b in report.batches
            ):
                say(f"Cycle {report.cycle}: nothing more to do for now.")
                say("")
                return
            _cycle(report, say)
            for line in mailer.lines:
                say(line)
            mailer.lines.clear()

    say(f"A fresh SQLite file: {db}")
    say("")
    say("acme uses Okta. Its owner is olive@acme.com and it has claimed")
    say("acme.com. globex's owner, gus@globex.com, is deactivated, so")
    say("globex is held until it has an active owner.")
    say("")
    say(
        f"Okta and Entra ID send {len(scenario.events)} events: joiners, "
        "movers and leavers."
    )
    store.append(scenario.events)
    say("Each cycle takes at most 4 events per workspace (the batch limit);")
    say("leavers skip the queue (S-REVOKE-FIRST). Writing ravi's event")
    say("fails, as a database might refuse a write.")
    _status(scheduler, store, say)

    cycles()
    _status(scheduler, store, say)

    parked = store.parked()
    for entry in parked:
        say(
            f"Parked: event {entry.event.id} of {entry.event.workspace} "
            f"after {entry.attempts} attempts: {entry.error}."
        )
    say("The operator mends the database and runs 'dirsync retry-parked'.")
    say("")
    flaky.broken = False
    store.unpark([entry.position for entry in parked])
    cycles()
    _status(scheduler, store, say)

    _scim(store, scheduler, say)
    cycles()

    state = store.export()
    say(
        f"In the end: {len(state.accounts)} accounts, "
        f"{sum(i.pending for i in state.invitations.values())} pending "
        "invitations, and these cases for support:"
    )
    for record in state.escalations:
        say(
            f"  {record.email} ({record.workspace}): "
            f"{record.reason.value.replace('_', ' ')}"
        )
    store.close()


def _scim(store: SQLiteStore, scheduler: Scheduler, say: Say) -> None:
    """
    The identity provider speaks SCIM to the endpoint, which queues
    events in the same file.
    """
    say("acme now points Okta at dirsync's SCIM endpoint. Its 'Acme")
    say("Admins' group makes admins. Okta sends:")
    endpoint = Endpoint(
        store,
        new_id=_counter("scim-"),
        now=lambda: datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        policy=attrs.evolve(scheduler.policy, admin_groups={"Acme Admins"}),
    )
    tara = {
        "schemas": [_USER],
        "userName": "tara@acme.com",
        "name": {"givenName": "Tara", "familyName": "Tan"},
        "emails": [{"value": "tara@acme.com", "primary": True}],
        "active": True,
    }
    requests: list[tuple[str, str, str, Any]] = [
        ("GET", "/Users", 'filter=userName eq "tara@acme.com"', None),
        ("POST", "/Users", "", tara),
        ("POST", "/Users", "", {**tara, "userName": "TARA@acme.com"}),
        ("POST", "/Users", "", {**tara, "active": "maybe"}),
        (
            "POST",
            "/Groups",
            "",
            {
                "schemas": [_GROUP],
                "displayName": "Acme Admins",
                "members": [{"value": "scim-1"}],
            },
        ),
    ]
    for method, path, query, body in requests:
        raw = b"" if body is None else json.dumps(body).encode()
        response = endpoint.handle(
            ScimRequest(method, path, "acme", query, raw)
        )
        shown = f"{method} {path}" + (f"?{query}" if query else "")
        said = response.body or {}
        if response.status >= 400:
            outcome = f"{said.get('scimType', '')} {said.get('detail')}"
        elif "totalResults" in said:
            outcome = f"{said['totalResults']} found"
        else:
            outcome = f"id {said.get('id')}"
        say(f"  {shown} -> {response.status} {outcome.strip()}")
    say("Refused requests change nothing; the accepted ones are queued.")
    say("")


def _counter(prefix: str) -> Callable[[], str]:
    numbers = iter(range(1, 1_000_000))
    return lambda: f"{prefix}{next(numbers)}"


_USER = USER_SCHEMA.id
_GROUP = GROUP_SCHEMA.id


def _cycle(report: CycleReport, say: Say) -> None:
    say(f"Cycle {report.cycle}:")
    for applied in report.applied:
        decision = applied.decision
        ahead = " [ahead of the queue]" if applied.expedited else ""
        say(
            f"  [{decision.workspace}] {decision.event_id}: "
            f"{decision.reason}{ahead}"
        )
    for batch in report.batches:
        if batch.failed:
            say(
                f"  [{batch.workspace}] an event failed; it is retried next "
                "cycle, and the events behind it wait"
            )
        if batch.parked:
            say(
                f"  [{batch.workspace}] an event failed for the last time "
                "and was parked; the queue moves on"
            )


def _status(scheduler: Scheduler, store: SQLiteStore, say: Say) -> None:
    say("Status:")
    for status in scheduler.status(store.workspaces()):
        state = (
            "active"
            if status.held is None
            else f"held ({status.held.value.replace('_', ' ')})"
        )
        say(
            f"  {status.id}: {state}, {status.queued} queued, "
            f"{status.parked} parked"
        )
    say("")
