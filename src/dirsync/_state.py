"""
The product's state in memory: workspaces, accounts and invitations, and
how decisions change them.

`State` is the in-memory twin of a host's store: it loads the
`Situation` for an event, has `decide` decide it, and applies the
decision.  It does no I/O and reads no clock.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar, assert_never

import attrs

from ._actions import (
    ChangeEmail,
    CreateAccount,
    Deactivate,
    Escalate,
    EscalationReason,
    Link,
    Reactivate,
    RevokeInvitation,
    SendInvitation,
    SetRole,
    Skip,
    SkipReason,
    UpdateProfile,
)
from ._decide import decide
from ._decision import Decision
from ._events import DirectoryEvent, UserDeleted
from ._model import (
    Account,
    AccountStatus,
    DirectoryLink,
    Email,
    Invitation,
    InvitationStatus,
    Profile,
    Role,
    Workspace,
)
from ._policy import DEFAULT_POLICY, Policy
from ._schedule import HoldReason, hold_reason
from ._standing import DirectoryRecord, Situation


@attrs.frozen
class Mail:
    """
    A message handed to the mailer.

    .. versionadded:: 0.1.0
    """

    to: str
    workspace: str
    kind: str = "invitation"


@attrs.frozen
class EscalationRecord:
    """
    A case handed to support.

    .. versionadded:: 0.1.0
    """

    event_id: str
    workspace: str
    email: str
    reason: EscalationReason


class State:
    """
    The product's state, in memory, across many workspaces.

    Accounts are numbered in the order they were added, from 0; the
    number is how invitations refer to them, since emails change.

    Args:
        workspaces: The workspaces.
        accounts: The accounts; emails must be unique.
        invitations: Invitations; each one's email must be an account's.

    Raises:
        ValueError: Two accounts share an email, an invitation names an
            email no account has, or names an unknown workspace.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        workspaces: Iterable[Workspace] = (),
        accounts: Iterable[Account] = (),
        invitations: Iterable[Invitation] = (),
    ) -> None:
        self.workspaces: dict[str, Workspace] = {}
        self.accounts: list[Account] = []
        self.invitations: dict[tuple[str, int], Invitation] = {}
        self.records: dict[tuple[str, str], DirectoryRecord] = {}
        self.processed: set[tuple[str, str]] = set()
        self.mail: list[Mail] = []
        self.escalations: list[EscalationRecord] = []
        self._by_email: dict[str, int] = {}
        self._by_link: dict[tuple[str | None, str], int] = {}
        self._claimants: dict[str, set[str]] = {}
        # Account number -> workspaces that invited it; owner email key
        # -> workspaces it owns.
        self._invited: dict[int, set[str]] = {}
        self._owned: dict[str, list[str]] = {}
        for workspace in workspaces:
            self.add_workspace(workspace)
        for account in accounts:
            self.add_account(account)
        for invitation in invitations:
            self.add_invitation(invitation)

    # Building.

    def add_workspace(self, workspace: Workspace) -> None:
        """
        Add a workspace.

        Raises:
            ValueError: The id is taken.
        """
        if workspace.id in self.workspaces:
            raise ValueError(f"workspace {workspace.id!r} exists already")
        self.workspaces[workspace.id] = workspace
        if workspace.owner is not None:
            self._owned.setdefault(workspace.owner.key, []).append(
                workspace.id
            )
        for domain in workspace.claimed_domains:
            self._claimants.setdefault(domain.ascii, set()).add(workspace.id)

    def add_account(self, account: Account) -> int:
        """
        Add an account and return its number.

        Raises:
            ValueError: The email is taken, the account names an unknown
                workspace, or its directory user is linked to another
                account.
        """
        if account.email.key in self._by_email:
            raise ValueError(f"an account with {account.email} exists")
        for name in (account.workspace, account.created_by):
            if name is not None and name not in self.workspaces:
                raise ValueError(f"unknown workspace {name!r}")
        link = account.link
        if link is not None and _key(link) in self._by_link:
            holder = self.accounts[self._by_link[_key(link)]]
            raise ValueError(
                f"directory user {link.user_id!r} is linked to "
                f"{holder.email} already"
            )
        number = len(self.accounts)
        self.accounts.append(account)
        self._by_email[account.email.key] = number
        if link is not None:
            self._by_link[_key(link)] = number
        return number

    def add_invitation(self, invitation: Invitation) -> None:
        """
        Add an invitation to an existing account.

        Raises:
            ValueError: No account has its email, the workspace is
                unknown, or the account is a member of that workspace.
        """
        if invitation.workspace not in self.workspaces:
            raise ValueError(f"unknown workspace {invitation.workspace!r}")
        number = self.find(invitation.email.key)
        if number is None:
            raise ValueError(f"no account has the email {invitation.email}")
        if self.accounts[number].workspace == invitation.workspace:
            raise ValueError(
                f"{invitation.email} is a member of {invitation.workspace!r}"
                " already and cannot be invited to it"
            )
        self.invite(number, invitation)

    def invite(self, number: int, invitation: Invitation) -> None:
        """
        Put *invitation* for account *number* in place, replacing the
        workspace's earlier one to that account; no checks.
        """
        self.invitations[invitation.workspace, number] = invitation
        self._invited.setdefault(number, set()).add(invitation.workspace)

    def copy(self) -> State:
        """
        An independent copy.

        Cheap: the values held are immutable, so copying the containers
        is enough.
        """
        new = copy.copy(self)
        for name, value in vars(self).items():
            setattr(new, name, copy.copy(value))
        # The indexes hold containers of their own.
        new._claimants = {k: set(v) for k, v in self._claimants.items()}
        new._invited = {k: set(v) for k, v in self._invited.items()}
        new._owned = {k: list(v) for k, v in self._owned.items()}
        return new

    def __repr__(self) -> str:
        return (
            f"State(workspaces={list(self.workspaces.values())!r}, "
            f"accounts={self.accounts!r}, "
            f"invitations={list(self.invitations.values())!r})"
        )

    # Reading.

    def find(self, email_key: str) -> int | None:
        """
        The number of the account with this email key, if any.
        """
        return self._by_email.get(email_key)

    def owner_of(self, workspace_id: str) -> Account | None:
        """
        The account with the workspace owner's email, if any.
        """
        owner = self.workspaces[workspace_id].owner
        number = None if owner is None else self.find(owner.key)
        return None if number is None else self.accounts[number]

    def hold_reason(self, workspace_id: str) -> HoldReason | None:
        """
        Why the workspace is held, or None.
        """
        return hold_reason(
            self.workspaces[workspace_id], self.owner_of(workspace_id)
        )

    def situate(self, event: DirectoryEvent) -> Situation:
        """
        Load the `Situation` for *event*, as a host's store would.

        Raises:
            ValueError: The event's workspace is unknown.
        """
        return self._locate(event)[1]

    def _locate(self, event: DirectoryEvent) -> tuple[int | None, Situation]:
        workspace = self.workspaces.get(event.workspace)
        if workspace is None:
            raise ValueError(
                f"event {event.id!r} names unknown workspace "
                f"{event.workspace!r}"
            )
        # Look the person up by link first, then by email (SPEC 3).
        user_id = event.user_id
        by_link = self._by_link
        number = by_link.get((workspace.id, user_id))
        if number is None:
            number = by_link.get((None, user_id))
        linked = number is not None
        email = event.email
        holder = None if email is None else self._by_email.get(email.key)
        if number is None:
            number = holder

        account = None if number is None else self.accounts[number]
        invitation = (
            None
            if number is None
            else self.invitations.get((workspace.id, number))
        )
        if invitation is not None and not invitation.pending:
            invitation = None
        taken = holder is not None and holder != number
        # Claimed elsewhere: some workspace other than W claims the domain.
        claimants = (
            None if email is None else self._claimants.get(email.domain.ascii)
        )
        elsewhere = claimants is not None and (
            len(claimants) > 1
            or (len(claimants) == 1 and workspace.id not in claimants)
        )
        return number, Situation(
            workspace,
            account,
            linked,
            invitation,
            taken,
            elsewhere,
            self.records.get((workspace.id, user_id)),
            (workspace.id, event.id) in self.processed,
        )

    # Changing.

    def process(
        self, event: DirectoryEvent, policy: Policy = DEFAULT_POLICY
    ) -> Decision:
        """
        Decide *event* against this state and apply the decision.

        Raises:
            ValueError: The event's workspace is unknown.
        """
        return self.decide_and_apply(
            event, lambda situation: decide(event, situation, policy)
        )

    def decide_and_apply(
        self,
        event: DirectoryEvent,
        decider: Callable[[Situation], Decision],
    ) -> Decision:
        """
        Load the situation for *event*, have *decider* decide, and apply
        the decision: the unit of work of `dirsync.ports.Store.process`.

        Raises:
            ValueError: The event's workspace is unknown.
        """
        number, situation = self._locate(event)
        decision = decider(situation)
        self._apply(event, number, decision)
        return decision

    def _apply(
        self, event: DirectoryEvent, number: int | None, decision: Decision
    ) -> None:
        workspace = event.workspace
        for action in decision.actions:
            match action:
                case CreateAccount():
                    number = self.add_account(
                        Account(
                            email=action.email,
                            profile=action.profile,
                            role=action.role,
                            created_by=action.created_by,
                        )
                    )
                case Skip():
                    if action.reason is SkipReason.DUPLICATE:
                        return
                    if action.reason is SkipReason.STALE:
                        # Handled, so a redelivery is a duplicate; but
                        # it is no newer than what the record holds.
                        self.processed.add((workspace, event.id))
                        return
                case Escalate():
                    self.escalations.append(
                        EscalationRecord(
                            event.id,
                            workspace,
                            decision.subject,
                            action.reason,
                        )
                    )
                case _:
                    assert number is not None, "actions need an account"
                    self._apply_to_account(workspace, number, action)
        self.processed.add((workspace, event.id))
        self._record(event)

    def _apply_to_account(
        self,
        workspace: str,
        number: int,
        action: Link
        | UpdateProfile
        | ChangeEmail
        | SetRole
        | SendInvitation
        | RevokeInvitation
        | Reactivate
        | Deactivate,
    ) -> None:
        account = self.accounts[number]
        match action:
            case Link():
                self._link(number, action.link)
                account = _changed(account, link=action.link)
            case UpdateProfile():
                account = _changed(account, profile=action.profile)
            case ChangeEmail():
                account = self._change_email(number, action)
            case SetRole():
                # The member's role; for someone in no workspace yet, the
                # role they were created with follows the invitation's.
                if account.workspace in (workspace, None):
                    account = _changed(account, role=action.role)
                invitation = self.invitations.get((workspace, number))
                if invitation is not None and invitation.pending:
                    self.invitations[workspace, number] = attrs.evolve(
                        invitation, role=action.role
                    )
            case SendInvitation():
                self.invite(
                    number, Invitation(workspace, action.email, action.role)
                )
                self.mail.append(Mail(action.email.address, workspace))
            case RevokeInvitation():
                key = (workspace, number)
                self.invitations[key] = attrs.evolve(
                    self.invitations[key], status=InvitationStatus.REVOKED
                )
            case Reactivate():
                account = _changed(account, status=AccountStatus.ACTIVE)
            case Deactivate():
                account = _changed(account, status=AccountStatus.DEACTIVATED)
            case _:
                assert_never(action)
        self.accounts[number] = account

    def _link(self, number: int, link: DirectoryLink) -> None:
        # `decide` only orders a link when no account is linked to the
        # directory user in W, so the key is free.
        old = self.accounts[number].link
        if old is not None:
            del self._by_link[_key(old)]
        self._by_link[_key(link)] = number

    def _change_email(self, number: int, action: ChangeEmail) -> Account:
        del self._by_email[action.old.key]
        self._by_email[action.new.key] = number
        # Invitations and ownership follow the account.  Looked up in
        # indexes: a product has many workspaces and invitations.
        for name in self._invited.get(number, ()):
            self.invitations[name, number] = attrs.evolve(
                self.invitations[name, number], email=action.new
            )
        owned = self._owned.pop(action.old.key, [])
        for name in owned:
            self.workspaces[name] = attrs.evolve(
                self.workspaces[name], owner=action.new
            )
        if owned:
            self._owned.setdefault(action.new.key, []).extend(owned)
        return _changed(self.accounts[number], email=action.new)

    def _record(self, event: DirectoryEvent) -> None:
        key = (event.workspace, event.user_id)
        self.records[key] = next_record(self.records.get(key), event)


