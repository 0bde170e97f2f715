"""
The in-memory `State`: building it, misusing it, and what applying
decisions does to it.
"""

from __future__ import annotations

import pytest

from dirsync import (
    Account,
    AccountStatus,
    DirectoryLink,
    DirectoryUser,
    Domain,
    Email,
    HoldReason,
    Invitation,
    InvitationStatus,
    Profile,
    Role,
    Situation,
    State,
    UserCreated,
    UserDeleted,
    UserUpdated,
    Workspace,
    decide,
    profile_changes,
    simulate,
)

ACME = Workspace(
    "acme",
    Email.parse("olive@acme.com"),
    frozenset({Domain.parse("acme.com")}),
)
OLIVE = Account(
    Email.parse("olive@acme.com"),
    workspace="acme",
    role=Role.ADMIN,
    link=DirectoryLink("acme", "d-olive"),
)


def user(user_id: str, email: str, **kwargs: object) -> DirectoryUser:
    return DirectoryUser(user_id, Email.parse(email), **kwargs)  # type: ignore[arg-type]


def test_state_rejects_what_cannot_be() -> None:
    """
    Duplicate workspaces and emails, and references to unknown
    workspaces or accounts, are host mistakes: ValueError.
    """
    state = State([ACME], [OLIVE])

    with pytest.raises(ValueError, match="exists already"):
        state.add_workspace(ACME)
    with pytest.raises(ValueError, match="exists"):
        state.add_account(Account(Email.parse("OLIVE@acme.com")))
    with pytest.raises(ValueError, match="unknown workspace"):
        state.add_account(Account(Email.parse("x@acme.com"), workspace="zz"))
    with pytest.raises(ValueError, match="unknown workspace"):
        state.add_invitation(Invitation("zz", OLIVE.email))
    with pytest.raises(ValueError, match="no account"):
        state.add_invitation(Invitation("acme", Email.parse("x@acme.com")))
    with pytest.raises(ValueError, match="member of 'acme' already"):
        state.add_invitation(Invitation("acme", OLIVE.email))


def test_events_for_unknown_workspaces_are_refused() -> None:
    """
    Processing, situating or simulating an event of an unknown workspace
    raises ValueError and changes nothing.
    """
    state = State([ACME], [OLIVE])
    event = UserDeleted("e1", "nowhere", "d-1")

    with pytest.raises(ValueError, match="unknown workspace"):
        state.situate(event)
    with pytest.raises(ValueError, match="unknown workspace"):
        simulate(state, [event])
    assert state.processed == set()


def test_decide_refuses_a_situation_of_another_workspace() -> None:
    """
    A situation loaded for another workspace is a host mistake.
    """
    event = UserDeleted("e1", "globex", "d-1")

    with pytest.raises(ValueError, match="belongs to workspace 'globex'"):
        decide(event, Situation(ACME))


def test_situate_finds_by_link_before_email() -> None:
    """
    The account linked to the directory user wins over the account that
    has the event's email, which makes the new email taken.
    """
    hank = Account(Email.parse("hank@acme.com"), workspace="acme")
    state = State([ACME], [OLIVE, hank])
    event = UserUpdated("e1", "acme", user("d-olive", "hank@acme.com"))

    situation = state.situate(event)

    assert situation.account == OLIVE
    assert situation.linked
    assert situation.email_taken
    assert situation.is_owner


def test_owner_keeps_the_workspace_through_an_email_change() -> None:
    """
    When the owner's email changes, the workspace follows it and is not
    held.
    """
    state = State([ACME], [OLIVE])
    event = UserUpdated(
        "e1",
        "acme",
        user("d-olive", "olive.owens@acme.com", role=Role.ADMIN),
    )

    decision = state.process(event)

    assert decision.rules == ("U-EMAIL",)
    assert state.workspaces["acme"].owner == Email.parse(
        "olive.owens@acme.com"
    )
    assert state.hold_reason("acme") is None


def test_invitation_follows_role_and_email_changes() -> None:
    """
    An invited person's role and email changes reach the invitation.
    """
    ivan = Account(
        Email.parse("ivan@acme.com"), link=DirectoryLink("acme", "d-ivan")
    )
    state = State([ACME], [OLIVE, ivan], [Invitation("acme", ivan.email)])
    event = UserUpdated(
        "e1", "acme", user("d-ivan", "ivan2@acme.com", role=Role.ADMIN)
    )

    decision = state.process(event)

    assert decision.rules == ("U-EMAIL", "U-ROLE")
    (invitation,) = state.invitations.values()
    assert invitation.email == Email.parse("ivan2@acme.com")
    assert invitation.role is Role.ADMIN
    assert invitation.status is InvitationStatus.PENDING


