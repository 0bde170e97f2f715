"""
Decide one directory event by hand: build the situation a host would load,
call `dirsync.decide`, and read the decision.

Run it with ``python examples/decide_one.py``.
"""

from __future__ import annotations

from dirsync import (
    Account,
    Decision,
    DirectoryLink,
    DirectoryUser,
    Domain,
    Email,
    Profile,
    Role,
    Situation,
    UserCreated,
    UserDeleted,
    UserUpdated,
    Workspace,
    decide,
)


def show(decision: Decision) -> None:
    """
    Print a decision the way an operator would want to read it.
    """
    print(f"event {decision.event_id} in {decision.workspace}")
    print(f"  standing: {decision.standing.value}")
    print(f"  rules:    {', '.join(decision.rules)}")
    print(f"  actions:  {', '.join(a.value for a in decision.action_names)}")
    print(f"  why:      {decision.reason}")


def main() -> None:
    # The workspace, as the host knows it.
    acme = Workspace(
        id="acme",
        owner=Email.parse("olive@acme.com"),
        claimed_domains=frozenset({Domain.parse("acme.com")}),
    )

    # 1. Someone new joins in the identity provider.
    nina = DirectoryUser(
        id="okta-00u1nina",
        email=Email.parse("nina@acme.com"),
        profile=Profile("Nina", "Ng", "R&D", "Engineer"),
    )
    joined = UserCreated(id="evt-1", workspace="acme", user=nina)
    show(decide(joined, Situation(workspace=acme)))

    # 2. A managed member is promoted to admin in the directory.
    mia = Account(
        email=Email.parse("mia@acme.com"),
        profile=Profile("Mia", "Moss", "Sales", "Rep"),
        workspace="acme",
        role=Role.MEMBER,
        link=DirectoryLink("acme", "okta-00u2mia"),
    )
    promoted = UserUpdated(
        id="evt-2",
        workspace="acme",
        user=DirectoryUser(
            id="okta-00u2mia",
            email=mia.email,
            profile=mia.profile,
            role=Role.ADMIN,
        ),
    )
    show(decide(promoted, Situation(workspace=acme, account=mia, linked=True)))

    # 3. The owner is removed from the app in the identity provider:
    #    sync never deactivates the owner, it escalates instead.
    olive = Account(
        email=Email.parse("olive@acme.com"),
        workspace="acme",
        role=Role.ADMIN,
        link=DirectoryLink("acme", "okta-00u0olive"),
    )
    removed = UserDeleted(
        id="evt-3", workspace="acme", user_id="okta-00u0olive"
    )
    show(
        decide(removed, Situation(workspace=acme, account=olive, linked=True))
    )


if __name__ == "__main__":
    main()
