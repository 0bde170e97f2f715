"""
Run the shell in memory: a store, an inbox and a mailer, events queued,
scheduler cycles, and what they decided.

This is the wiring a host copies, with its own store and mailer in place
of the in-memory ones.  Run it with ``python examples/shell_in_memory.py``.
"""

from __future__ import annotations

from dirsync import (
    Account,
    DirectoryLink,
    DirectoryUser,
    Domain,
    Email,
    Policy,
    Profile,
    Role,
    Scheduler,
    State,
    UserCreated,
    UserDeleted,
    UserUpdated,
    Workspace,
)
from dirsync.stores.memory import MemoryInbox, MemoryStore
from dirsync.testing import RecordingMailer


def main() -> None:
    # 1. The product as it is: one workspace, its owner and a member.
    state = State(
        workspaces=[
            Workspace(
                "acme",
                Email.parse("olive@acme.com"),
                frozenset({Domain.parse("acme.com")}),
            )
        ],
        accounts=[
            Account(
                Email.parse("olive@acme.com"),
                workspace="acme",
                role=Role.ADMIN,
            ),
            Account(
                Email.parse("mia@acme.com"),
                Profile("Mia", "Moss", "Sales", "Rep"),
                workspace="acme",
                role=Role.MEMBER,
                link=DirectoryLink("acme", "okta-mia"),
            ),
        ],
    )

    # 2. The ports: where state lives, where events wait, who mails.
    store = MemoryStore(state)
    inbox = MemoryInbox()
    mailer = RecordingMailer()
    scheduler = Scheduler(store, inbox, mailer, Policy(batch_limit=2))

    # 3. Events arrive from the identity provider (a SCIM endpoint or a
    #    webhook would append them as they come).
    nina = DirectoryUser(
        "okta-nina", Email.parse("nina@acme.com"), Profile("Nina", "Ng")
    )
    mia = DirectoryUser(
        "okta-mia",
        Email.parse("mia@acme.com"),
        Profile("Mia", "Moss", "Sales", "Team lead"),
    )
    inbox.append(
        [
            UserCreated("evt-1", "acme", nina),
            UserUpdated("evt-2", "acme", mia),
            UserCreated("evt-3", "acme", nina),  # the IdP sends it again
            UserDeleted("evt-4", "acme", "okta-mia"),
        ]
    )

    # 4. Cycles, until nothing is left to do.
    for report in scheduler.drain():
        print(f"cycle {report.cycle}: {len(report.applied)} applied")
        for applied in report.applied:
            decision = applied.decision
            print(
                f"  {decision.event_id}: {', '.join(decision.rules)}"
                f" {[a.value for a in decision.action_names]}"
            )

    # 5. What came out.
    print("mail:", [(m.to, m.workspace) for m in mailer.sent])
    for status in scheduler.status(["acme"]):
        print(
            f"{status.id}: held={status.held}, queued={status.queued}, "
            f"parked={status.parked}"
        )


if __name__ == "__main__":
    main()
