"""
A realistic workload for the benchmarks: one product, and a mix of
directory events shaped like what an identity provider sends day to day.

Most traffic is updates to people already provisioned (an IdP pushes the
whole user whenever anything about them changes, so many updates change
nothing we sync), then joiners, leavers and the odd conflict.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import attrs

from dirsync import (
    Account,
    AccountStatus,
    DirectoryEvent,
    DirectoryLink,
    DirectoryUser,
    Domain,
    Email,
    Invitation,
    PreviousValues,
    Profile,
    Role,
    State,
    UserCreated,
    UserDeleted,
    UserUpdated,
    Workspace,
)

DEPARTMENTS = ("R&D", "Sales", "Ops", "Support", "Finance", "Legal")
TITLES = ("Engineer", "Manager", "Analyst", "Designer", "Director")


def _profile(n: int) -> Profile:
    return Profile(
        first_name=f"First{n}",
        last_name=f"Last{n}",
        department=DEPARTMENTS[n % len(DEPARTMENTS)],
        title=TITLES[n % len(TITLES)],
    )


def populate(state: State, workspace: str, members: int) -> None:
    """
    Add *workspace* to *state*, with an owner and *members* members: one
    in ten added by hand, one in twenty-five deactivated.
    """
    domain = f"{workspace}.com"
    owner = Email.parse(f"owner@{domain}")
    state.add_workspace(
        Workspace(workspace, owner, frozenset({Domain.parse(domain)}))
    )
    state.add_account(Account(owner, workspace=workspace, role=Role.ADMIN))
    for n in range(members):
        linked = n % 10 != 0
        state.add_account(
            Account(
                Email.parse(f"m{n}@{domain}"),
                profile=_profile(n),
                workspace=workspace,
                status=(
                    AccountStatus.DEACTIVATED
                    if n % 25 == 0
                    else AccountStatus.ACTIVE
                ),
                role=Role.ADMIN if n % 50 == 0 else Role.MEMBER,
                link=DirectoryLink(workspace, f"u{n}") if linked else None,
                created_by=workspace,
            )
        )


def product(workspace: str = "acme", members: int = 2_000) -> State:
    """
    One workspace (see `populate`), some people invited to it or in no
    workspace, and a neighbouring workspace.
    """
    state = State()
    populate(state, workspace, members)
    rival = f"{workspace}-rival"
    populate(state, rival, 0)
    for n in range(members // 10):
        email = Email.parse(f"guest{n}@gmail.com")
        state.add_account(Account(email))
        if n % 2 == 0:
            state.add_invitation(Invitation(workspace, email))
    for n in range(members // 20):
        state.add_account(
            Account(
                Email.parse(f"r{n}@{rival}.com"),
                workspace=rival,
                role=Role.MEMBER,
            )
        )
    return state


def _user(workspace: str, n: int, **changes: Any) -> DirectoryUser:
    user = DirectoryUser(
        id=f"u{n}",
        email=Email.parse(f"m{n}@{workspace}.com"),
        profile=_profile(n),
        role=Role.ADMIN if n % 50 == 0 else Role.MEMBER,
    )
    return attrs.evolve(user, **changes) if changes else user


def events(
    count: int,
    workspace: str = "acme",
    members: int = 2_000,
    seed: int = 11,
) -> list[DirectoryEvent]:
    """
    *count* events for *workspace*, in the proportions below.
    """
    rng = random.Random(seed)
    made: list[DirectoryEvent] = []

    def member() -> int:
        return rng.randrange(1, members)

    def resend() -> DirectoryEvent:
        # The IdP resends the whole user; nothing we sync changed.
        n = member()
        return UserUpdated(f"e{len(made)}", workspace, _user(workspace, n))

    def profile_change() -> DirectoryEvent:
        n = member()
        user = _user(
            workspace,
            n,
            profile=Profile(
                f"First{n}",
                f"Last{n}",
                rng.choice(DEPARTMENTS),
                rng.choice(TITLES) + " II",
            ),
        )
        return UserUpdated(f"e{len(made)}", workspace, user)

    def role_change() -> DirectoryEvent:
        n = member()
        user = _user(workspace, n, role=rng.choice(list(Role)))
        return UserUpdated(f"e{len(made)}", workspace, user)

    def email_change() -> DirectoryEvent:
        n = member()
        user = _user(
            workspace,
            n,
            email=Email.parse(f"m{n}.new@{workspace}.com"),
        )
        return UserUpdated(f"e{len(made)}", workspace, user)

    def joiner() -> DirectoryEvent:
        n = members + len(made)
        return UserCreated(
            f"e{len(made)}",
            workspace,
            DirectoryUser(
                id=f"u{n}",
                email=Email.parse(f"m{n}@{workspace}.com"),
                profile=_profile(n),
            ),
        )

    def leaver() -> DirectoryEvent:
        n = member()
        if rng.random() < 0.5:
            return UserDeleted(f"e{len(made)}", workspace, f"u{n}")
        user = _user(workspace, n, active=False)
        return UserUpdated(f"e{len(made)}", workspace, user)

    def returner() -> DirectoryEvent:
        n = member()
        return UserUpdated(
            f"e{len(made)}",
            workspace,
            _user(workspace, n),
            PreviousValues(active=False),
        )

    def guest() -> DirectoryEvent:
        n = rng.randrange(members // 10)
        return UserCreated(
            f"e{len(made)}",
            workspace,
            DirectoryUser(
                id=f"g{n}",
                email=Email.parse(f"guest{n}@gmail.com"),
                profile=_profile(n),
            ),
        )

    def rival() -> DirectoryEvent:
        n = rng.randrange(members // 20)
        return UserCreated(
            f"e{len(made)}",
            workspace,
            DirectoryUser(
                id=f"r{n}",
                email=Email.parse(f"r{n}@{workspace}-rival.com"),
            ),
        )

    mix: list[tuple[float, Callable[[], DirectoryEvent]]] = [
        (0.30, resend),
        (0.15, profile_change),
        (0.05, role_change),
        (0.03, email_change),
        (0.20, joiner),
        (0.12, leaver),
        (0.05, returner),
        (0.07, guest),
        (0.03, rival),
    ]
    weights = [w for w, _ in mix]
    makers = [m for _, m in mix]
    for _ in range(count):
        made.append(rng.choices(makers, weights)[0]())
    return made