def next_record(
    old: DirectoryRecord | None, event: DirectoryEvent
) -> DirectoryRecord:
    """
    What to record for a directory user once *event* is applied, after
    *old*: the event's ``active`` flag (False for a deletion), and the
    latest sequence and timestamp either carries.
    """
    active = False if isinstance(event, UserDeleted) else event.user.active
    sequence, occurred_at = event.sequence, event.occurred_at
    if old is not None:
        sequence = _latest(old.sequence, sequence)
        occurred_at = _latest(old.occurred_at, occurred_at)
    if sequence is None and occurred_at is None:
        # Records are frozen, so the two that carry only the flag are
        # shared rather than built for every event.
        return _FLAG_ONLY[active]
    return DirectoryRecord(active, sequence, occurred_at)


_FLAG_ONLY = {flag: DirectoryRecord(flag) for flag in (True, False)}


def _changed(
    account: Account,
    *,
    email: Email | None = None,
    profile: Profile | None = None,
    status: AccountStatus | None = None,
    role: Role | None = None,
    link: DirectoryLink | None = None,
) -> Account:
    # `attrs.evolve` for the fields an action sets, none of them to None,
    # at less than half its cost: every event applied goes through here.
    return Account(
        account.email if email is None else email,
        account.profile if profile is None else profile,
        account.workspace,
        account.status if status is None else status,
        account.role if role is None else role,
        account.link if link is None else link,
        account.created_by,
    )


def _key(link: DirectoryLink) -> tuple[str | None, str]:
    return (link.workspace, link.user_id)


_T = TypeVar("_T", int, datetime)


def _latest(old: _T | None, new: _T | None) -> _T | None:
    if old is None:
        return new
    if new is None:
        return old
    return max(old, new)
