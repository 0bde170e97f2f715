"""
Implement dirsync's ports on a host's own tables.

The "database" here is a few plain Python dicts shaped like a host
product's tables (users, memberships, invitations), plus the three small
tables dirsync needs (directory links, processed events with directory
records, and the outbox).  The point is the mapping: how a host loads a
`Situation` from its own data and applies a `Decision`'s actions to it.
A real host does the same in SQL, inside one transaction.

Run it with ``python examples/custom_store.py``: it replays a few events
through the scheduler on this store, and checks the outcome against
dirsync's own model.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from dirsync import (
    Account,
    AccountStatus,
    ChangeEmail,
    CreateAccount,
    Deactivate,
    Decision,
    DirectoryEvent,
    DirectoryLink,
    DirectoryRecord,
    DirectoryUser,
    Domain,
    Email,
    Escalate,
    HoldReason,
    Invitation,
    Link,
    OutgoingMail,
    Profile,
    Reactivate,
    RevokeInvitation,
    Role,
    Scheduler,
    SendInvitation,
    SetRole,
    Situation,
    Skip,
    SkipReason,
    State,
    UpdateProfile,
    UserCreated,
    UserDeleted,
    UserUpdated,
    Workspace,
    hold_reason,
    simulate,
)
from dirsync.stores.memory import MemoryInbox
from dirsync.testing import RecordingMailer


class HostStore:
    """
    A `dirsync.ports.Store` on a host's own tables.
    """

    def __init__(self) -> None:
        # The host's tables.
        self.workspaces: dict[str, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.invitations: dict[tuple[str, int], dict[str, Any]] = {}
        # dirsync's tables.
        self.links: dict[tuple[str, str], int] = {}
        self.records: dict[tuple[str, str], DirectoryRecord] = {}
        self.processed: set[tuple[str, str]] = set()
        self.outbox_rows: dict[str, OutgoingMail] = {}
        self.cases: list[tuple[str, str, str]] = []

    # Helpers that read the host's rows as dirsync values.

    def workspace(self, name: str) -> Workspace:
        row = self.workspaces[name]
        owner = row["owner"]
        return Workspace(
            name,
            None if owner is None else Email.parse(owner),
            frozenset(Domain.parse(d) for d in row["domains"]),
        )

    def _by_email(self, email: Email) -> int | None:
        return next(
            (
                n
                for n, row in self.users.items()
                if Email.parse(row["email"]) == email
            ),
            None,
        )

    def _account(self, number: int) -> Account:
        row = self.users[number]
        link = next(
            (
                DirectoryLink(*key)
                for key, n in self.links.items()
                if n == number
            ),
            None,
        )
        return Account(
            email=Email.parse(row["email"]),
            profile=Profile(*row["profile"]),
            workspace=row["workspace"],
            status=AccountStatus(row["status"]),
            role=None if row["role"] is None else Role(row["role"]),
            link=link,
            created_by=row["created_by"],
        )

    # The Store port.

    def process(
        self, event: DirectoryEvent, decide: Callable[[Situation], Decision]
    ) -> Decision:
        # A real host: BEGIN; ... COMMIT, rolling back on any error.
        backup = copy.deepcopy(vars(self))
        try:
            return self._process(event, decide)
        except BaseException:
            vars(self).update(backup)
            raise

    def _process(
        self, event: DirectoryEvent, decide: Callable[[Situation], Decision]
    ) -> Decision:
        workspace = self.workspace(event.workspace)
        # 1. Find the person: by directory link, then by email.
        number = self.links.get((workspace.id, event.user_id))
        linked = number is not None
        if number is None and event.email is not None:
            number = self._by_email(event.email)
        account = None if number is None else self._account(number)
        invite = self.invitations.get((workspace.id, number or -1))
        holder = None if event.email is None else self._by_email(event.email)
        situation = Situation(
            workspace=workspace,
            account=account,
            linked=linked,
            invitation=(
                Invitation(workspace.id, account.email, Role(invite["role"]))
                if account is not None
                and invite is not None
                and invite["state"] == "pending"
                else None
            ),
            email_taken=holder is not None and holder != number,
            email_claimed_elsewhere=event.email is not None
            and any(
                event.email.domain.name in row["domains"]
                for name, row in self.workspaces.items()
                if name != workspace.id
            ),
            record=self.records.get((workspace.id, event.user_id)),
            processed=(workspace.id, event.id) in self.processed,
        )

        # 2. Decide, and 3. apply.
        decision = decide(situation)
        for n, action in enumerate(decision.actions):
            match action:
                case Skip(reason=SkipReason.DUPLICATE):
                    return decision
                case Skip(reason=SkipReason.STALE):
                    self.processed.add((workspace.id, event.id))
                    return decision
                case CreateAccount():
                    number = max(self.users, default=0) + 1
                    self.users[number] = {
                        "email": action.email.address,
                        "profile": list(_profile(action.profile)),
                        "workspace": None,
                        "status": "active",
                        "role": action.role.value,
                        "created_by": action.created_by,
                    }
                case Link():
                    assert number is not None
                    for key in [
                        k for k, v in self.links.items() if v == number
                    ]:
                        del self.links[key]
                    self.links[action.workspace, action.user_id] = number
                case UpdateProfile():
                    assert number is not None
                    self.users[number]["profile"] = list(
                        _profile(action.profile)
                    )
                case ChangeEmail():
                    assert number is not None
                    self.users[number]["email"] = action.new.address
                    for row in self.workspaces.values():
                        if (
                            row["owner"]
                            and Email.parse(row["owner"]) == action.old
                        ):
                            row["owner"] = action.new.address
                case SetRole():
                    assert number is not None
                    user = self.users[number]
                    if user["workspace"] in (workspace.id, None):
                        user["role"] = action.role.value
                    invite = self.invitations.get((workspace.id, number))
                    if invite is not None and invite["state"] == "pending":
                        invite["role"] = action.role.value
                case SendInvitation():
                    assert number is not None
                    self.invitations[workspace.id, number] = {
                        "role": action.role.value,
                        "state": "pending",
                    }
                    mail_key = f"{workspace.id}/{event.id}/{n}"
                    self.outbox_rows[mail_key] = OutgoingMail(
                        mail_key, action.email.address, workspace.id
                    )
                case RevokeInvitation():
                    self.invitations[workspace.id, number or -1]["state"] = (
                        "revoked"
                    )
                case Reactivate():
                    assert number is not None
                    self.users[number]["status"] = "active"
                case Deactivate():
                    assert number is not None
                    self.users[number]["status"] = "deactivated"
                case Escalate():
                    self.cases.append(
                        (event.id, decision.subject, action.reason.value)
                    )

        # 4. Record the event and the directory user's state.
        self.processed.add((workspace.id, event.id))
        old = self.records.get((workspace.id, event.user_id))
        self.records[workspace.id, event.user_id] = DirectoryRecord(
            active=(
                False if isinstance(event, UserDeleted) else event.user.active
            ),
            sequence=event.sequence or (old.sequence if old else None),
            occurred_at=event.occurred_at
            or (old.occurred_at if old else None),
        )
        return decision

    def hold_reason(self, workspace: str) -> HoldReason | None:
        found = self.workspace(workspace)
        owner = None if found.owner is None else self._by_email(found.owner)
        return hold_reason(
            found, None if owner is None else self._account(owner)
        )

    def outbox(self, limit: int) -> Sequence[OutgoingMail]:
        return list(self.outbox_rows.values())[:limit]

    def delivered(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.outbox_rows.pop(key, None)


def _profile(profile: Profile) -> tuple[str | None, ...]:
    return (
        profile.first_name,
        profile.last_name,
        profile.department,
        profile.title,
    )


def main() -> None:
    store = HostStore()
    store.workspaces["acme"] = {
        "owner": "olive@acme.com",
        "domains": ["acme.com"],
    }
    store.users[1] = {
        "email": "olive@acme.com",
        "profile": ["Olive", None, None, None],
        "workspace": "acme",
        "status": "active",
        "role": "admin",
        "created_by": None,
    }
    nina = DirectoryUser(
        "okta-nina", Email.parse("nina@acme.com"), Profile("Nina", "Ng")
    )
    events: list[DirectoryEvent] = [
        UserCreated("evt-1", "acme", nina),
        UserUpdated(
            "evt-2",
            "acme",
            DirectoryUser(
                "okta-nina",
                Email.parse("nina.ng@acme.com"),
                Profile("Nina", "Ng", "R&D"),
                role=Role.ADMIN,
            ),
        ),
        UserDeleted("evt-3", "acme", "okta-nina"),
        UserDeleted(
            "evt-4", "acme", "okta-olive", Email.parse("olive@acme.com")
        ),
    ]
    inbox = MemoryInbox()
    inbox.append(events)
    mailer = RecordingMailer()

    reports = Scheduler(store, inbox, mailer).drain()

    decisions = [a.decision for r in reports for a in r.applied]
    for decision in decisions:
        print(f"{decision.event_id}: {decision.reason}")
    print("users:", store.users)
    print("cases for support:", store.cases)

    # The same events through dirsync's own model decide the same.
    model = simulate(
        State(
            [store.workspace("acme")],
            [
                Account(
                    Email.parse("olive@acme.com"),
                    Profile("Olive"),
                    workspace="acme",
                    role=Role.ADMIN,
                )
            ],
        ),
        events,
    )
    assert decisions == [a.decision for a in model.applied]
    assert [m.to for m in mailer.sent] == [m.to for m in model.state.mail]
    print("the host store decided exactly as dirsync's model")


if __name__ == "__main__":
    main()
