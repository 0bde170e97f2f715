"""
Hypothesis strategies for dirsync's inputs.

Pools are small on purpose: few emails, domains and directory ids make
collisions (an email taken, a link to another workspace, a domain two
organisations claim) common enough for the search to find them.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import strategies as st

from dirsync import (
    Account,
    AccountStatus,
    DirectoryEvent,
    DirectoryLink,
    DirectoryRecord,
    DirectoryUser,
    Domain,
    Email,
    EmailPolicy,
    Invitation,
    InvitationStatus,
    Policy,
    PreviousValues,
    Profile,
    Role,
    Situation,
    State,
    UserCreated,
    UserDeleted,
    UserUpdated,
    Workspace,
)
from dirsync._model import STATEABLE

WORKSPACES = ("acme", "globex", "initech")
DOMAINS = ("acme.com", "globex.com", "gmail.com", "bücher.example")
LOCALS = ("ana", "bo", "cy", "di", "ed", "fay")
USER_IDS = ("u1", "u2", "u3", "u4", "u5")


# Parsed once: parsing is the slow part of drawing an email.
_DOMAINS = tuple(Domain.parse(domain) for domain in DOMAINS)
_EMAILS = tuple(
    Email.parse(f"{local}@{domain}")
    for local in LOCALS
    for spelling in (str.lower, str.capitalize, str.upper)
    for domain in (spelling(d) for d in DOMAINS)
    for local in (spelling(local),)
)

domains = st.sampled_from(_DOMAINS)
#: Emails from a small pool, in several spellings of the same address.
emails = st.sampled_from(_EMAILS)

names = st.sampled_from((None, "Ana", "Bo", "Engineer", "R&D"))

profiles = st.builds(
    Profile,
    first_name=names,
    last_name=names,
    department=names,
    title=names,
)

roles = st.sampled_from(Role)
workspace_ids = st.sampled_from(WORKSPACES)


@functools.cache
def workspaces(name: str) -> st.SearchStrategy[Workspace]:
    return st.builds(
        Workspace,
        id=st.just(name),
        owner=st.none() | emails,
        claimed_domains=st.frozensets(domains, max_size=2),
    )


links = st.builds(
    DirectoryLink,
    workspace=st.none() | workspace_ids,
    user_id=st.sampled_from(USER_IDS),
)

accounts = st.builds(
    Account,
    email=emails,
    profile=profiles,
    workspace=st.none() | workspace_ids,
    status=st.sampled_from(AccountStatus),
    role=st.none() | roles,
    link=st.none() | links,
    created_by=st.none() | workspace_ids,
)

directory_users = st.builds(
    DirectoryUser,
    id=st.sampled_from(USER_IDS),
    email=emails,
    profile=profiles,
    role=roles,
    active=st.booleans(),
    stated=st.just(STATEABLE)
    | st.frozensets(st.sampled_from(sorted(STATEABLE))),
)

sequences = st.none() | st.integers(0, 5)
times = st.none() | st.integers(0, 5).map(
    lambda n: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
)
event_ids = st.integers(0, 30).map(lambda n: f"e{n}")


def events(
    workspace: st.SearchStrategy[str] = workspace_ids,
) -> st.SearchStrategy[DirectoryEvent]:
    """
    Any directory event, for the workspaces *workspace* draws.
    """
    return _events(workspace)


def events_for(names: tuple[str, ...]) -> st.SearchStrategy[DirectoryEvent]:
    """
    Events for the named workspaces; built once per set of names, since
    building strategies again on every draw is slow.
    """
    return _events_for(names)


@functools.cache
def _events_for(names: tuple[str, ...]) -> st.SearchStrategy[DirectoryEvent]:
    return _events(st.sampled_from(names))


def _events(
    workspace: st.SearchStrategy[str],
) -> st.SearchStrategy[DirectoryEvent]:
    envelope = {
        "id": event_ids,
        "workspace": workspace,
        "sequence": sequences,
        "occurred_at": times,
    }
    created = st.builds(UserCreated, user=directory_users, **envelope)
    updated = st.builds(
        UserUpdated,
        user=directory_users,
        previous=st.builds(PreviousValues, active=st.none() | st.booleans()),
        **envelope,
    )
    deleted = st.builds(
        UserDeleted,
        user_id=st.sampled_from(USER_IDS),
        email=st.none() | emails,
        **envelope,
    )
    return st.one_of(created, updated, deleted)


records = st.none() | st.builds(
    DirectoryRecord,
    active=st.none() | st.booleans(),
    sequence=sequences,
    occurred_at=times,
)

policies = st.builds(
    Policy,
    batch_limit=st.integers(1, 4),
    revoke_first=st.booleans(),
    email_changes=st.sampled_from(EmailPolicy),
)


_rarely = st.sampled_from((False, False, False, True))


@st.composite
def situations(draw: st.DrawFn, workspace: str = "acme") -> Situation:
    """
    Any situation a loader could hand `decide`, consistent or not in
    ways the contract leaves open.
    """
    ws = draw(workspaces(workspace))
    account = draw(st.none() | accounts)
    owner = draw(st.booleans())
    if account is not None and owner:
        ws = Workspace(ws.id, account.email, ws.claimed_domains)
    invitation = None
    if account is not None and draw(st.booleans()):
        invitation = Invitation(workspace, account.email, draw(roles))
    return Situation(
        workspace=ws,
        account=account,
        linked=account is not None and draw(st.booleans()),
        invitation=invitation,
        # Rarely: most email changes meet no guard.
        email_taken=draw(_rarely),
        email_claimed_elsewhere=draw(_rarely),
        record=draw(records),
        processed=draw(st.booleans()),
    )


@st.composite
def states(draw: st.DrawFn) -> State:
    """
    A consistent product state over two or three workspaces, where most
    workspaces have an active owner.
    """
    names = WORKSPACES[: draw(st.integers(2, 3))]
    state = State()
    for name in names:
        state.add_workspace(draw(workspaces(name)))
    for account in draw(st.lists(accounts, max_size=8)):
        if account.workspace not in (None, *names):
            account = attrs.evolve(account, workspace=None)
        if account.created_by not in (None, *names):
            account = attrs.evolve(account, created_by=None)
        if state.find(account.email.key) is None:
            with contextlib.suppress(ValueError):  # a taken link
                state.add_account(account)
    for name in names:
        workspace = state.workspaces[name]
        if workspace.owner is None or not draw(st.integers(0, 4)):
            continue
        number = state.find(workspace.owner.key)
        owner = Account(
            email=workspace.owner,
            workspace=name,
            role=Role.ADMIN,
        )
        if number is None:
            state.add_account(owner)
        elif state.accounts[number].workspace is None:
            state.accounts[number] = attrs.evolve(
                state.accounts[number],
                workspace=name,
                status=AccountStatus.ACTIVE,
                role=Role.ADMIN,
            )
    for _ in range(draw(st.integers(0, 3))):
        if not state.accounts:
            break
        number = draw(st.integers(0, len(state.accounts) - 1))
        account = state.accounts[number]
        name = draw(st.sampled_from(names))
        if account.workspace != name:
            state.add_invitation(
                Invitation(
                    name,
                    account.email,
                    draw(roles),
                    draw(st.sampled_from(InvitationStatus)),
                )
            )
    return state


@st.composite
def worlds(
    draw: st.DrawFn, max_events: int = 12
) -> tuple[State, list[DirectoryEvent]]:
    """
    A state and a list of events for its workspaces.
    """
    state = draw(states())
    names = tuple(sorted(state.workspaces))
    return state, draw(st.lists(events_for(names), max_size=max_events))