def test_a_directory_user_links_one_account() -> None:
    """
    A state cannot hold two accounts linked to the same directory user
    of a workspace; the refused account is not added.
    """
    state = State([ACME], [OLIVE])
    twin = Account(
        Email.parse("twin@acme.com"), link=DirectoryLink("acme", "d-olive")
    )

    with pytest.raises(ValueError, match=r"linked to olive@acme\.com"):
        state.add_account(twin)
    assert state.find(twin.email.key) is None
    assert len(state.accounts) == 1


def test_relinking_replaces_the_accounts_link() -> None:
    """
    An account linked to one directory user and provisioned for another
    (the IdP recreated the person) ends linked to the new one only.
    """
    hank = Account(
        Email.parse("hank@acme.com"),
        workspace="acme",
        link=DirectoryLink("acme", "d-old"),
    )
    state = State([ACME], [OLIVE, hank])

    decision = state.process(
        UserCreated("e1", "acme", user("d-new", "hank@acme.com"))
    )

    assert decision.rules == ("P-MEMBER",)
    assert state.accounts[1].link == DirectoryLink("acme", "d-new")
    assert state.situate(UserDeleted("e2", "acme", "d-old")).account is None


@pytest.mark.parametrize(
    ("owner", "accounts", "reason"),
    [
        (None, [], HoldReason.NO_OWNER),
        ("olive@acme.com", [], HoldReason.OWNER_WITHOUT_ACCOUNT),
        (
            "olive@acme.com",
            [Account(Email.parse("olive@acme.com"))],
            HoldReason.OWNER_NOT_MEMBER,
        ),
        (
            "olive@acme.com",
            [
                Account(
                    Email.parse("olive@acme.com"),
                    workspace="acme",
                    status=AccountStatus.DEACTIVATED,
                )
            ],
            HoldReason.OWNER_DEACTIVATED,
        ),
        ("olive@acme.com", [OLIVE], None),
    ],
)
def test_hold_reasons(
    owner: str | None, accounts: list[Account], reason: HoldReason | None
) -> None:
    """
    A workspace is held unless its owner is an active member, and says
    why.
    """
    workspace = Workspace(
        "acme", None if owner is None else Email.parse(owner)
    )

    state = State([workspace], accounts)

    assert state.hold_reason("acme") is reason


def test_stale_events_change_nothing() -> None:
    """
    An event older than one already applied for the user is recorded as
    stale; by sequence number and by timestamp alike.
    """
    from datetime import UTC, datetime

    state = State([ACME], [OLIVE])
    mia = user("d-mia", "mia@acme.com")
    state.process(UserCreated("e1", "acme", mia, sequence=5))
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    state.process(UserCreated("e2", "acme", mia, occurred_at=noon))

    by_sequence = state.process(UserDeleted("e3", "acme", "d-mia", sequence=4))
    by_time = state.process(
        UserDeleted(
            "e4",
            "acme",
            "d-mia",
            occurred_at=datetime(2026, 1, 1, 11, tzinfo=UTC),
        )
    )
    again = state.process(UserDeleted("e3", "acme", "d-mia", sequence=4))

    assert [s.value for s in by_sequence.skips] == ["stale"]
    assert [s.value for s in by_time.skips] == ["stale"]
    assert [s.value for s in again.skips] == ["duplicate"]
    assert state.invitations[("acme", 1)].pending


def test_profile_changes_only_touch_stated_attributes() -> None:
    """
    Attributes the source did not state are kept; equal profiles give no
    change.
    """
    current = Profile("Mia", "Moss", "Sales", "Rep")
    partial = DirectoryUser(
        "d-mia",
        Email.parse("mia@acme.com"),
        Profile(None, None, None, "Lead"),
        stated=frozenset({"title"}),
    )
    same = DirectoryUser("d-mia", Email.parse("mia@acme.com"), current)

    assert profile_changes(current, partial) == (
        Profile("Mia", "Moss", "Sales", "Lead"),
        ("title",),
    )
    assert profile_changes(current, same) == (current, ())
    assert profile_changes(
        current,
        DirectoryUser(
            "d-mia",
            Email.parse("mia@acme.com"),
            Profile(None, None, None, "Rep"),
            stated=frozenset({"title"}),
        ),
    ) == (current, ())
